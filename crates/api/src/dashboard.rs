//! The dashboard: a Vue app built from `web/` into `crates/api/assets` (committed), embedded in
//! the binary by `build.rs` so serving it needs no files, no Node and no network. The page holds
//! no data; it asks the API with the key the user types, so it is served without one.
//!
//! Each file goes out as the build precompressed it (brotli, else gzip, else as is, by the
//! request's `Accept-Encoding`), with an entity tag per form (`If-None-Match` gets a 304), cached
//! for a year when its name carries its content hash (`assets/…`) and revalidated every time
//! otherwise (`index.html`, whose URL never changes). Its URLs are relative, so the page works
//! under any path prefix (API Gateway's stage).

use crate::AppState;
use crate::error::ApiError;
use axum::Router;
use axum::body::Body;
use axum::extract::Path;
use axum::extract::rejection::PathRejection;
use axum::http::header::{
    ACCEPT_ENCODING, CACHE_CONTROL, CONTENT_ENCODING, CONTENT_SECURITY_POLICY, CONTENT_TYPE, ETAG,
    IF_NONE_MATCH, REFERRER_POLICY, VARY, X_CONTENT_TYPE_OPTIONS,
};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

/// One form of a file: its bytes and its entity tag (quoted).
pub(crate) struct Variant {
    bytes: &'static [u8],
    etag: &'static str,
}

/// A dashboard file with its precompressed forms, if the build made them.
pub(crate) struct EmbeddedFile {
    /// Relative to the dashboard's root: `index.html`, `assets/app-HASH.js`.
    path: &'static str,
    content_type: &'static str,
    /// Named after its content, so a URL never changes meaning.
    immutable: bool,
    identity: Variant,
    gzip: Option<Variant>,
    brotli: Option<Variant>,
}

include!(concat!(env!("OUT_DIR"), "/dashboard_files.rs"));

/// Scripts, styles and requests only from this origin; no plugins, no base or form targets, no
/// framing. Inline `style` attributes stay allowed for the charts' tooltips (ECharts writes them);
/// inline `<style>` and every inline script do not.
const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; \
                       style-src-attr 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; \
                       base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

const IMMUTABLE: &str = "public, max-age=31536000, immutable";
const REVALIDATE: &str = "no-cache";

/// `GET /` and `GET /assets/{file}`, open: the page and its script and style.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(index))
        .route("/assets/{file}", get(asset))
}

async fn index(headers: HeaderMap) -> Response {
    serve("index.html", &headers)
}

async fn asset(file: Result<Path<String>, PathRejection>, headers: HeaderMap) -> Response {
    match file {
        Ok(Path(file)) => serve(&format!("assets/{file}"), &headers),
        Err(_) => no_such_file(),
    }
}

fn no_such_file() -> Response {
    ApiError::NotFound("no such dashboard file".into()).into_response()
}

