//! The policy's checks: every number in its range, every name known.

use std::time::Duration;

use super::Policy;
use crate::bounds;
use crate::engine::KnownNames;

/// The longest an approval request waits, and the longest cooldown.
const MAX_WAIT: Duration = Duration::from_secs(24 * 3600);

/// The most destructive actions an hour: more is no guardrail.
const MAX_DESTRUCTIVE_PER_HOUR: u64 = 100;

impl Policy {
    /// Checks the numbers: every dollar figure finite and not negative (`nan` would turn a cap
    /// or an approval rule off without a word) and at most $10 000 000 a month, an approval
    /// that can wait (`approval.ttl` above 0s, at most 24 h), a cap from 1 to 1000, the
    /// cooldowns at most 24 h, `max_destructive_per_hour` at most 100;
    /// and the names: every key of `runbook_modes` a runbook of `known`, every key of
    /// `step_cooldowns` one of their ladders' steps (a typo would leave the mode or cooldown
    /// unapplied without a word).
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidInput`](crate::ErrorKind::InvalidInput) naming the key, e.g.
    /// `policy.caps.max_monthly_spend_usd: must be a finite number of dollars, not NaN` or
    /// `policy.step_cooldowns.restart-endpont: unknown ladder step; known: …`.
    pub fn validate(&self, known: &KnownNames) -> crate::Result<()> {
        let invalid = |key: &str, why: String| {
            Err(crate::Error::invalid_input(
                "policy.validate",
                format!("policy.{key}: {why}"),
            ))
        };
        let dollars = [
            (
                "approval.monthly_cost_above_usd",
                self.approval.monthly_cost_above_usd,
            ),
            (
                "caps.max_monthly_spend_usd",
                self.caps.max_monthly_spend_usd,
            ),
        ];
        for (key, value) in dollars {
            match value {
                Some(v) if !v.is_finite() => {
                    return invalid(key, format!("must be a finite number of dollars, not {v}"));
                }
                Some(v) if v < 0.0 => {
                    return invalid(key, format!("must not be negative, not {v}"));
                }
                Some(v) => {
                    if let Err(why) = bounds::real(v, 0.0, false, bounds::MAX_MONTHLY_USD) {
                        return invalid(key, why);
                    }
                }
                None => {}
            }
        }
        if self.approval.ttl.is_zero() {
            return invalid(
                "approval.ttl",
                "must be longer than 0s: a request that lapses at once can never be approved"
                    .to_owned(),
            );
        }
        for (key, value) in [
            ("caps.max_instances", self.caps.max_instances),
            ("caps.max_replicas", self.caps.max_replicas),
        ] {
            if value == Some(0) {
                return invalid(
                    key,
                    "must be at least 1 (leave it out for no cap)".to_owned(),
                );
            }
            if let Some(Err(why)) = value.map(|v| bounds::count(u64::from(v), 1, bounds::MAX_UNITS))
            {
                return invalid(key, format!("{why} (leave it out for no cap)"));
            }
        }
        if let Err(why) = bounds::duration(self.approval.ttl, Duration::ZERO, MAX_WAIT) {
            return invalid("approval.ttl", why);
        }
        let cooldowns = self
            .step_cooldowns
            .iter()
            .map(|(step, cooldown)| (format!("step_cooldowns.{step}"), *cooldown));
        for (key, cooldown) in
            std::iter::once(("cooldown".to_owned(), self.cooldown)).chain(cooldowns)
        {
            if let Err(why) = bounds::duration(cooldown, Duration::ZERO, MAX_WAIT) {
                return invalid(&key, why);
            }
        }
        if let Err(why) = bounds::count(
            u64::from(self.max_destructive_per_hour),
            0,
            MAX_DESTRUCTIVE_PER_HOUR,
        ) {
            return invalid("max_destructive_per_hour", why);
        }
        let listed = |names: Vec<&str>| names.join(", ");
        if let Some(id) = self.runbook_modes.keys().find(|id| !known.has_runbook(id)) {
            return invalid(
                &format!("runbook_modes.{id}"),
                format!(
                    "unknown runbook {id:?}; known: {}",
                    listed(known.runbooks().collect())
                ),
            );
        }
        if let Some(step) = self.step_cooldowns.keys().find(|s| !known.has_step(s)) {
            return invalid(
                &format!("step_cooldowns.{step}"),
                format!(
                    "unknown ladder step {step:?}; known: {}",
                    listed(known.steps().collect())
                ),
            );
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::Mode;

    #[test]
    fn numbers_that_would_turn_a_guardrail_off_are_refused_naming_the_key() {
        let known = crate::engine::KnownNames::catalog();
        assert!(Policy::default().validate(&known).is_ok());
        let refused = |edit: fn(&mut Policy), key: &str| {
            let mut policy = Policy::default();
            edit(&mut policy);
            let err = policy.validate(&known).unwrap_err();
            assert_eq!(err.kind(), crate::ErrorKind::InvalidInput);
            assert!(err.message().contains(key), "{err}");
        };
        refused(
            |p| p.caps.max_monthly_spend_usd = Some(f64::NAN),
            "policy.caps.max_monthly_spend_usd",
        );
        refused(
            |p| p.caps.max_monthly_spend_usd = Some(f64::INFINITY),
            "policy.caps.max_monthly_spend_usd",
        );
        refused(
            |p| p.approval.monthly_cost_above_usd = Some(f64::NAN),
            "policy.approval.monthly_cost_above_usd",
        );
        refused(
            |p| p.approval.monthly_cost_above_usd = Some(-1.0),
            "policy.approval.monthly_cost_above_usd",
        );
        refused(|p| p.approval.ttl = Duration::ZERO, "policy.approval.ttl");
        refused(
            |p| p.caps.max_instances = Some(0),
            "policy.caps.max_instances",
        );
        refused(
            |p| p.caps.max_replicas = Some(0),
            "policy.caps.max_replicas",
        );
    }

    #[test]
    fn numbers_beyond_their_ceiling_are_refused_naming_the_key() {
        let known = crate::engine::KnownNames::catalog();
        let refused = |edit: &dyn Fn(&mut Policy), key: &str| {
            let mut policy = Policy::default();
            edit(&mut policy);
            let err = policy.validate(&known).unwrap_err();
            assert_eq!(err.kind(), crate::ErrorKind::InvalidInput);
            assert!(
                err.message().starts_with(&format!("policy.{key}: ")),
                "{key}: {err}"
            );
        };
        for usd in [f64::NEG_INFINITY, -0.01, 1e7 + 1.0, 1e300] {
            refused(
                &|p| p.caps.max_monthly_spend_usd = Some(usd),
                "caps.max_monthly_spend_usd",
            );
            refused(
                &|p| p.approval.monthly_cost_above_usd = Some(usd),
                "approval.monthly_cost_above_usd",
            );
        }
        for n in [0, 1001, u32::MAX] {
            refused(&|p| p.caps.max_instances = Some(n), "caps.max_instances");
            refused(&|p| p.caps.max_replicas = Some(n), "caps.max_replicas");
        }
        let day_and_a_second = Duration::from_secs(24 * 3600 + 1);
        for ttl in [Duration::ZERO, day_and_a_second, Duration::MAX] {
            refused(&|p| p.approval.ttl = ttl, "approval.ttl");
        }
        refused(&|p| p.cooldown = day_and_a_second, "cooldown");
        refused(
            &|p| {
                p.step_cooldowns
                    .insert("restart-endpoint".into(), Duration::MAX);
            },
            "step_cooldowns.restart-endpoint",
        );
        refused(
            &|p| p.max_destructive_per_hour = 101,
            "max_destructive_per_hour",
        );
        // The ends of each range pass.
        let mut policy = Policy::default();
        policy.caps.max_instances = Some(1000);
        policy.caps.max_replicas = Some(1);
        policy.caps.max_monthly_spend_usd = Some(1e7);
        policy.approval.monthly_cost_above_usd = Some(0.0);
        policy.approval.ttl = Duration::from_secs(24 * 3600);
        policy.cooldown = Duration::ZERO;
        policy.max_destructive_per_hour = 0;
        assert!(policy.validate(&known).is_ok());
    }

    #[test]
    fn a_mode_or_cooldown_for_an_unknown_runbook_or_step_is_refused_naming_it_and_the_known() {
        let known = crate::engine::KnownNames::catalog();
        let mut policy = Policy::default();
        policy
            .runbook_modes
            .insert("budget-exceeded".into(), Mode::ObserveOnly);
        policy
            .step_cooldowns
            .insert("restart-endpoint".into(), Duration::from_secs(60));
        assert!(policy.validate(&known).is_ok());

        let mut typo = policy.clone();
        typo.runbook_modes
            .insert("shadow-self-dwon".into(), Mode::DryRun);
        let err = typo.validate(&known).unwrap_err();
        assert_eq!(err.kind(), crate::ErrorKind::InvalidInput);
        assert!(
            err.message()
                .starts_with("policy.runbook_modes.shadow-self-dwon: unknown runbook")
                && err
                    .message()
                    .contains("; known: bedrock-throttling, budget-exceeded"),
            "{err}"
        );

        let mut typo = policy.clone();
        typo.step_cooldowns
            .insert("restart-endpont".into(), Duration::from_secs(60));
        let err = typo.validate(&known).unwrap_err();
        assert!(
            err.message()
                .starts_with("policy.step_cooldowns.restart-endpont: unknown ladder step")
                && err.message().contains("restart-endpoint"),
            "{err}"
        );
    }
}
