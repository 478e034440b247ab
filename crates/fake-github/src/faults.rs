//! The responses that stand for injected faults: GitHub's error answers as recorded, bodies
//! that are broken, huge or endless.

use crate::fault::Fault;
use crate::handler::{common_headers, error, primary_limit};
use crate::rate_limit::{Snapshot, epoch_after};
use crate::server::Shared;
use axum::body::Body;
use axum::response::Response;
use bytes::Bytes;
use futures_util::Stream;
use http::{HeaderValue, StatusCode, header};

/// A JSON list opening followed by spaces, `total` bytes long (`None`: never ending), in 64 KiB
/// chunks that share one buffer, so the fake itself stays small.
fn filler(total: Option<u64>) -> impl Stream<Item = Result<Bytes, std::io::Error>> + Send {
    const CHUNK: usize = 64 * 1024;
    let spaces = Bytes::from(vec![b' '; CHUNK]);
    let mut sent: u64 = 0;
    futures_util::stream::iter(std::iter::from_fn(move || {
        let left = total.map_or(u64::MAX, |t| t.saturating_sub(sent));
        if left == 0 {
            return None;
        }
        let chunk = if sent == 0 {
            let mut first = b"[".to_vec();
            first.resize(CHUNK.min(left as usize), b' ');
            Bytes::from(first)
        } else {
            spaces.slice(..CHUNK.min(usize::try_from(left).unwrap_or(usize::MAX)))
        };
        sent += chunk.len() as u64;
        Some(Ok(chunk))
    }))
}

/// The response that stands for `fault`.
pub(crate) fn respond(shared: &Shared, fault: Fault) -> Response {
    match fault {
        Fault::ServerError(code) => {
            let status = StatusCode::from_u16(code).unwrap_or(StatusCode::BAD_GATEWAY);
            let mut response = Response::new(Body::from(format!(
                "<html><body><h1>{status}</h1></body></html>"
            )));
            *response.status_mut() = status;
            response
                .headers_mut()
                .insert(header::CONTENT_TYPE, HeaderValue::from_static("text/html"));
            response
        }
        Fault::SecondaryRateLimit { retry_after_secs } => {
            let mut response = error(
                StatusCode::FORBIDDEN,
                "You have exceeded a secondary rate limit. Please wait a few minutes before you \
                 try again. If you reach out to GitHub Support for help, please include the \
                 request ID.",
            );
            common_headers(response.headers_mut(), shared.limiter.peek(), None);
            if let Some(secs) = retry_after_secs {
                response
                    .headers_mut()
                    .insert(header::RETRY_AFTER, HeaderValue::from(secs));
            }
            response
        }
        Fault::PrimaryRateLimit { reset_in } => {
            let now = shared.limiter.peek();
            primary_limit(Snapshot {
                remaining: 0,
                used: now.limit,
                reset: epoch_after(reset_in),
                ..now
            })
        }
        Fault::MalformedJson => ok_with_body(
            shared,
            Body::from(
                r#"[{"url": "https://api.github.com/repos/x/y/pulls/1", "number": 1, "title": "unterminated"#,
            ),
        ),
        Fault::WrongShape => {
            ok_with_body(shared, Body::from(r#"[{"number": "seven", "title": 7}]"#))
        }
        Fault::Respond { status, body } => {
            let mut response = ok_with_body(shared, Body::from(body));
            *response.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::OK);
            response
        }
        Fault::ConnectionReset => {
            let chunks: Vec<Result<Bytes, std::io::Error>> = vec![
                Ok(Bytes::from_static(b"[{\"url\": \"")),
                Err(std::io::Error::new(
                    std::io::ErrorKind::ConnectionReset,
                    "fake-github: connection dropped on purpose",
                )),
            ];
            ok_with_body(
                shared,
                Body::from_stream(futures_util::stream::iter(chunks)),
            )
        }
        Fault::JsonServerError => {
            let mut response = Response::new(Body::from(r#"{"message":"Server Error"}"#));
            *response.status_mut() = StatusCode::BAD_GATEWAY;
            response.headers_mut().insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json; charset=utf-8"),
            );
            response
        }
        Fault::AbuseDetection { retry_after_secs } => {
            // As recorded: no x-ratelimit-* headers at all.
            let body = serde_json::json!({
                "message": "You have triggered an abuse detection mechanism. Please wait a few \
                            minutes before you try again.",
                "documentation_url": "https://developer.github.com/v3/#abuse-rate-limits",
            });
            let mut response = Response::new(Body::from(body.to_string()));
            *response.status_mut() = StatusCode::FORBIDDEN;
            let headers = response.headers_mut();
            headers.insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json; charset=utf-8"),
            );
            headers.insert(header::RETRY_AFTER, HeaderValue::from(retry_after_secs));
            response
        }
        Fault::PrimaryRateLimitWithoutReset => {
            let now = shared.limiter.peek();
            let mut response = primary_limit(Snapshot {
                remaining: 0,
                used: now.limit,
                ..now
            });
            response.headers_mut().remove("x-ratelimit-reset");
            response
        }
        Fault::HugeBody { bytes, announced } => {
            let mut response = ok_with_body(shared, Body::from_stream(filler(Some(bytes))));
            if announced {
                response
                    .headers_mut()
                    .insert(header::CONTENT_LENGTH, HeaderValue::from(bytes));
            }
            response
        }
        Fault::EndlessBody => ok_with_body(shared, Body::from_stream(filler(None))),
        // A stall is served by waiting, a reopening by changing the data, then answering
        // normally, an empty page like a page (see `handler::respond`).
        Fault::Stall(_) | Fault::EmptyPage | Fault::Reopen { .. } => {
            error(StatusCode::INTERNAL_SERVER_ERROR, "served in respond")
        }
    }
}

fn ok_with_body(shared: &Shared, body: Body) -> Response {
    let mut response = Response::new(body);
    common_headers(response.headers_mut(), shared.limiter.peek(), None);
    response
}
