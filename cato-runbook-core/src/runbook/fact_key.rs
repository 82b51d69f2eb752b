//! Typed fact keys: [`FactKey`] names a fact once and [`FactValue`] fixes the Rust type of its
//! value.

use std::fmt;
use std::marker::PhantomData;

use super::facts::Fact;

/// The name of a fact and the Rust type of its value.
///
/// Defined once as a constant, a key is what a diagnosis writes a fact with
/// ([`Finding::with`](super::Finding::with)) and what a step's precondition reads it with
/// ([`Findings::get`](super::Findings::get)). The name is the key of
/// [`Finding::facts`](super::Finding::facts), so it is what saved incidents hold.
///
/// ```
/// use cato_runbook_core::runbook::{FactKey, Finding, Findings};
///
/// const INSTANCE_COUNT: FactKey<u32> = FactKey::new("instance_count");
///
/// let list = [Finding::new("endpoint-status", "0 instances").with(INSTANCE_COUNT, 0)];
/// assert_eq!(Findings(&list).get(INSTANCE_COUNT), Some(0));
/// assert_eq!(INSTANCE_COUNT.name(), "instance_count");
/// ```
pub struct FactKey<T> {
    name: &'static str,
    _marker: PhantomData<fn() -> T>,
}

impl<T> FactKey<T> {
    /// The key of the fact `name`.
    pub const fn new(name: &'static str) -> Self {
        FactKey {
            name,
            _marker: PhantomData,
        }
    }

    /// The fact's name, as [`Finding::facts`](super::Finding::facts) stores it.
    pub const fn name(&self) -> &'static str {
        self.name
    }
}

impl<T> Clone for FactKey<T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T> Copy for FactKey<T> {}

impl<T> fmt::Debug for FactKey<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("FactKey").field(&self.name).finish()
    }
}

/// A Rust type a fact's value is written as and read back as.
///
/// Each type maps to one [`Fact`] variant: `bool` to [`Fact::Bool`], `i64` and `u32` to
/// [`Fact::Int`], `f64` to [`Fact::Float`], `String` to [`Fact::Text`].
pub trait FactValue: Sized {
    /// The value as a fact.
    fn into_fact(self) -> Fact;

    /// The value a fact holds, if it holds one of this type.
    fn from_fact(fact: &Fact) -> Option<Self>;
}

impl FactValue for bool {
    fn into_fact(self) -> Fact {
        Fact::Bool(self)
    }

    fn from_fact(fact: &Fact) -> Option<Self> {
        fact.as_bool()
    }
}

impl FactValue for i64 {
    fn into_fact(self) -> Fact {
        Fact::Int(self)
    }

    fn from_fact(fact: &Fact) -> Option<Self> {
        fact.as_i64()
    }
}

/// Written as [`Fact::Int`]; read from an integer in `u32`'s range only.
impl FactValue for u32 {
    fn into_fact(self) -> Fact {
        Fact::Int(i64::from(self))
    }

    fn from_fact(fact: &Fact) -> Option<Self> {
        fact.as_i64().and_then(|v| u32::try_from(v).ok())
    }
}

/// Written as [`Fact::Float`]; read from a float or an integer, as [`Fact::as_f64`] does.
impl FactValue for f64 {
    fn into_fact(self) -> Fact {
        Fact::Float(self)
    }

    fn from_fact(fact: &Fact) -> Option<Self> {
        fact.as_f64()
    }
}

impl FactValue for String {
    fn into_fact(self) -> Fact {
        Fact::Text(self)
    }

    fn from_fact(fact: &Fact) -> Option<Self> {
        fact.as_str().map(str::to_owned)
    }
}
