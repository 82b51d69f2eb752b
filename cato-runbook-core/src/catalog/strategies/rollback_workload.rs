//! "Rollback recent changes" for a workload (`kubectl rollout undo --to-revision`).

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

use super::scaling::Precondition;
use crate::catalog::kit;
use crate::error::{Error, ErrorKind, Result};
use crate::ports::{Revision, Workloads};
use crate::runbook::{Findings, Landed, Mitigation, Plan, Risk, StepContext, Verification};

const OP: &str = "strategies.rollback";

/// "Rollback recent changes" for a workload: its current revision (a bad rollout) is replaced by
/// the revision before it, as `kubectl rollout undo --to-revision` does.
///
/// Planned from the workload's revisions (before → after: `revision 2 (cato/orchestrator:v2) →
/// revision 1 (cato/orchestrator:v1)`); refused when there is no earlier revision, or when the
/// current revision is itself a rollback (current again since after it was made: rolling back
/// once more would bring back what that rollback undid). Risk high (every pod is replaced), with
/// an operator's approval by default. The apply reads the revisions again and rolls back only
/// if the revision it planned to replace is still current (someone's rollout in between is
/// never undone), with the step's idempotency key; [`landed`](Mitigation::landed) reads the
/// current revision back. Verified on a later tick: the revision rolled back to is current and
/// its replicas ready. The revert rolls forward to the revision it replaced — unless the
/// workload has changed since, which it leaves as it is and says so.
///
/// Revisions are told apart by their template hash, not their number: a rollback renumbers the
/// revision rolled back to.
pub struct RollbackWorkload {
    port: Arc<dyn Workloads>,
    namespace: String,
    workload: String,
    name: String,
    approval: bool,
    verify_after: Duration,
    precondition: Option<Precondition>,
}

/// What the rollback keeps: the revision it replaces and the one it makes current.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Memo {
    from: Kept,
    to: Kept,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct Kept {
    number: u64,
    hash: String,
    version: String,
}

impl Kept {
    fn of(r: &Revision) -> Kept {
        Kept {
            number: r.number,
            hash: r.template_hash.clone(),
            version: r.version(),
        }
    }
}

impl fmt::Display for Kept {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "revision {} ({})", self.number, self.version)
    }
}

impl RollbackWorkload {
    /// Rolls `namespace/workload` back; the step is named `rollback-workload`, asks for
    /// approval, is verified after 5 minutes and always applies.
    pub fn new(
        port: Arc<dyn Workloads>,
        namespace: impl Into<String>,
        workload: impl Into<String>,
    ) -> Self {
        RollbackWorkload {
            port,
            namespace: namespace.into(),
            workload: workload.into(),
            name: "rollback-workload".into(),
            approval: true,
            verify_after: Duration::from_secs(5 * 60),
            precondition: None,
        }
    }

    /// Names the step.
    pub fn named(mut self, name: impl Into<String>) -> Self {
        self.name = name.into();
        self
    }

    /// Whether the step always asks for approval (default yes).
    pub fn with_approval(mut self, approval: bool) -> Self {
        self.approval = approval;
        self
    }

    /// How long after the rollback to verify.
    pub fn verify_after(mut self, after: Duration) -> Self {
        self.verify_after = after;
        self
    }

    /// Applies the step only when `precondition` holds on the findings.
    pub fn when(
        mut self,
        precondition: impl Fn(Findings<'_>) -> bool + Send + Sync + 'static,
    ) -> Self {
        self.precondition = Some(Arc::new(precondition));
        self
    }

    fn path(&self) -> String {
        format!("{}/{}", self.namespace, self.workload)
    }

    async fn revisions(&self) -> Result<Vec<Revision>> {
        self.port.revisions(&self.namespace, &self.workload).await
    }

    fn refused(&self, message: String) -> Error {
        Error::new(ErrorKind::Refused, OP, message).with_resource(self.path())
    }
}

fn current(revisions: &[Revision]) -> Option<&Revision> {
    revisions.iter().find(|r| r.current)
}

fn by_hash<'a>(revisions: &'a [Revision], hash: &str) -> Option<&'a Revision> {
    revisions.iter().find(|r| r.template_hash == hash)
}

