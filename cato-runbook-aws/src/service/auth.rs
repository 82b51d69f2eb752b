//! Who calls: bearer tokens kept as SHA-256 hashes, each with a name and a [`Role`].

use std::collections::HashMap;

use axum::http::HeaderMap;
use axum::http::header::AUTHORIZATION;
use base64::Engine as _;
use sha2::{Digest, Sha256};

use super::errors::ApiError;
use crate::config::{Role, TokenConfig};

/// The holder of a token that was accepted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Caller {
    /// The token's name: who acts, on the timeline.
    pub(crate) name: String,
    /// What it may do.
    pub(crate) role: Role,
}

/// The configured tokens, by hash.
#[derive(Debug, Clone, Default)]
pub(crate) struct Tokens {
    by_hash: HashMap<String, Caller>,
}

/// The SHA-256 of `token`, as the configuration keeps it (64 lower-case hex digits).
pub fn hash_token(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

impl Tokens {
    /// The configured tokens (already validated).
    pub(crate) fn new(tokens: &[TokenConfig]) -> Self {
        Tokens {
            by_hash: tokens
                .iter()
                .map(|t| {
                    (
                        t.sha256.to_ascii_lowercase(),
                        Caller {
                            name: t.name.clone(),
                            role: t.role,
                        },
                    )
                })
                .collect(),
        }
    }

    /// The caller of a request whose token grants at least `needed`: `Authorization: Bearer
    /// <token>`, or Basic with the token as the password (a browser's prompt).
    pub(crate) fn authorize(&self, headers: &HeaderMap, needed: Role) -> Result<Caller, ApiError> {
        let token = token(headers).ok_or_else(|| {
            ApiError::unauthorized("no bearer token: send `Authorization: Bearer <token>`")
        })?;
        let caller = self
            .by_hash
            .get(&hash_token(&token))
            .ok_or_else(|| ApiError::unauthorized("the token is not known"))?;
        if caller.role < needed {
            return Err(ApiError::forbidden(format!(
                "{} is a {}; this needs a {}",
                caller.name,
                caller.role.as_str(),
                needed.as_str()
            )));
        }
        Ok(caller.clone())
    }
}

/// The token of a request, if it carries one.
fn token(headers: &HeaderMap) -> Option<String> {
    let value = headers.get(AUTHORIZATION)?.to_str().ok()?.trim();
    let (scheme, rest) = value.split_once(' ')?;
    let rest = rest.trim();
    if scheme.eq_ignore_ascii_case("bearer") {
        return (!rest.is_empty()).then(|| rest.to_owned());
    }
    if scheme.eq_ignore_ascii_case("basic") {
        let decoded = base64::engine::general_purpose::STANDARD
            .decode(rest)
            .ok()?;
        let text = String::from_utf8(decoded).ok()?;
        let (_, password) = text.split_once(':')?;
        return (!password.is_empty()).then(|| password.to_owned());
    }
    None
}

#[cfg(test)]
mod tests {
    use axum::http::HeaderValue;

    use super::*;

    fn tokens() -> Tokens {
        Tokens::new(&[
            TokenConfig {
                name: "vera".into(),
                role: Role::Viewer,
                sha256: hash_token("view-token"),
            },
            TokenConfig {
                name: "ada".into(),
                role: Role::Admin,
                sha256: hash_token("admin-token").to_ascii_uppercase(),
            },
        ])
    }

    fn headers(value: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        if let Ok(value) = HeaderValue::from_str(value) {
            headers.insert(AUTHORIZATION, value);
        }
        headers
    }

    #[test]
    fn a_known_token_with_enough_role_is_its_holder() {
        let tokens = tokens();
        let caller = tokens.authorize(&headers("Bearer admin-token"), Role::Admin);
        assert_eq!(caller.map(|c| c.name).ok().as_deref(), Some("ada"));
        let viewer = tokens.authorize(&headers("bearer view-token"), Role::Viewer);
        assert_eq!(viewer.map(|c| c.role).ok(), Some(Role::Viewer));
    }

    #[test]
    fn a_small_role_is_forbidden_and_an_unknown_token_unauthorized() {
        let tokens = tokens();
        let err = tokens.authorize(&headers("Bearer view-token"), Role::Responder);
        assert_eq!(err.map_err(|e| e.status.as_u16()), Err(403));
        let err = tokens.authorize(&headers("Bearer nope"), Role::Viewer);
        assert_eq!(err.map_err(|e| e.status.as_u16()), Err(401));
        let err = tokens.authorize(&HeaderMap::new(), Role::Viewer);
        assert_eq!(err.map_err(|e| e.status.as_u16()), Err(401));
        let err = tokens.authorize(&headers("Bearer "), Role::Viewer);
        assert_eq!(err.map_err(|e| e.status.as_u16()), Err(401));
    }

    #[test]
    fn basic_auth_carries_the_token_as_its_password() {
        let basic = base64::engine::general_purpose::STANDARD.encode("anyone:view-token");
        let caller = tokens().authorize(&headers(&format!("Basic {basic}")), Role::Viewer);
        assert_eq!(caller.map(|c| c.name).ok().as_deref(), Some("vera"));
    }
}
