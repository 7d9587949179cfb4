//! Chats over HTTP on the sandbox: listed most recent first with their last message and
//! unread count, a chat's messages, a whole chat marked read or unread, chat settings, and
//! deleted chats.

use crate::support::*;
use reqwest::StatusCode;
use serde_json::json;

#[tokio::test]
async fn chats_are_listed_with_last_message_and_unread_count_and_read_as_a_whole() {
    on_each_backend(|server| async move {
        let (key, _) = server.linked_instance("sales").await;
        // Ann writes twice, Bob once, and sales answers Bob; then a group message.
        for (from, text) in [("15550002222", "Hi"), ("15550002222", "Anyone there?"), ("15550003333", "Hello")] {
            server.inbound(&key, "sales", json!({ "from": from, "text": text })).await;
            server
                .wait_for_event(&key, "message.received", |e| e["data"]["body"] == text)
                .await;
        }
        let answer = server.send_text(&key, "sales", "15550003333", "Hello Bob").await;
        server.wait_for_message(&key, &answer, "read").await;
        server
            .inbound(&key, "sales", json!({ "from": "15550004444", "group": "120363000000000001@g.us", "text": "Team!" }))
            .await;
        server
            .wait_for_event(&key, "message.received", |e| e["data"]["body"] == "Team!")
            .await;

        let (status, body) = server.get("/api/v1/instances/sales/chats", &key).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["pagination"]["total"], 3, "{body}");
        let chats = body["data"].as_array().unwrap();
        let summary: Vec<(&str, bool, i64, i64, &str)> = chats
            .iter()
            .map(|c| {
                (
                    c["jid"].as_str().unwrap(),
                    c["isGroup"].as_bool().unwrap(),
                    c["messages"].as_i64().unwrap(),
                    c["unreadCount"].as_i64().unwrap(),
                    c["lastMessage"]["body"].as_str().unwrap_or_default(),
                )
            })
            .collect();
        assert_eq!(
            summary,
            [
                ("120363000000000001@g.us", true, 1, 1, "Team!"),
                ("15550003333@s.whatsapp.net", false, 2, 1, "Hello Bob"),
                ("15550002222@s.whatsapp.net", false, 2, 2, "Anyone there?"),
            ],
            "{body}"
        );
        let (_, page) = server.get("/api/v1/instances/sales/chats?limit=1&page=2", &key).await;
        assert_eq!(page["data"][0]["jid"], "15550003333@s.whatsapp.net");
        assert_eq!(page["pagination"], json!({ "page": 2, "limit": 1, "total": 3 }));

        // Ann's chat: its messages, newest first; then read as a whole.
        let (status, body) = server
            .get("/api/v1/instances/sales/chats/15550002222/messages", &key)
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let bodies: Vec<&str> = body["data"].as_array().unwrap().iter().map(|m| m["body"].as_str().unwrap()).collect();
        assert_eq!(bodies, ["Anyone there?", "Hi"]);
        let (status, body) = server
            .post("/api/v1/instances/sales/chats/15550002222/read", &key, json!({}))
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["data"], json!({ "jid": "15550002222@s.whatsapp.net", "marked": 2 }));
        let (_, body) = server.get("/api/v1/instances/sales/chats", &key).await;
        assert_eq!(body["data"][2]["unreadCount"], 0, "{body}");
        let reads = server
            .events(&key)
            .await
            .into_iter()
            .filter(|e| e["event"] == "message.read")
            .count();
        assert_eq!(reads, 2);
        // Nothing left to read.
        let (_, body) = server
            .post("/api/v1/instances/sales/chats/15550002222/read", &key, json!({}))
            .await;
        assert_eq!(body["data"]["marked"], 0);
    })
    .await;
}

