//! Runnable examples of cato-runbook; see `examples/` (`cargo run -p cato-runbook-examples --example NAME`).
