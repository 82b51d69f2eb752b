//! The kill switch, pulled and lifted by people: every replica stops (or starts again) every
//! side effect of automation, and every open incident's timeline says so.

use std::sync::atomic::Ordering;

use serde_json::json;

use super::operator::Operator;
use crate::error::{Error, ErrorKind, Result};
use crate::timeline::Actor;

impl Operator {
    /// The kill switch: stops every side effect of automation at once, on every replica
    /// (detection, diagnosis, notification and escalation go on). Kept in the store with the
    /// other guardrails; recorded on every open incident.
    ///
    /// # Errors
    ///
    /// `Unavailable` when the store cannot keep it: this replica is halted anyway (until a
    /// [`resume`](Self::resume) reaches the store), the others are not yet — pull it again.
    pub async fn halt(&self, by: &str, reason: &str) -> Result<()> {
        self.inner.halted_here.store(true, Ordering::SeqCst);
        let halt = crate::ports::Halt {
            by: by.to_owned(),
            at: self.inner.now(),
        };
        let saved = self.inner.set_halt(Some(halt)).await;
        tracing::warn!(by, reason, "automation halted");
        let mut note = format!("automation halted by {by}: {reason}");
        if let Err(why) = &saved {
            note.push_str(&format!(" (on this replica only: {why})"));
        } else {
            self.inner.halted_here.store(false, Ordering::SeqCst);
        }
        self.note_all(&note, by).await;
        saved.map_err(|why| Error::new(ErrorKind::Unavailable, "operator.halt", why))?;
        let args = json!({ "by": by, "reason": reason });
        self.recorded(None, "halt", args).await;
        Ok(())
    }

    /// Lifts the kill switch, on every replica.
    ///
    /// # Errors
    ///
    /// `Unavailable` when the store cannot be written: automation stays halted.
    pub async fn resume(&self, by: &str) -> Result<()> {
        self.inner
            .set_halt(None)
            .await
            .map_err(|why| Error::new(ErrorKind::Unavailable, "operator.resume", why))?;
        self.inner.halted_here.store(false, Ordering::SeqCst);
        tracing::info!(by, "automation resumed");
        self.note_all(&format!("automation resumed by {by}"), by)
            .await;
        self.recorded(None, "resume", json!({ "by": by })).await;
        Ok(())
    }

    /// Whether the kill switch is on.
    pub fn is_halted(&self) -> bool {
        self.inner.is_halted()
    }

    async fn note_all(&self, text: &str, by: &str) {
        let Ok(open) = self.open_incidents().await else {
            return;
        };
        for incident in open {
            if let Ok(mut job) = self.job(incident.id(), "operator.note").await {
                job.edit(|i, now| i.note(now, Actor::person(by), text))
                    .await;
            }
        }
    }
}
