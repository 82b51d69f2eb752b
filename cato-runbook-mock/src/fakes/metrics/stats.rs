//! CloudWatch statistics over the data of one period.

use cato_runbook_core::ports::Statistic;
use hdrhistogram::Histogram;

/// Values are kept in the histogram at this many units per unit of the metric.
const SCALE: f64 = 1000.0;

/// The data of one period: a statistic set, plus weighted raw samples for percentiles.
#[derive(Debug, Clone, Default)]
pub(crate) struct Bucket {
    count: f64,
    sum: f64,
    min: Option<f64>,
    max: Option<f64>,
    /// `(value, how many data points it stands for)`.
    samples: Vec<(f64, f64)>,
}

impl Bucket {
    /// One data point.
    pub(crate) fn add_value(&mut self, value: f64) {
        self.add_samples(&[value], 1.0);
    }

    /// `samples` drawn from `count` data points (`count >= samples.len()`).
    pub(crate) fn add_samples(&mut self, samples: &[f64], count: f64) {
        if samples.is_empty() || count <= 0.0 {
            return;
        }
        let n = samples.len() as f64;
        let mean = samples.iter().sum::<f64>() / n;
        self.count += count;
        self.sum += mean * count;
        for &v in samples {
            self.min = Some(self.min.map_or(v, |m| m.min(v)));
            self.max = Some(self.max.map_or(v, |m| m.max(v)));
            self.samples.push((v, count / n));
        }
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.count <= 0.0
    }

    /// The statistic over the bucket, `None` when it has no data.
    pub(crate) fn statistic(&self, stat: Statistic) -> Option<f64> {
        if self.is_empty() {
            return None;
        }
        match stat {
            Statistic::Average => Some(self.sum / self.count),
            Statistic::Sum => Some(self.sum),
            Statistic::Minimum => self.min,
            Statistic::Maximum => self.max,
            Statistic::SampleCount => Some(self.count),
            Statistic::Percentile(p) => self.percentile(p),
        }
    }

    fn percentile(&self, p: f64) -> Option<f64> {
        let mut histogram = Histogram::<u64>::new(3).ok()?;
        for &(value, weight) in &self.samples {
            let scaled = (value.max(0.0) * SCALE).round() as u64;
            let weight = weight.round().max(1.0) as u64;
            if histogram.record_n(scaled, weight).is_err() {
                // Beyond what the histogram can grow to: count it at its top.
                histogram.saturating_record_n(scaled, weight);
            }
        }
        let raw = histogram.value_at_quantile((p / 100.0).clamp(0.0, 1.0)) as f64 / SCALE;
        // The histogram answers with its bucket's upper end; stay within the data.
        Some(raw.clamp(self.min.unwrap_or(raw), self.max.unwrap_or(raw)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statistics_of_values() {
        let mut b = Bucket::default();
        for v in 1..=100 {
            b.add_value(f64::from(v));
        }
        assert_eq!(b.statistic(Statistic::Sum), Some(5050.0));
        assert_eq!(b.statistic(Statistic::Average), Some(50.5));
        assert_eq!(b.statistic(Statistic::Minimum), Some(1.0));
        assert_eq!(b.statistic(Statistic::Maximum), Some(100.0));
        assert_eq!(b.statistic(Statistic::SampleCount), Some(100.0));
        let p99 = b.statistic(Statistic::Percentile(99.0)).unwrap();
        assert!((98.9..=99.1).contains(&p99), "{p99}");
        let p50 = b.statistic(Statistic::Percentile(50.0)).unwrap();
        assert!((49.9..=50.1).contains(&p50), "{p50}");
        assert_eq!(Bucket::default().statistic(Statistic::Sum), None);
    }

    #[test]
    fn samples_stand_for_more_points() {
        let mut b = Bucket::default();
        b.add_samples(&[10.0, 20.0], 1000.0);
        assert_eq!(b.statistic(Statistic::SampleCount), Some(1000.0));
        assert_eq!(b.statistic(Statistic::Sum), Some(15_000.0));
        assert_eq!(b.statistic(Statistic::Maximum), Some(20.0));
    }
}
