//! The text of Redis `INFO`: `# Section` headers and `field:value` lines.

use std::collections::BTreeMap;

use cato_runbook_core::{Error, ErrorKind, Result};

/// The fields of `INFO server` and `INFO stats` the cache port reads.
///
/// # Examples
///
/// ```
/// use cato_runbook_aws::redis::InfoStats;
///
/// let text = "# Server\r\nrun_id:4f1c\r\n\r\n# Stats\r\nkeyspace_hits:90\r\nkeyspace_misses:10\r\n\
///             evicted_keys:3\r\nexpired_keys:7\r\n";
/// let info = InfoStats::parse(text)?;
/// assert_eq!((info.hits, info.misses, info.evictions, info.expirations), (90, 10, 3, 7));
/// assert_eq!(info.run_id.as_deref(), Some("4f1c"));
///
/// let err = InfoStats::parse("keyspace_hits:lots\r\n").unwrap_err();
/// assert_eq!(err.kind(), cato_runbook_core::ErrorKind::MalformedResponse);
/// # Ok::<(), cato_runbook_core::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct InfoStats {
    /// `run_id` (in `INFO server`): another value means the server restarted.
    pub run_id: Option<String>,
    /// `keyspace_hits`.
    pub hits: u64,
    /// `keyspace_misses`.
    pub misses: u64,
    /// `evicted_keys`.
    pub evictions: u64,
    /// `expired_keys`.
    pub expirations: u64,
}

const OPERATION: &str = "INFO stats";

fn malformed(message: String) -> Error {
    Error::new(ErrorKind::MalformedResponse, OPERATION, message).with_provider("redis")
}

impl InfoStats {
    /// Reads the fields out of `INFO` text (one or more sections, `\r\n` or `\n` lines).
    ///
    /// # Errors
    ///
    /// `MalformedResponse` when a line is neither a header, blank, nor `field:value`, when a
    /// counter is missing, or when a counter is not a whole number.
    pub fn parse(text: &str) -> Result<InfoStats> {
        let mut fields = BTreeMap::new();
        for (n, line) in text.lines().enumerate() {
            let line = line.trim_end_matches('\r');
            if line.trim().is_empty() || line.starts_with('#') {
                continue;
            }
            let Some((field, value)) = line.split_once(':') else {
                let shown: String = line.chars().take(80).collect();
                return Err(malformed(format!(
                    "line {} is not `field:value`: {shown:?}",
                    n + 1
                )));
            };
            fields.insert(field.trim(), value.trim());
        }
        let counter = |name: &str| -> Result<u64> {
            let value = fields
                .get(name)
                .ok_or_else(|| malformed(format!("INFO has no {name}")))?;
            value.parse::<u64>().map_err(|_| {
                let shown: String = value.chars().take(40).collect();
                malformed(format!("{name} is not a counter: {shown:?}"))
            })
        };
        Ok(InfoStats {
            run_id: fields
                .get("run_id")
                .filter(|v| !v.is_empty())
                .map(|v| (*v).to_owned()),
            hits: counter("keyspace_hits")?,
            misses: counter("keyspace_misses")?,
            evictions: counter("evicted_keys")?,
            expirations: counter("expired_keys")?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const REAL: &str = "# Server\r\nredis_version:7.0.15\r\nrun_id:9a6f3c1d2e\r\ntcp_port:6379\r\n\r\n# Stats\r\ntotal_connections_received:3\r\nexpired_keys:2\r\nevicted_keys:5\r\nkeyspace_hits:1000\r\nkeyspace_misses:250\r\nerrorstat_ERR:count=1\r\n";

    #[test]
    fn reads_the_counters_and_the_run_id() {
        let info = InfoStats::parse(REAL).unwrap();
        assert_eq!(
            info,
            InfoStats {
                run_id: Some("9a6f3c1d2e".into()),
                hits: 1000,
                misses: 250,
                evictions: 5,
                expirations: 2,
            }
        );
    }

    #[test]
    fn the_run_id_is_optional() {
        let stats_only = "keyspace_hits:1\nkeyspace_misses:2\nevicted_keys:0\nexpired_keys:0\n";
        assert_eq!(InfoStats::parse(stats_only).unwrap().run_id, None);
    }

    #[test]
    fn malformed_text_is_a_typed_error() {
        for (text, says) in [
            ("", "no keyspace_hits"),
            (
                "keyspace_hits:1\r\nkeyspace_misses:2\r\n",
                "no evicted_keys",
            ),
            ("keyspace_hits:-1\r\n", "keyspace_hits is not a counter"),
            ("keyspace_hits:1.5\r\n", "keyspace_hits is not a counter"),
            ("<html>oops</html>", "line 1 is not `field:value`"),
            ("# Stats\r\nkeyspace_hits 12\r\n", "line 2"),
        ] {
            let err = InfoStats::parse(text).unwrap_err();
            assert_eq!(err.kind(), ErrorKind::MalformedResponse, "{text:?}");
            assert!(!err.is_retryable());
            assert!(err.message().contains(says), "{text:?}: {err}");
        }
    }
}
