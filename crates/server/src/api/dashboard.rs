//! `/dashboard`: the page where a person links numbers, sends a test message and watches what
//! happens. Plain HTML, CSS and JavaScript modules embedded in the binary (no build step, no
//! Node for `cargo build`, nothing fetched at run time); the page talks to the public API
//! with the key it was given, like any client. Its Content-Security-Policy allows nothing
//! from anywhere but this server.

use axum::Router;
use axum::extract::Request;
use axum::http::{HeaderValue, Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;

/// What the page may load: only this server's own files, and the QR codes the API answers
/// as data URLs.
const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; script-src 'self'; style-src 'self'; \
     img-src 'self' data: blob:; connect-src 'self'; form-action 'self'; base-uri 'none'; \
     frame-ancestors 'none'";

/// The page's files: path, content type, content.
const ASSETS: [(&str, &str, &str); 5] = [
    (
        "/dashboard",
        "text/html; charset=utf-8",
        include_str!("../../assets/dashboard/index.html"),
    ),
    (
        "/dashboard/dashboard.css",
        "text/css; charset=utf-8",
        include_str!("../../assets/dashboard/dashboard.css"),
    ),
    (
        "/dashboard/dashboard.js",
        "text/javascript; charset=utf-8",
        include_str!("../../assets/dashboard/dashboard.js"),
    ),
    (
        "/dashboard/api.js",
        "text/javascript; charset=utf-8",
        include_str!("../../assets/dashboard/api.js"),
    ),
    (
        "/dashboard/ui.js",
        "text/javascript; charset=utf-8",
        include_str!("../../assets/dashboard/ui.js"),
    ),
];

pub fn router<S: Clone + Send + Sync + 'static>() -> Router<S> {
    let mut router = Router::new();
    for (path, content_type, body) in ASSETS {
        router = router.route(path, get(move || async move { asset(content_type, body) }));
    }
    router.route(
        "/dashboard/",
        get(|| async { Redirect::permanent("/dashboard") }),
    )
}

fn asset(content_type: &'static str, body: &'static str) -> Response {
    let mut response = body.into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CONTENT_SECURITY_POLICY),
    );
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    // A new binary may bring new files: the browser asks again rather than mixing versions.
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    response
}

/// Sends a browser opening `/` to the dashboard. API clients probing `/` (Evolution's
/// clients do, for its welcome) do not accept HTML and get the JSON welcome as before.
pub async fn send_browsers_here(request: Request, next: Next) -> Response {
    if request.method() == Method::GET
        && request.uri().path() == "/"
        && wants_page(request.headers())
    {
        return Redirect::to("/dashboard").into_response();
    }
    next.run(request).await
}

/// Whether a request accepts HTML: a browser navigating, not an API client.
fn wants_page(headers: &axum::http::HeaderMap) -> bool {
    headers
        .get_all(header::ACCEPT)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .any(|accept| accept.contains("text/html"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn browsers_are_told_apart_from_api_clients() {
        let mut headers = axum::http::HeaderMap::new();
        assert!(!wants_page(&headers));
        headers.insert(header::ACCEPT, HeaderValue::from_static("application/json"));
        assert!(!wants_page(&headers));
        headers.insert(
            header::ACCEPT,
            HeaderValue::from_static("text/html,application/xhtml+xml,*/*;q=0.8"),
        );
        assert!(wants_page(&headers));
    }
}
