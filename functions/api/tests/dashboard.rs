//! The dashboard through the API function, with REST (v1) and HTTP (v2) API events under a
//! named stage (`/prod/`): the page and its assets need no key, go out precompressed when the
//! client accepts it (the exact bytes the build made), answer `If-None-Match` with a 304, carry
//! the caching and security headers; an unknown asset is a 404, the data routes still need the
//! key, and `/prod` without its slash is sent to `/prod/`.

use cloud::{ApiFunction, Vars};
use http_body_util::BodyExt;
use serde_json::{Value, json};
use std::path::PathBuf;
use store::testing::TestDatabase;

const STAGE: &str = "prod";

#[derive(Clone, Copy, Debug)]
enum Kind {
    RestV1,
    HttpV2,
}

/// An API Gateway event for `GET /{STAGE}{path}` (`path` `""` is the stage's bare URL).
fn event(kind: Kind, path: &str, headers: &[(&str, &str)]) -> lambda_http::Request {
    let full = format!("/{STAGE}{path}");
    let mut header_map = json!({ "host": "abc123.execute-api.eu-west-1.amazonaws.com" });
    for (name, value) in headers {
        header_map[*name] = json!(value);
    }
    let event = match kind {
        Kind::RestV1 => {
            // API Gateway's resource path: the stage's URL, bare or not, is the root resource.
            let path = if path.is_empty() { "/" } else { path };
            let multi: serde_json::Map<String, Value> = header_map
                .as_object()
                .into_iter()
                .flatten()
                .map(|(k, v)| (k.clone(), json!([v])))
                .collect();
            json!({
                "resource": match path { "/" => "/", p if p.starts_with("/assets/") => "/assets/{file}", _ => "/{proxy+}" },
                "path": path,
                "httpMethod": "GET",
                "headers": header_map,
                "multiValueHeaders": multi,
                "queryStringParameters": null,
                "multiValueQueryStringParameters": null,
                "requestContext": {
                    "path": full, "stage": STAGE, "httpMethod": "GET", "requestId": "r1",
                    "accountId": "123456789012", "apiId": "abc123", "resourcePath": path,
                    "identity": { "sourceIp": "192.0.2.10" },
                },
                "body": null,
                "isBase64Encoded": false,
            })
        }
        Kind::HttpV2 => json!({
            "version": "2.0",
            "routeKey": "$default",
            "rawPath": full,
            "rawQueryString": "",
            "headers": header_map,
            "requestContext": {
                "accountId": "123456789012", "apiId": "abc123", "requestId": "r1",
                "http": { "method": "GET", "path": full, "protocol": "HTTP/1.1", "sourceIp": "192.0.2.10" },
                "routeKey": "$default", "stage": STAGE, "time": "10/Mar/2026:05:16:23 +0000",
                "timeEpoch": 1773119783839u64,
            },
            "isBase64Encoded": false,
        }),
    };
    lambda_http::request::from_str(&event.to_string()).expect("lambda_http parses the event")
}

struct Answer {
    status: u16,
    headers: http::HeaderMap,
    body: Vec<u8>,
}

impl Answer {
    fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }
}

async fn call(function: &ApiFunction, request: lambda_http::Request) -> Answer {
    let response = function.handle(request).await;
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let body = response
        .into_body()
        .collect()
        .await
        .expect("body")
        .to_bytes();
    Answer {
        status,
        headers,
        body: body.to_vec(),
    }
}

fn assets() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../crates/api/assets")
}

fn committed(file: &str) -> Vec<u8> {
    std::fs::read(assets().join(file)).unwrap_or_else(|e| panic!("{file}: {e}"))
}

/// The script that index.html loads (`assets/app-HASH.js`).
fn script() -> String {
    let index = String::from_utf8(committed("index.html")).expect("UTF-8");
    let start = index
        .find("src=\"./assets/")
        .expect("index.html loads a script")
        + 7;
    let end = start + index[start..].find('"').expect("closing quote");
    index[start..end].to_owned()
}

async fn function() -> (TestDatabase, ApiFunction) {
    let (db, _) = TestDatabase::migrated_store().await;
    let vars = Vars::from_pairs([
        ("DATABASE_URL", db.url.as_str()),
        ("API_KEYS", "test-key"),
        ("METRICS_ENABLED", "false"),
    ]);
    (db, ApiFunction::from_vars(vars).expect("valid settings"))
}

fn assert_secured(answer: &Answer, what: &str) {
    let csp = answer.header("content-security-policy");
    for directive in [
        "default-src 'none'",
        "script-src 'self'",
        "frame-ancestors 'none'",
    ] {
        assert!(
            csp.contains(directive),
            "{what}: CSP {csp:?} lacks {directive}"
        );
    }
    assert!(!csp.contains("unsafe-eval"), "{what}: {csp}");
    assert_eq!(answer.header("x-content-type-options"), "nosniff", "{what}");
    assert_eq!(answer.header("referrer-policy"), "no-referrer", "{what}");
}

