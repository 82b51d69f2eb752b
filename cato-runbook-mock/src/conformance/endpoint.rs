//! What runbooks rely on from a [`ModelEndpoint`]: the Shadow Self runbook's describe, restart,
//! rollback and scale-up.

use cato_runbook_core::ports::{EndpointDescription, EndpointStatus, ModelEndpoint};
use cato_runbook_core::{ErrorKind, IdempotencyKey};

use super::{CheckResult, During, Failure, Settle, ensure, refused, run_checks};

/// The endpoint the harness set up.
#[derive(Debug, Clone)]
pub struct EndpointFixture {
    /// An endpoint that is `InService`.
    pub endpoint: String,
    /// Its variant.
    pub variant: String,
    /// Instances it serves with.
    pub instances: u32,
    /// The variant's instance type in its configs, e.g. `ml.g5.xlarge`.
    pub instance_type: String,
    /// The config it runs.
    pub current_config: String,
    /// An older config (created before the current one).
    pub previous_config: String,
    /// A substring both config names contain.
    pub config_filter: String,
    /// A name no endpoint or config has.
    pub missing: String,
    /// The error kind of an update to a config that does not exist: `NotFound` for the fakes
    /// and for SageMaker (`ValidationException: Could not find endpoint configuration …`).
    pub unknown_config: ErrorKind,
    /// Prefix of the idempotency keys the checks use.
    pub key_prefix: String,
    /// How to wait for updates to finish.
    pub settle: Settle,
}

impl EndpointFixture {
    fn key(&self, step: &str) -> IdempotencyKey {
        IdempotencyKey::new(format!("{}:{step}", self.key_prefix))
    }
}

async fn wait_in_service(
    port: &dyn ModelEndpoint,
    fixture: &EndpointFixture,
    check: &'static str,
    what: &str,
    done: impl Fn(&EndpointDescription) -> bool,
) -> Result<EndpointDescription, Failure> {
    fixture
        .settle
        .until(check, what, async || {
            let d = port.describe(&fixture.endpoint).await.during(check)?;
            Ok((d.status == EndpointStatus::InService && done(&d)).then_some(d))
        })
        .await
}

/// `describe` reports the endpoint `InService`, on its config, with its instances.
pub async fn describe_reports_state(
    port: &dyn ModelEndpoint,
    fixture: &EndpointFixture,
) -> CheckResult {
    const CHECK: &str = "endpoint.describe_reports_state";
    let d = port.describe(&fixture.endpoint).await.during(CHECK)?;
    ensure(d.name == fixture.endpoint, CHECK, || {
        format!("name {:?}", d.name)
    })?;
    ensure(d.status == EndpointStatus::InService, CHECK, || {
        format!("status {}", d.status)
    })?;
    ensure(d.config_name == fixture.current_config, CHECK, || {
        format!(
            "config {:?}, expected {:?}",
            d.config_name, fixture.current_config
        )
    })?;
    let variant = d.variants.iter().find(|v| v.name == fixture.variant);
    ensure(variant.is_some(), CHECK, || {
        format!("no variant {:?} in {:?}", fixture.variant, d.variants)
    })?;
    ensure(d.current_instances() == fixture.instances, CHECK, || {
        format!(
            "{} instances, expected {}",
            d.current_instances(),
            fixture.instances
        )
    })
}

/// `describe` of an endpoint that does not exist is a permanent `NotFound`.
pub async fn describe_unknown_is_not_found(
    port: &dyn ModelEndpoint,
    fixture: &EndpointFixture,
) -> CheckResult {
    refused(
        port.describe(&fixture.missing).await,
        "endpoint.describe_unknown_is_not_found",
        &[ErrorKind::NotFound],
    )
}

/// `list_configs` answers the matching configs oldest first, so "the previous config" is the
/// one before the current.
pub async fn list_configs_oldest_first(
    port: &dyn ModelEndpoint,
    fixture: &EndpointFixture,
) -> CheckResult {
    const CHECK: &str = "endpoint.list_configs_oldest_first";
    let configs = port
        .list_configs(&fixture.config_filter)
        .await
        .during(CHECK)?;
    ensure(
        configs
            .iter()
            .all(|c| c.name.contains(&fixture.config_filter)),
        CHECK,
        || {
            format!(
                "a config does not contain {:?}: {configs:?}",
                fixture.config_filter
            )
        },
    )?;
    ensure(
        configs
            .windows(2)
            .all(|w| w[0].created_at <= w[1].created_at),
        CHECK,
        || format!("not oldest first: {configs:?}"),
    )?;
    let position = |name: &str| configs.iter().position(|c| c.name == name);
    match (
        position(&fixture.previous_config),
        position(&fixture.current_config),
    ) {
        (Some(previous), Some(current)) => ensure(previous < current, CHECK, || {
            format!(
                "{} is not listed before {}",
                fixture.previous_config, fixture.current_config
            )
        })?,
        _ => {
            return Err(Failure::new(
                CHECK,
                format!("both configs expected in {configs:?}"),
            ));
        }
    }
    let none = port.list_configs(&fixture.missing).await.during(CHECK)?;
    ensure(none.is_empty(), CHECK, || {
        format!("{:?} matched {none:?}", fixture.missing)
    })
}

