//! The diagnoses: the table's capacity against its use, and the domains the exceptions name.

use std::collections::BTreeMap;
use std::sync::Arc;

use async_trait::async_trait;

use super::Config;
use super::usage::{Usage, UsageQueries};
use crate::catalog::facts;
use crate::catalog::kit;
use crate::catalog::log_symptom::LogQuery;
use crate::error::Result;
use crate::ports::{BillingMode, Logs, Metrics, Tables};
use crate::runbook::{DiagnoseContext, Diagnosis, DiagnosisReport, Finding, RootCause};
use crate::time::{self, HumanDuration};

/// Most domains named in a finding.
const DOMAINS_SHOWN: usize = 5;

/// The runbook's "consumed vs provisioned capacity", with the billing mode.
#[derive(Debug)]
pub(super) struct CapacityCheck {
    pub metrics: Arc<dyn Metrics>,
    pub tables: Arc<dyn Tables>,
    pub config: Arc<Config>,
}

#[async_trait]
impl Diagnosis for CapacityCheck {
    fn name(&self) -> &str {
        "table-capacity"
    }

    async fn diagnose(&self, ctx: &DiagnoseContext) -> Result<DiagnosisReport> {
        let table = &self.config.table;
        let start = time::sub(ctx.detected_at, self.config.window);
        let (state, usage) = futures::future::join(
            self.tables.describe(table),
            Usage::read(
                self.metrics.as_ref(),
                &UsageQueries::of(table),
                start,
                ctx.now,
            ),
        )
        .await;
        let state = state?;
        let usage = usage?.provisioned(&state);
        let c = &usage.capacity;
        let finding = Finding::new(
            self.name(),
            format!(
                "{table} is {} ({}); since {} before detection: {}",
                state.billing_mode,
                state.status,
                HumanDuration(self.config.window),
                usage.describe()
            ),
        )
        .with(facts::TABLE_BILLING_MODE, state.billing_mode.to_string())
        .with(facts::TABLE_STATUS, state.status.clone())
        .with(facts::TABLE_CONSUMED_READ, c.consumed_read)
        .with(facts::TABLE_CONSUMED_WRITE, c.consumed_write)
        .with(facts::TABLE_PROVISIONED_READ, c.provisioned_read)
        .with(facts::TABLE_PROVISIONED_WRITE, c.provisioned_write)
        .with(facts::TABLE_THROTTLE_EVENTS, kit::count(c.throttle_events));

        let near = self.config.near_capacity;
        let exhausted: Vec<&str> = [
            ("reads", c.consumed_read, c.provisioned_read),
            ("writes", c.consumed_write, c.provisioned_write),
        ]
        .into_iter()
        .filter(|(_, consumed, provisioned)| *provisioned > 0.0 && *consumed >= near * provisioned)
        .map(|(what, _, _)| what)
        .collect();
        let mut report = DiagnosisReport::default();
        if c.throttle_events > 0 {
            let evidence = usage.describe();
            if state.billing_mode == BillingMode::Provisioned && !exhausted.is_empty() {
                report = report
                    .with_cause(
                        RootCause::new(
                            format!("provisioned capacity exhausted ({})", exhausted.join(", ")),
                            0.6,
                        )
                        .with_evidence(evidence.clone()),
                    )
                    .with_cause(
                        RootCause::new("hot partition: demand concentrated on one key range", 0.3)
                            .with_evidence(evidence),
                    );
            } else {
                report = report.with_cause(
                    RootCause::new(
                        "hot partition: demand concentrated on one key range beyond a partition's limits",
                        0.6,
                    )
                    .with_evidence(format!("{evidence}, below the table's capacity")),
                );
            }
        }
        report.findings.push(finding);
        Ok(report)
    }
}

/// "Specific domains affected": the memory domains the exception's lines name.
#[derive(Debug)]
pub(super) struct AffectedDomains {
    pub logs: Arc<dyn Logs>,
    pub query: LogQuery,
    pub config: Arc<Config>,
}

/// The value of `field=` in a line (quoted or not), up to the next space, comma or quote.
fn field_value<'a>(line: &'a str, field: &str) -> Option<&'a str> {
    let prefix = format!("{field}=");
    let start = line.find(&prefix)? + prefix.len();
    let rest = line.get(start..)?.trim_start_matches('"');
    let value = rest
        .split(|c: char| c.is_whitespace() || c == ',' || c == '"' || c == ';')
        .next()?;
    (!value.is_empty()).then_some(value)
}

#[async_trait]
impl Diagnosis for AffectedDomains {
    fn name(&self) -> &str {
        "affected-domains"
    }

    async fn diagnose(&self, ctx: &DiagnoseContext) -> Result<DiagnosisReport> {
        let since = time::sub(ctx.detected_at, self.config.window);
        let lines = self.query.lines(self.logs.as_ref(), since).await?;
        let mut domains: BTreeMap<&str, usize> = BTreeMap::new();
        for line in &lines {
            if let Some(domain) = field_value(&line.message, &self.config.domain_field) {
                *domains.entry(domain).or_default() += 1;
            }
        }
        let mut ranked: Vec<(&str, usize)> = domains.into_iter().collect();
        ranked.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
        let named: usize = ranked.iter().map(|(_, n)| n).sum();
        let shown: Vec<String> = ranked
            .iter()
            .take(DOMAINS_SHOWN)
            .map(|(d, n)| format!("{d} ({n})"))
            .collect();
        let mut finding = Finding::new(
            self.name(),
            if ranked.is_empty() {
                format!(
                    "{} {:?} line(s) in {}, naming no domain",
                    lines.len(),
                    self.query.pattern,
                    self.query.group
                )
            } else {
                format!(
                    "{} {:?} line(s) in {}; domains affected: {}",
                    lines.len(),
                    self.query.pattern,
                    self.query.group,
                    shown.join(", ")
                )
            },
        )
        .with(facts::LOGS_THROUGHPUT_LINES, kit::count(lines.len()))
        .with(
            facts::DOMAINS_AFFECTED,
            ranked.iter().map(|(d, _)| *d).collect::<Vec<_>>().join(","),
        );
        let mut report = DiagnosisReport::default();
        if let Some((top, count)) = ranked.first() {
            let share = *count as f64 / named as f64;
            finding = finding
                .with(facts::DOMAINS_TOP, (*top).to_owned())
                .with(facts::DOMAINS_TOP_SHARE, share);
            if ranked.len() > 1 || named >= self.config.min_log_lines {
                finding = finding.with_evidence(format!(
                    "{count} of {named} lines naming a domain are about {top}"
                ));
            }
            if share >= 0.6 && *count >= self.config.min_log_lines.max(1) {
                report = report.with_cause(
                    RootCause::new(format!("hot partition on memory domain {top}"), 0.65)
                        .with_evidence(format!(
                            "{count} of {named} exception lines naming a domain name {top}"
                        )),
                );
            }
        }
        for line in lines.iter().rev().take(DOMAINS_SHOWN) {
            finding = finding.with_evidence(kit::log_line(line));
        }
        report.findings.push(finding);
        Ok(report)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn domains_are_read_from_their_field() {
        let line = "ERROR ProvisionedThroughputExceededException domain=physics, key=abc";
        assert_eq!(field_value(line, "domain"), Some("physics"));
        assert_eq!(field_value("x domain=\"bio\" y", "domain"), Some("bio"));
        assert_eq!(field_value("domain=chem", "domain"), Some("chem"));
        assert_eq!(field_value("no field", "domain"), None);
        assert_eq!(field_value("domain= x", "domain"), None);
    }
}