#[tokio::test]
async fn chat_requests_are_checked_and_chats_are_the_callers_own() {
    on_each_backend(|server| async move {
        let (key, _) = server.linked_instance("sales").await;
        let (_, body) = server.get("/api/v1/instances/sales/chats", &key).await;
        assert_eq!(body["data"], json!([]));
        assert_eq!(body["pagination"]["total"], 0);
        for (path, field) in [
            ("/api/v1/instances/sales/chats?limit=0", "limit"),
            ("/api/v1/instances/sales/chats?page=0", "page"),
            ("/api/v1/instances/sales/chats/hello/messages", "chat"),
        ] {
            let (status, body) = server.get(path, &key).await;
            assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{path}: {body}");
            assert_eq!(fields(&body), [field]);
        }
        let stranger = server.account("Other Co").await;
        let (status, _) = server.get("/api/v1/instances/sales/chats", &stranger).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        server.instance(&key, "idle").await;
        let (status, _) = server
            .post(
                "/api/v1/instances/idle/chats/15550002222/read",
                &key,
                json!({}),
            )
            .await;
        assert_eq!(status, StatusCode::CONFLICT);
    })
    .await;
}

#[tokio::test]
async fn chats_are_archived_pinned_and_muted_on_whatsapp_and_listed_so() {
    on_each_backend(|server| async move {
        let (key, _) = server.linked_instance("sales").await;
        server.inbound(&key, "sales", json!({ "from": "15550002222", "text": "Hi" })).await;
        server
            .wait_for_event(&key, "message.received", |e| e["data"]["body"] == "Hi")
            .await;
        let act = |action: &str, body: serde_json::Value| {
            let path = format!("/api/v1/instances/sales/chats/15550002222/{action}");
            let server = &server;
            let key = key.clone();
            async move { server.post(&path, &key, body).await }
        };

        let (status, body) = act("archive", json!({})).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(
            body["data"],
            json!({ "jid": "15550002222@s.whatsapp.net", "archived": true, "pinned": false, "muted": false, "mutedUntil": null, "disappearingSeconds": 0, "markedUnread": false })
        );
        let (_, body) = act("pin", json!({})).await;
        assert_eq!(body["data"]["pinned"], true);
        assert_eq!(body["data"]["archived"], true);
        let until = (chrono::Utc::now() + chrono::Duration::hours(8)).to_rfc3339();
        let (status, body) = act("mute", json!({ "until": until })).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["data"]["muted"], true);
        assert!(body["data"]["mutedUntil"].is_string(), "{body}");

        let (_, list) = server.get("/api/v1/instances/sales/chats", &key).await;
        let chat = &list["data"][0];
        assert_eq!((chat["archived"].clone(), chat["pinned"].clone(), chat["muted"].clone()), (json!(true), json!(true), json!(true)), "{list}");

        // For good; then undone.
        let (_, body) = act("mute", json!({})).await;
        assert_eq!(body["data"]["muted"], true);
        assert_eq!(body["data"]["mutedUntil"], serde_json::Value::Null);
        for action in ["unmute", "unpin", "unarchive"] {
            let (status, _) = act(action, json!({})).await;
            assert_eq!(status, StatusCode::OK);
        }
        let (_, list) = server.get("/api/v1/instances/sales/chats", &key).await;
        let chat = &list["data"][0];
        assert_eq!((chat["archived"].clone(), chat["pinned"].clone(), chat["muted"].clone()), (json!(false), json!(false), json!(false)), "{list}");

        // Each reached WhatsApp.
        let kinds: Vec<String> = server
            .sandbox_activity(&key, "sales")
            .await
            .into_iter()
            .map(|entry| entry["kind"].as_str().unwrap().to_owned())
            .filter(|kind| ["archive", "unarchive", "pin", "unpin", "mute", "unmute"].contains(&kind.as_str()))
            .collect();
        assert_eq!(kinds, ["archive", "pin", "mute", "mute", "unmute", "unpin", "unarchive"]);

        // Disappearing messages: set, listed, on the wire; only WhatsApp's timers.
        let (status, body) = act("disappearing", json!({ "seconds": 604800 })).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["data"]["disappearingSeconds"], 604800);
        let (_, list) = server.get("/api/v1/instances/sales/chats", &key).await;
        assert_eq!(list["data"][0]["disappearingSeconds"], 604800);
        let (status, body) = act("disappearing", json!({ "seconds": 60 })).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert_eq!(fields(&body), ["seconds"]);
        let (status, body) = act("disappearing", json!({})).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");

        // Refusals: an unknown action, a mute in the past, a body that is not JSON.
        let (status, _) = act("star", json!({})).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        let (status, body) = act("mute", json!({ "until": "2020-01-01T00:00:00Z" })).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert_eq!(fields(&body), ["until"]);
        let (status, body) = act("mute", json!({ "for": "ever" })).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    })
    .await;
}

