//! Presence over HTTP on the sandbox: "typing…" or "recording…" in a chat, the number online
//! or offline, what reaches the wire, and the refusals.

use crate::support::*;
use reqwest::StatusCode;
use serde_json::json;

/// `(kind, chat)` of what the sandbox number put on the wire, presence only.
async fn presence_on_the_wire(server: &TestServer, key: &str) -> Vec<(String, String)> {
    server
        .sandbox_activity(key, "sales")
        .await
        .into_iter()
        .filter(|entry| {
            ["typing", "recording", "paused", "available", "unavailable"]
                .contains(&entry["kind"].as_str().unwrap())
        })
        .map(|entry| {
            (
                entry["kind"].as_str().unwrap().to_owned(),
                entry["chat"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

#[tokio::test]
async fn typing_recording_and_online_reach_the_wire() {
    on_each_backend(|server| async move {
        let (key, _) = server.linked_instance("sales").await;
        for (chat, state) in [
            ("15550002222", "composing"),
            ("15550002222", "paused"),
            ("120363000000000001@g.us", "recording"),
        ] {
            let (status, body) = server
                .post(
                    &format!("/api/v1/instances/sales/chats/{chat}/presence"),
                    &key,
                    json!({ "state": state }),
                )
                .await;
            assert_eq!(status, StatusCode::OK, "{body}");
            assert_eq!(body["data"]["state"], state);
        }
        for presence in ["available", "unavailable"] {
            let (status, body) = server
                .put(
                    "/api/v1/instances/sales/presence",
                    &key,
                    json!({ "presence": presence }),
                )
                .await;
            assert_eq!(status, StatusCode::OK, "{body}");
            assert_eq!(body["data"]["presence"], presence);
        }
        let wire = presence_on_the_wire(&server, &key).await;
        let wire: Vec<(&str, &str)> = wire.iter().map(|(k, c)| (k.as_str(), c.as_str())).collect();
        assert_eq!(
            wire,
            [
                ("typing", "15550002222@s.whatsapp.net"),
                ("paused", "15550002222@s.whatsapp.net"),
                ("recording", "120363000000000001@g.us"),
                ("available", "15550001111@s.whatsapp.net"),
                ("unavailable", "15550001111@s.whatsapp.net"),
            ]
        );
    })
    .await;
}

#[tokio::test]
async fn bad_presence_is_refused_and_nothing_reaches_the_wire() {
    on_each_backend(|server| async move {
        let (key, _) = server.linked_instance("sales").await;
        let (status, body) = server
            .post(
                "/api/v1/instances/sales/chats/15550002222/presence",
                &key,
                json!({ "state": "dancing" }),
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert_eq!(fields(&body), ["state"]);
        let (status, body) = server
            .post(
                "/api/v1/instances/sales/chats/not-a-chat/presence",
                &key,
                json!({ "state": "composing" }),
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert_eq!(fields(&body), ["chat"]);
        let (status, body) = server
            .put(
                "/api/v1/instances/sales/presence",
                &key,
                json!({ "presence": "busy" }),
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert_eq!(fields(&body), ["presence"]);
        assert!(presence_on_the_wire(&server, &key).await.is_empty());

        // Not open; not the caller's.
        server.instance(&key, "idle").await;
        let (status, body) = server
            .put(
                "/api/v1/instances/idle/presence",
                &key,
                json!({ "presence": "available" }),
            )
            .await;
        assert_eq!(status, StatusCode::CONFLICT, "{body}");
        let stranger = server.account("Other Co").await;
        let (status, _) = server
            .put(
                "/api/v1/instances/sales/presence",
                &stranger,
                json!({ "presence": "available" }),
            )
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND);
    })
    .await;
}

/// Waits until the wire shows `expected` presence entries (they are sent on a task of their
/// own, a moment after the call).
async fn wait_for_presence(server: &TestServer, key: &str, expected: &[(&str, &str)]) {
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        let seen = presence_on_the_wire(server, key).await;
        let seen: Vec<(&str, &str)> = seen.iter().map(|(k, c)| (k.as_str(), c.as_str())).collect();
        if seen == expected {
            return;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "presence {seen:?}, expected {expected:?}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn with_always_online_the_number_shows_online_after_every_connect() {
    on_each_backend(|server| async move {
        let (key, _) = server.linked_instance("sales").await;
        let me = "15550001111@s.whatsapp.net";
        let (status, body) = server
            .put(
                "/api/v1/instances/sales/settings",
                &key,
                json!({ "alwaysOnline": true }),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["data"]["alwaysOnline"], true);
        wait_for_presence(&server, &key, &[("available", me)]).await;

        // Dropped and back: online again without being asked.
        let (status, _) = server
            .post(
                "/api/v1/sandbox/instances/sales/disconnect",
                &key,
                json!({}),
            )
            .await;
        assert_eq!(status, StatusCode::ACCEPTED);
        server
            .wait_for_event(&key, "session.status", |e| {
                e["data"]["status"] == "connecting"
            })
            .await;
        let (status, _) = server
            .post("/api/v1/sandbox/instances/sales/reconnect", &key, json!({}))
            .await;
        assert_eq!(status, StatusCode::ACCEPTED);
        wait_for_presence(&server, &key, &[("available", me), ("available", me)]).await;

        // Turned off: offline at once.
        let (status, _) = server
            .put("/api/v1/instances/sales/settings", &key, json!({}))
            .await;
        assert_eq!(status, StatusCode::OK);
        wait_for_presence(
            &server,
            &key,
            &[("available", me), ("available", me), ("unavailable", me)],
        )
        .await;
    })
    .await;
}
