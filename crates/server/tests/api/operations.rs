//! React, edit, revoke, read, forward, pin and unpin — and the refusals WhatsApp would give.

use crate::support::*;
use reqwest::StatusCode;
use serde_json::{Value, json};

async fn sent_text(server: &TestServer, key: &str, text: &str) -> String {
    let id = server.send_text(key, "sales", "15550002222", text).await;
    server.wait_for_message(key, &id, "read").await;
    id
}

async fn received_text(server: &TestServer, key: &str, text: &str) -> String {
    let provider = server
        .inbound(key, "sales", json!({ "from": "15550002222", "text": text }))
        .await
        .unwrap();
    let event = server
        .wait_for_event(key, "message.received", |e| {
            e["data"]["providerMessageId"] == provider.as_str()
        })
        .await;
    event["data"]["messageId"].as_str().unwrap().to_owned()
}

async fn op(
    server: &TestServer,
    key: &str,
    id: &str,
    operation: &str,
    body: Value,
) -> (StatusCode, Value) {
    server
        .post(&format!("/api/v1/messages/{id}/{operation}"), key, body)
        .await
}

#[tokio::test]
async fn reactions_are_set_replaced_and_removed() {
    on_each_backend(|server| async move {
        let (key, _) = server.linked_instance("sales").await;
        let id = sent_text(&server, &key, "Hello").await;
        let (status, body) = op(&server, &key, &id, "react", json!({ "emoji": "👍" })).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["data"]["reactions"][0]["from"], "me");
        assert_eq!(body["data"]["reactions"][0]["emoji"], "👍");
        let (_, body) = op(&server, &key, &id, "react", json!({ "emoji": "❤️" })).await;
        assert_eq!(body["data"]["reactions"].as_array().unwrap().len(), 1);
        let (_, body) = op(&server, &key, &id, "react", json!({ "emoji": "" })).await;
        assert!(body["data"]["reactions"].as_array().unwrap().is_empty());
        let (status, body) = op(&server, &key, &id, "react", json!({ "emoji": "nice" })).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(fields(&body), ["emoji"]);
        let reactions: Vec<_> = server
            .events(&key)
            .await
            .into_iter()
            .filter(|e| e["event"] == "message.reaction")
            .map(|e| e["data"]["emoji"].as_str().unwrap().to_owned())
            .collect();
        assert_eq!(reactions, ["👍", "❤️", ""]);
        server.stop().await;
    })
    .await;
}

#[tokio::test]
async fn only_own_text_messages_are_edited_and_only_own_messages_revoked_once() {
    on_each_backend(|server| async move {
        let (key, _) = server.linked_instance("sales").await;
        let mine = sent_text(&server, &key, "Helo").await;
        let (status, body) = op(&server, &key, &mine, "edit", json!({ "text": "Hello" })).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["data"]["body"], "Hello");
        assert!(body["data"]["editedAt"].is_string());
        let edited = server
            .wait_for_event(&key, "message.edited", |_| true)
            .await;
        assert_eq!(edited["data"]["previousText"], "Helo");
        let (status, body) = op(&server, &key, &mine, "edit", json!({ "text": "" })).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");

        let theirs = received_text(&server, &key, "Their words").await;
        let (status, body) = op(
            &server,
            &key,
            &theirs,
            "edit",
            json!({ "text": "Mine now" }),
        )
        .await;
        assert_eq!(status, StatusCode::CONFLICT, "{body}");
        assert!(body["error"].as_str().unwrap().contains("your own"));
        let (status, _) = op(&server, &key, &theirs, "revoke", json!({})).await;
        assert_eq!(status, StatusCode::CONFLICT);

        let (_, location) = server
            .post(
                "/api/v1/instances/sales/messages",
                &key,
                json!({ "to": "15550002222", "location": { "latitude": 1, "longitude": 2 } }),
            )
            .await;
        let location = location["data"]["id"].as_str().unwrap().to_owned();
        server.wait_for_message(&key, &location, "read").await;
        let (status, _) = op(&server, &key, &location, "edit", json!({ "text": "x" })).await;
        assert_eq!(status, StatusCode::CONFLICT, "only text can be edited");

        let (status, body) = op(&server, &key, &mine, "revoke", json!({})).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert!(body["data"]["revokedAt"].is_string());
        server
            .wait_for_event(&key, "message.revoked", |e| {
                e["data"]["messageId"] == mine.as_str()
            })
            .await;
        let (status, body) = op(&server, &key, &mine, "revoke", json!({})).await;
        assert_eq!(status, StatusCode::CONFLICT);
        assert!(body["error"].as_str().unwrap().contains("already"));
        let (status, _) = op(&server, &key, &mine, "edit", json!({ "text": "too late" })).await;
        assert_eq!(status, StatusCode::CONFLICT);
        server.stop().await;
    })
    .await;
}

