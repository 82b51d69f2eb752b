//! A metrics answer read by the ids of its queries.

use crate::ports::MetricSeries;

/// The series of query `id`, if the answer has it.
fn series<'a>(answer: &'a [MetricSeries], id: &str) -> Option<&'a MetricSeries> {
    answer.iter().find(|s| s.id == id)
}

/// The largest value of series `id` (a percentile over the window, should it span two
/// periods); `None` without data.
pub(crate) fn peak(answer: &[MetricSeries], id: &str) -> Option<f64> {
    series(answer, id)?
        .points
        .iter()
        .map(|p| p.value)
        .reduce(f64::max)
}

/// The sum of series `id`; `None` without data.
pub(crate) fn total(answer: &[MetricSeries], id: &str) -> Option<f64> {
    let points = &series(answer, id)?.points;
    (!points.is_empty()).then(|| points.iter().map(|p| p.value).sum())
}

/// The newest value of series `id`; `None` without data.
pub(crate) fn latest(answer: &[MetricSeries], id: &str) -> Option<f64> {
    series(answer, id)?.latest()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ports::Datapoint;

    #[test]
    fn series_are_read_by_id() {
        let point = |secs, value| Datapoint {
            at: chrono::DateTime::from_timestamp(secs, 0).unwrap(),
            value,
        };
        let answer = [
            MetricSeries {
                id: "a".into(),
                points: vec![point(0, 3.0), point(60, 5.0), point(120, 1.0)],
            },
            MetricSeries {
                id: "empty".into(),
                points: Vec::new(),
            },
        ];
        assert_eq!(peak(&answer, "a"), Some(5.0));
        assert_eq!(total(&answer, "a"), Some(9.0));
        assert_eq!(latest(&answer, "a"), Some(1.0));
        for id in ["empty", "missing"] {
            assert_eq!((peak(&answer, id), total(&answer, id)), (None, None));
            assert_eq!(latest(&answer, id), None);
        }
    }
}
