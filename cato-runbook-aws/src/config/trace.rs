//! `[trace]`: what `run` records of the providers' answers, for `cato-runbook replay`.
//!
//! ```toml
//! [trace]
//! enabled = true              # the default: `run` records every provider call
//! dir = "traces"              # relative to the configuration file
//! max_bytes = 67108864        # per file (64 MiB; 4096 to 1 GiB): then the file ends, saying why
//! ```

use std::path::{Path, PathBuf};
use std::sync::Arc;

use cato_runbook_core::ports::Clock;
use cato_runbook_core::trace::{Recorder, TraceStart};
use serde::{Deserialize, Serialize};

use super::ConfigError;
use crate::trace::FileTraceSink;

/// The `[trace]` table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TraceConfig {
    /// Whether `run` records (default `true`).
    pub enabled: bool,
    /// Where trace files go, relative to the configuration file.
    pub dir: PathBuf,
    /// The largest a file grows to, in bytes (4096 to 1 GiB): recording then stops with a
    /// closing line.
    pub max_bytes: u64,
}

impl Default for TraceConfig {
    fn default() -> Self {
        TraceConfig {
            enabled: true,
            dir: PathBuf::from("traces"),
            max_bytes: 64 << 20,
        }
    }
}

/// The largest trace file: 1 GiB.
const MAX_BYTES: u64 = 1 << 30;

impl TraceConfig {
    /// Checks the values.
    ///
    /// # Errors
    ///
    /// [`ConfigError::Invalid`] naming the key.
    pub fn validate(&self) -> Result<(), ConfigError> {
        if self.max_bytes < 4096 {
            return Err(ConfigError::invalid(
                "[trace] max_bytes: at least 4096 bytes, or no trace holds a tick",
            ));
        }
        if self.max_bytes > MAX_BYTES {
            return Err(ConfigError::invalid(format!(
                "[trace] max_bytes: {} must be at most {MAX_BYTES} (1 GiB): a trace is for replay, not an archive",
                self.max_bytes
            )));
        }
        Ok(())
    }

    /// A recorder into a new file of `dir` (`trace-<replica>-<time>.jsonl`), its first line
    /// written, on `clock`; with its sink, to finish when the service stops.
    ///
    /// # Errors
    ///
    /// [`ConfigError::Unavailable`] when the folder or the file cannot be made.
    pub fn recorder(
        &self,
        dir: &Path,
        replica: &str,
        clock: Arc<dyn Clock>,
        start: &TraceStart,
    ) -> Result<(Recorder, Arc<FileTraceSink>), ConfigError> {
        std::fs::create_dir_all(dir)
            .map_err(|e| ConfigError::Unavailable(format!("[trace] dir {}: {e}", dir.display())))?;
        let stamp = clock.now().format("%Y%m%dT%H%M%SZ");
        let path = dir.join(format!("trace-{replica}-{stamp}.jsonl"));
        let sink =
            Arc::new(FileTraceSink::create(&path, self.max_bytes).map_err(|e| {
                ConfigError::Unavailable(format!("[trace] {}: {e}", path.display()))
            })?);
        let recorder = Recorder::new(sink.clone(), clock);
        recorder.start(start);
        Ok((recorder, sink))
    }
}
