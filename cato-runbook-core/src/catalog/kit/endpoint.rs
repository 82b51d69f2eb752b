//! A production variant of a `describe-endpoint` answer.

use crate::error::{Error, Result};
use crate::ports::{EndpointDescription, Variant};

/// The operation a missing variant is reported from, as the runbook's command names it.
pub(crate) const DESCRIBE_ENDPOINT: &str = "describe-endpoint";

/// The variant named `name`, if the endpoint has one.
pub(crate) fn find_variant<'a>(
    described: &'a EndpointDescription,
    name: &str,
) -> Option<&'a Variant> {
    described.variants.iter().find(|v| v.name == name)
}

/// The variant named `name` of `endpoint`.
///
/// # Errors
///
/// [`ErrorKind::NotFound`](crate::ErrorKind::NotFound) for `endpoint/name`, from `operation`.
pub(crate) fn variant<'a>(
    described: &'a EndpointDescription,
    endpoint: &str,
    name: &str,
    operation: &'static str,
) -> Result<&'a Variant> {
    find_variant(described, name)
        .ok_or_else(|| Error::not_found(operation, format!("{endpoint}/{name}")))
}
