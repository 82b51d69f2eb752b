//! Settings read from TOML, as the CLI does.

use std::time::Duration;

use cato_runbook_core::Severity;
use cato_runbook_core::engine::{EngineConfig, Mode, Policy, Reach};
use cato_runbook_core::runbook::Risk;

#[test]
fn defaults_are_the_runbooks_contacts_and_delays() {
    let config = EngineConfig::default();
    let escalation = &config.escalation;
    assert_eq!(
        escalation.on_call.reach,
        Reach::Pager {
            target: "on-call".into()
        }
    );
    let lead = &escalation.levels[0];
    assert_eq!(lead.contact.role, "Engineering Lead");
    assert_eq!(lead.contact.reach.target(), "@lead-eng");
    assert_eq!(lead.after, Duration::from_secs(15 * 60));
    assert!(lead.applies_to(Severity::Sev3));
    let vp = &escalation.levels[1];
    assert_eq!(vp.contact.reach.channel(), "phone");
    assert_eq!(vp.after, Duration::from_secs(30 * 60));
    assert!(vp.applies_to(Severity::Sev1) && !vp.applies_to(Severity::Sev2));
    assert_eq!(escalation.aws_tam.reach.target(), "aws-support@company.com");
    assert_eq!((config.open_after, config.resolve_after), (2, 3));
}

#[test]
fn engine_config_and_policy_read_from_toml() {
    let config: EngineConfig = toml::from_str(
        r##"
        tick_interval = "20s"
        open_after = 3
        chat_channel = "#cato-alerts"
        [timeouts]
        detector = "5s"
        [escalation.on_call]
        role = "On-call Engineer"
        reach = { via = "pager", target = "cato-primary" }
        [[escalation.levels]]
        contact = { role = "Engineering Lead", reach = { via = "chat", channel = "#cato-incident", mention = "@lead-eng" } }
        after = "10m"
        "##,
    )
    .unwrap();
    assert_eq!(config.tick_interval, Duration::from_secs(20));
    assert_eq!(config.timeouts.detector, Duration::from_secs(5));
    assert_eq!(
        config.timeouts.step,
        Duration::from_secs(300),
        "unset keys keep defaults"
    );
    assert_eq!(config.escalation.levels.len(), 1);
    assert_eq!(config.escalation.levels[0].after, Duration::from_secs(600));
    assert_eq!(config.escalation.aws_tam.role, "AWS TAM");

    let policy: Policy = toml::from_str(
        r#"
        mode = "auto"
        max_destructive_per_hour = 2
        [approval]
        risk_at_least = "high"
        ttl = "15m"
        [caps]
        max_instances = 20
        max_monthly_spend_usd = 2000.0
        [step_cooldowns]
        restart-endpoint = "30m"
        "#,
    )
    .unwrap();
    assert_eq!(policy.mode, Mode::Auto);
    assert_eq!(policy.approval.risk_at_least, Some(Risk::High));
    assert_eq!(
        policy.cooldown_of("restart-endpoint"),
        Duration::from_secs(1800)
    );
    assert_eq!(policy.cooldown_of("other"), Duration::from_secs(600));
    assert_eq!(policy.caps.max_instances, Some(20));

    let round = toml::to_string(&policy).unwrap();
    assert_eq!(toml::from_str::<Policy>(&round).unwrap(), policy);
}

#[test]
fn unknown_keys_are_refused() {
    assert!(toml::from_str::<EngineConfig>("tick_intervall = \"5s\"").is_err());
    assert!(toml::from_str::<Policy>("[caps]\nmax_instance = 3").is_err());
    assert!(
        toml::from_str::<EngineConfig>(
            "[escalation.on_call]\nrole = \"x\"\nreach = { via = \"fax\", target = \"1\" }"
        )
        .is_err()
    );
}
