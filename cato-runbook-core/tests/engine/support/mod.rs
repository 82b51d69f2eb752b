//! Test doubles and a harness: a clock on tokio's paused time, scripted detectors, slow
//! diagnoses, recording steps and notifiers.
#![allow(dead_code)]

mod clock;
mod harness;
mod ports;
mod runbook;
mod step;

pub use clock::*;
pub use harness::*;
pub use ports::*;
pub use runbook::*;
pub use step::*;
