//! One `describe-alarms` per tick for every alarm detector over the same port.

use std::collections::BTreeSet;
use std::fmt;
use std::sync::{Arc, Mutex, MutexGuard};

use crate::error::{Error, ErrorKind, Result, Retry};
use crate::ports::{AlarmState, Alarms, all_alarms};
use crate::time::Timestamp;

/// Most pages of alarms one read follows (of 100 alarms each).
const MAX_PAGES: usize = 10;

fn locked<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// What one read answered, kept for the other detectors of the same tick (an error as its
/// parts: [`Error`] is not `Clone`).
type Read = std::result::Result<Arc<Vec<AlarmState>>, (ErrorKind, Retry, String)>;

/// The alarms of one port, read at most once per tick.
pub(crate) struct AlarmBoard {
    /// The port as configured: which board is whose.
    port: Arc<dyn Alarms>,
    /// The same port, its answers checked: what the board reads.
    checked: Arc<dyn Alarms>,
    prefixes: Mutex<BTreeSet<String>>,
    last: tokio::sync::Mutex<Option<(Timestamp, Read)>>,
}

impl fmt::Debug for AlarmBoard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AlarmBoard")
            .field("port", &format_args!("{}", self.port))
            .field("prefix", &self.prefix())
            .finish()
    }
}

impl AlarmBoard {
    /// Reads alarms of `prefix` too from now on.
    pub(crate) fn watch(&self, prefix: &str) {
        locked(&self.prefixes).insert(prefix.to_owned());
    }

    /// The longest prefix common to every watched one: what one call asks for.
    pub(crate) fn prefix(&self) -> String {
        let prefixes = locked(&self.prefixes);
        let mut iter = prefixes.iter();
        let Some(first) = iter.next() else {
            return String::new();
        };
        let mut common = first.as_str();
        for p in iter {
            let len = common
                .char_indices()
                .zip(p.chars())
                .take_while(|((_, a), b)| a == b)
                .last()
                .map_or(0, |((i, a), _)| i + a.len_utf8());
            common = &common[..len];
        }
        common.to_owned()
    }

    /// Every watched alarm as of the tick at `now`: the first detector of the tick reads, the
    /// others (waiting meanwhile) share its answer, error included.
    pub(crate) async fn read(&self, now: Timestamp) -> Result<Arc<Vec<AlarmState>>> {
        let mut last = self.last.lock().await;
        let read = match last.as_ref() {
            Some((at, read)) if *at == now => read.clone(),
            _ => {
                let read = all_alarms(self.checked.as_ref(), &self.prefix(), MAX_PAGES)
                    .await
                    .map(Arc::new)
                    .map_err(|e| (e.kind(), e.retry(), e.to_string()));
                *last = Some((now, read.clone()));
                read
            }
        };
        read.map_err(|(kind, retry, message)| {
            Error::new(kind, "alarms.describe", message).with_retry(retry)
        })
    }
}

/// The boards of a [`Providers`](crate::catalog::Providers), one per alarms port; its clones
/// share them, so that the runbooks built from it share one read per tick.
#[derive(Debug, Clone, Default)]
pub(crate) struct AlarmBoards(Arc<Mutex<Vec<Arc<AlarmBoard>>>>);

impl AlarmBoards {
    /// The board of `port`, made on first use; it reads the port's answers checked
    /// ([`Checked`](crate::ports::Checked)).
    pub(crate) fn for_port(&self, port: Arc<dyn Alarms>) -> Arc<AlarmBoard> {
        let mut boards = locked(&self.0);
        let same =
            |b: &&Arc<AlarmBoard>| std::ptr::addr_eq(Arc::as_ptr(&b.port), Arc::as_ptr(&port));
        if let Some(board) = boards.iter().find(same) {
            return board.clone();
        }
        let board = Arc::new(AlarmBoard {
            checked: <dyn Alarms as crate::ports::Checkable>::checked(port.clone()),
            port,
            prefixes: Mutex::new(BTreeSet::new()),
            last: tokio::sync::Mutex::new(None),
        });
        boards.push(board.clone());
        board
    }
}

#[cfg(all(test, feature = "mock"))]
mod tests {
    use super::*;
    use crate::mock::MockAlarms;
    use crate::ports::AlarmPage;

    #[tokio::test]
    async fn one_call_per_tick_with_the_common_prefix() {
        let mut port = MockAlarms::new();
        port.expect_describe()
            .withf(|prefix, max, token| prefix == "cato-" && *max == 100 && token.is_none())
            .times(2)
            .returning(|_, _, _| Ok(AlarmPage::default()));
        let boards = AlarmBoards::default();
        let port: Arc<dyn Alarms> = Arc::new(port);
        let board = boards.for_port(port.clone());
        assert!(Arc::ptr_eq(&board, &boards.clone().for_port(port)));
        board.watch("cato-shadow-self-");
        board.watch("cato-latency-");
        board.watch("cato-ü");
        assert_eq!(board.prefix(), "cato-");
        let t0 = chrono::DateTime::UNIX_EPOCH;
        let t1 = crate::time::add(t0, std::time::Duration::from_secs(30));
        for at in [t0, t0, t0, t1] {
            assert!(board.read(at).await.unwrap().is_empty());
        }
    }

    #[test]
    fn prefixes_share_whole_characters() {
        let boards = AlarmBoards::default();
        let board = boards.for_port(Arc::new(MockAlarms::new()));
        assert_eq!(board.prefix(), "");
        board.watch("aé1");
        board.watch("aé2");
        assert_eq!(board.prefix(), "aé");
        board.watch("b");
        assert_eq!(board.prefix(), "");
    }
}
