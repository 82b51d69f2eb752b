//! Criterion benchmarks of cato-runbook live in `benches/`; run them with `cargo bench -p cato-runbook-benches`.