impl fmt::Debug for RollbackWorkload {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RollbackWorkload")
            .field("name", &self.name)
            .field("namespace", &self.namespace)
            .field("workload", &self.workload)
            .field("approval", &self.approval)
            .field("verify_after", &self.verify_after)
            .field("precondition", &self.precondition.is_some())
            .finish_non_exhaustive()
    }
}

#[async_trait]
impl Mitigation for RollbackWorkload {
    fn name(&self) -> &str {
        &self.name
    }

    fn precondition(&self, findings: Findings<'_>) -> bool {
        self.precondition
            .as_ref()
            .is_none_or(|holds| holds(findings))
    }

    async fn plan(&self, ctx: &StepContext) -> Result<Plan> {
        let revisions = self.revisions().await?;
        let path = self.path();
        let Some(now) = current(&revisions) else {
            return Err(Error::not_found(OP, format!("a revision of {path}")));
        };
        if now.current_since > now.created_at {
            return Err(self.refused(format!(
                "{path}'s revision {} ({}) is itself a rollback (current again since {}): not rolling back again",
                now.number,
                now.version(),
                now.current_since.format("%H:%M:%S UTC")
            )));
        }
        let Some(before) = revisions.iter().rev().find(|r| r.number < now.number) else {
            return Err(self.refused(format!("{path} has no revision before {}", now.number)));
        };
        let memo = Memo {
            from: Kept::of(now),
            to: Kept::of(before),
        };
        let plan = Plan::new(
            self,
            ctx,
            Risk::High,
            format!(
                "roll {path} back from {} to {}, the revision before it",
                memo.from, memo.to
            ),
        )
        .change(
            format!("{path} revision"),
            memo.from.to_string(),
            memo.to.to_string(),
        )
        .reversible()
        .verify_after(self.verify_after)
        .with_memo(&memo)?;
        Ok(if self.approval {
            plan.needs_approval(format!("every pod of {path} is replaced by {}'s", memo.to))
        } else {
            plan
        })
    }

    async fn apply(&self, ctx: &StepContext, plan: &Plan) -> Result<String> {
        let memo: Memo = plan.memo()?;
        let revisions = self.revisions().await?;
        let path = self.path();
        let now = current(&revisions).map(|r| r.template_hash.as_str());
        if now == Some(memo.to.hash.as_str()) {
            return Ok(format!("{path} already runs {}'s template", memo.to));
        }
        if now != Some(memo.from.hash.as_str()) {
            return Err(self.refused(format!(
                "{path} no longer runs {}: it changed since the plan; not rolling back",
                memo.from
            )));
        }
        let Some(target) = by_hash(&revisions, &memo.to.hash) else {
            return Err(Error::not_found(OP, format!("{path} {}", memo.to)));
        };
        self.port
            .roll_back(
                &self.namespace,
                &self.workload,
                target.number,
                &ctx.idempotency_key,
            )
            .await?;
        Ok(format!(
            "kubectl rollout undo deployment {} -n {} --to-revision={}",
            self.workload, self.namespace, target.number
        ))
    }

    /// The current revision's template is the plan's target: in place; the one it replaced:
    /// not; anything else (a rollout meanwhile): unknown.
    async fn landed(&self, _ctx: &StepContext, plan: &Plan) -> Result<Landed> {
        let memo: Memo = plan.memo()?;
        let revisions = self.revisions().await?;
        Ok(
            match current(&revisions).map(|r| r.template_hash.as_str()) {
                Some(h) if h == memo.to.hash => Landed::Yes,
                Some(h) if h == memo.from.hash => Landed::No,
                _ => Landed::Unknown,
            },
        )
    }

