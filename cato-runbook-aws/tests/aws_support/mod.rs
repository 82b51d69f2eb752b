//! What the AWS tests share: the moto peer behind the translating proxy (the mock crate's
//! `peers::moto_proxy`, one per test for its own call record and quotas), one AWS account per
//! test (moto keeps accounts apart), SDK clients that record the operations they call, seeding,
//! and canned replies for the failures moto cannot make.

#![allow(dead_code)]

pub mod recorder;
pub mod seed;
pub mod wire;

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use aws_credential_types::Credentials;
use aws_credential_types::provider::SharedCredentialsProvider;
use aws_smithy_runtime_api::client::behavior_version::BehaviorVersion;
use aws_smithy_types::retry::RetryConfig;
use aws_smithy_types::timeout::TimeoutConfig;
use aws_types::SdkConfig;
use aws_types::region::Region;
use cato_runbook_core::ports::SystemClock;
use cato_runbook_mock::conformance::Settle;
use cato_runbook_mock::peers;

pub use cato_runbook_mock::peers::moto_proxy::{Proxy, SeededQuota, cbor};
pub use recorder::Recorder;

/// The moto URL, or `None` when the test should skip (the peer is missing and not required;
/// the skip is recorded for `scripts/test.sh`'s summary). Panics with the reason when
/// `CATO_TEST_PEERS=require`.
pub fn moto() -> Option<String> {
    peers::find_or_skip("CATO_TEST_MOTO_URL")
}

/// An SDK config for `url` with `credentials`, no SDK retries and a short SDK timeout.
pub fn sdk_config(url: &str, credentials: Credentials) -> SdkConfig {
    SdkConfig::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .endpoint_url(url)
        .credentials_provider(SharedCredentialsProvider::new(credentials))
        .retry_config(RetryConfig::disabled())
        .timeout_config(
            TimeoutConfig::builder()
                .operation_timeout(Duration::from_secs(20))
                .build(),
        )
        .build()
}

/// Static credentials for servers that do not check them.
pub fn test_credentials() -> Credentials {
    Credentials::new("AKIDTESTTESTTEST", "secret", None, None, "cato-tests")
}

/// Waits that poll the real clock (moto applies changes at once, so they rarely wait).
pub fn settle() -> Settle {
    Settle::new(
        Arc::new(SystemClock),
        Duration::from_secs(20),
        Duration::from_millis(100),
    )
}

/// One test's AWS: its own account in moto, behind its own proxy.
pub struct Aws {
    pub proxy: Proxy,
    pub sdk: SdkConfig,
    pub recorder: Recorder,
    pub account: String,
}

static NEXT_ACCOUNT: AtomicU64 = AtomicU64::new(1);

impl Aws {
    /// A fresh account in moto behind a new proxy, or `None` to skip.
    pub async fn start() -> Option<Aws> {
        Self::start_with(Vec::new()).await
    }

    /// As [`Aws::start`], with quotas moto has no data for.
    pub async fn start_with(quotas: Vec<SeededQuota>) -> Option<Aws> {
        let moto = moto()?;
        let proxy = Proxy::start(&moto, quotas)
            .await
            .expect("the proxy listens on loopback");
        let n = NEXT_ACCOUNT.fetch_add(1, Ordering::Relaxed);
        let account = format!("{:06}{:06}", std::process::id() % 1_000_000, n);
        let credentials = seed::assume_role(&moto, &account).await;
        let sdk = sdk_config(proxy.url(), credentials);
        Some(Aws {
            proxy,
            sdk,
            recorder: Recorder::default(),
            account,
        })
    }

    #[cfg(feature = "sagemaker")]
    pub fn sagemaker(&self) -> aws_sdk_sagemaker::Client {
        let conf = aws_sdk_sagemaker::config::Builder::from(&self.sdk)
            .interceptor(self.recorder.clone())
            .build();
        aws_sdk_sagemaker::Client::from_conf(conf)
    }

    #[cfg(feature = "cloudwatch")]
    pub fn cloudwatch(&self) -> aws_sdk_cloudwatch::Client {
        let conf = aws_sdk_cloudwatch::config::Builder::from(&self.sdk)
            .interceptor(self.recorder.clone())
            .build();
        aws_sdk_cloudwatch::Client::from_conf(conf)
    }

    #[cfg(feature = "cloudwatch-logs")]
    pub fn logs(&self) -> aws_sdk_cloudwatchlogs::Client {
        let conf = aws_sdk_cloudwatchlogs::config::Builder::from(&self.sdk)
            .interceptor(self.recorder.clone())
            .build();
        aws_sdk_cloudwatchlogs::Client::from_conf(conf)
    }

    #[cfg(feature = "elasticache")]
    pub fn elasticache(&self) -> aws_sdk_elasticache::Client {
        let conf = aws_sdk_elasticache::config::Builder::from(&self.sdk)
            .interceptor(self.recorder.clone())
            .build();
        aws_sdk_elasticache::Client::from_conf(conf)
    }

    #[cfg(feature = "dynamodb")]
    pub fn dynamodb(&self) -> aws_sdk_dynamodb::Client {
        let conf = aws_sdk_dynamodb::config::Builder::from(&self.sdk)
            .interceptor(self.recorder.clone())
            .build();
        aws_sdk_dynamodb::Client::from_conf(conf)
    }

    #[cfg(feature = "service-quotas")]
    pub fn service_quotas(&self) -> aws_sdk_servicequotas::Client {
        let conf = aws_sdk_servicequotas::config::Builder::from(&self.sdk)
            .interceptor(self.recorder.clone())
            .build();
        aws_sdk_servicequotas::Client::from_conf(conf)
    }
}

/// Asserts that every action recorded is in the policy of `port`, and returns them.
pub fn assert_within_policy(
    recorder: &Recorder,
    port: cato_runbook_core::catalog::PortName,
) -> std::collections::BTreeSet<String> {
    let policy =
        cato_runbook_aws::iam::policy_for_ports(&[port], cato_runbook_aws::iam::Scope::All);
    let called = recorder.actions();
    let missing: Vec<&String> = called.iter().filter(|a| !policy.allows(a)).collect();
    assert!(
        missing.is_empty(),
        "the {port} provider called {missing:?}, which its IAM policy lacks: {}",
        policy.to_json()
    );
    called
}
