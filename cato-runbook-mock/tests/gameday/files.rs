//! Bad scenario files get an error naming the file, the line and the field.

use cato_runbook_mock::gameday::{Scenario, ScenarioError};

fn error(text: &str) -> ScenarioError {
    Scenario::from_toml("scenarios/bad.toml", text).unwrap_err()
}

const HEAD: &str = "name = \"bad\"\nduration = \"10m\"\nrunbooks = [\"endpoint\"]\n";

#[test]
fn missing_field() {
    let err = error(&format!(
        "{HEAD}\n[[events]]\nchange = \"spend_reaches_limit\"\n"
    ));
    assert_eq!(err.field(), Some("at"), "{err}");
    assert_eq!(err.line(), Some(5), "{err}");
    assert!(
        err.to_string().starts_with("scenarios/bad.toml:5:"),
        "{err}"
    );

    let err = error("name = \"x\"\nrunbooks = []\n");
    assert_eq!(err.field(), Some("duration"), "{err}");
}

#[test]
fn unknown_fault() {
    let err = error(&format!(
        "{HEAD}\n[[faults]]\nat = \"T+1m\"\nop = \"endpoint.describe\"\nfault = {{ kind = \"gremlins\" }}\n"
    ));
    assert_eq!(err.line(), Some(8), "{err}");
    assert!(err.message().contains("gremlins"), "{err}");
    assert!(
        err.message().contains("transient"),
        "names the known kinds: {err}"
    );
}

#[test]
fn unknown_change() {
    let err = error(&format!(
        "{HEAD}\n[[events]]\nat = \"T+1m\"\nchange = \"meteor_strike\"\n"
    ));
    assert!(err.message().contains("meteor_strike"), "{err}");
    assert_eq!(err.line(), Some(5), "{err}");
}

#[test]
fn time_in_the_past() {
    let err = error(&format!(
        "{HEAD}\n[[events]]\nat = \"T-5m\"\nchange = \"spend_reaches_limit\"\n"
    ));
    assert!(
        err.message().contains("before the scenario starts"),
        "{err}"
    );
    assert_eq!(err.line(), Some(6), "{err}");
    assert_eq!(err.field(), Some("at"), "{err}");

    let err = error(&format!(
        "{HEAD}\n[[operator]]\nat = \"T-1s\"\naction = \"halt\"\n"
    ));
    assert!(
        err.message().contains("before the scenario starts"),
        "{err}"
    );
    assert_eq!(err.line(), Some(6), "{err}");
    assert_eq!(err.field(), Some("at"), "{err}");
}

#[test]
fn time_after_the_end() {
    let err = error(&format!(
        "{HEAD}\n[[events]]\nat = \"T+2h\"\nchange = \"spend_reaches_limit\"\n"
    ));
    assert_eq!(err.field(), Some("at"), "{err}");
    assert_eq!(err.line(), Some(5), "{err}");
    assert!(
        err.message().contains("after the scenario ends (T+10m)"),
        "{err}"
    );
}

#[test]
fn unknown_port() {
    let err = error(&format!(
        "{HEAD}\n[[faults]]\nat = \"T+1m\"\nop = \"mainframe.describe\"\nfault = {{ kind = \"transient\" }}\n"
    ));
    assert_eq!(err.line(), Some(7), "{err}");
    assert!(err.message().contains("mainframe"), "{err}");
}

#[test]
fn unknown_field_and_bad_toml() {
    let err = error(&format!("{HEAD}colour = \"red\"\n"));
    assert_eq!(err.field(), Some("colour"), "{err}");
    assert_eq!(err.line(), Some(4), "{err}");

    let err = error("name = \"x\"\nduration = \n");
    assert_eq!(err.line(), Some(2), "{err}");
}

#[test]
fn a_typo_in_an_operator_action_is_an_error_naming_the_key() {
    // A struct action: `resaon` is not `reason`.
    let err = error(&format!(
        "{HEAD}\n[[operator]]\nat = \"T+1m\"\naction = \"halt\"\nresaon = \"drill\"\n"
    ));
    assert_eq!(err.field(), Some("resaon"), "{err}");
    assert!(err.message().contains("unknown field"), "{err}");
    // An action without arguments takes none.
    let err = error(&format!(
        "{HEAD}\n[[operator]]\nat = \"T+1m\"\nrunbook = \"endpoint\"\naction = \"acknowledge\"\nbye = \"me\"\n"
    ));
    assert_eq!(err.field(), Some("bye"), "{err}");
    // The entry's own keys still reach it, and an action's arguments still parse.
    let ok = |rest: &str| {
        Scenario::from_toml(
            "scenarios/ok.toml",
            &format!(
                "{HEAD}\n[[operator]]\nat = \"T+1m\"\nby = \"alice\"\n{rest}\n\n[[expect]]\nexpect = \"no_incident\"\nrunbook = \"endpoint\"\n"
            ),
        )
    };
    for rest in [
        "action = \"resume\"",
        "action = \"halt\"\nreason = \"drill\"",
        "runbook = \"endpoint\"\naction = \"deny\"\nstep = \"restart\"\nreason = \"no\"",
    ] {
        let scenario = ok(rest);
        assert!(scenario.is_ok(), "{rest}: {scenario:?}");
    }
}

#[test]
fn action_without_its_incident() {
    let err = error(&format!(
        "{HEAD}\n[[operator]]\nat = \"T+1m\"\naction = \"acknowledge\"\n"
    ));
    assert_eq!(err.field(), Some("runbook"), "{err}");
    assert_eq!(err.line(), Some(5), "{err}");
}

#[test]
fn impossible_world() {
    let err = error(&format!(
        "{HEAD}\n[world.traffic]\nshadow_self_share = 1.5\n"
    ));
    assert!(err.message().contains("shadow_self_share"), "{err}");
    assert_eq!(err.line(), Some(5), "{err}");
}

#[test]
fn a_file_that_does_not_exist() {
    let err = Scenario::load("scenarios/does-not-exist.toml").unwrap_err();
    assert!(
        err.to_string()
            .starts_with("scenarios/does-not-exist.toml: cannot read the scenario"),
        "{err}"
    );
}

#[test]
fn a_scenario_that_expects_nothing() {
    let err = error(&format!(
        "{HEAD}\n[[events]]\nat = \"T+1m\"\nchange = \"spend_reaches_limit\"\n"
    ));
    assert_eq!(err.field(), Some("expect"), "{err}");
    assert!(
        err.to_string()
            .starts_with("scenarios/bad.toml: field `expect`: the scenario has no [[expect]]"),
        "names the file: {err}"
    );

    // One expectation is enough.
    let text = format!("{HEAD}\n[[expect]]\nexpect = \"pages\"\ncount = 0\n");
    assert!(Scenario::from_toml("scenarios/ok.toml", &text).is_ok());
}
