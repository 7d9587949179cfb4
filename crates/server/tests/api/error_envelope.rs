//! Every error answers the JSON envelope, including those the framework and the HTTP library
//! produce before a handler runs: a bad query, a path that is not UTF-8, a form without a
//! boundary, a WebSocket route without an upgrade, a wrong method, a body over the limit, and
//! oversized request lines and headers.

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

#[tokio::test]
async fn oversized_request_lines_and_headers_answer_the_envelope() {
    on_each_backend(|server| async move {
        let key = server.account("Acme").await;
        let long_uri = server
            .raw(
                Method::GET,
                &format!("/api/v1/instances/{}", "a".repeat(20_000)),
            )
            .await
            .bearer_auth(&key)
            .send()
            .await
            .unwrap();
        assert_envelope(long_uri, StatusCode::URI_TOO_LONG, "URI_TOO_LONG").await;

        // More headers than the HTTP library's own default of 100.
        let mut many = server
            .raw(Method::GET, "/api/v1/auth/me")
            .await
            .bearer_auth(&key);
        for n in 0..150 {
            many = many.header(format!("x-filler-{n}"), "1");
        }
        assert_envelope(
            many.send().await.unwrap(),
            StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
            "HEADERS_TOO_LARGE",
        )
        .await;

        let large = server
            .raw(Method::GET, "/api/v1/auth/me")
            .await
            .bearer_auth(&key)
            .header("cookie", "c".repeat(100_000))
            .send()
            .await
            .unwrap();
        assert_envelope(
            large,
            StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
            "HEADERS_TOO_LARGE",
        )
        .await;
        server.stop().await;
    })
    .await;
}
