//! Other people's presence over HTTP on the sandbox: online, offline, and typing in a chat or
//! a group arrive as `presence.updated`; a presence the simulated phone cannot show is refused
//! field by field.

use crate::support::*;
use reqwest::StatusCode;
use serde_json::json;

#[tokio::test]
async fn someone_typing_in_a_group_or_going_offline_is_a_presence_event() {
    on_each_backend(|server| async move {
        let (key, _) = server.linked_instance("sales").await;
        let presence = |body| server.post("/api/v1/sandbox/instances/sales/presence", &key, body);

        let (status, body) = presence(json!({ "state": "typing" })).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert_eq!(fields(&body), ["from", "state"], "{body}");
        let (status, body) = presence(
            json!({ "from": "15550002222", "state": "available", "group": "120363000000000001" }),
        )
        .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert_eq!(fields(&body), ["group"], "{body}");

        let (status, body) = presence(
            json!({ "from": "15550002222", "state": "composing", "group": "120363000000000001" }),
        )
        .await;
        assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
        let typing = server
            .wait_for_event(&key, "presence.updated", |e| {
                e["data"]["state"] == "composing"
            })
            .await;
        assert_eq!(typing["data"]["chatJid"], "120363000000000001@g.us");
        assert_eq!(typing["data"]["isGroup"], true);
        assert_eq!(typing["data"]["from"], "15550002222");
        assert_eq!(typing["data"]["fromJid"], "15550002222@s.whatsapp.net");
        assert_eq!(typing["data"]["lastSeen"], serde_json::Value::Null);

        let (status, body) =
            presence(json!({ "from": "15550002222", "state": "unavailable" })).await;
        assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
        let offline = server
            .wait_for_event(&key, "presence.updated", |e| {
                e["data"]["state"] == "unavailable"
            })
            .await;
        assert_eq!(offline["data"]["chatJid"], "15550002222@s.whatsapp.net");
        assert_eq!(offline["data"]["isGroup"], false);
        assert!(offline["data"]["lastSeen"].is_string(), "{offline}");

        // A number that is not connected shows nobody's presence.
        let (status, body) = server
            .post(
                "/api/v1/sandbox/instances/sales/disconnect",
                &key,
                json!({}),
            )
            .await;
        assert!(status.is_success(), "{body}");
        let (status, body) = presence(json!({ "from": "15550002222", "state": "available" })).await;
        assert_eq!(status, StatusCode::CONFLICT, "{body}");
        server.stop().await;
    })
    .await;
}
