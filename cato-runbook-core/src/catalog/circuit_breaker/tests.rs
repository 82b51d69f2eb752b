//! The breaker's state machine on a hand-moved clock.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use chrono::{TimeZone, Utc};

use super::*;

/// A clock that moves only when told.
#[derive(Debug)]
struct HandClock(Mutex<Timestamp>);

impl HandClock {
    fn new() -> Arc<HandClock> {
        Arc::new(HandClock(Mutex::new(
            Utc.with_ymd_and_hms(2026, 3, 10, 9, 0, 0).unwrap(),
        )))
    }

    fn advance(&self, by: Duration) {
        let mut now = self.0.lock().unwrap();
        *now = time::add(*now, by);
    }
}

#[async_trait]
impl Clock for HandClock {
    fn now(&self) -> Timestamp {
        *self.0.lock().unwrap()
    }
    async fn sleep(&self, duration: Duration) {
        self.advance(duration);
    }
}

fn small() -> CircuitBreakerConfig {
    CircuitBreakerConfig {
        sliding_window_size: 10,
        minimum_number_of_calls: 4,
        permitted_number_of_calls_in_half_open_state: 2,
        wait_duration_in_open_state: Duration::from_secs(30),
        slow_call_duration_threshold: Duration::from_secs(5),
        ..CircuitBreakerConfig::default()
    }
}

fn breaker(config: CircuitBreakerConfig) -> (CircuitBreaker, Arc<HandClock>) {
    let clock = HandClock::new();
    let b = CircuitBreaker::new("cato-shadow-self", config, clock.clone()).unwrap();
    (b, clock)
}

fn outcome(b: &CircuitBreaker, failed: bool) {
    let permit = b.try_acquire().unwrap();
    if failed {
        permit.failure()
    } else {
        permit.success()
    }
}

#[test]
fn opens_at_the_failure_rate_once_the_window_is_judged() {
    let (b, _) = breaker(small());
    outcome(&b, true);
    outcome(&b, true);
    outcome(&b, true);
    // Three calls: below the minimum, however bad.
    assert_eq!(b.state(), BreakerState::Closed);
    assert_eq!(b.snapshot().failure_rate_percent, None);
    outcome(&b, false);
    // 3 of 4 failed: 75 % ≥ 50 %.
    assert_eq!(b.state(), BreakerState::Open);
    let refused = b.try_acquire().unwrap_err();
    assert_eq!(refused.state, BreakerState::Open);
    assert_eq!(
        refused.to_string(),
        "circuit breaker cato-shadow-self is OPEN: call not permitted"
    );
    assert_eq!(b.snapshot().not_permitted_calls, 1);
    let err = refused.into_error();
    assert!(err.is_retryable());
    assert_eq!(err.resource(), Some("cato-shadow-self"));
}

#[test]
fn stays_closed_below_the_threshold() {
    let (b, _) = breaker(small());
    for failed in [true, false, false, false, true, false, false, false] {
        outcome(&b, failed);
    }
    let snap = b.snapshot();
    assert_eq!(snap.state, BreakerState::Closed);
    assert_eq!(snap.failure_rate_percent, Some(25.0));
    assert_eq!((snap.buffered_calls, snap.failed_calls), (8, 2));
}

#[test]
fn the_count_window_forgets_old_calls() {
    let (b, _) = breaker(CircuitBreakerConfig {
        sliding_window_size: 4,
        minimum_number_of_calls: 4,
        ..small()
    });
    outcome(&b, true);
    for _ in 0..4 {
        outcome(&b, false);
    }
    let snap = b.snapshot();
    assert_eq!((snap.buffered_calls, snap.failed_calls), (4, 0));
}

#[test]
fn open_waits_then_half_open_closes_on_good_trials() {
    let (b, clock) = breaker(small());
    for _ in 0..4 {
        outcome(&b, true);
    }
    assert_eq!(b.state(), BreakerState::Open);
    clock.advance(Duration::from_secs(29));
    assert_eq!(b.state(), BreakerState::Open);
    clock.advance(Duration::from_secs(1));
    assert_eq!(b.state(), BreakerState::HalfOpen);
    let first = b.try_acquire().unwrap();
    let second = b.try_acquire().unwrap();
    // Both trial slots are out.
    assert_eq!(b.try_acquire().unwrap_err().state, BreakerState::HalfOpen);
    first.success();
    assert_eq!(b.state(), BreakerState::HalfOpen);
    second.success();
    assert_eq!(b.state(), BreakerState::Closed);
    assert_eq!(
        b.snapshot().buffered_calls,
        0,
        "a closed breaker starts afresh"
    );
}

#[test]
fn a_failed_trial_opens_again() {
    let (b, clock) = breaker(small());
    for _ in 0..4 {
        outcome(&b, true);
    }
    clock.advance(Duration::from_secs(30));
    outcome(&b, false);
    outcome(&b, true);
    // 1 of 2 trials failed: 50 % ≥ 50 %.
    assert_eq!(b.state(), BreakerState::Open);
    let since = b.snapshot().since;
    assert_eq!(since, clock.now());
}

