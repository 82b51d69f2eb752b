//! The query protocol's form values, and ElastiCache's refusal of a node type that does not
//! exist.

use hyper::StatusCode;

use super::wire::{Reply, reply};

pub(super) fn form_value(body: &[u8], key: &str) -> Option<String> {
    let text = std::str::from_utf8(body).ok()?;
    text.split('&').find_map(|pair| {
        let (k, v) = pair.split_once('=')?;
        (k == key).then(|| decode(v))
    })
}

fn decode(v: &str) -> String {
    let v = v.replace('+', " ");
    let mut out = Vec::new();
    let bytes = v.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && let Some(hex) = v.get(i + 1..i + 3)
            && let Ok(b) = u8::from_str_radix(hex, 16)
        {
            out.push(b);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

pub(super) fn known_node_type(node_type: &str) -> bool {
    const FAMILIES: &[&str] = &[
        "t2", "t3", "t4g", "m5", "m6g", "m7g", "r5", "r6g", "r6gd", "r7g", "c7gn",
    ];
    let mut parts = node_type.split('.');
    let (Some("cache"), Some(family), Some(size), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return false;
    };
    let size_ok = matches!(size, "micro" | "small" | "medium" | "large" | "xlarge")
        || size
            .strip_suffix("xlarge")
            .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()));
    FAMILIES.contains(&family) && size_ok
}

pub(super) fn elasticache_error(code: &str, message: &str) -> Reply {
    let body = format!(
        "<ErrorResponse xmlns=\"http://elasticache.amazonaws.com/doc/2015-02-02/\"><Error><Type>Sender</Type><Code>{code}</Code><Message>{message}</Message></Error><RequestId>proxy</RequestId></ErrorResponse>"
    );
    reply(StatusCode::BAD_REQUEST, "text/xml", body.into_bytes())
}
