//! What people do through the [`Operator`], written to the engine's trace when it records (see
//! [`crate::trace`]): one line per action that succeeded, at the clock's now.

use serde_json::{Map, Value};

use super::job::Job;
use super::operator::Operator;
use crate::trace::TraceRecord;

impl Operator {
    /// Records action `op` with `args` (who, the step, the reason or text; never a secret: no
    /// action takes one), on `job`'s incident and runbook when it has one.
    pub(super) async fn recorded(&self, job: Option<&Job<'_>>, op: &str, args: Value) {
        let Some(trace) = &self.inner.trace else {
            return;
        };
        if !trace.recording() {
            return;
        }
        let mut out = Map::new();
        if let Some(job) = job {
            let (id, runbook) = job
                .read(|i| (i.id().to_string(), i.runbook().to_string()))
                .await;
            out.insert("incident".to_owned(), Value::String(id));
            out.insert("runbook".to_owned(), Value::String(runbook));
        }
        if let Value::Object(args) = args {
            out.extend(args);
        }
        trace.record(TraceRecord::operator(
            self.inner.now(),
            op,
            Value::Object(out),
        ));
    }
}
