//! The file sink of traces: what providers answered, as JSON lines in a file of bounded size.
//!
//! [`FileTraceSink`] takes records on the engine's path without blocking: a record goes to a
//! bounded queue, and a thread of its own serializes and writes it, so a slow disk never delays
//! a tick. The file is bounded by `max_bytes`: when the next line would pass it, the sink stops
//! recording, ends the file with a `trace.stopped` line saying why and logs a warning. It stops
//! rather than rotates because a replay needs a trace from its start (the ticks before an
//! incident opened are what opened it): a rotated file's tail cannot be replayed, a stopped
//! file's head can. A queue the writer cannot keep up with stops the sink the same way.

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, Receiver, SyncSender, TrySendError};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread::JoinHandle;

use cato_runbook_core::trace::{TraceRecord, TraceSink};

/// Records the writer may be behind by before the sink stops.
const QUEUE: usize = 16 * 1024;

/// Bytes kept for the closing `trace.stopped` line.
const MARKER_RESERVE: u64 = 256;

/// A trace written to a file off the engine's path, bounded in size (see the module's docs).
pub struct FileTraceSink {
    path: PathBuf,
    sender: Mutex<Option<SyncSender<TraceRecord>>>,
    recording: Arc<AtomicBool>,
    fell_behind: Arc<AtomicBool>,
    writer: Mutex<Option<JoinHandle<()>>>,
}

impl std::fmt::Debug for FileTraceSink {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FileTraceSink")
            .field("path", &self.path)
            .field("recording", &self.recording.load(Ordering::Acquire))
            .finish_non_exhaustive()
    }
}

impl FileTraceSink {
    /// Creates (or truncates) `path` and starts its writer; at most `max_bytes` are written.
    ///
    /// # Errors
    ///
    /// When the file cannot be created or the writer's thread cannot start.
    pub fn create(path: impl AsRef<Path>, max_bytes: u64) -> io::Result<Self> {
        let path = path.as_ref().to_owned();
        let file = File::create(&path)?;
        let (sender, receiver) = mpsc::sync_channel(QUEUE);
        let recording = Arc::new(AtomicBool::new(true));
        let fell_behind = Arc::new(AtomicBool::new(false));
        let writer = Writer {
            out: BufWriter::new(file),
            written: 0,
            max_bytes,
            recording: Arc::clone(&recording),
            fell_behind: Arc::clone(&fell_behind),
            path: path.clone(),
        };
        let handle = std::thread::Builder::new()
            .name("cato-trace-writer".to_owned())
            .spawn(move || writer.run(&receiver))?;
        Ok(FileTraceSink {
            path,
            sender: Mutex::new(Some(sender)),
            recording,
            fell_behind,
            writer: Mutex::new(Some(handle)),
        })
    }

    /// The file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Stops taking records, writes what is queued and closes the file (waits for the writer).
    pub fn finish(&self) {
        self.recording.store(false, Ordering::Release);
        drop(
            self.sender
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .take(),
        );
        let handle = self
            .writer
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
        if let Some(handle) = handle
            && handle.join().is_err()
        {
            tracing::warn!(path = %self.path.display(), "the trace writer stopped abnormally");
        }
    }
}

impl Drop for FileTraceSink {
    fn drop(&mut self) {
        self.finish();
    }
}

impl TraceSink for FileTraceSink {
    fn record(&self, record: TraceRecord) {
        let mut sender = self.sender.lock().unwrap_or_else(PoisonError::into_inner);
        let Some(tx) = sender.as_ref() else {
            return;
        };
        match tx.try_send(record) {
            Ok(()) => {}
            Err(TrySendError::Full(_)) => {
                // The disk is slower than the engine: stop rather than wait on the tick's path.
                self.fell_behind.store(true, Ordering::Release);
                self.recording.store(false, Ordering::Release);
                *sender = None;
            }
            Err(TrySendError::Disconnected(_)) => {
                self.recording.store(false, Ordering::Release);
                *sender = None;
            }
        }
    }

