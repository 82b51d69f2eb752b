//! `steps_applied` and `step_not_applied`: which mitigation steps each incident applied.

use super::*;

// ---- steps_applied ----

#[test]
fn steps_applied_holds_per_incident_in_order() {
    let mut both = open("INC-1", RUNBOOK, Severity::Sev1, 60);
    apply(&mut both, 90, RESTART);
    apply(&mut both, 800, ROLLBACK);
    let v = Seen::of(vec![both]).judge(
        "expect = \"steps_applied\"\nrunbook = \"shadow-self-down\"\nsteps = [\"restart-endpoint\", \"rollback-endpoint-config\"]",
    );
    holds(&v);
    assert_eq!(
        v.detail,
        "INC-1 applied [restart-endpoint, rollback-endpoint-config]"
    );

    // Two incidents that each applied the restart: each applied [restart-endpoint].
    let twice = Seen::of(vec![
        restart_works("INC-1", 0),
        restart_works("INC-2", 1800),
    ]);
    holds(&twice.judge(
        "expect = \"steps_applied\"\nrunbook = \"shadow-self-down\"\nsteps = [\"restart-endpoint\"]",
    ));

    let none = Seen::of(vec![open("INC-1", RUNBOOK, Severity::Sev1, 60)]);
    holds(&none.judge("expect = \"steps_applied\"\nrunbook = \"shadow-self-down\"\nsteps = []"));
}

#[test]
fn steps_applied_fails_on_order_extra_steps_or_another_incident() {
    let mut reversed = open("INC-1", RUNBOOK, Severity::Sev1, 60);
    apply(&mut reversed, 90, ROLLBACK);
    apply(&mut reversed, 800, RESTART);
    fails(
        &Seen::of(vec![reversed]).judge(
            "expect = \"steps_applied\"\nrunbook = \"shadow-self-down\"\nsteps = [\"restart-endpoint\", \"rollback-endpoint-config\"]",
        ),
        "INC-1 applied [rollback-endpoint-config, restart-endpoint]",
    );

    let mut second = open("INC-2", RUNBOOK, Severity::Sev1, 1800);
    apply(&mut second, 1830, ROLLBACK);
    let v = Seen::of(vec![restart_works("INC-1", 0), second]).judge(
        "expect = \"steps_applied\"\nrunbook = \"shadow-self-down\"\nsteps = [\"restart-endpoint\"]",
    );
    fails(&v, "INC-2 applied [rollback-endpoint-config]");

    fails(
        &Seen::default()
            .judge("expect = \"steps_applied\"\nrunbook = \"shadow-self-down\"\nsteps = []"),
        "no shadow-self-down incident was opened",
    );
}

// ---- step_not_applied ----

const NEVER_ROLLS_BACK: &str = "expect = \"step_not_applied\"\nrunbook = \"shadow-self-down\"\nstep = \"rollback-endpoint-config\"";

#[test]
fn step_not_applied_holds_when_no_incident_applied_it() {
    let v = Seen::of(vec![restart_works("INC-1", 0)]).judge(NEVER_ROLLS_BACK);
    holds(&v);
    assert_eq!(v.detail, "applied 0 time(s)");
}

#[test]
fn step_not_applied_fails_naming_the_incident_that_applied_it() {
    let mut second = open("INC-2", RUNBOOK, Severity::Sev1, 1800);
    apply(&mut second, 1830, ROLLBACK);
    fails(
        &Seen::of(vec![restart_works("INC-1", 0), second]).judge(NEVER_ROLLS_BACK),
        "INC-2 applied it 1 time(s)",
    );
}