#[test]
fn a_dropped_permit_gives_its_trial_slot_back() {
    let (b, clock) = breaker(small());
    for _ in 0..4 {
        outcome(&b, true);
    }
    clock.advance(Duration::from_secs(30));
    let a = b.try_acquire().unwrap();
    let c = b.try_acquire().unwrap();
    drop(a);
    let d = b.try_acquire().unwrap();
    c.success();
    d.success();
    assert_eq!(b.state(), BreakerState::Closed);
}

#[test]
fn slow_calls_open_it_too() {
    let (b, clock) = breaker(CircuitBreakerConfig {
        slow_call_rate_threshold: 50.0,
        ..small()
    });
    for _ in 0..4 {
        let permit = b.try_acquire().unwrap();
        clock.advance(Duration::from_secs(6));
        assert!(permit.elapsed() >= Duration::from_secs(6));
        permit.success();
    }
    let snap = b.snapshot();
    assert_eq!(snap.state, BreakerState::Open);
}

#[test]
fn the_time_window_keeps_the_last_seconds() {
    let (b, clock) = breaker(CircuitBreakerConfig {
        sliding_window_type: SlidingWindowType::TimeBased,
        sliding_window_size: 10,
        minimum_number_of_calls: 3,
        ..small()
    });
    outcome(&b, true);
    outcome(&b, true);
    clock.advance(Duration::from_secs(11));
    outcome(&b, false);
    outcome(&b, false);
    outcome(&b, true);
    let snap = b.snapshot();
    assert_eq!(snap.state, BreakerState::Closed);
    assert_eq!((snap.buffered_calls, snap.failed_calls), (3, 1));
    clock.advance(Duration::from_secs(10));
    assert_eq!(b.snapshot().buffered_calls, 0);
}

#[test]
fn half_open_has_a_deadline_when_configured() {
    let (b, clock) = breaker(CircuitBreakerConfig {
        max_wait_duration_in_half_open_state: Duration::from_secs(20),
        ..small()
    });
    for _ in 0..4 {
        outcome(&b, true);
    }
    clock.advance(Duration::from_secs(30));
    let hung = b.try_acquire().unwrap();
    clock.advance(Duration::from_secs(20));
    assert_eq!(b.state(), BreakerState::Open);
    // The trial that outlived its state counts for nothing.
    hung.success();
    assert_eq!(b.state(), BreakerState::Open);
}

#[test]
fn outcomes_of_an_earlier_state_are_not_counted() {
    let (b, _) = breaker(small());
    let late = b.try_acquire().unwrap();
    for _ in 0..4 {
        outcome(&b, true);
    }
    assert_eq!(b.state(), BreakerState::Open);
    b.reset();
    late.failure();
    assert_eq!(b.snapshot().buffered_calls, 0);
    assert_eq!(b.state(), BreakerState::Closed);
}

#[test]
fn settings_are_checked() {
    let clock: Arc<dyn Clock> = HandClock::new();
    for bad in [
        CircuitBreakerConfig {
            failure_rate_threshold: 0.0,
            ..Default::default()
        },
        CircuitBreakerConfig {
            slow_call_rate_threshold: 101.0,
            ..Default::default()
        },
        CircuitBreakerConfig {
            sliding_window_size: 0,
            ..Default::default()
        },
        CircuitBreakerConfig {
            permitted_number_of_calls_in_half_open_state: 0,
            ..Default::default()
        },
        CircuitBreakerConfig {
            wait_duration_in_open_state: Duration::ZERO,
            ..Default::default()
        },
    ] {
        assert!(CircuitBreaker::new("x", bad, clock.clone()).is_err());
    }
    let parsed: CircuitBreakerConfig = toml::from_str(
        "failure_rate_threshold = 40\nwait_duration_in_open_state = \"2m\"\nsliding_window_type = \"time_based\"\n",
    )
    .unwrap();
    assert_eq!(parsed.wait_duration_in_open_state, Duration::from_secs(120));
    assert_eq!(parsed.sliding_window_type, SlidingWindowType::TimeBased);
    assert_eq!(parsed.minimum_number_of_calls, 100);
}

#[tokio::test]
async fn call_records_what_the_future_answers() {
    let (b, _) = breaker(small());
    let ok: std::result::Result<u32, CallError<std::io::Error>> = b.call(|| async { Ok(7) }).await;
    assert_eq!(ok.unwrap(), 7);
    for _ in 0..3 {
        let failed = b
            .call(|| async { Err::<(), _>(std::io::Error::other("503")) })
            .await
            .unwrap_err();
        assert!(matches!(failed, CallError::Failed(_)));
        assert!(std::error::Error::source(&failed).is_some());
    }
    let refused = b.call(|| async { Ok::<_, std::io::Error>(1) }).await;
    assert!(matches!(refused, Err(CallError::NotPermitted(_))));
}

#[test]
fn handles_share_one_breaker_across_threads() {
    let (b, _) = breaker(CircuitBreakerConfig {
        sliding_window_size: 1000,
        minimum_number_of_calls: 1000,
        ..small()
    });
    let threads: Vec<_> = (0..4)
        .map(|i| {
            let b = b.clone();
            std::thread::spawn(move || {
                for n in 0..100 {
                    outcome(&b, (n + i) % 4 == 0);
                }
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    let snap = b.snapshot();
    assert_eq!(snap.buffered_calls, 400);
    assert_eq!(snap.failed_calls, 100);
    assert_eq!(b, b.clone());
    assert!(format!("{b:?}").contains("Closed"));
}
