//! Against a real moto server: `check` and `diagnose` of every runbook, and a dry-run plan of
//! one step of each against a seeded moto.

use cato_runbook_mock::WorldConfig;
use cato_runbook_mock::peers;

use super::moto_account::MotoAccount;
use super::{aws_config, cmd};

fn moto() -> Option<String> {
    peers::find_or_skip("CATO_TEST_MOTO_URL")
}

#[test]
fn check_and_diagnose_against_moto() {
    let Some(url) = moto() else { return };
    let dir = tempfile::tempdir().unwrap();
    let config = aws_config(dir.path(), &url);
    let out = cmd(&config).args(["check", "--offline"]).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        text.contains(&format!("AWS in us-east-1 at {url}")),
        "{text}"
    );

    let listed = cmd(&config).args(["runbooks", "--json"]).output().unwrap();
    let runbooks: serde_json::Value = serde_json::from_slice(&listed.stdout).unwrap();
    for runbook in runbooks.as_array().unwrap() {
        let id = runbook["id"].as_str().unwrap();
        // moto holds none of the runbook's resources: each diagnosis reaches AWS (moto) and
        // reports what it could not find, and the command still answers.
        let out = cmd(&config)
            .args(["diagnose", id, "--json"])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{id}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let d: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(d["runbook"], id);
    }
}

/// `mitigate --dry-run` of one step of every runbook against a moto seeded with what the step
/// reads: each answers 0 with its plan. Without the seeding an empty moto fails the read (3),
/// and without `--step` no step's precondition holds on what an empty or healthy world shows
/// ("no step of … applies", 2). The ports moto serves on its own wire protocols go to moto;
/// CloudWatch (CBOR, which moto does not speak without the translating proxy of the provider
/// tests), the tables' capacity (read from CloudWatch) and Bedrock's quota (moto has none)
/// stay on the fakes (the steps chosen there read no metrics: the fakes run on their own clock
/// while the command runs on the wall clock).
#[test]
fn every_runbook_dry_runs_a_plan_against_moto() {
    let Some(url) = moto() else { return };
    let world = WorldConfig::default();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let moto = runtime.block_on(async {
        let moto = MotoAccount::assume_role(&url).await;
        moto.seed(&world).await;
        moto
    });
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("dry-run.toml");
    std::fs::write(
        &config,
        format!(
            "[providers.aws]\nregion = \"us-east-1\"\nendpoint_url = \"{url}\"\ntimeout = \"10s\"\n\
             ports = [\"endpoint\", \"logs\", \"cache_cluster\"]\n"
        ),
    )
    .unwrap();

    let e = &world.endpoints[0];
    let c = &world.caches[0];
    let q = &world.quotas.quotas[0];
    let t = &world.tables[0];
    let plans = [
        (
            "shadow-self-down",
            "restart-endpoint",
            format!(
                "restart {}: update-endpoint to the config it runs, {}",
                e.name, e.current_config
            ),
        ),
        (
            "high-latency",
            "scale-shadow-self",
            format!("scale {}/{} from {} to ", e.name, e.variant, e.instances),
        ),
        (
            "cache-miss-spike",
            "modify-cache-node-type",
            format!("modify-replication-group {} --cache-node-type ", c.id),
        ),
        (
            "budget-exceeded",
            "raise-monthly-limit",
            "raise the monthly LLM budget from ".to_owned(),
        ),
        (
            "bedrock-throttling",
            "request-quota-increase",
            format!("request a Bedrock quota increase: {} ", q.code),
        ),
        (
            "dynamodb-hot-partition",
            "switch-to-on-demand",
            format!("switch {} to on-demand billing", t.name),
        ),
    ];
    for (runbook, step, expected) in plans {
        let out = moto
            .cmd(&config)
            .args(["mitigate", runbook, "--dry-run", "--step", step])
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(
            out.status.code(),
            Some(0),
            "{runbook} {step}: {stdout}{stderr}"
        );
        assert!(
            stdout.contains("Plan (dry run: nothing changed)")
                && stdout.contains(&format!("{step} on "))
                && stdout.contains(&expected)
                && stdout.contains("to apply it: declare the incident"),
            "{runbook} {step}: expected a plan with {expected:?}: {stdout}"
        );
    }
}
