//! Smithy RPC v2 CBOR ↔ AWS JSON 1.0, for CloudWatch (what the SDK speaks ↔ what moto speaks)
//! and AWS Health's stand-in.
//!
//! ```
//! use cato_runbook_mock::peers::moto_proxy::cbor;
//! use serde_json::json;
//!
//! let reply = json!({ "Values": [1, 2.5], "Label": "p99" });
//! let back = cbor::to_json(&cbor::from_json(&reply))?;
//! assert_eq!(back, json!({ "Values": [1.0, 2.5], "Label": "p99" }));
//! # Ok::<(), cato_runbook_core::Error>(())
//! ```

use ciborium::value::Value as Cbor;
use serde_json::Value as Json;

use cato_runbook_core::{Error, Result};

/// CBOR tag of an epoch-seconds timestamp.
const EPOCH: u64 = 1;

/// A CBOR request body as JSON (timestamps as epoch seconds, as AWS JSON has them).
pub fn to_json(bytes: &[u8]) -> Result<Json> {
    if bytes.is_empty() {
        return Ok(Json::Object(Default::default()));
    }
    let value: Cbor = ciborium::de::from_reader(bytes).map_err(|e| {
        Error::invalid_input("read CBOR", e.to_string()).with_provider("moto-proxy")
    })?;
    Ok(cbor_to_json(value))
}

fn cbor_to_json(value: Cbor) -> Json {
    match value {
        Cbor::Null => Json::Null,
        Cbor::Bool(b) => Json::Bool(b),
        Cbor::Integer(i) => {
            let i: i128 = i.into();
            serde_json::Number::from_i128(i).map_or(Json::Null, Json::Number)
        }
        Cbor::Float(f) => serde_json::Number::from_f64(f).map_or(Json::Null, Json::Number),
        Cbor::Text(t) => Json::String(t),
        Cbor::Bytes(b) => Json::String(b.iter().map(|x| format!("{x:02x}")).collect()),
        Cbor::Tag(_, inner) => cbor_to_json(*inner),
        Cbor::Array(items) => Json::Array(items.into_iter().map(cbor_to_json).collect()),
        Cbor::Map(entries) => Json::Object(
            entries
                .into_iter()
                .filter_map(|(k, v)| match k {
                    Cbor::Text(k) => Some((k, cbor_to_json(v))),
                    _ => None,
                })
                .collect(),
        ),
        _ => Json::Null,
    }
}

/// Members CloudWatch's model types as timestamps.
const TIMESTAMPS: &[&str] = &[
    "Timestamp",
    "Timestamps",
    "StartTime",
    "EndTime",
    "StateUpdatedTimestamp",
    "StateTransitionedTimestamp",
    "AlarmConfigurationUpdatedTimestamp",
    "LastUpdateDate",
    // AWS Health's.
    "startTime",
    "endTime",
    "lastUpdatedTime",
];

/// Members CloudWatch's model types as doubles.
const DOUBLES: &[&str] = &[
    "Values",
    "Value",
    "Sum",
    "Average",
    "Minimum",
    "Maximum",
    "SampleCount",
    "Threshold",
];

/// A JSON reply as the CBOR body the SDK reads: timestamps tagged, doubles as floats.
pub fn from_json(value: &Json) -> Vec<u8> {
    let mut out = Vec::new();
    // Writing into a Vec cannot fail.
    let _ = ciborium::ser::into_writer(&json_to_cbor(value, Kind::Plain), &mut out);
    out
}

#[derive(Clone, Copy)]
enum Kind {
    Plain,
    Timestamp,
    Double,
}

fn json_to_cbor(value: &Json, kind: Kind) -> Cbor {
    match value {
        Json::Null => Cbor::Null,
        Json::Bool(b) => Cbor::Bool(*b),
        Json::Number(n) => {
            let f = n.as_f64().unwrap_or(0.0);
            match kind {
                Kind::Timestamp => Cbor::Tag(EPOCH, Box::new(Cbor::Float(f))),
                Kind::Double => Cbor::Float(f),
                Kind::Plain => match n.as_i64() {
                    Some(i) => Cbor::Integer(i.into()),
                    None => Cbor::Float(f),
                },
            }
        }
        Json::String(s) => match kind {
            Kind::Timestamp => chrono::DateTime::parse_from_rfc3339(s).map_or_else(
                |_| Cbor::Text(s.clone()),
                |t| {
                    Cbor::Tag(
                        EPOCH,
                        Box::new(Cbor::Float(t.timestamp_millis() as f64 / 1000.0)),
                    )
                },
            ),
            _ => Cbor::Text(s.clone()),
        },
        Json::Array(items) => Cbor::Array(items.iter().map(|v| json_to_cbor(v, kind)).collect()),
        Json::Object(map) => Cbor::Map(
            map.iter()
                .map(|(k, v)| {
                    let kind = if TIMESTAMPS.contains(&k.as_str()) {
                        Kind::Timestamp
                    } else if DOUBLES.contains(&k.as_str()) {
                        Kind::Double
                    } else {
                        Kind::Plain
                    };
                    (Cbor::Text(k.clone()), json_to_cbor(v, kind))
                })
                .collect(),
        ),
    }
}
