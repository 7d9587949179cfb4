//! A restart keeps accounts, instances, messages and events; linked numbers come back open.

use crate::support::*;
use reqwest::StatusCode;
use serde_json::json;

#[tokio::test]
async fn everything_survives_a_restart_and_linked_instances_reconnect() {
    on_each_backend(|server| async move {
        let (key, instance) = server.linked_instance("sales").await;
        let (pending, _) = server.instance(&key, "pending").await;
        server
            .post("/api/v1/instances/pending/connect", &key, json!({}))
            .await;
        let before = server
            .send_text(&key, "sales", "15550002222", "before")
            .await;
        server.wait_for_message(&key, &before, "read").await;
        let events_before = server.events(&key).await;

        let server = server.restart().await;

        let (status, me) = server.get("/api/v1/auth/me", &key).await;
        assert_eq!(status, StatusCode::OK, "the account and its key survive");
        assert_eq!(me["data"]["name"], "Acme");
        let (_, status) = server
            .get(&format!("/api/v1/instances/{instance}/status"), &key)
            .await;
        assert_eq!(
            status["data"]["status"], "open",
            "linked instances come back open"
        );
        assert_eq!(status["data"]["me"]["phone"], "15550001111");
        let (_, status) = server
            .get(&format!("/api/v1/instances/{pending}/status"), &key)
            .await;
        assert_eq!(
            status["data"]["status"], "disconnected",
            "a QR code does not outlive the server"
        );
        assert!(
            status["data"]["statusReason"]
                .as_str()
                .unwrap()
                .contains("restarted")
        );

        let message = server.wait_for_message(&key, &before, "read").await;
        assert_eq!(message["body"], "before");
        let events_after = server.events(&key).await;
        assert_eq!(
            &events_after[..events_before.len()],
            &events_before[..],
            "events are kept as they were"
        );

        let after = server
            .send_text(&key, "sales", "15550002222", "after")
            .await;
        server.wait_for_message(&key, &after, "read").await;
        server.stop().await;
    })
    .await;
}

#[tokio::test]
async fn messages_still_queued_at_shutdown_are_sent_after_the_restart() {
    on_each_backend(|server| async move {
        let (key, _) = server.linked_instance("sales").await;
        // The connection drops, so the dispatcher leaves the message queued...
        server
            .post(
                "/api/v1/sandbox/instances/sales/disconnect",
                &key,
                json!({}),
            )
            .await;
        server
            .wait_for_event(&key, "session.status", |e| {
                e["data"]["status"] == "connecting"
            })
            .await;
        let id = server
            .send_text(&key, "sales", "15550002222", "queued")
            .await;
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        let (_, message) = server.get(&format!("/api/v1/messages/{id}"), &key).await;
        assert_eq!(message["data"]["status"], "queued");
        // ...and the server stops with it still queued. After the restart the number
        // reconnects and the message goes out, once.
        let server = server.restart().await;
        server.wait_for_message(&key, &id, "read").await;
        let message_id = wagate_core::MessageId::parse(&id).unwrap();
        assert_eq!(server.server().gateway().sandbox_deliveries(&message_id), 1);
        server.stop().await;
    })
    .await;
}
