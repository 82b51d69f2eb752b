//! Identifiers: incidents, runbooks, dedup keys and idempotency keys.

use std::fmt;

use serde::{Deserialize, Serialize};

macro_rules! string_id {
    ($(#[$meta:meta])* $name:ident) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(String);

        impl $name {
            /// Wraps a string.
            pub fn new(value: impl Into<String>) -> Self {
                Self(value.into())
            }

            /// The string form.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl From<&str> for $name {
            fn from(value: &str) -> Self {
                Self(value.to_owned())
            }
        }

        impl From<String> for $name {
            fn from(value: String) -> Self {
                Self(value)
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }
    };
}

string_id!(
    /// An incident's identifier, e.g. `INC-20260301-0007`.
    IncidentId
);
string_id!(
    /// A runbook's identifier, e.g. `shadow-self-down`.
    RunbookId
);
string_id!(
    /// What makes two symptoms the same incident: the runbook and the resource.
    DedupKey
);
string_id!(
    /// The key that makes a side effect safe to repeat: derived from the incident and the step,
    /// so that two replicas (or a retry) applying the same step send the same key.
    IdempotencyKey
);

impl DedupKey {
    /// `runbook/resource`: one open incident per runbook and resource.
    pub fn of(runbook: &RunbookId, resource: &str) -> Self {
        DedupKey(format!("{runbook}/{resource}"))
    }
}

impl IdempotencyKey {
    /// `incident:step`, stable for the same incident and step.
    ///
    /// ```
    /// use cato_runbook_core::{IdempotencyKey, IncidentId};
    /// let inc = IncidentId::new("INC-1");
    /// assert_eq!(IdempotencyKey::derive(&inc, "restart-endpoint").as_str(), "INC-1:restart-endpoint");
    /// ```
    pub fn derive(incident: &IncidentId, step: &str) -> Self {
        IdempotencyKey(format!("{incident}:{step}"))
    }
}
