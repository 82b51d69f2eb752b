//! High Latency: SEV2.
