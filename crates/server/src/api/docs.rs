//! `/openapi.json` and `/docs`: the API reference, served from the binary so it works with no
//! internet (Redoc's standalone bundle, MIT, vendored from the npm registry).

use axum::Router;
use axum::http::header;
use axum::response::{Html, IntoResponse};
use axum::routing::get;
use std::sync::Arc;

const REDOC_JS: &str = include_str!("../../assets/redoc/redoc.standalone.js");

const DOCS_PAGE: &str = r#"<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>wagate API</title>
  <style>body { margin: 0; }</style>
</head>
<body>
  <redoc spec-url="/openapi.json" hide-download-button="false"></redoc>
  <script src="/docs/redoc.standalone.js"></script>
</body>
</html>
"#;

pub fn router<S: Clone + Send + Sync + 'static>(openapi_json: Arc<String>) -> Router<S> {
    Router::new()
        .route(
            "/openapi.json",
            get(move || {
                let json = openapi_json.clone();
                async move {
                    (
                        [(header::CONTENT_TYPE, "application/json")],
                        json.as_str().to_owned(),
                    )
                }
            }),
        )
        .route("/docs", get(|| async { Html(DOCS_PAGE) }))
        .route(
            "/docs/redoc.standalone.js",
            get(|| async {
                (
                    [
                        (
                            header::CONTENT_TYPE,
                            "application/javascript; charset=utf-8",
                        ),
                        (header::CACHE_CONTROL, "public, max-age=86400"),
                    ],
                    REDOC_JS,
                )
                    .into_response()
            }),
        )
}