/// `describe_config` names the current config's variant with its instance type and initial
/// count (what the scale step prices added instances at); an unknown config is not found.
pub async fn describe_config_names_instance_types(
    port: &dyn ModelEndpoint,
    fixture: &EndpointFixture,
) -> CheckResult {
    const CHECK: &str = "endpoint.describe_config_names_instance_types";
    let config = port
        .describe_config(&fixture.current_config)
        .await
        .during(CHECK)?;
    ensure(config.name == fixture.current_config, CHECK, || {
        format!(
            "described {:?}, not {:?}",
            config.name, fixture.current_config
        )
    })?;
    ensure(
        config.instance_type(&fixture.variant) == Some(fixture.instance_type.as_str()),
        CHECK,
        || {
            format!(
                "variant {} is not {}: {config:?}",
                fixture.variant, fixture.instance_type
            )
        },
    )?;
    ensure(
        config
            .variants
            .iter()
            .any(|v| v.name == fixture.variant && v.initial_instances == fixture.instances),
        CHECK,
        || {
            format!(
                "variant {} does not start with {} instances: {config:?}",
                fixture.variant, fixture.instances
            )
        },
    )?;
    refused(
        port.describe_config(&fixture.missing).await,
        CHECK,
        &[ErrorKind::NotFound],
    )
}

/// Setting the desired instance count shows at once as desired, and as serving instances once
/// the endpoint is back `InService`; a repeat with the same key is harmless.
pub async fn set_instance_count_converges(
    port: &dyn ModelEndpoint,
    fixture: &EndpointFixture,
) -> CheckResult {
    const CHECK: &str = "endpoint.set_instance_count_converges";
    let target = fixture.instances + 1;
    let key = fixture.key("scale-up");
    port.set_instance_count(&fixture.endpoint, &fixture.variant, target, &key)
        .await
        .during(CHECK)?;
    port.set_instance_count(&fixture.endpoint, &fixture.variant, target, &key)
        .await
        .during(CHECK)?;
    let d = port.describe(&fixture.endpoint).await.during(CHECK)?;
    let desired = d
        .variants
        .iter()
        .find(|v| v.name == fixture.variant)
        .map(|v| v.desired_instances);
    ensure(desired == Some(target), CHECK, || {
        format!("desired {desired:?}, expected {target}")
    })?;
    wait_in_service(port, fixture, CHECK, "the scale-up", |d| {
        d.current_instances() == target
    })
    .await?;
    port.set_instance_count(
        &fixture.endpoint,
        &fixture.variant,
        fixture.instances,
        &fixture.key("scale-back"),
    )
    .await
    .during(CHECK)?;
    wait_in_service(port, fixture, CHECK, "the scale-back", |d| {
        d.current_instances() == fixture.instances
    })
    .await
    .map(|_| ())
}

/// Updating the endpoint to its own config (the runbook's restart) ends `InService` on it.
pub async fn update_config_restarts(
    port: &dyn ModelEndpoint,
    fixture: &EndpointFixture,
) -> CheckResult {
    const CHECK: &str = "endpoint.update_config_restarts";
    port.update_config(
        &fixture.endpoint,
        &fixture.current_config,
        &fixture.key("restart"),
    )
    .await
    .during(CHECK)?;
    wait_in_service(port, fixture, CHECK, "the restart", |d| {
        d.config_name == fixture.current_config && d.current_instances() > 0
    })
    .await
    .map(|_| ())
}

/// Updating the endpoint to the previous config (the runbook's rollback) ends `InService` on
/// it; updating back restores the current one.
pub async fn update_config_rolls_back(
    port: &dyn ModelEndpoint,
    fixture: &EndpointFixture,
) -> CheckResult {
    const CHECK: &str = "endpoint.update_config_rolls_back";
    port.update_config(
        &fixture.endpoint,
        &fixture.previous_config,
        &fixture.key("rollback"),
    )
    .await
    .during(CHECK)?;
    wait_in_service(port, fixture, CHECK, "the rollback", |d| {
        d.config_name == fixture.previous_config
    })
    .await?;
    port.update_config(
        &fixture.endpoint,
        &fixture.current_config,
        &fixture.key("roll-forward"),
    )
    .await
    .during(CHECK)?;
    wait_in_service(port, fixture, CHECK, "the roll-forward", |d| {
        d.config_name == fixture.current_config
    })
    .await
    .map(|_| ())
}

/// Updating to a config that does not exist is refused, permanently, with the fixture's kind.
pub async fn update_to_unknown_config_is_refused(
    port: &dyn ModelEndpoint,
    fixture: &EndpointFixture,
) -> CheckResult {
    refused(
        port.update_config(
            &fixture.endpoint,
            &fixture.missing,
            &fixture.key("bad-config"),
        )
        .await,
        "endpoint.update_to_unknown_config_is_refused",
        &[fixture.unknown_config],
    )
}

/// Every check, leaving the endpoint on its config with its instances.
pub async fn run_all(port: &dyn ModelEndpoint, fixture: &EndpointFixture) -> CheckResult {
    run_checks!(port, fixture;
        describe_reports_state,
        describe_unknown_is_not_found,
        list_configs_oldest_first,
        describe_config_names_instance_types,
        update_to_unknown_config_is_refused,
        set_instance_count_converges,
        update_config_restarts,
        update_config_rolls_back,
        describe_reports_state,
    )
}
