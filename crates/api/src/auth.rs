//! API-key check. Keys are compared in constant time, as SHA-256 digests so that neither the
//! content nor the length of a configured key leaks through timing; they are never logged.

use crate::{AppState, error::ApiError};
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::Response;
use sha2::{Digest, Sha256};
use std::fmt;
use subtle::ConstantTimeEq;

/// The header clients send their key in.
pub const API_KEY_HEADER: &str = "x-api-key";

/// The accepted API keys, kept only as digests.
#[derive(Clone)]
pub struct ApiKeys {
    digests: Vec<[u8; 32]>,
}

impl fmt::Debug for ApiKeys {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ApiKeys({} keys, redacted)", self.digests.len())
    }
}

fn digest(key: &[u8]) -> [u8; 32] {
    Sha256::digest(key).into()
}

impl ApiKeys {
    /// Parses a comma-separated list (the `API_KEYS` variable); blanks around keys are ignored.
    /// Returns `None` when no key is given: an API without keys would be open to anyone.
    pub fn from_comma_separated(list: &str) -> Option<Self> {
        let digests: Vec<_> = list
            .split(',')
            .map(str::trim)
            .filter(|k| !k.is_empty())
            .map(|k| digest(k.as_bytes()))
            .collect();
        (!digests.is_empty()).then_some(Self { digests })
    }

    /// Whether `candidate` is one of the keys. Every configured key is compared, whichever matches.
    pub fn accepts(&self, candidate: &[u8]) -> bool {
        let candidate = digest(candidate);
        self.digests
            .iter()
            .fold(subtle::Choice::from(0), |found, key| {
                found | key.ct_eq(&candidate)
            })
            .into()
    }
}

/// Middleware: 401 unless `x-api-key` holds an accepted key.
pub async fn require_api_key(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Result<Response, ApiError> {
    match request.headers().get(API_KEY_HEADER) {
        None => Err(ApiError::Unauthorized("missing x-api-key header")),
        Some(key) if state.api_keys.accepts(key.as_bytes()) => Ok(next.run(request).await),
        Some(_) => Err(ApiError::Unauthorized("invalid API key")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_any_configured_key_and_nothing_else() {
        let keys = ApiKeys::from_comma_separated(" k1 , k2,,").unwrap();
        assert!(keys.accepts(b"k1"));
        assert!(keys.accepts(b"k2"));
        assert!(!keys.accepts(b"k3"));
        assert!(!keys.accepts(b""));
        assert!(!keys.accepts(b"k1 "));
    }

    #[test]
    fn an_empty_list_is_no_keys() {
        assert!(ApiKeys::from_comma_separated(" , ").is_none());
        assert!(ApiKeys::from_comma_separated("").is_none());
    }

    #[test]
    fn debug_output_hides_the_keys() {
        let keys = ApiKeys::from_comma_separated("secret-key").unwrap();
        assert!(!format!("{keys:?}").contains("secret"));
    }
}
