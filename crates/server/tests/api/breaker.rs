//! Transient and permanent engine failures, and the circuit breaker that pauses a number whose
//! engine keeps failing.

use crate::support::*;
use reqwest::{Method, StatusCode};
use serde_json::json;
use std::time::Duration;
use wagate_server::config::Config;

async fn fault(server: &TestServer, key: &str, kind: &str, count: u32) {
    let (status, body) = server
        .post(
            "/api/v1/sandbox/instances/sales/faults",
            key,
            json!({"kind": kind, "count": count}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

#[tokio::test]
async fn transient_failures_retry_and_permanent_ones_fail_at_once() {
    on_each_backend(|server| async move {
        let (key, _) = server.linked_instance("sales").await;
        fault(&server, &key, "transient", 2).await;
        let id = server.send_text(&key, "sales", "15550004444", "Hi").await;
        let sent = server.wait_for_message(&key, &id, "read").await;
        assert_eq!(sent["attempts"], 3, "{sent}");
        let statuses: Vec<_> = sent["timeline"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["status"].as_str().unwrap())
            .collect();
        assert_eq!(
            statuses.iter().filter(|s| **s == "retrying").count(),
            2,
            "{statuses:?}"
        );
        assert_eq!(
            server
                .server()
                .gateway()
                .sandbox_deliveries(&wagate_core::MessageId::parse(&id).unwrap()),
            1
        );

        fault(&server, &key, "permanent", 1).await;
        let id = server
            .send_text(&key, "sales", "15550004444", "Again")
            .await;
        let failed = server.wait_for_message(&key, &id, "failed").await;
        assert_eq!(failed["attempts"], 1);
        assert_eq!(failed["errorCode"], "INVALID_CONTENT");

        let (status, body) = server
            .post(
                "/api/v1/sandbox/instances/sales/faults",
                &key,
                json!({"kind": "sometimes", "count": 1}),
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert_eq!(fields(&body), ["kind"]);
        server.stop().await;
    })
    .await;
}

#[tokio::test]
async fn a_failing_engine_pauses_sending_until_a_probe_succeeds() {
    let config = |config: &mut Config| {
        config.dispatcher.breaker_threshold = 3;
        config.dispatcher.breaker_pause_secs = 1;
        config.dispatcher.max_attempts = 10;
    };
    on_each_backend_with(config, |server| async move {
        let (key, _) = server.linked_instance("sales").await;
        fault(&server, &key, "transient", 3).await;
        let id = server.send_text(&key, "sales", "15550004444", "Hi").await;
        let paused = server
            .wait_for_event(&key, "session.paused", |_| true)
            .await;
        assert_eq!(paused["data"]["failures"], 3);
        assert!(
            paused["data"]["reason"]
                .as_str()
                .unwrap()
                .contains("simulated fault")
        );

        // While paused, new sends are refused with a time to come back.
        let response = server
            .raw(Method::POST, "/api/v1/instances/sales/messages")
            .await
            .bearer_auth(&key)
            .json(&json!({"to": "15550004444", "text": "Now?"}))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
        let retry_after: u64 = response.headers()["retry-after"]
            .to_str()
            .unwrap()
            .parse()
            .unwrap();
        assert!((1..=2).contains(&retry_after), "{retry_after}");
        let body: serde_json::Value = response.json().await.unwrap();
        assert_eq!(body["code"], "ENGINE_UNAVAILABLE");
        let (_, instance) = server.get("/api/v1/instances/sales", &key).await;
        assert!(instance["data"]["pausedUntil"].is_string(), "{instance}");

        // After the pause the waiting message goes as the probe; it succeeds and sending resumes.
        let sent = server.wait_for_message(&key, &id, "read").await;
        assert_eq!(sent["attempts"], 4);
        server
            .wait_for_event(&key, "session.resumed", |_| true)
            .await;
        tokio::time::sleep(Duration::from_millis(50)).await;
        let next = server.send_text(&key, "sales", "15550004444", "Back").await;
        server.wait_for_message(&key, &next, "read").await;
        server.stop().await;
    })
    .await;
}
