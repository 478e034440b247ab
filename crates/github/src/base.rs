//! The API base (`https://api.github.com` or `https://HOST/api/v3`) and which URLs lie under
//! it: the first page's URL is built from it, and every followed `Link` or redirect must stay
//! under it (same scheme, host and port; path under the base path), so the token never leaves
//! the API host and a GitHub Enterprise prefix is never lost.

use crate::error::GithubError;
use http::Uri;
use url::Url;

/// Query of the first page: closed PRs, most recently updated first, as many as GitHub allows.
const FIRST_PAGE_QUERY: &str = "state=closed&sort=updated&direction=desc&per_page=100";

/// A validated API base.
#[derive(Debug, Clone)]
pub(crate) struct ApiBase {
    /// Without trailing slash.
    text: String,
    url: Url,
    /// `""` for api.github.com, `/api/v3` for GitHub Enterprise Server.
    path: String,
}

impl ApiBase {
    /// Accepts `https://HOST[/PATH]`, or plain `http` for loopback hosts only (tests, demo), so
    /// the token never crosses a network unencrypted.
    pub fn parse(api_url: &str) -> Result<Self, GithubError> {
        let invalid = |reason: String| GithubError::InvalidConfig {
            field: "api_url",
            reason,
        };
        let text = api_url.trim().trim_end_matches('/').to_owned();
        let url = Url::parse(&text).map_err(|e| invalid(format!("{text:?}: {e}")))?;
        let loopback = match url.host() {
            Some(url::Host::Domain(d)) => d == "localhost",
            Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
            Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
            None => false,
        };
        match url.scheme() {
            "https" => {}
            "http" if loopback => {}
            scheme => {
                return Err(invalid(format!(
                    "{text:?}: scheme {scheme} not allowed (https, or http on localhost only)"
                )));
            }
        }
        if url.host().is_none() || url.query().is_some() || url.fragment().is_some() {
            return Err(invalid(format!("{text:?}: expected https://HOST[/PATH]")));
        }
        let path = url.path().trim_end_matches('/').to_owned();
        Ok(Self { text, url, path })
    }

    /// The base as given, without trailing slash.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The base as an `http::Uri` (for octocrab's auth layer, which matches its host).
    pub fn uri(&self) -> Result<Uri, GithubError> {
        self.text
            .parse()
            .map_err(|e: http::uri::InvalidUri| GithubError::InvalidConfig {
                field: "api_url",
                reason: e.to_string(),
            })
    }

    /// `{base}/repos/{owner}/{name}/pulls?state=closed&sort=updated&direction=desc&per_page=100`.
    pub fn first_page_url(&self, repository: &str) -> Result<String, GithubError> {
        let (owner, name) = split_repository(repository)?;
        Ok(format!(
            "{}/repos/{owner}/{name}/pulls?{FIRST_PAGE_QUERY}",
            self.text
        ))
    }

    /// `url` as a request target, if it lies under the base; else [`GithubError::InvalidUrl`].
    pub fn checked_uri(&self, url: &str) -> Result<Uri, GithubError> {
        let refuse = |reason: String| GithubError::InvalidUrl {
            url: url.to_owned(),
            reason,
        };
        let parsed = Url::parse(url).map_err(|e| refuse(e.to_string()))?;
        if parsed.origin() != self.url.origin() {
            return Err(refuse(format!("not on the API host {}", self.text)));
        }
        let under_base = parsed
            .path()
            .strip_prefix(self.path.as_str())
            .is_some_and(|rest| rest.starts_with('/'));
        if !under_base {
            return Err(refuse(format!(
                "path is not under the API base {}",
                self.text
            )));
        }
        url.parse::<Uri>().map_err(|e| refuse(e.to_string()))
    }
}

/// Checks and splits `owner/name` (GitHub's characters only, so it needs no escaping).
pub(crate) fn split_repository(repository: &str) -> Result<(&str, &str), GithubError> {
    let valid = |part: &str| {
        !part.is_empty()
            && part
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
    };
    match repository.split_once('/') {
        Some((owner, name)) if valid(owner) && valid(name) => Ok((owner, name)),
        _ => Err(GithubError::InvalidRepository {
            repository: repository.to_owned(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repositories_must_be_owner_slash_name() {
        assert_eq!(
            split_repository("acme/widgets.rs").ok(),
            Some(("acme", "widgets.rs"))
        );
        for bad in ["acme", "acme/", "/w", "a/b/c", "a b/c", "a/b?x=1"] {
            assert!(split_repository(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn the_base_keeps_its_path_and_plain_http_is_for_loopback_only() {
        let base = ApiBase::parse("https://ghe.example.com/api/v3/").expect("valid");
        assert_eq!(base.as_str(), "https://ghe.example.com/api/v3");
        assert_eq!(
            base.first_page_url("acme/widgets").ok().as_deref(),
            Some(
                "https://ghe.example.com/api/v3/repos/acme/widgets/pulls?state=closed&sort=updated&direction=desc&per_page=100"
            )
        );
        assert!(ApiBase::parse("http://127.0.0.1:8080").is_ok());
        assert!(ApiBase::parse("http://localhost:8080/api/v3").is_ok());
        assert!(ApiBase::parse("http://ghe.example.com/api/v3").is_err());
        assert!(ApiBase::parse("ftp://x").is_err());
        assert!(ApiBase::parse("not a url").is_err());
    }

    #[test]
    fn followed_urls_must_stay_under_the_base() {
        let base = ApiBase::parse("https://ghe.example.com/api/v3").expect("valid");
        assert!(
            base.checked_uri("https://ghe.example.com/api/v3/repositories/7/pulls?page=2")
                .is_ok()
        );
        for outside in [
            "https://ghe.example.com/repositories/7/pulls?page=2",
            "https://ghe.example.com/api/v3x/repositories/7/pulls",
            "http://ghe.example.com/api/v3/repositories/7/pulls",
            "https://ghe.example.com:8443/api/v3/repositories/7/pulls",
            "https://evil.example.com/api/v3/repositories/7/pulls",
            "/api/v3/repositories/7/pulls",
        ] {
            assert!(base.checked_uri(outside).is_err(), "{outside}");
        }
        let dotcom = ApiBase::parse("https://api.github.com").expect("valid");
        assert!(
            dotcom
                .checked_uri("https://api.github.com/repositories/7/pulls?page=2")
                .is_ok()
        );
    }
}
