use chrono::DateTime;

use super::*;
use crate::ports::{BudgetMode, BudgetStatus, CacheCounters, Datapoint, MetricSeries};

fn at(secs: i64) -> crate::Timestamp {
    DateTime::from_timestamp(secs, 0).unwrap_or_default()
}

fn series(points: &[(i64, f64)]) -> MetricSeries {
    MetricSeries {
        id: "p99".into(),
        points: points
            .iter()
            .map(|&(secs, value)| Datapoint {
                at: at(secs),
                value,
            })
            .collect(),
    }
}

fn refused<T: Answer>(answer: T) -> String {
    match check("metrics.query", answer) {
        Ok(_) => String::from("accepted"),
        Err(err) => {
            assert_eq!(err.kind(), ErrorKind::MalformedResponse);
            err.to_string()
        }
    }
}

#[test]
fn a_sound_series_passes_and_an_absurd_one_names_what_is_wrong() {
    assert!(check("metrics.query", vec![series(&[(0, 1.0), (60, 2.0)])]).is_ok());
    assert!(check("metrics.query", vec![series(&[])]).is_ok());
    assert!(refused(vec![series(&[(0, f64::NAN)])]).contains("NaN"));
    assert!(refused(vec![series(&[(0, f64::INFINITY)])]).contains("inf"));
    assert!(refused(vec![series(&[(60, 1.0), (0, 2.0)])]).contains("out of order"));
    assert!(refused(vec![series(&[(60, 1.0), (60, 2.0)])]).contains("out of order"));
}

#[test]
fn counters_whose_sum_overflows_are_refused() {
    let counters = CacheCounters {
        at: at(0),
        run_id: None,
        hits: u64::MAX,
        misses: 1,
        evictions: 0,
        expirations: 0,
    };
    assert!(refused(counters).contains("overflow"));
}

#[test]
fn amounts_shares_counts_and_texts_have_bounds() {
    let budget = |spent| BudgetStatus {
        mode: BudgetMode::Normal,
        spent_usd: spent,
        monthly_limit_usd: 1000.0,
        next_reset: at(0),
        curiosity_enabled: true,
    };
    assert!(check("budget.status", budget(12.5)).is_ok());
    for bad in [f64::NAN, -1.0, f64::NEG_INFINITY] {
        assert!(refused(budget(bad)).contains("spent_usd"), "{bad}");
    }
    let f = Fields::new("traffic.state");
    assert!(f.share("share", 1.0).is_ok());
    assert!(f.share("share", 1.5).is_err());
    assert!(f.share("share", f64::NAN).is_err());
    assert!(f.count("nodes", MAX_COUNT).is_ok());
    assert!(f.count("nodes", u64::from(u32::MAX)).is_err());
    assert!(f.text("name", &"x".repeat(MAX_TEXT)).is_ok());
    let err = f.text("name", &"x".repeat(MAX_TEXT + 1)).unwrap_err();
    assert!(err.to_string().contains("traffic.state"), "{err}");
    assert!(f.len("items", MAX_ITEMS + 1).is_err());
}