#[tokio::test]
async fn a_chat_marked_unread_stays_so_until_read_and_a_deleted_chat_leaves_the_list() {
    on_each_backend(|server| async move {
        let (key, _) = server.linked_instance("sales").await;
        for (from, text) in [("15550002222", "Hi"), ("15550003333", "Hello")] {
            server
                .inbound(&key, "sales", json!({ "from": from, "text": text }))
                .await;
            server
                .wait_for_event(&key, "message.received", |e| e["data"]["body"] == text)
                .await;
        }
        let sent = server
            .send_text(&key, "sales", "15550002222", "Hi Ann")
            .await;
        server.wait_for_message(&key, &sent, "read").await;
        let chat = "/api/v1/instances/sales/chats/15550002222";

        let (status, body) = server
            .post(&format!("{chat}/unread"), &key, json!({}))
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["data"]["markedUnread"], true, "{body}");
        let (_, list) = server.get("/api/v1/instances/sales/chats", &key).await;
        assert_eq!(list["data"][0]["jid"], "15550002222@s.whatsapp.net");
        assert_eq!(list["data"][0]["markedUnread"], true, "{list}");
        let (_, body) = server.post(&format!("{chat}/read"), &key, json!({})).await;
        assert_eq!(body["data"]["marked"], 1, "{body}");
        let (_, list) = server.get("/api/v1/instances/sales/chats", &key).await;
        assert_eq!(list["data"][0]["markedUnread"], false, "{list}");

        let (_, body) = server.post(&format!("{chat}/pin"), &key, json!({})).await;
        assert_eq!(body["data"]["pinned"], true);
        let (status, body) = server
            .call(reqwest::Method::DELETE, chat, Some(&key), None)
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(
            body["data"],
            json!({ "jid": "15550002222@s.whatsapp.net", "deleted": true })
        );
        let (_, list) = server.get("/api/v1/instances/sales/chats", &key).await;
        assert_eq!(list["pagination"]["total"], 1, "{list}");
        assert_eq!(list["data"][0]["jid"], "15550003333@s.whatsapp.net");
        let (_, messages) = server.get(&format!("{chat}/messages"), &key).await;
        assert_eq!(messages["data"], json!([]), "{messages}");
        assert_eq!(messages["pagination"]["total"], 0);
        // The delivery record is kept.
        let (status, message) = server.get(&format!("/api/v1/messages/{sent}"), &key).await;
        assert_eq!(status, StatusCode::OK, "{message}");

        let kinds: Vec<String> = server
            .sandbox_activity(&key, "sales")
            .await
            .into_iter()
            .map(|entry| entry["kind"].as_str().unwrap().to_owned())
            .filter(|kind| ["unread", "read", "pin", "delete"].contains(&kind.as_str()))
            .collect();
        assert_eq!(kinds, ["unread", "read", "pin", "delete"]);

        // The chat comes back with its next message, unpinned and with only that message.
        server
            .inbound(
                &key,
                "sales",
                json!({ "from": "15550002222", "text": "Still there?" }),
            )
            .await;
        server
            .wait_for_event(&key, "message.received", |e| {
                e["data"]["body"] == "Still there?"
            })
            .await;
        let (_, list) = server.get("/api/v1/instances/sales/chats", &key).await;
        let first = &list["data"][0];
        assert_eq!(first["jid"], "15550002222@s.whatsapp.net", "{list}");
        assert_eq!(
            (
                first["messages"].clone(),
                first["unreadCount"].clone(),
                first["pinned"].clone()
            ),
            (json!(1), json!(1), json!(false)),
            "{list}"
        );
        let (_, messages) = server.get(&format!("{chat}/messages"), &key).await;
        assert_eq!(messages["pagination"]["total"], 1, "{messages}");

        let stranger = server.account("Other Co").await;
        let (status, _) = server
            .call(reqwest::Method::DELETE, chat, Some(&stranger), None)
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        let (status, body) = server
            .call(
                reqwest::Method::DELETE,
                "/api/v1/instances/sales/chats/hello",
                Some(&key),
                None,
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    })
    .await;
}
