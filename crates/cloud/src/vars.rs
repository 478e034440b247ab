//! Where a function's configuration comes from: the process environment in Lambda, a fixed map
//! in tests (so tests running side by side never share or mutate the process environment).
//! Variable names are the CLI's (`DATABASE_URL`, `REPOSITORIES`, `SYNC_*`, `GITHUB_*`, …).

use crate::error::CloudError;
use collector::settings::Setting;
use std::collections::HashMap;
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

/// A read-only view of configuration variables.
#[derive(Clone, Debug, Default)]
pub struct Vars {
    /// `None`: the process environment.
    fixed: Option<Arc<HashMap<String, String>>>,
}

impl Vars {
    /// The process environment.
    pub fn from_env() -> Self {
        Self { fixed: None }
    }

    /// Exactly these variables (tests).
    pub fn from_pairs<K: Into<String>, V: Into<String>>(
        pairs: impl IntoIterator<Item = (K, V)>,
    ) -> Self {
        let map = pairs
            .into_iter()
            .map(|(k, v)| (k.into(), v.into()))
            .collect();
        Self {
            fixed: Some(Arc::new(map)),
        }
    }

    /// These variables plus `more` (later ones win).
    pub fn with<K: Into<String>, V: Into<String>>(
        &self,
        more: impl IntoIterator<Item = (K, V)>,
    ) -> Self {
        let mut map: HashMap<String, String> = match &self.fixed {
            Some(fixed) => (**fixed).clone(),
            None => std::env::vars().collect(),
        };
        map.extend(more.into_iter().map(|(k, v)| (k.into(), v.into())));
        Self {
            fixed: Some(Arc::new(map)),
        }
    }

    /// The value, trimmed; `None` when unset or blank.
    pub fn get(&self, name: &str) -> Option<String> {
        let value = match &self.fixed {
            Some(map) => map.get(name).cloned(),
            None => std::env::var(name).ok(),
        }?;
        let trimmed = value.trim();
        (!trimmed.is_empty()).then(|| trimmed.to_owned())
    }

    /// A setting shared with the CLI, by its one definition: parser and default included.
    pub fn setting<T: Clone + Send + Sync + 'static>(
        &self,
        setting: &Setting<T>,
    ) -> Result<T, CloudError> {
        Ok(setting.read(self.get(setting.var).as_deref())?)
    }

    /// Whether the variable is set (and not blank).
    pub fn is_set(&self, name: &str) -> bool {
        self.get(name).is_some()
    }

    /// A duration such as `30s` or `10m`, or `default` when unset.
    pub fn duration(&self, name: &str, default: Duration) -> Result<Duration, CloudError> {
        self.get(name).map_or(Ok(default), |value| {
            humantime::parse_duration(&value).map_err(|e| CloudError::InvalidVariable {
                name: name.to_owned(),
                reason: format!("expected a duration like 30s or 10m ({e})"),
            })
        })
    }

    /// A number, or `default` when unset.
    pub fn number<T: FromStr>(&self, name: &str, default: T) -> Result<T, CloudError> {
        self.get(name).map_or(Ok(default), |value| {
            value.parse().map_err(|_| CloudError::InvalidVariable {
                name: name.to_owned(),
                reason: "expected a whole number".into(),
            })
        })
    }

    /// `true`/`false` (also `1`/`0`, `yes`/`no`, any case), or `default` when unset.
    pub fn flag(&self, name: &str, default: bool) -> Result<bool, CloudError> {
        self.get(name).map_or(Ok(default), |value| {
            match value.trim().to_ascii_lowercase().as_str() {
                "true" | "1" | "yes" => Ok(true),
                "false" | "0" | "no" => Ok(false),
                _ => Err(CloudError::InvalidVariable {
                    name: name.to_owned(),
                    reason: format!("expected true or false, got {value:?}"),
                }),
            }
        })
    }

    /// A comma-separated list without blanks.
    pub fn list(&self, name: &str) -> Vec<String> {
        self.get(name)
            .map(|value| {
                value
                    .split(',')
                    .map(str::trim)
                    .filter(|item| !item.is_empty())
                    .map(str::to_owned)
                    .collect()
            })
            .unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blanks_are_unset_and_bad_values_name_their_variable() {
        let vars = Vars::from_pairs([
            ("BLANK", "  "),
            ("SYNC_BUDGET", "ten minutes"),
            ("REPOSITORIES", " a/b, ,c/d "),
        ]);

        assert_eq!(vars.get("BLANK"), None);
        assert_eq!(vars.list("REPOSITORIES"), ["a/b", "c/d"]);
        let error = vars
            .duration("SYNC_BUDGET", Duration::ZERO)
            .expect_err("accepted");
        assert!(error.to_string().starts_with("SYNC_BUDGET is invalid"));
        assert_eq!(vars.number("UNSET", 7_usize).expect("default"), 7);
    }
}