fn serve(path: &str, request: &HeaderMap) -> Response {
    let Some(file) = FILES.iter().find(|f| f.path == path) else {
        return no_such_file();
    };
    let (variant, encoding) = choose(file, request);
    let mut response = match not_modified(file, request) {
        Some(etag) => {
            let mut response = StatusCode::NOT_MODIFIED.into_response();
            response
                .headers_mut()
                .insert(ETAG, HeaderValue::from_static(etag));
            response
        }
        None => {
            let mut response = Response::new(Body::from(variant.bytes));
            let headers = response.headers_mut();
            headers.insert(CONTENT_TYPE, HeaderValue::from_static(file.content_type));
            headers.insert(ETAG, HeaderValue::from_static(variant.etag));
            if let Some(encoding) = encoding {
                headers.insert(CONTENT_ENCODING, HeaderValue::from_static(encoding));
            }
            response
        }
    };
    let headers = response.headers_mut();
    let cache = if file.immutable {
        IMMUTABLE
    } else {
        REVALIDATE
    };
    headers.insert(CACHE_CONTROL, HeaderValue::from_static(cache));
    if file.gzip.is_some() || file.brotli.is_some() {
        headers.insert(VARY, HeaderValue::from_static("accept-encoding"));
    }
    headers.insert(CONTENT_SECURITY_POLICY, HeaderValue::from_static(CSP));
    headers.insert(X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    response
}

/// The form to send and its `Content-Encoding`: brotli, then gzip, when accepted and built.
fn choose(
    file: &'static EmbeddedFile,
    request: &HeaderMap,
) -> (&'static Variant, Option<&'static str>) {
    let accept: Vec<&str> = request
        .get_all(ACCEPT_ENCODING)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .collect();
    let accept = accept.join(",");
    if let Some(brotli) = file.brotli.as_ref().filter(|_| accepts(&accept, "br")) {
        return (brotli, Some("br"));
    }
    if let Some(gzip) = file.gzip.as_ref().filter(|_| accepts(&accept, "gzip")) {
        return (gzip, Some("gzip"));
    }
    (&file.identity, None)
}

/// Whether an `Accept-Encoding` value admits `coding`: named with a non-zero weight, or not
/// named and `*` admitted (RFC 9110 §12.5.3).
fn accepts(accept_encoding: &str, coding: &str) -> bool {
    let mut wildcard = false;
    for item in accept_encoding.split(',') {
        let mut parts = item.split(';');
        let name = parts.next().unwrap_or_default().trim();
        let weight = parts
            .filter_map(|p| p.trim().strip_prefix("q=").or(p.trim().strip_prefix("Q=")))
            .find_map(|q| q.trim().parse::<f32>().ok())
            .unwrap_or(1.0);
        if name.eq_ignore_ascii_case(coding)
            || (coding == "gzip" && name.eq_ignore_ascii_case("x-gzip"))
        {
            return weight > 0.0;
        }
        if name == "*" {
            wildcard = weight > 0.0;
        }
    }
    wildcard
}

/// The entity tag of `If-None-Match` that names a form of this file, if any (weak comparison,
/// RFC 9110 §13.1.2): the client holds that form, which is current, so a 304 confirms it.
fn not_modified(file: &'static EmbeddedFile, request: &HeaderMap) -> Option<&'static str> {
    let forms = [
        Some(&file.identity),
        file.gzip.as_ref(),
        file.brotli.as_ref(),
    ];
    for value in request
        .get_all(IF_NONE_MATCH)
        .iter()
        .filter_map(|v| v.to_str().ok())
    {
        for tag in value.split(',').map(str::trim) {
            if tag == "*" {
                return Some(choose(file, request).0.etag);
            }
            let tag = tag.strip_prefix("W/").unwrap_or(tag);
            if let Some(form) = forms.iter().flatten().find(|form| form.etag == tag) {
                return Some(form.etag);
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accept_encoding_weights_and_wildcards_are_honoured() {
        assert!(accepts("gzip, deflate, br, zstd", "br"));
        assert!(accepts("gzip, deflate, br, zstd", "gzip"));
        assert!(!accepts("", "gzip"));
        assert!(!accepts("identity", "gzip"));
        assert!(!accepts("br;q=0, gzip", "br"));
        assert!(accepts("br;q=0.5", "br"));
        assert!(accepts("*", "br"));
        assert!(!accepts("*, br;q=0", "br"));
        assert!(!accepts("*;q=0", "gzip"));
        assert!(accepts("x-gzip", "gzip"));
        assert!(accepts("GZIP ; Q=1", "gzip"));
    }

    #[test]
    fn the_page_and_its_hashed_script_and_style_are_embedded_with_compressed_forms() {
        let index = FILES
            .iter()
            .find(|f| f.path == "index.html")
            .expect("index.html");
        assert!(!index.immutable);
        let hashed: Vec<_> = FILES
            .iter()
            .filter(|f| f.path.starts_with("assets/"))
            .collect();
        for extension in [".js", ".css"] {
            let file = hashed
                .iter()
                .find(|f| f.path.ends_with(extension))
                .unwrap_or_else(|| panic!("no assets/*{extension}"));
            assert!(file.immutable);
            let text = std::str::from_utf8(index.identity.bytes).expect("UTF-8");
            assert!(
                text.contains(&format!("\"./{}\"", file.path)),
                "index.html links {}",
                file.path
            );
            let (gzip, brotli) = (
                file.gzip.as_ref().expect("gzip"),
                file.brotli.as_ref().expect("br"),
            );
            assert!(
                brotli.bytes.len() < gzip.bytes.len()
                    && gzip.bytes.len() < file.identity.bytes.len()
            );
            let tags = [file.identity.etag, gzip.etag, brotli.etag];
            assert!(
                tags.iter().all(|t| t.starts_with('"') && t.ends_with('"')),
                "{tags:?}"
            );
            assert!(
                tags[0] != tags[1] && tags[1] != tags[2],
                "one tag per form: {tags:?}"
            );
        }
    }

    #[test]
    fn if_none_match_names_any_form_of_the_current_file() {
        let file = FILES
            .iter()
            .find(|f| f.path.ends_with(".js"))
            .expect("a script");
        let gzip = file.gzip.as_ref().expect("gzip").etag;
        let mut request = HeaderMap::new();
        request.insert(IF_NONE_MATCH, HeaderValue::from_static("\"stale\""));
        assert_eq!(not_modified(file, &request), None);
        request.insert(
            IF_NONE_MATCH,
            format!("\"stale\", W/{gzip}").parse().expect("header"),
        );
        assert_eq!(not_modified(file, &request), Some(gzip));
        request.insert(IF_NONE_MATCH, HeaderValue::from_static("*"));
        assert_eq!(not_modified(file, &request), Some(file.identity.etag));
    }
}
