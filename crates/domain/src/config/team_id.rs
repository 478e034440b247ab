//! A team's id, checked once at the edge: every other type takes a [`TeamId`].

use std::fmt;

const MAX_TEAM_ID_LEN: usize = 64;

/// A team's id: a URL slug (`platform`, `data-eng`), lowercase ASCII letters and digits joined by
/// single `-` or `_`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TeamId(pub(super) String);

impl TeamId {
    /// Checks `value` is a slug.
    pub fn parse(value: &str) -> Result<Self, String> {
        if value.is_empty() {
            return Err("must not be empty".into());
        }
        if value.len() > MAX_TEAM_ID_LEN {
            return Err(format!("must be at most {MAX_TEAM_ID_LEN} characters"));
        }
        let bytes = value.as_bytes();
        let is_word = |b: u8| b.is_ascii_lowercase() || b.is_ascii_digit();
        let is_sep = |b: u8| b == b'-' || b == b'_';
        let ok = bytes.iter().all(|&b| is_word(b) || is_sep(b))
            && is_word(bytes[0])
            && is_word(bytes[bytes.len() - 1])
            && !bytes.windows(2).any(|w| is_sep(w[0]) && is_sep(w[1]));
        if !ok {
            return Err(format!(
                "{value:?} is not a URL slug (lowercase letters and digits, joined by single '-' or '_')"
            ));
        }
        Ok(Self(value.to_owned()))
    }

    /// Wraps an id already known to be valid (e.g. read back from the database).
    pub fn new_unchecked(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for TeamId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}
