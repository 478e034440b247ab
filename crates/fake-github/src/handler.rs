//! Answering one request: authentication, routing (`/repos/{owner}/{repo}/pulls` and GitHub's
//! `/repositories/{id}/pulls` form that `Link` headers use), faults, the primary rate limit,
//! the pull-list query, `Link`, `ETag` and `If-None-Match`.

use crate::fault::Fault;
use crate::observe::{LoggedRequest, Outcome};
use crate::query::{ListQuery, QueryError};
use crate::rate_limit::Snapshot;
use crate::render::PullJson;
use crate::server::Shared;
use crate::store::Repo;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::response::Response;
use bytes::Bytes;
use http::{HeaderMap, HeaderValue, StatusCode, header};
use std::sync::Arc;

/// The single handler of the fake: every request comes here, is answered and recorded.
pub(crate) async fn handle(State(shared): State<Arc<Shared>>, request: Request) -> Response {
    let (parts, _body) = request.into_parts();
    let header = |name: header::HeaderName| {
        parts
            .headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    let mut entry = LoggedRequest {
        method: parts.method.to_string(),
        path_and_query: parts
            .uri
            .path_and_query()
            .map_or_else(|| parts.uri.path().to_owned(), |pq| pq.as_str().to_owned()),
        repository: None,
        status: 0,
        if_none_match: header(header::IF_NONE_MATCH),
        authorization_present: parts.headers.contains_key(header::AUTHORIZATION),
        user_agent: header(header::USER_AGENT),
        accept: header(header::ACCEPT),
        api_version: header(header::HeaderName::from_static("x-github-api-version")),
    };
    let (response, outcome) = respond(&shared, &parts, &mut entry).await;
    entry.status = response.status().as_u16();
    shared.observations.record(entry, outcome);
    response
}

async fn respond(
    shared: &Shared,
    parts: &http::request::Parts,
    entry: &mut LoggedRequest,
) -> (Response, Outcome) {
    if let Some(token) = &shared.token {
        let expected = format!("Bearer {token}");
        let given = parts.headers.get(header::AUTHORIZATION);
        if given.is_none_or(|v| v.as_bytes() != expected.as_bytes()) {
            let message = if given.is_some() {
                "Bad credentials"
            } else {
                "Requires authentication"
            };
            return (error(StatusCode::UNAUTHORIZED, message), Outcome::Other);
        }
    }
    let repo = match route(shared, parts) {
        Route::Repo(repo) => repo,
        Route::Moved { id, status } => return (moved(shared, parts, id, status), Outcome::Other),
        Route::Unknown => return (error(StatusCode::NOT_FOUND, "Not Found"), Outcome::Other),
    };
    entry.repository = Some(repo.full_name.to_lowercase());

    let mut fault = shared.faults.pop(&repo.full_name.to_lowercase());
    let mut repo = repo;
    match fault {
        Some(Fault::Stall(duration)) => {
            tokio::time::sleep(duration).await;
            fault = None;
        }
        Some(Fault::Reopen { number }) => {
            let at = chrono::Utc::now();
            shared.store.update(&repo.full_name, &shared.urls, |pulls| {
                crate::store::reopen(pulls, number, at)
            });
            repo = shared.store.by_name(&repo.full_name).unwrap_or(repo);
            fault = None;
        }
        _ => {}
    }
    let empty_page = fault == Some(Fault::EmptyPage);
    if empty_page {
        fault = None;
    }
    if let Some(fault) = fault {
        return (crate::faults::respond(shared, fault), Outcome::Fault);
    }

    let now = shared.limiter.peek();
    if now.remaining == 0 {
        return (primary_limit(now), Outcome::Other);
    }
    let query = match ListQuery::parse(parts.uri.query().unwrap_or("")) {
        Ok(q) => q,
        Err(QueryError(message)) => {
            return (
                error(StatusCode::UNPROCESSABLE_ENTITY, &message),
                Outcome::Other,
            );
        }
    };
    let mut page = render_page(shared, &repo, &query);
    if empty_page {
        page.body = Bytes::from_static(b"[]");
    }
    let mut etag = etag_of(&page.body);
    if shared.weak_etags {
        etag.insert_str(0, "W/");
    }
    if if_none_match(&parts.headers, &etag) {
        let mut response = Response::new(Body::empty());
        *response.status_mut() = StatusCode::NOT_MODIFIED;
        common_headers(response.headers_mut(), now, Some(&etag));
        return (response, Outcome::NotModified);
    }
    let snapshot = match shared.limiter.take() {
        Ok(s) => s,
        Err(exhausted) => return (primary_limit(exhausted), Outcome::Other),
    };
    let mut response = Response::new(Body::from(page.body));
    common_headers(response.headers_mut(), snapshot, Some(&etag));
    let link = query.link_header(
        &format!("{}/repositories/{}/pulls", shared.urls.api, repo.id),
        page.last_page,
    );
    if let Some(link) = link.and_then(|l| HeaderValue::from_str(&l).ok()) {
        response.headers_mut().insert(header::LINK, link);
    }
    (response, Outcome::Page)
}

/// What a request's path names.
enum Route {
    /// The pull list of a known repository.
    Repo(Arc<Repo>),
    /// The pull list of a repository under its old name: redirect to its id's URL.
    Moved {
        id: u64,
        status: StatusCode,
    },
    Unknown,
}

/// The repository a request is about, if the path is a pull list of a known repository.
fn route(shared: &Shared, parts: &http::request::Parts) -> Route {
    if parts.method != http::Method::GET {
        return Route::Unknown;
    }
    let Some(path) = parts.uri.path().strip_prefix(shared.prefix.as_str()) else {
        return Route::Unknown;
    };
    let segments: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    let found = match segments.as_slice() {
        ["repos", owner, name, "pulls"] => {
            let name = format!("{owner}/{name}");
            if let Some((id, status)) = shared.store.moved(&name) {
                return Route::Moved { id, status };
            }
            shared.store.by_name(&name)
        }
        ["repositories", id, "pulls"] => id.parse().ok().and_then(|id| shared.store.by_id(id)),
        _ => None,
    };
    found.map_or(Route::Unknown, Route::Repo)
}

/// GitHub's answer for a renamed repository's old URL: the same request under
/// `/repositories/{id}`, with a JSON body naming it.
fn moved(shared: &Shared, parts: &http::request::Parts, id: u64, status: StatusCode) -> Response {
    let query = parts
        .uri
        .query()
        .map(|q| format!("?{q}"))
        .unwrap_or_default();
    let location = format!("{}/repositories/{id}/pulls{query}", shared.urls.api);
    let body = serde_json::json!({
        // As recorded, GitHub says "Moved Permanently" for its 307s too.
        "message": "Moved Permanently",
        "url": location,
        "documentation_url": "https://docs.github.com/v3/#http-redirects",
    });
    let mut response = Response::new(Body::from(body.to_string()));
    *response.status_mut() = status;
    common_headers(response.headers_mut(), shared.limiter.peek(), None);
    if let Ok(v) = HeaderValue::from_str(&location) {
        response.headers_mut().insert(header::LOCATION, v);
    }
    response
}

struct RenderedPage {
    body: Bytes,
    last_page: u64,
}

fn render_page(shared: &Shared, repo: &Repo, query: &ListQuery) -> RenderedPage {
    let view = repo.view(query.view);
    let per_page = query.per_page as usize;
    let start = (query.page as usize - 1).saturating_mul(per_page);
    let items: Vec<PullJson<'_>> = view
        .iter()
        .skip(start)
        .take(per_page)
        .map(|&i| {
            PullJson::new(
                &repo.pulls[i as usize],
                &repo.full_name,
                &repo.json,
                &shared.urls,
            )
        })
        .collect();
    let body = serde_json::to_vec(&items).unwrap_or_else(|_| b"[]".to_vec());
    RenderedPage {
        body: Bytes::from(body),
        last_page: (view.len() as u64).div_ceil(query.per_page).max(1),
    }
}

/// A strong ETag derived from the body, so it changes exactly when the page does. A page is
/// about 1.4 MB (GitHub embeds the repository twice per PR), so this is a cheap 128-bit
/// multiply-rotate fingerprint rather than a cryptographic hash: ETags need to change with the
/// content, not to resist an adversary.
fn etag_of(body: &[u8]) -> String {
    let mut a: u64 = 0x243F_6A88_85A3_08D3 ^ body.len() as u64;
    let mut b: u64 = 0x1319_8A2E_0370_7344;
    let mut chunks = body.chunks_exact(8);
    let mut mix = |word: u64| {
        a = (a ^ word)
            .wrapping_mul(0x9E37_79B9_7F4A_7C15)
            .rotate_left(31);
        b = (b.rotate_left(17) ^ word).wrapping_mul(0xC2B2_AE3D_27D4_EB4F);
    };
    for chunk in &mut chunks {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        mix(u64::from_le_bytes(word));
    }
    let mut last = [0u8; 8];
    last[..chunks.remainder().len()].copy_from_slice(chunks.remainder());
    mix(u64::from_le_bytes(last));
    format!("\"{a:016x}{b:016x}\"")
}

/// Whether `If-None-Match` names `etag` (weak comparison, as for GET; `*` matches anything).
fn if_none_match(headers: &HeaderMap, etag: &str) -> bool {
    let strip = |t: &str| t.trim().trim_start_matches("W/").to_owned();
    let ours = strip(etag);
    headers
        .get_all(header::IF_NONE_MATCH)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|t| t.trim() == "*" || strip(t) == ours)
}

