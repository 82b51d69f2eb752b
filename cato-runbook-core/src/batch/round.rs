//! A round: calls that arrive together, served by one underlying call.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use futures::future::{BoxFuture, FutureExt, Shared};
use tracing::Instrument;

use crate::error::{Error, Result};

/// Most requests one round collects; a caller past it opens the next round.
const MAX_REQUESTS: usize = 100_000;

/// What a round answers, shared by every caller of it.
pub(crate) type Answer<T> = Arc<Result<T>>;

/// The round's underlying call, driven by whichever caller polls it.
pub(crate) type Driven<T> = Shared<BoxFuture<'static, Answer<T>>>;

/// Requests of a round still collecting; `None` once the call has taken them.
type Requests<R> = Arc<Mutex<Option<Vec<R>>>>;

fn locked<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

struct Open<R, T> {
    requests: Requests<R>,
    answer: Driven<T>,
}

/// Concurrent requests collected into one call: the first caller opens a round, which waits
/// zero time (it yields to the scheduler until a yield brings no new request) for the others,
/// then makes one call for all of them. The round is a shared future that every caller polls,
/// so a caller that is dropped or times out strands nobody; once collected, its call runs on a
/// task of its own (see [`detached`]).
pub(crate) struct Round<R, T> {
    open: Mutex<Option<Open<R, T>>>,
    /// How many requests the last round collected: the next one's list starts that large
    /// (a tick's detectors make about as many as the last tick's did) instead of growing a
    /// request at a time, a reallocation of the whole list at each doubling.
    last: Arc<AtomicUsize>,
}

impl<R, T> Default for Round<R, T> {
    fn default() -> Self {
        Round {
            open: Mutex::new(None),
            last: Arc::new(AtomicUsize::new(0)),
        }
    }
}

impl<R: Send + 'static, T: Send + Sync + 'static> Round<R, T> {
    /// Adds `request` to the round collecting now, or opens a round whose requests `call`
    /// serves; returns the request's index in its round and the round's answer.
    pub(crate) fn join(
        &self,
        request: R,
        call: impl FnOnce(Vec<R>) -> BoxFuture<'static, Result<T>> + Send + 'static,
    ) -> (usize, Driven<T>) {
        let mut open = locked(&self.open);
        if let Some(round) = open.as_ref() {
            let mut requests = locked(&round.requests);
            if let Some(list) = requests.as_mut()
                && list.len() < MAX_REQUESTS
            {
                list.push(request);
                return (list.len() - 1, round.answer.clone());
            }
        }
        let mut list = Vec::with_capacity(self.last.load(Ordering::Relaxed).clamp(1, MAX_REQUESTS));
        list.push(request);
        let requests: Requests<R> = Arc::new(Mutex::new(Some(list)));
        let collecting = Arc::clone(&requests);
        let last = Arc::clone(&self.last);
        let answer = async move {
            let mut seen = 1;
            // Each yield that brought a request waits again; at most one yield per request.
            for _ in 0..=MAX_REQUESTS {
                tokio::task::yield_now().await;
                let now = locked(&collecting).as_ref().map_or(seen, Vec::len);
                if now == seen {
                    break;
                }
                seen = now;
            }
            let taken = locked(&collecting).take().unwrap_or_default();
            last.store(taken.len(), Ordering::Relaxed);
            Arc::new(detached(call(taken)).await)
        }
        .boxed()
        .shared();
        *open = Some(Open {
            requests,
            answer: answer.clone(),
        });
        (0, answer)
    }
}

/// Stops its task when the round is dropped before its call ends.
struct Aborting<T>(tokio::task::JoinHandle<T>);

impl<T> Drop for Aborting<T> {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// `call`, on a task of its own when a tokio runtime is there to run it (else awaited here).
///
/// A shared future wakes every caller waiting on it each time what it awaits wakes it, and a
/// round's call can wake many times (each of its calls' answers, each of their awaits): a
/// round of 9,000 callers would poll 9,000 futures at each. On a task, the call wakes the
/// round once, when it ends (a call that yields 200 times polled each of its 100 callers 202
/// times before, at most 4 now). The round is collected before the task starts, so a runtime
/// of several threads batches as one does. The task runs in the caller's span; a call that
/// panics is an [`Internal`] error of every caller.
///
/// [`Internal`]: crate::ErrorKind::Internal
async fn detached<T: Send + 'static>(call: BoxFuture<'static, Result<T>>) -> Result<T> {
    let Ok(runtime) = tokio::runtime::Handle::try_current() else {
        return call.await;
    };
    let mut task = Aborting(runtime.spawn(call.instrument(tracing::Span::current())));
    match (&mut task.0).await {
        Ok(result) => result,
        Err(err) => Err(Error::new(
            crate::ErrorKind::Internal,
            "batch.round",
            format!("a round's call ended abnormally: {err}"),
        )),
    }
}

/// A copy of `err` for one more caller ([`Error`] is not `Clone`): its kind, retry class,
/// operation, provider, resource and message; the source stays with the first.
pub(crate) fn copy_of(err: &Error) -> Error {
    let mut copy =
        Error::new(err.kind(), err.operation().to_owned(), err.message()).with_retry(err.retry());
    if let Some(provider) = err.provider() {
        copy = copy.with_provider(provider.to_owned());
    }
    if let Some(resource) = err.resource() {
        copy = copy.with_resource(resource.to_owned());
    }
    copy
}

/// The caller's copy of a shared answer: `pick` of the value, or the error.
pub(crate) fn answer_of<T, U>(answer: &Answer<T>, pick: impl FnOnce(&T) -> U) -> Result<U> {
    match answer.as_ref() {
        Ok(value) => Ok(pick(value)),
        Err(err) => Err(copy_of(err)),
    }
}
