//! Through the moto peer's translating proxy (`CATO_TEST_MOTO_PROXY_URL`): every AWS port of
//! `diagnose` on one endpoint, CloudWatch included (the SDK speaks CBOR, which the proxy
//! translates, and moto computes no percentiles, which the proxy does from the values put
//! through it).

use cato_runbook_core::ports::{Clock, SystemClock};
use cato_runbook_mock::WorldConfig;
use cato_runbook_mock::peers;

use super::moto_account::MotoAccount;

#[test]
fn diagnose_reads_percentiles_through_the_proxy_peer() {
    let Some(url) = peers::find_or_skip("CATO_TEST_MOTO_PROXY_URL") else {
        return;
    };
    let world = WorldConfig::default();
    let e = &world.endpoints[0];
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let moto = runtime.block_on(async {
        let moto = MotoAccount::assume_role(&url).await;
        moto.seed(&world).await;
        // ModelLatency in microseconds over the last complete minutes: 98 fast requests and
        // two of 2.5 s, so the p99 is 2.5 s where the average is 0.15 s.
        let now = SystemClock.now().timestamp() as f64;
        let dims = [
            ("EndpointName", e.name.as_str()),
            ("VariantName", e.variant.as_str()),
        ];
        let mut values = vec![100_000.0; 98];
        values.extend([2_500_000.0; 2]);
        for (minute, values) in values.chunks(34).enumerate() {
            let at = now - 60.0 * (2.0 + minute as f64);
            moto.put_metric("AWS/SageMaker", "ModelLatency", &dims, values, at)
                .await;
        }
        moto
    });
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("proxy.toml");
    std::fs::write(
        &config,
        format!(
            "[providers.aws]\nregion = \"us-east-1\"\nendpoint_url = \"{url}\"\ntimeout = \"10s\"\n"
        ),
    )
    .unwrap();

    let out = moto
        .cmd(&config)
        .args(["diagnose", "high-latency", "--json"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    let d: serde_json::Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|err| panic!("{err}: {}{stderr}", String::from_utf8_lossy(&out.stdout)));
    assert_eq!(d["failures"], serde_json::json!([]), "{d}");
    let latencies = d["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["source"] == "component-latencies")
        .unwrap_or_else(|| panic!("no component latencies: {d}"));
    assert_eq!(
        latencies["facts"]["model_p99_ms"].as_f64(),
        Some(2500.0),
        "{d}"
    );
}
