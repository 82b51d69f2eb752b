//! A wrapper that injects faults in front of any provider of any port.

use std::fmt;

use cato_runbook_core::Error;

use super::registry::Faults;

/// Any provider `P` of any port, with the faults of a [`Faults`] registry injected before each
/// call: real providers can be tested against the same fault scripts as the fakes.
///
/// `FaultInjecting<P>` implements every port `P` implements. Without rules it changes nothing,
/// and so passes the same conformance suite as `P`.
///
/// ```
/// use std::sync::Arc;
/// use cato_runbook_core::ports::{Clock, ModelEndpoint};
/// use cato_runbook_mock::{FaultInjecting, Faults, Op, World};
///
/// # tokio::runtime::Builder::new_current_thread().enable_time().start_paused(true).build().unwrap().block_on(async {
/// let world = World::default();
/// let faults = Faults::new(world.clock_handle());
/// let endpoint = FaultInjecting::new(world.model_endpoint(), faults.clone());
/// faults.on(Op::EndpointDescribe).once().throttled();
/// assert!(endpoint.describe("cato-shadow-self").await.is_err());
/// assert!(endpoint.describe("cato-shadow-self").await.is_ok());
/// # });
/// ```
#[derive(Debug, Clone)]
pub struct FaultInjecting<P> {
    pub(super) inner: P,
    pub(super) faults: Faults,
}

impl<P> FaultInjecting<P> {
    /// Wraps `inner`, consulting `faults` before each call.
    pub fn new(inner: P, faults: Faults) -> Self {
        FaultInjecting { inner, faults }
    }

    /// The wrapped provider.
    pub fn inner(&self) -> &P {
        &self.inner
    }

    /// The wrapped provider, unwrapped.
    pub fn into_inner(self) -> P {
        self.inner
    }

    /// The rules this wrapper consults.
    pub fn faults(&self) -> &Faults {
        &self.faults
    }
}

impl<P: fmt::Display> FaultInjecting<P> {
    /// Names the wrapped provider on an injected error.
    pub(super) fn tag(&self, err: Error) -> Error {
        err.with_provider(self.inner.to_string())
    }
}

impl<P: fmt::Display> fmt::Display for FaultInjecting<P> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} with injected faults", self.inner)
    }
}

/// The [`tower_layer::Layer`] that wraps a provider in [`FaultInjecting`].
#[derive(Debug, Clone)]
pub struct FaultInjectingLayer {
    faults: Faults,
}

impl FaultInjectingLayer {
    /// A layer whose wrappers consult `faults`.
    pub fn new(faults: Faults) -> Self {
        FaultInjectingLayer { faults }
    }
}

impl<P> tower_layer::Layer<P> for FaultInjectingLayer {
    type Service = FaultInjecting<P>;

    fn layer(&self, inner: P) -> FaultInjecting<P> {
        FaultInjecting::new(inner, self.faults.clone())
    }
}
