//! Every error answers the JSON envelope, including those the framework and the HTTP library
//! produce before a handler runs: a bad query, a path that is not UTF-8, a form without a
//! boundary, a WebSocket route without an upgrade, a wrong method, a body over the limit.

use crate::support::*;
use reqwest::{Method, StatusCode};

async fn assert_envelope(response: reqwest::Response, status: StatusCode, code: &str) {
    assert_eq!(response.status(), status);
    let content_type = response.headers()["content-type"]
        .to_str()
        .unwrap()
        .to_owned();
    let text = response.text().await.unwrap();
    assert_eq!(content_type, "application/json", "{status}: {text}");
    let body: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(body["success"], false, "{text}");
    assert_eq!(body["code"], code, "{text}");
    assert!(!body["error"].as_str().unwrap().is_empty(), "{text}");
}

#[tokio::test]
async fn rejections_before_the_handler_answer_the_envelope() {
    on_each_backend(|server| async move {
        let key = server.account("Acme").await;
        let get = async |path: &str| {
            server
                .raw(Method::GET, path)
                .await
                .bearer_auth(&key)
                .send()
                .await
                .unwrap()
        };
        assert_envelope(
            get("/api/v1/events?limit=abc").await,
            StatusCode::BAD_REQUEST,
            "BAD_REQUEST",
        )
        .await;
        assert_envelope(
            get("/api/v1/instances/%ff").await,
            StatusCode::BAD_REQUEST,
            "BAD_REQUEST",
        )
        .await;
        assert_envelope(
            get("/api/v1/events/ws").await,
            StatusCode::BAD_REQUEST,
            "BAD_REQUEST",
        )
        .await;

        let no_boundary = server
            .raw(Method::POST, "/api/v1/media")
            .await
            .bearer_auth(&key)
            .header("content-type", "multipart/form-data")
            .body("--x\r\n")
            .send()
            .await
            .unwrap();
        assert_envelope(no_boundary, StatusCode::BAD_REQUEST, "BAD_REQUEST").await;

        let wrong_method = server
            .raw(Method::DELETE, "/api/v1/auth/me")
            .await
            .bearer_auth(&key)
            .send()
            .await
            .unwrap();
        assert!(wrong_method.headers().contains_key("allow"));
        assert_envelope(
            wrong_method,
            StatusCode::METHOD_NOT_ALLOWED,
            "METHOD_NOT_ALLOWED",
        )
        .await;

        // Meta's webhook route reads the raw body, so axum's own body limit answers.
        let too_large = server
            .raw(Method::POST, "/webhooks/meta/ins_none")
            .await
            .body(vec![b'x'; 2 * 1024 * 1024])
            .send()
            .await
            .unwrap();
        assert_envelope(
            too_large,
            StatusCode::PAYLOAD_TOO_LARGE,
            "PAYLOAD_TOO_LARGE",
        )
        .await;
        server.stop().await;
    })
    .await;
}
