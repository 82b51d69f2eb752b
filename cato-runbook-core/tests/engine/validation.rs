//! Settings that cannot work are refused when the engine is built, naming the key: zero or
//! absurd durations and counts, each beyond its ceiling, a policy key naming a runbook or step the engine does not know, a ladder
//! step named like one of the engine's own keys.

use std::sync::Arc;
use std::time::Duration;

use cato_runbook_core::engine::{Engine, EngineConfig, Mode, Policy};
use cato_runbook_core::runbook::Runbook;
use cato_runbook_core::{Error, ErrorKind};

use crate::support::*;

fn runbook_with_step(step: &str) -> Result<Runbook, Error> {
    let log = CallLog::default();
    Runbook::builder("test-runbook", "Test")
        .detector(FakeDetector::new("probe", "svc"))
        .step(Arc::new(FakeStep::new(step, &log)))
        .build()
}

fn build(config: EngineConfig, policy: Policy) -> Result<Engine, Error> {
    Engine::builder()
        .runbook(runbook_with_step("restart").unwrap())
        .pager(Arc::new(RecordingPager::default()))
        .chat(Arc::new(RecordingChat::default()))
        .config(config)
        .policy(policy)
        .alone()
        .build()
}

fn refused_config(edit: impl FnOnce(&mut EngineConfig), key: &str) {
    let mut config = EngineConfig::default();
    edit(&mut config);
    let err = build(config.clone(), Policy::default()).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput, "{err}");
    assert!(
        err.message().starts_with(&format!("{key}: ")),
        "{key}: {err}"
    );
    assert_eq!(config.validate().unwrap_err().message(), err.message());
}

#[test]
fn zero_durations_and_thresholds_are_refused_naming_the_key() {
    assert!(build(EngineConfig::default(), Policy::default()).is_ok());
    refused_config(|c| c.tick_interval = Duration::ZERO, "engine.tick_interval");
    refused_config(|c| c.lease_ttl = Duration::ZERO, "engine.lease_ttl");
    refused_config(
        |c| c.timeouts.detector = Duration::ZERO,
        "engine.timeouts.detector",
    );
    refused_config(
        |c| c.timeouts.diagnosis = Duration::ZERO,
        "engine.timeouts.diagnosis",
    );
    refused_config(|c| c.timeouts.step = Duration::ZERO, "engine.timeouts.step");
    refused_config(|c| c.timeouts.call = Duration::ZERO, "engine.timeouts.call");
    refused_config(|c| c.open_after = 0, "engine.open_after");
    refused_config(|c| c.resolve_after = 0, "engine.resolve_after");
    refused_config(|c| c.blind_after = 0, "engine.blind_after");
    refused_config(|c| c.chat_channel = " ".into(), "engine.chat_channel");
}

#[test]
fn a_tick_the_lease_does_not_outlast_twice_is_refused_and_huge_values_do_not_overflow() {
    refused_config(
        |c| {
            c.tick_interval = Duration::from_secs(60);
            c.lease_ttl = Duration::from_secs(90);
        },
        "engine.lease_ttl",
    );
    // A tick so long that twice it overflows: refused, not a panic.
    refused_config(|c| c.tick_interval = Duration::MAX, "engine.tick_interval");
    // Long but workable values stay valid.
    let mut config = EngineConfig::default();
    config.tick_interval = Duration::from_secs(3600);
    config.lease_ttl = Duration::from_secs(7200);
    config.timeouts.step = Duration::from_secs(24 * 3600);
    assert!(build(config, Policy::default()).is_ok());
}

