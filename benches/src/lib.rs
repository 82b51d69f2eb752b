//! Criterion benchmarks of cato-runbook live in `benches/`; run them with `cargo bench -p cato-runbook-benches`.
//!
//! Every bench links this crate for its global allocator: the system's (glibc's malloc on
//! Linux, what a host gets unless it picks one) or, with the `mimalloc` feature, mimalloc (what
//! the `cato-runbook` command runs on), both counted, so that a bench can read the allocations
//! of what it measures ([`Region::new(&GLOBAL)`](stats_alloc::Region)).

use stats_alloc::StatsAlloc;

#[cfg(not(feature = "mimalloc"))]
type Underlying = std::alloc::System;
#[cfg(feature = "mimalloc")]
type Underlying = mimalloc::MiMalloc;

#[cfg(not(feature = "mimalloc"))]
const UNDERLYING: Underlying = std::alloc::System;
#[cfg(feature = "mimalloc")]
const UNDERLYING: Underlying = mimalloc::MiMalloc;

/// The benches' allocator, counting every allocation.
#[global_allocator]
pub static GLOBAL: StatsAlloc<Underlying> = StatsAlloc::new(UNDERLYING);

/// The allocator underneath [`GLOBAL`], as the benches print it.
pub const ALLOCATOR: &str = if cfg!(feature = "mimalloc") {
    "mimalloc"
} else {
    "the system allocator"
};
