//! The queue seen from outside: scheduled sends, cancelling what has not been sent, and
//! retrying what failed.

use crate::support::*;
use chrono::{DateTime, Duration, SecondsFormat, Utc};
use reqwest::StatusCode;
use serde_json::{Value, json};

const SEND: &str = "/api/v1/instances/sales/messages";

fn at(offset: Duration) -> String {
    (Utc::now() + offset).to_rfc3339_opts(SecondsFormat::Millis, true)
}

fn time(value: &Value) -> DateTime<Utc> {
    value.as_str().expect("a time").parse().expect("RFC 3339")
}

async fn action(server: &TestServer, key: &str, id: &str, what: &str) -> (StatusCode, Value) {
    server
        .post(&format!("/api/v1/messages/{id}/{what}"), key, json!({}))
        .await
}

#[tokio::test]
async fn a_scheduled_message_waits_for_its_time() {
    on_each_backend(|server| async move {
        let (key, _) = server.linked_instance("sales").await;
        let send_at = at(Duration::milliseconds(1500));
        let (status, body) = server
            .post(
                SEND,
                &key,
                json!({ "to": "15550002222", "text": "Later", "sendAt": send_at }),
            )
            .await;
        assert_eq!(status, StatusCode::ACCEPTED, "{body}");
        assert_eq!(body["data"]["status"], "scheduled");
        assert_eq!(body["data"]["scheduledFor"], send_at);
        let id = body["data"]["id"].as_str().unwrap().to_owned();
        let (_, shown) = server.get(&format!("/api/v1/messages/{id}"), &key).await;
        assert_eq!(shown["data"]["status"], "scheduled");
        assert_eq!(shown["data"]["scheduledFor"], send_at);

        let read = server.wait_for_message(&key, &id, "read").await;
        assert!(time(&read["sentAt"]) >= time(&json!(send_at)), "{read}");
        assert!(read["scheduledFor"].is_null());
        let timeline: Vec<_> = read["timeline"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["status"].as_str().unwrap().to_owned())
            .collect();
        assert_eq!(timeline[0], "scheduled");

        for (send_at, why) in [
            (at(Duration::seconds(-5)), "in the past"),
            ("tomorrow".to_owned(), "not a time"),
        ] {
            let (status, body) = server
                .post(
                    SEND,
                    &key,
                    json!({ "to": "15550002222", "text": "x", "sendAt": send_at }),
                )
                .await;
            assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{why}: {body}");
            assert_eq!(fields(&body), ["sendAt"], "{why}");
        }
        server.stop().await;
    })
    .await;
}

#[tokio::test]
async fn waiting_messages_can_be_cancelled_and_are_never_sent() {
    on_each_backend(|server| async move {
        let (key, _) = server.linked_instance("sales").await;
        let (_, body) = server
            .post(
                SEND,
                &key,
                json!({ "to": "15550002222", "text": "Soon", "sendAt": at(Duration::milliseconds(800)) }),
            )
            .await;
        let id = body["data"]["id"].as_str().unwrap().to_owned();
        let (status, body) = action(&server, &key, &id, "cancel").await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["data"]["status"], "cancelled");
        let (status, body) = action(&server, &key, &id, "cancel").await;
        assert_eq!(status, StatusCode::CONFLICT, "{body}");
        assert_eq!(body["code"], "CONFLICT");

        // Past its time, it is still cancelled and nothing was sent.
        tokio::time::sleep(std::time::Duration::from_millis(1200)).await;
        let (_, shown) = server.get(&format!("/api/v1/messages/{id}"), &key).await;
        assert_eq!(shown["data"]["status"], "cancelled");
        assert!(shown["data"]["sentAt"].is_null());
        let events = server.events(&key).await;
        assert!(events.iter().any(|e| e["event"] == "message.status_updated"
            && e["data"]["messageId"] == id.as_str()
            && e["data"]["status"] == "cancelled"));
        assert!(!events.iter().any(|e| e["event"] == "message.sent"
            && e["data"]["messageId"] == id.as_str()));

        let sent = server.send_text(&key, "sales", "15550002222", "Now").await;
        server.wait_for_message(&key, &sent, "read").await;
        let (status, _) = action(&server, &key, &sent, "cancel").await;
        assert_eq!(status, StatusCode::CONFLICT, "a sent message cannot be cancelled");
        let stranger = server.account("Stranger").await;
        let (status, _) = action(&server, &stranger, &sent, "cancel").await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        server.stop().await;
    })
    .await;
}

#[tokio::test]
async fn failed_messages_can_be_retried() {
    on_each_backend(|server| async move {
        let (key, _) = server.linked_instance("sales").await;
        let id = server
            .send_text(&key, "sales", "15550000000", "Anyone?")
            .await;
        let failed = server.wait_for_message(&key, &id, "failed").await;
        assert_eq!(failed["errorCode"], "NOT_ON_WHATSAPP");
        assert_eq!(failed["attempts"], 1);

        let (status, body) = action(&server, &key, &id, "retry").await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert!(
            ["queued", "processing", "failed"].contains(&body["data"]["status"].as_str().unwrap())
        );
        // It went through the dispatcher again (and failed again: the number is still not on
        // WhatsApp), with its attempts counted afresh.
        let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(10);
        let again = loop {
            let (_, shown) = server.get(&format!("/api/v1/messages/{id}"), &key).await;
            let statuses: Vec<_> = shown["data"]["timeline"]
                .as_array()
                .unwrap()
                .iter()
                .map(|t| t["status"].as_str().unwrap().to_owned())
                .collect();
            if statuses.iter().filter(|s| *s == "failed").count() == 2
                && shown["data"]["status"] == "failed"
            {
                break shown["data"].clone();
            }
            assert!(tokio::time::Instant::now() < deadline, "{shown}");
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        };
        assert_eq!(again["status"], "failed");
        assert_eq!(again["attempts"], 1);
        assert_eq!(again["errorCode"], "NOT_ON_WHATSAPP");

        let sent = server.send_text(&key, "sales", "15550002222", "Fine").await;
        server.wait_for_message(&key, &sent, "read").await;
        let (status, body) = action(&server, &key, &sent, "retry").await;
        assert_eq!(status, StatusCode::CONFLICT, "{body}");
        server.stop().await;
    })
    .await;
}
