//! Which idempotency keys a provider has already applied.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;

use cato_runbook_core::IdempotencyKey;

/// The mutating calls a provider made, by operation, resource and idempotency key, with what
/// they answered, so that a repeat with the same key answers the same without calling the
/// service again. Bounded: the oldest entries go first.
#[derive(Debug)]
pub(crate) struct Applied<T> {
    inner: Mutex<Memo<T>>,
}

#[derive(Debug)]
struct Memo<T> {
    answers: HashMap<String, T>,
    order: VecDeque<String>,
}

const CAPACITY: usize = 1024;

fn entry(operation: &str, resource: &str, key: &IdempotencyKey) -> String {
    format!("{operation}\u{0}{resource}\u{0}{key}")
}

impl<T: Clone> Applied<T> {
    pub(crate) fn new() -> Self {
        Applied {
            inner: Mutex::new(Memo {
                answers: HashMap::new(),
                order: VecDeque::new(),
            }),
        }
    }

    /// What the call with this key answered, if it was made.
    pub(crate) fn get(&self, operation: &str, resource: &str, key: &IdempotencyKey) -> Option<T> {
        let memo = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        memo.answers.get(&entry(operation, resource, key)).cloned()
    }

    /// Records that the call with this key was made and answered `answer`.
    pub(crate) fn record(&self, operation: &str, resource: &str, key: &IdempotencyKey, answer: T) {
        let mut memo = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        let id = entry(operation, resource, key);
        if memo.answers.insert(id.clone(), answer).is_none() {
            memo.order.push_back(id);
        }
        while memo.order.len() > CAPACITY {
            if let Some(oldest) = memo.order.pop_front() {
                memo.answers.remove(&oldest);
            }
        }
    }
}
