//! `cato-runbook iam-policy [RUNBOOK]...`: the least-privilege IAM policy of the AWS actions
//! the runbooks' providers call.

use cato_runbook_aws::config::{LeaseKind, StoreKind};
use cato_runbook_aws::iam::{self, Scope};
use cato_runbook_core::catalog::{self, Entry};

use crate::config::Config;
use crate::exit::Failure;
use crate::output::Out;

pub(crate) struct Options<'a> {
    pub(crate) runbooks: &'a [String],
    pub(crate) read_only: bool,
    pub(crate) per_runbook: bool,
}

pub(crate) fn run(out: &mut Out, config: &Config, options: &Options<'_>) -> Result<(), Failure> {
    let entries: Vec<&'static Entry> = if options.runbooks.is_empty() {
        config.enabled()
    } else {
        options
            .runbooks
            .iter()
            .map(|id| catalog::entry(id).map_err(|e| Failure::usage(e.message().to_owned())))
            .collect::<Result<_, _>>()?
    };
    let scope = if options.read_only {
        Scope::ReadOnly
    } else {
        Scope::All
    };
    if options.per_runbook {
        out.json(&iam::policies_by_configured_runbook(
            &entries,
            &config.runbooks,
            scope,
        ))
    } else {
        // `run` keeps its state where `[store]` and `[lease]` say; a read-only look keeps none.
        let state = match scope {
            Scope::ReadOnly => iam::State::default(),
            Scope::All => iam::State {
                store: config.store.kind == StoreKind::Dynamodb,
                lease: config.lease.kind == LeaseKind::Dynamodb,
                create_table: config.store.kind == StoreKind::Dynamodb && config.store.create_table,
            },
        };
        // The first five minutes' sources, where configured ([providers.deployments], [providers.health]).
        let extra = config.first_five_minutes_ports();
        out.json(
            &iam::policy_for_configured(&entries, &config.runbooks, scope)
                .with_ports(&extra, scope)
                .with_state(state),
        )
    }
}