    fn recording(&self) -> bool {
        self.recording.load(Ordering::Acquire)
    }
}

struct Writer {
    out: BufWriter<File>,
    written: u64,
    max_bytes: u64,
    recording: Arc<AtomicBool>,
    fell_behind: Arc<AtomicBool>,
    path: PathBuf,
}

impl Writer {
    fn run(mut self, receiver: &Receiver<TraceRecord>) {
        let mut last = None;
        while let Ok(record) = receiver.recv() {
            last = Some(record.time);
            if let Err(reason) = self.write(&record) {
                self.stop(record.time, &reason);
                return;
            }
            // Flush once the queue is empty: one write per burst, not per record.
            let mut more = receiver.try_recv();
            while let Ok(record) = more {
                last = Some(record.time);
                if let Err(reason) = self.write(&record) {
                    self.stop(record.time, &reason);
                    return;
                }
                more = receiver.try_recv();
            }
            if let Err(e) = self.out.flush() {
                self.stop(record.time, &format!("cannot write the file: {e}"));
                return;
            }
        }
        if let (true, Some(at)) = (self.fell_behind.load(Ordering::Acquire), last) {
            self.stop(
                at,
                "the file could not be written as fast as providers answered",
            );
        }
        if let Err(e) = self.out.flush() {
            tracing::warn!(path = %self.path.display(), error = %e, "cannot write the trace");
        }
    }

    fn write(&mut self, record: &TraceRecord) -> Result<(), String> {
        let mut line = serde_json::to_string(record).map_err(|e| format!("a record: {e}"))?;
        line.push('\n');
        let len = line.len() as u64;
        if self.written + len + MARKER_RESERVE > self.max_bytes {
            return Err(format!(
                "the trace reached its bound of {} bytes",
                self.max_bytes
            ));
        }
        self.out
            .write_all(line.as_bytes())
            .map_err(|e| format!("cannot write the file: {e}"))?;
        self.written += len;
        Ok(())
    }

    fn stop(&mut self, at: cato_runbook_core::Timestamp, reason: &str) {
        self.recording.store(false, Ordering::Release);
        tracing::warn!(path = %self.path.display(), reason, "trace recording stopped");
        let marker = TraceRecord::stopped(at, reason);
        if let Ok(line) = serde_json::to_string(&marker) {
            let _ = writeln!(self.out, "{line}");
        }
        let _ = self.out.flush();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use cato_runbook_core::trace::parse_jsonl;

    fn record(n: u64) -> TraceRecord {
        let at = cato_runbook_core::Timestamp::from_timestamp(1_773_100_800 + n as i64, 0)
            .unwrap_or_default();
        TraceRecord::tick(at)
    }

    #[test]
    fn the_size_bound_is_kept_and_the_file_ends_saying_why() {
        let dir = std::env::temp_dir().join(format!("cato-trace-sink-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("bounded.jsonl");
        let sink = FileTraceSink::create(&path, 2_000).unwrap();
        for n in 0..100 {
            sink.record(record(n));
        }
        sink.finish();
        assert!(!sink.recording());
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.len() <= 2_000, "{} bytes", text.len());
        let records = parse_jsonl("bounded", &text).unwrap();
        let last = records.last().unwrap();
        assert_eq!((last.port.as_str(), last.op.as_str()), ("trace", "stopped"));
        assert!(last.args["reason"].as_str().unwrap().contains("2000 bytes"));
        assert!(records.len() > 5 && records.len() < 100);
        sink.record(record(200));

        let small = dir.join("whole.jsonl");
        let sink = FileTraceSink::create(&small, 1 << 20).unwrap();
        for n in 0..10 {
            sink.record(record(n));
        }
        drop(sink);
        let records = parse_jsonl("whole", &std::fs::read_to_string(&small).unwrap()).unwrap();
        assert_eq!(records.len(), 10);
        std::fs::remove_dir_all(&dir).ok();
    }
}
