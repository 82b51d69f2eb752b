//! [`Checked`]: a provider of any port whose answers are checked before they are used.

use std::fmt;
use std::sync::Arc;

use async_trait::async_trait;

use super::check;
use crate::error::Result;
use crate::ports::{Deployment, DeploymentsRead};
use crate::time::Timestamp;

/// A provider `P` whose every answer is checked ([`Answer`](super::Answer)): an absurd one is a
/// [`MalformedResponse`](crate::ErrorKind::MalformedResponse) error naming the operation, the
/// field and the provider. `Checked<P>` implements every port of
/// [`traced_ports!`](crate::traced_ports) that `P` implements, and changes nothing else.
pub struct Checked<P> {
    inner: P,
}

impl<P> Checked<P> {
    /// Wraps `inner`.
    pub fn new(inner: P) -> Self {
        Checked { inner }
    }

    /// The wrapped provider.
    pub fn inner(&self) -> &P {
        &self.inner
    }
}

impl<P: fmt::Display> Checked<P> {
    fn checked<T: super::Answer>(&self, op: &str, answer: Result<T>) -> Result<T> {
        check(op, answer?).map_err(|err| err.with_provider(self.inner.to_string()))
    }
}

impl<P: fmt::Display> fmt::Display for Checked<P> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.inner, f)
    }
}

impl<P: fmt::Debug> fmt::Debug for Checked<P> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Checked")
            .field("inner", &self.inner)
            .finish()
    }
}

macro_rules! checked_impls {
    ($(
        $field:ident: $trait:ident, $port:literal {
            $( fn $method:ident ( $( $arg:ident : $ty:ty ),* ) -> $ret:ty ; )*
        }
    )*) => {$(
        checked_port! { $field: $trait, $port { $( fn $method ( $( $arg : $ty ),* ) -> $ret ; )* } }
    )*};
}

macro_rules! checked_port {
    // Deployments also answers `read` (each source's, and the sources that could not be
    // read), which the table leaves to its default: written out below.
    (deployments: $trait:ident, $port:literal { $($rest:tt)* }) => {};
    (
        $field:ident: $trait:ident, $port:literal {
            $( fn $method:ident ( $( $arg:ident : $ty:ty ),* ) -> $ret:ty ; )*
        }
    ) => {
        #[async_trait]
        impl<P: crate::ports::$trait> crate::ports::$trait for Checked<P> {
            $(
                async fn $method(&self $(, $arg: $ty)*) -> Result<$ret> {
                    let answer = self.inner.$method($($arg),*).await;
                    self.checked(concat!($port, ".", stringify!($method)), answer)
                }
            )*
        }
        checkable!($trait);
    };
}

macro_rules! checkable {
    ($trait:ident) => {
        impl Checkable for dyn crate::ports::$trait {
            fn checked(port: Arc<Self>) -> Arc<Self> {
                Arc::new(Checked::new(port))
            }
        }
    };
}

/// A port trait object whose answers can be checked: every port of
/// [`traced_ports!`](crate::traced_ports), and the incident store, which holds the engine's
/// own records and is passed through.
pub trait Checkable {
    /// `port`, its answers checked.
    fn checked(port: Arc<Self>) -> Arc<Self>;
}

impl Checkable for dyn crate::ports::IncidentStore {
    fn checked(port: Arc<Self>) -> Arc<Self> {
        port
    }
}

crate::traced_ports!(checked_impls);

#[async_trait]
impl<P: crate::ports::Deployments> crate::ports::Deployments for Checked<P> {
    async fn since(&self, since: Timestamp) -> Result<Vec<Deployment>> {
        let answer = self.inner.since(since).await;
        self.checked("deployments.since", answer)
    }

    async fn read(&self, since: Timestamp) -> Result<DeploymentsRead> {
        let answer = self.inner.read(since).await;
        self.checked("deployments.read", answer)
    }
}

checkable!(Deployments);