#[test]
fn durations_and_counts_beyond_their_ceiling_are_refused_naming_the_key() {
    let minute = Duration::from_secs(60);
    let hour = 60 * minute;
    let day = 24 * hour;
    type Edit = fn(&mut EngineConfig, Duration);
    let durations: &[(&str, Duration, Edit)] = &[
        ("engine.tick_interval", hour, |c, v| {
            c.tick_interval = v;
            c.lease_ttl = Duration::from_secs(3 * 3600);
        }),
        ("engine.lease_ttl", day, |c, v| c.lease_ttl = v),
        ("engine.timeouts.detector", 10 * minute, |c, v| {
            c.timeouts.detector = v
        }),
        ("engine.timeouts.diagnosis", hour, |c, v| {
            c.timeouts.diagnosis = v
        }),
        ("engine.timeouts.step", day, |c, v| c.timeouts.step = v),
        ("engine.timeouts.call", 10 * minute, |c, v| {
            c.timeouts.call = v
        }),
        ("engine.retry.max_delay", hour, |c, v| c.retry.max_delay = v),
        ("engine.escalation.levels[0].after", day, |c, v| {
            c.escalation.levels[0].after = v;
        }),
        ("engine.alerts.dedupe_window", day, |c, v| {
            c.alerts.dedupe_window = v
        }),
        ("engine.postmortem.due_after", 90 * day, |c, v| {
            c.postmortem.due_after = v
        }),
    ];
    for (key, max, set) in durations {
        refused_config(|c| set(c, *max + Duration::from_secs(1)), key);
        refused_config(|c| set(c, Duration::from_secs(u64::MAX)), key);
        let mut config = EngineConfig::default();
        set(&mut config, *max);
        assert!(config.validate().is_ok(), "{key} = {max:?}");
    }
    refused_config(
        |c| c.retry.first_delay = Duration::ZERO,
        "engine.retry.first_delay",
    );
    refused_config(
        |c| c.retry.first_delay = c.retry.max_delay + minute,
        "engine.retry.first_delay",
    );
    refused_config(
        |c| c.retry.max_delay = Duration::ZERO,
        "engine.retry.max_delay",
    );
    type Count = fn(&mut EngineConfig, u32);
    let counts: &[(&str, u32, Count)] = &[
        ("engine.open_after", 100, |c, v| c.open_after = v),
        ("engine.resolve_after", 100, |c, v| c.resolve_after = v),
        ("engine.blind_after", 100, |c, v| c.blind_after = v),
        ("engine.retry.attempts", 10, |c, v| c.retry.attempts = v),
        ("engine.alerts.max_per_hour", 1000, |c, v| {
            c.alerts.max_per_hour = v
        }),
    ];
    for (key, max, set) in counts {
        for value in [0, max + 1, u32::MAX] {
            refused_config(|c| set(c, value), key);
        }
        for value in [1, *max] {
            let mut config = EngineConfig::default();
            set(&mut config, value);
            assert!(config.validate().is_ok(), "{key} = {value}");
        }
    }
}

#[test]
fn policy_keys_name_a_known_runbook_or_step() {
    // The registered runbook's id and step, and the catalog's, are known.
    let mut policy = Policy::with_mode(Mode::Auto);
    policy
        .runbook_modes
        .insert("test-runbook".into(), Mode::DryRun);
    policy
        .runbook_modes
        .insert("budget-exceeded".into(), Mode::DryRun);
    policy
        .step_cooldowns
        .insert("restart".into(), Duration::from_secs(60));
    policy
        .step_cooldowns
        .insert("restart-endpoint".into(), Duration::from_secs(60));
    assert!(build(EngineConfig::default(), policy.clone()).is_ok());

    let mut typo = policy.clone();
    typo.runbook_modes
        .insert("test-runbok".into(), Mode::DryRun);
    let err = build(EngineConfig::default(), typo).unwrap_err();
    assert!(
        err.message().starts_with(
            "policy.runbook_modes.test-runbok: unknown runbook \"test-runbok\"; known: "
        ) && err.message().contains("test-runbook"),
        "{err}"
    );

    let mut typo = policy;
    typo.step_cooldowns
        .insert("restrat".into(), Duration::from_secs(60));
    let err = build(EngineConfig::default(), typo).unwrap_err();
    assert!(
        err.message()
            .starts_with("policy.step_cooldowns.restrat: unknown ladder step")
            && err.message().contains("restart, "),
        "{err}"
    );
}

#[test]
fn a_step_named_like_an_engine_key_is_refused_naming_both() {
    for (name, engine_key) in [
        ("notice-0", "notice-<n>"),
        ("restart:revert", ":revert"),
        ("scale@svc", "<step>@<resource>"),
        ("", "needs a name"),
    ] {
        let err = runbook_with_step(name).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidInput, "{err}");
        assert!(err.message().contains(engine_key), "{name}: {err}");
        if !name.is_empty() {
            assert!(
                err.message().contains(&format!("{name:?}")),
                "{name}: {err}"
            );
        }
    }
    assert!(runbook_with_step("notify-owner").is_ok());
}