pub(crate) fn common_headers(headers: &mut HeaderMap, limit: Snapshot, etag: Option<&str>) {
    let statics = [
        ("content-type", "application/json; charset=utf-8"),
        ("cache-control", "private, max-age=60, s-maxage=60"),
        ("vary", "Accept, Authorization, Cookie, X-GitHub-OTP"),
        ("x-github-api-version-selected", "2022-11-28"),
        ("x-github-media-type", "github.v3; format=json"),
    ];
    for (name, value) in statics {
        headers.insert(name, HeaderValue::from_static(value));
    }
    for (name, value) in limit.headers() {
        if let Ok(v) = HeaderValue::from_str(&value) {
            headers.insert(name, v);
        }
    }
    if let Some(v) = etag.and_then(|e| HeaderValue::from_str(e).ok()) {
        headers.insert(header::ETAG, v);
    }
}

/// GitHub's JSON error body.
pub(crate) fn error(status: StatusCode, message: &str) -> Response {
    let body = serde_json::json!({
        "message": message,
        "documentation_url": "https://docs.github.com/rest",
        "status": status.as_str(),
    });
    let mut response = Response::new(Body::from(body.to_string()));
    *response.status_mut() = status;
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json; charset=utf-8"),
    );
    response
}

pub(crate) fn primary_limit(limit: Snapshot) -> Response {
    let mut response = error(
        StatusCode::FORBIDDEN,
        "API rate limit exceeded for user ID 1. If you reach out to GitHub Support for help, \
         please include the request ID.",
    );
    common_headers(response.headers_mut(), limit, None);
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn if_none_match_compares_weakly_and_accepts_lists_and_star() {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::IF_NONE_MATCH,
            HeaderValue::from_static("\"zzz\", W/\"abc\""),
        );
        assert!(if_none_match(&headers, "\"abc\""));
        assert!(!if_none_match(&headers, "\"abd\""));
        headers.insert(header::IF_NONE_MATCH, HeaderValue::from_static("*"));
        assert!(if_none_match(&headers, "\"anything\""));
        assert!(!if_none_match(&HeaderMap::new(), "\"abc\""));
    }

    #[test]
    fn etags_are_strong_and_follow_the_body() {
        let a = etag_of(b"[1]");
        assert!(a.starts_with('"') && a.ends_with('"'));
        assert_eq!(a, etag_of(b"[1]"));
        assert_ne!(a, etag_of(b"[2]"));
        assert_ne!(
            etag_of(b"[1]       "),
            etag_of(b"[1]        "),
            "length counts"
        );
        assert_eq!(a.len(), 34);
    }
}