#[tokio::test]
async fn received_messages_are_marked_read_once() {
    on_each_backend(|server| async move {
        let (key, _) = server.linked_instance("sales").await;
        let theirs = received_text(&server, &key, "Read me").await;
        let (status, body) = op(&server, &key, &theirs, "read", json!({})).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["data"]["status"], "read");
        assert!(body["data"]["readAt"].is_string());
        let (status, _) = op(&server, &key, &theirs, "read", json!({})).await;
        assert_eq!(status, StatusCode::OK, "reading again changes nothing");
        let reads = server
            .events(&key)
            .await
            .into_iter()
            .filter(|e| e["event"] == "message.read")
            .count();
        assert_eq!(reads, 1);
        let mine = sent_text(&server, &key, "Mine").await;
        let (status, _) = op(&server, &key, &mine, "read", json!({})).await;
        assert_eq!(status, StatusCode::CONFLICT);
        server.stop().await;
    })
    .await;
}

#[tokio::test]
async fn messages_are_forwarded_pinned_and_unpinned() {
    on_each_backend(|server| async move {
        let (key, _) = server.linked_instance("sales").await;
        let theirs = received_text(&server, &key, "Pass it on").await;
        let (status, body) = op(
            &server,
            &key,
            &theirs,
            "forward",
            json!({ "to": "+1 555 000 4444" }),
        )
        .await;
        assert_eq!(status, StatusCode::ACCEPTED, "{body}");
        let forwarded = body["data"]["id"].as_str().unwrap().to_owned();
        let message = server.wait_for_message(&key, &forwarded, "read").await;
        assert_eq!(message["body"], "Pass it on");
        assert_eq!(message["to"], "15550004444");
        let (status, body) = op(&server, &key, &theirs, "forward", json!({ "to": "nobody" })).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(fields(&body), ["to"]);

        let (status, body) = op(
            &server,
            &key,
            &forwarded,
            "pin",
            json!({ "duration": "24h" }),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert!(body["data"]["pinnedUntil"].is_string());
        let (status, _) = op(
            &server,
            &key,
            &forwarded,
            "pin",
            json!({ "duration": "1y" }),
        )
        .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        let (status, body) = op(&server, &key, &forwarded, "unpin", json!({})).await;
        assert_eq!(status, StatusCode::OK);
        assert!(body["data"]["pinnedUntil"].is_null());
        let (status, _) = op(&server, &key, &forwarded, "unpin", json!({})).await;
        assert_eq!(status, StatusCode::CONFLICT, "not pinned any more");
        let names: Vec<_> = server
            .events(&key)
            .await
            .into_iter()
            .map(|e| e["event"].as_str().unwrap().to_owned())
            .collect();
        assert!(
            names.contains(&"message.pinned".to_owned())
                && names.contains(&"message.unpinned".to_owned())
        );
        server.stop().await;
    })
    .await;
}

#[tokio::test]
async fn operations_need_a_sent_message_a_connection_and_the_callers_message() {
    on_each_backend(|server| async move {
        let (key, _) = server.linked_instance("sales").await;
        let sent = sent_text(&server, &key, "Hello").await;
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
        let (status, body) = op(&server, &key, &sent, "react", json!({ "emoji": "👍" })).await;
        assert_eq!(status, StatusCode::CONFLICT, "{body}");
        assert_eq!(body["code"], "INSTANCE_NOT_CONNECTED");
        let queued = server
            .send_text(&key, "sales", "15550002222", "waiting")
            .await;
        let (status, body) = op(&server, &key, &queued, "edit", json!({ "text": "x" })).await;
        assert_eq!(status, StatusCode::CONFLICT, "{body}");
        let stranger = server.account("Stranger").await;
        let (status, _) = op(&server, &stranger, &sent, "react", json!({ "emoji": "👍" })).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        server.stop().await;
    })
    .await;
}

#[tokio::test]
async fn what_one_sandbox_number_does_to_a_message_the_other_sees() {
    on_each_backend(|server| async move {
        let (alice, _) = server.linked_instance("sales").await;
        let bob = server.account("Bob Ltd").await;
        server.instance(&bob, "bob").await;
        server.link(&bob, "bob", "15550009999").await;
        let sent = server
            .send_text(&alice, "sales", "15550009999", "Helo Bob")
            .await;
        server.wait_for_message(&alice, &sent, "read").await;
        let received = server
            .wait_for_event(&bob, "message.received", |_| true)
            .await;
        let bobs_copy = received["data"]["messageId"].as_str().unwrap().to_owned();

        let (status, _) = op(
            &server,
            &alice,
            &sent,
            "edit",
            json!({ "text": "Hello Bob" }),
        )
        .await;
        assert_eq!(status, StatusCode::OK);
        let edited = server
            .wait_for_event(&bob, "message.edited", |_| true)
            .await;
        assert_eq!(edited["data"]["messageId"], bobs_copy.as_str());
        assert_eq!(edited["data"]["text"], "Hello Bob");

        let (status, _) = op(&server, &bob, &bobs_copy, "react", json!({ "emoji": "😀" })).await;
        assert_eq!(status, StatusCode::OK);
        let reaction = server
            .wait_for_event(&alice, "message.reaction", |_| true)
            .await;
        assert_eq!(reaction["data"]["messageId"], sent.as_str());
        assert_eq!(reaction["data"]["from"], "15550009999");

        let (status, _) = op(&server, &alice, &sent, "revoke", json!({})).await;
        assert_eq!(status, StatusCode::OK);
        let revoked = server
            .wait_for_event(&bob, "message.revoked", |_| true)
            .await;
        assert_eq!(revoked["data"]["messageId"], bobs_copy.as_str());
        server.stop().await;
    })
    .await;
}