    async fn verify(&self, _ctx: &StepContext, plan: &Plan) -> Result<Verification> {
        let memo: Memo = plan.memo()?;
        let (revisions, state) = futures::join!(
            self.revisions(),
            self.port.get(&self.namespace, &self.workload)
        );
        let (revisions, state) = (revisions?, state?);
        let path = self.path();
        let Some(now) = current(&revisions) else {
            return Ok(Verification::Failed(format!(
                "{path} has no current revision"
            )));
        };
        if now.template_hash != memo.to.hash {
            return Ok(Verification::Failed(format!(
                "{path} runs revision {} ({}), not {}'s template",
                now.number,
                now.version(),
                memo.to
            )));
        }
        let (ready, desired) = (state.ready_replicas, state.desired_replicas);
        let line = format!(
            "{path} runs revision {} ({}): {ready} of {desired} replicas ready",
            now.number,
            now.version()
        );
        Ok(if ready >= desired {
            Verification::Passed(line)
        } else {
            Verification::Failed(line)
        })
    }

    async fn revert(&self, ctx: &StepContext, plan: &Plan) -> Result<String> {
        let memo: Memo = plan.memo()?;
        let revisions = self.revisions().await?;
        let path = self.path();
        let now = current(&revisions);
        match now.map(|r| r.template_hash.as_str()) {
            Some(h) if h == memo.from.hash => {
                return Ok(format!("{path} already runs {}'s template", memo.from));
            }
            Some(h) if h == memo.to.hash => {}
            _ => {
                return Ok(format!(
                    "{path} was changed since the rollback (now revision {}): left as it is",
                    now.map_or(0, |r| r.number)
                ));
            }
        }
        let Some(target) = by_hash(&revisions, &memo.from.hash) else {
            return Err(Error::not_found(OP, format!("{path} {}", memo.from)));
        };
        self.port
            .roll_back(
                &self.namespace,
                &self.workload,
                target.number,
                &kit::revert_key(ctx, plan),
            )
            .await?;
        Ok(format!(
            "rolled {path} forward to revision {} ({}), the one the rollback replaced",
            target.number, memo.from.version
        ))
    }
}

#[cfg(all(test, feature = "mock"))]
mod tests {
    use super::*;
    use crate::Severity;
    use crate::mock::MockWorkloads;

    fn revision(number: u64, hash: &str, current: bool) -> Revision {
        Revision {
            number,
            template_hash: hash.into(),
            change_cause: None,
            author: None,
            images: vec![format!("cato/orchestrator:{hash}")],
            created_at: chrono::DateTime::UNIX_EPOCH,
            current_since: chrono::DateTime::UNIX_EPOCH,
            current,
        }
    }

    fn step(history: Vec<Vec<Revision>>) -> RollbackWorkload {
        let mut port = MockWorkloads::new();
        let mut answers = history.into_iter();
        port.expect_revisions()
            .returning(move |_, _| Ok(answers.next().unwrap_or_default()));
        RollbackWorkload::new(Arc::new(port), "cato", "cato-orchestrator")
    }

    #[tokio::test]
    async fn landed_reads_the_current_template_back() {
        let planned = vec![revision(1, "v1", false), revision(2, "v2", true)];
        let rolled = vec![revision(2, "v2", false), revision(3, "v1", true)];
        let other = vec![revision(3, "v1", false), revision(4, "v3", true)];
        let s = step(vec![planned.clone(), rolled, planned, other]);
        let ctx = StepContext::new(
            &s,
            "INC-1".into(),
            "high-latency".into(),
            "cato-orchestrator",
            Severity::Sev2,
            Arc::from(vec![]),
            chrono::DateTime::UNIX_EPOCH,
        );
        let plan = s.plan(&ctx).await.unwrap();
        assert!(plan.summary.contains("from revision 2"), "{}", plan.summary);
        assert_eq!(s.landed(&ctx, &plan).await.unwrap(), Landed::Yes);
        assert_eq!(s.landed(&ctx, &plan).await.unwrap(), Landed::No);
        assert_eq!(s.landed(&ctx, &plan).await.unwrap(), Landed::Unknown);
    }
}
