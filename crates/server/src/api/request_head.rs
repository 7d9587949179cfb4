//! Limits on the request line and headers, answered in the envelope: 414 `URI_TOO_LONG` and
//! 431 `HEADERS_TOO_LARGE`.
//!
//! The HTTP library has limits of its own, which it answers with an empty body. The serve loop
//! sets them well above these (`crate::http::serve`), so a realistic oversized request reaches
//! this layer and gets a sentence. What stays with the library is what cannot be parsed into a
//! request at all: a request target over 65,534 bytes, more than twice `max_header_count`
//! headers, or a request head larger than its read buffer.

use super::error::ApiError;
use axum::extract::{Request, State};
use axum::http::Uri;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use wagate_core::ErrorCode;

/// What one request's line and headers may hold (`[http]` settings).
#[derive(Clone, Copy, Debug)]
pub struct HeadLimits {
    pub uri_bytes: usize,
    pub header_count: usize,
    /// Names, values and the four bytes of `: ` and the line end of each header.
    pub header_bytes: usize,
}

pub async fn layer(State(limits): State<HeadLimits>, request: Request, next: Next) -> Response {
    if let Some(refusal) = refusal(&limits, &request) {
        return refusal.into_response();
    }
    next.run(request).await
}

fn refusal(limits: &HeadLimits, request: &Request) -> Option<ApiError> {
    if uri_bytes(request.uri()) > limits.uri_bytes {
        return Some(ApiError::new(
            ErrorCode::UriTooLong,
            format!(
                "the request URI is longer than {} bytes; send long values in the body",
                limits.uri_bytes
            ),
        ));
    }
    let headers = request.headers();
    if headers.len() > limits.header_count {
        return Some(ApiError::new(
            ErrorCode::HeadersTooLarge,
            format!("the request has more than {} headers", limits.header_count),
        ));
    }
    let bytes: usize = headers
        .iter()
        .map(|(name, value)| name.as_str().len() + value.len() + 4)
        .sum();
    (bytes > limits.header_bytes).then(|| {
        ApiError::new(
            ErrorCode::HeadersTooLarge,
            format!(
                "the request headers are larger than {} bytes",
                limits.header_bytes
            ),
        )
    })
}

fn uri_bytes(uri: &Uri) -> usize {
    uri.path_and_query()
        .map_or(0, |target| target.as_str().len())
        + uri
            .authority()
            .map_or(0, |authority| authority.as_str().len())
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::body::Body;

    const LIMITS: HeadLimits = HeadLimits {
        uri_bytes: 20,
        header_count: 2,
        header_bytes: 30,
    };

    fn code(request: Request) -> Option<ErrorCode> {
        refusal(&LIMITS, &request).map(|error| error.code)
    }

    #[test]
    fn each_limit_has_its_answer() {
        let fine = Request::get("/a?b=c")
            .header("x-a", "1")
            .body(Body::empty());
        assert_eq!(code(fine.unwrap()), None);
        let long = Request::get(format!("/{}", "a".repeat(20))).body(Body::empty());
        assert_eq!(code(long.unwrap()), Some(ErrorCode::UriTooLong));
        let many = Request::get("/")
            .header("x-a", "1")
            .header("x-a", "2")
            .header("x-b", "3")
            .body(Body::empty());
        assert_eq!(code(many.unwrap()), Some(ErrorCode::HeadersTooLarge));
        let large = Request::get("/")
            .header("x-a", "a".repeat(24))
            .body(Body::empty());
        assert_eq!(code(large.unwrap()), Some(ErrorCode::HeadersTooLarge));
    }
}