#[tokio::test]
async fn the_page_is_served_without_a_key_under_the_stage_for_both_event_kinds() {
    let (_db, function) = function().await;
    for kind in [Kind::RestV1, Kind::HttpV2] {
        let page = call(
            &function,
            event(kind, "/", &[("accept-encoding", "gzip, br")]),
        )
        .await;

        assert_eq!(page.status, 200, "{kind:?}");
        assert!(
            page.header("content-type").starts_with("text/html"),
            "{kind:?}"
        );
        assert_eq!(page.header("cache-control"), "no-cache", "{kind:?}");
        assert!(page.header("etag").starts_with('"'), "{kind:?}");
        // Too small to be worth compressing: sent as built.
        assert_eq!(page.header("content-encoding"), "", "{kind:?}");
        assert_eq!(page.body, committed("index.html"), "{kind:?}");
        assert_secured(&page, "index.html");

        let etag = page.header("etag").to_owned();
        let again = call(&function, event(kind, "/", &[("if-none-match", &etag)])).await;
        assert_eq!(again.status, 304, "{kind:?}");
        assert!(again.body.is_empty());
    }
}

#[tokio::test]
async fn an_asset_goes_out_gzipped_or_as_is_and_revalidates_with_a_304() {
    let (_db, function) = function().await;
    let script = script();
    let path = format!("/{script}");
    for kind in [Kind::RestV1, Kind::HttpV2] {
        let gzipped = call(
            &function,
            event(kind, &path, &[("accept-encoding", "gzip, deflate")]),
        )
        .await;
        let plain = call(&function, event(kind, &path, &[])).await;

        for (answer, encoding, file) in [
            (&gzipped, "gzip", format!("{script}.gz")),
            (&plain, "", script.clone()),
        ] {
            let what = format!("{kind:?} {file}");
            assert_eq!(answer.status, 200, "{what}");
            assert_eq!(answer.header("content-encoding"), encoding, "{what}");
            assert!(
                answer.header("content-type").starts_with("text/javascript"),
                "{what}"
            );
            assert_eq!(
                answer.header("cache-control"),
                "public, max-age=31536000, immutable",
                "{what}"
            );
            assert_eq!(answer.header("vary"), "accept-encoding", "{what}");
            assert_eq!(
                answer.body,
                committed(&file),
                "{what}: the bytes the build made"
            );
            assert_secured(answer, &what);
        }
        assert!(gzipped.body.len() * 2 < plain.body.len(), "{kind:?}");
        assert_ne!(
            gzipped.header("etag"),
            plain.header("etag"),
            "one tag per form"
        );

        for (answer, encoding) in [(&gzipped, "gzip"), (&plain, "identity")] {
            let revalidated = call(
                &function,
                event(
                    kind,
                    &path,
                    &[
                        ("accept-encoding", encoding),
                        ("if-none-match", answer.header("etag")),
                    ],
                ),
            )
            .await;
            assert_eq!(revalidated.status, 304, "{kind:?} {encoding}");
            assert!(revalidated.body.is_empty(), "{kind:?} {encoding}");
            assert_eq!(revalidated.header("etag"), answer.header("etag"));
            assert_eq!(
                revalidated.header("cache-control"),
                "public, max-age=31536000, immutable"
            );
        }
        let stale = call(
            &function,
            event(kind, &path, &[("if-none-match", "\"an-old-build\"")]),
        )
        .await;
        assert_eq!(stale.status, 200, "{kind:?}");
    }
}

#[tokio::test]
async fn an_unknown_asset_is_a_404_and_data_routes_still_need_the_key() {
    let (_db, function) = function().await;
    for kind in [Kind::RestV1, Kind::HttpV2] {
        let missing = call(&function, event(kind, "/assets/app-00000000.js", &[])).await;
        assert_eq!(missing.status, 404, "{kind:?}");
        let body: Value = serde_json::from_slice(&missing.body).expect("JSON");
        assert_eq!(body["error"]["code"], "not_found", "{kind:?}");

        let teams = call(&function, event(kind, "/teams", &[])).await;
        assert_eq!(
            teams.status, 401,
            "{kind:?}: the function checks the key too"
        );
    }
}

#[tokio::test]
async fn the_stage_url_without_its_slash_is_redirected_to_the_page() {
    let (_db, function) = function().await;
    for kind in [Kind::RestV1, Kind::HttpV2] {
        let bare = call(&function, event(kind, "", &[])).await;
        assert_eq!(bare.status, 308, "{kind:?}");
        assert_eq!(bare.header("location"), "/prod/", "{kind:?}");
    }
}
