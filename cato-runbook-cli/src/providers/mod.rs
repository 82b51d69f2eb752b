//! Real providers the configuration names, in place of the fakes for their ports.

pub(crate) mod aws;
