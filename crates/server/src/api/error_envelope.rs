//! The last word on every error: a 4xx or 5xx that is not already our JSON envelope — one of
//! axum's own rejections (a bad query, a path that is not UTF-8, a form without a boundary,
//! 405 from the method router, 413 from its body limit), or a bare status — is rewritten into
//! it here, once, instead of wrapping every extractor. The status stays; a 4xx keeps axum's
//! sentence, a 5xx says only that the log has the details.

use super::error::{ApiError, INTERNAL_SENTENCE};
use axum::body::Body;
use axum::extract::Request;
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

/// axum's rejection sentences are short; anything longer is not one of them.
const SENTENCE_LIMIT: usize = 4096;

pub async fn layer(request: Request, next: Next) -> Response {
    let response = next.run(request).await;
    let status = response.status();
    if !(status.is_client_error() || status.is_server_error()) || is_json(&response) {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let message = if status.is_server_error() {
        INTERNAL_SENTENCE.to_owned()
    } else {
        sentence(body)
            .await
            .unwrap_or_else(|| default_sentence(status))
    };
    let mut envelope = ApiError::new(ApiError::code_for(status), message).into_response();
    *envelope.status_mut() = status;
    parts.headers.remove(header::CONTENT_TYPE);
    parts.headers.remove(header::CONTENT_LENGTH);
    envelope.headers_mut().extend(parts.headers);
    envelope
}

fn is_json(response: &Response) -> bool {
    response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| value.starts_with("application/json"))
}

async fn sentence(body: Body) -> Option<String> {
    let bytes = axum::body::to_bytes(body, SENTENCE_LIMIT).await.ok()?;
    let text = String::from_utf8_lossy(&bytes).trim().to_owned();
    (!text.is_empty()).then_some(text)
}

fn default_sentence(status: StatusCode) -> String {
    match status {
        StatusCode::NOT_FOUND => "no such route; see /docs for the API".to_owned(),
        StatusCode::METHOD_NOT_ALLOWED => {
            "this route does not take that method; the Allow header lists those it takes".to_owned()
        }
        _ => status
            .canonical_reason()
            .unwrap_or("the request was refused")
            .to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::Router;
    use axum::http::HeaderValue;
    use axum::routing::get;
    use tower::ServiceExt;

    async fn answer(router: Router, request: Request) -> (StatusCode, Response) {
        let response = router
            .layer(axum::middleware::from_fn(layer))
            .oneshot(request)
            .await
            .unwrap();
        (response.status(), response)
    }

    async fn json(response: Response) -> serde_json::Value {
        let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
            .await
            .unwrap();
        serde_json::from_slice(&bytes).unwrap()
    }

    #[tokio::test]
    async fn a_wrong_method_keeps_its_status_and_allow_header() {
        let router = Router::new().route("/", get(|| async { "hi" }));
        let request = Request::post("/").body(Body::empty()).unwrap();
        let (status, response) = answer(router, request).await;
        assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED);
        assert!(response.headers().contains_key(header::ALLOW));
        let body = json(response).await;
        assert_eq!(body["success"], false);
        assert_eq!(body["code"], "METHOD_NOT_ALLOWED");
    }

    #[tokio::test]
    async fn a_server_error_says_nothing_of_its_cause() {
        let router = Router::new().route(
            "/",
            get(|| async {
                (
                    StatusCode::BAD_GATEWAY,
                    [(header::RETRY_AFTER, HeaderValue::from_static("5"))],
                    "db password wrong",
                )
            }),
        );
        let request = Request::get("/").body(Body::empty()).unwrap();
        let (status, response) = answer(router, request).await;
        assert_eq!(status, StatusCode::BAD_GATEWAY);
        assert_eq!(response.headers()[header::RETRY_AFTER], "5");
        let body = json(response).await;
        assert_eq!(body["code"], "INTERNAL_ERROR");
        assert_eq!(body["error"], INTERNAL_SENTENCE);
    }

    #[tokio::test]
    async fn envelopes_and_successes_pass_untouched() {
        let router = Router::new().route("/ok", get(|| async { "plain" })).route(
            "/gone",
            get(|| async { ApiError::not_found_route().into_response() }),
        );
        let (status, response) = answer(
            router.clone(),
            Request::get("/ok").body(Body::empty()).unwrap(),
        )
        .await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(
            response.headers()[header::CONTENT_TYPE],
            "text/plain; charset=utf-8"
        );
        let (status, response) =
            answer(router, Request::get("/gone").body(Body::empty()).unwrap()).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        assert_eq!(
            json(response).await["error"],
            "no such route; see /docs for the API"
        );
    }
}
