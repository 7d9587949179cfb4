//! Web instances over HTTP when WhatsApp cannot be reached: linking fails with a clear error
//! in bounded time, nothing is left half-linked, and the server stays healthy.

use crate::support::{TestServer, backends};
use reqwest::StatusCode;
use serde_json::json;
use std::time::{Duration, Instant};

/// A WebSocket address on this machine where nothing listens.
fn unreachable_whatsapp() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    format!("ws://127.0.0.1:{port}/ws/chat")
}

#[tokio::test]
async fn linking_a_web_number_without_whatsapp_answers_503_in_time_and_the_server_stays_healthy() {
    let url = unreachable_whatsapp();
    for backend in backends().await {
        let server = TestServer::start(backend, |config| {
            config.web.url = url.clone();
            config.web.version = "2.3000.1".to_owned();
            config.web.link_timeout_secs = 2;
        })
        .await;
        let key = server.account("Acme").await;
        let (status, body) = server
            .post(
                "/api/v1/instances",
                &key,
                json!({ "name": "phone", "engine": "web" }),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");

        for request in [json!({}), json!({ "phoneNumber": "15550001111" })] {
            let started = Instant::now();
            let (status, body) = server
                .post("/api/v1/instances/phone/connect", &key, request.clone())
                .await;
            let took = started.elapsed();
            assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{request}: {body}");
            assert_eq!(body["code"], "ENGINE_UNAVAILABLE");
            assert!(
                body["error"]
                    .as_str()
                    .unwrap()
                    .contains("could not reach WhatsApp"),
                "{body}"
            );
            assert!(took < Duration::from_secs(15), "answered after {took:?}");

            let (status, body) = server.get("/api/v1/instances/phone", &key).await;
            assert_eq!(status, StatusCode::OK);
            assert_eq!(body["data"]["status"], "disconnected", "{body}");
            assert_eq!(body["data"]["qr"], serde_json::Value::Null);
        }

        let (status, _) = server.get("/healthz", &key).await;
        assert_eq!(status, StatusCode::OK);
        server.stop().await;
    }
}
