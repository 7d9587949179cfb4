//! Every kind of event, as webhooks deliver it, matches what the OpenAPI document publishes
//! for it under `webhooks`: the documentation cannot drift from the payloads.

use crate::receiver::{Receiver, event_names};
use crate::support::*;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use std::collections::BTreeSet;
use wagate_server::config::Config;

fn deliver_fast(config: &mut Config) {
    config.webhooks.allow_private_targets = true;
    config.webhooks.retry_schedule_secs = vec![0.05, 0.05, 0.05];
    config.webhooks.poll_interval_ms = 50;
    // One transient failure pauses sending for a second: session.paused, then session.resumed.
    config.dispatcher.breaker_threshold = 1;
    config.dispatcher.breaker_pause_secs = 1;
}

async fn op(server: &TestServer, key: &str, id: &str, operation: &str, body: Value) {
    let (status, answer) = server
        .post(&format!("/api/v1/messages/{id}/{operation}"), key, body)
        .await;
    assert_eq!(status, StatusCode::OK, "{operation}: {answer}");
}

async fn received(server: &TestServer, key: &str, body: Value) -> String {
    let provider = server.inbound(key, "sales", body).await.unwrap();
    let event = server
        .wait_for_event(key, "message.received", |e| {
            e["data"]["providerMessageId"] == provider.as_str()
        })
        .await;
    event["data"]["messageId"].as_str().unwrap().to_owned()
}

async fn sent(server: &TestServer, key: &str, body: Value) -> String {
    let (status, answer) = server
        .post("/api/v1/instances/sales/messages", key, body)
        .await;
    assert_eq!(status, StatusCode::ACCEPTED, "{answer}");
    let id = answer["data"]["id"].as_str().unwrap().to_owned();
    server.wait_for_message(key, &id, "read").await;
    id
}

/// Makes the gateway emit every kind of event it has.
async fn emit_every_event(server: &TestServer, key: &str, webhook_id: &str) {
    server.instance(key, "sales").await;
    // history.synced, as the phone hands its past over on linking.
    let (status, body) = server
        .put(
            "/api/v1/instances/sales/settings",
            key,
            json!({ "syncHistory": true }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    server.link(key, "sales", "15550001111").await;
    server.instance(key, "paired").await;
    let (status, body) = server
        .post(
            "/api/v1/instances/paired/connect",
            key,
            json!({ "phoneNumber": "15550004444" }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");

    let mine = sent(
        server,
        key,
        json!({ "to": "15550002222", "text": "Hello", "metadata": { "order": 7 } }),
    )
    .await;
    op(server, key, &mine, "react", json!({ "emoji": "👍" })).await;
    op(server, key, &mine, "edit", json!({ "text": "Hello again" })).await;
    op(server, key, &mine, "pin", json!({ "duration": "24h" })).await;
    op(server, key, &mine, "unpin", json!({})).await;
    op(server, key, &mine, "revoke", json!({})).await;
    let (status, body) = server
        .post(
            "/api/v1/instances/sales/messages",
            key,
            json!({ "to": "15550000000", "text": "Nobody" }),
        )
        .await;
    assert_eq!(status, StatusCode::ACCEPTED, "{body}");

    let theirs = received(
        server,
        key,
        json!({ "from": "15550002222", "pushName": "Ann", "text": "Hi" }),
    )
    .await;
    op(server, key, &theirs, "read", json!({})).await;
    let provider = server
        .inbound(
            key,
            "sales",
            json!({ "from": "15550002222", "text": "Typo" }),
        )
        .await
        .unwrap();
    server
        .inbound(
            key,
            "sales",
            json!({ "from": "15550002222", "edit": { "messageId": provider, "text": "Fixed" } }),
        )
        .await;
    server
        .inbound(
            key,
            "sales",
            json!({ "from": "15550002222", "revoke": { "messageId": provider } }),
        )
        .await;
    let poll = sent(
        server,
        key,
        json!({ "to": "15550002222", "poll": { "name": "Lunch?", "values": ["Yes", "No"] } }),
    )
    .await;
    server
        .inbound(
            key,
            "sales",
            json!({ "from": "15550002222", "pollVote": { "messageId": poll, "values": ["Yes"] } }),
        )
        .await;
    server
        .inbound(
            key,
            "sales",
            json!({ "from": "15550002222", "reaction": { "messageId": poll, "emoji": "🎉" } }),
        )
        .await;

    let (status, body) = server
        .post(
            "/api/v1/sandbox/instances/sales/faults",
            key,
            json!({ "kind": "transient", "count": 1 }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    sent(server, key, json!({ "to": "15550002222", "text": "Probe" })).await;

    // call.received
    let (status, body) = server
        .post(
            "/api/v1/sandbox/instances/sales/call",
            key,
            json!({ "from": "15550002222" }),
        )
        .await;
    assert_eq!(status, StatusCode::ACCEPTED, "{body}");

    // presence.updated
    let (status, body) = server
        .post(
            "/api/v1/sandbox/instances/sales/presence",
            key,
            json!({ "from": "15550002222", "state": "unavailable" }),
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");

    // group.updated (created, subject, settings) and group.participants_updated.
    let (status, group) = server
        .post(
            "/api/v1/instances/sales/groups",
            key,
            json!({ "subject": "Launch", "participants": ["15550002222"] }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{group}");
    let jid = group["data"]["jid"].as_str().unwrap();
    for (path, body) in [
        ("subject", json!({ "subject": "Launch (Q3)" })),
        ("description", json!({ "description": null })),
        ("settings", json!({ "announce": true, "ephemeral": 86400 })),
    ] {
        let (status, answer) = server
            .put(
                &format!("/api/v1/instances/sales/groups/{jid}/{path}"),
                key,
                body,
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{answer}");
    }
    let (status, answer) = server
        .post(
            &format!("/api/v1/instances/sales/groups/{jid}/participants/promote"),
            key,
            json!({ "participants": ["15550002222"] }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{answer}");

    // label.updated (created, deleted) and label.chat_updated.
    let (status, label) = server
        .post(
            "/api/v1/instances/sales/labels",
            key,
            json!({ "name": "New customer" }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{label}");
    let label = label["data"]["id"].as_str().unwrap();
    let (status, answer) = server
        .post(
            &format!("/api/v1/instances/sales/chats/15550002222/labels/{label}"),
            key,
            json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    let (status, answer) = server
        .call(
            Method::DELETE,
            &format!("/api/v1/instances/sales/labels/{label}"),
            Some(key),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{answer}");

    let (status, body) = server
        .post(
            &format!("/api/v1/webhooks/{webhook_id}/test"),
            key,
            json!({}),
        )
        .await;
    assert!(status.is_success(), "{body}");
    let (status, body) = server
        .post("/api/v1/instances/sales/logout", key, json!({}))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, body) = server
        .call(Method::DELETE, "/api/v1/instances/paired", Some(key), None)
        .await;
    assert!(status.is_success(), "{body}");
}

#[tokio::test]
async fn every_event_matches_its_published_schema() {
    let server = TestServer::start(Backend::Sqlite, deliver_fast).await;
    let (status, document) = server.call(Method::GET, "/openapi.json", None, None).await;
    assert_eq!(status, StatusCode::OK);
    let published: BTreeSet<String> = document["webhooks"]
        .as_object()
        .expect("a webhooks section")
        .keys()
        .cloned()
        .collect();

    let key = server.account("Acme").await;
    let everything = Receiver::start().await;
    let gone = Receiver::start().await;
    gone.answer_with(&[410]);
    let (status, webhook) = server
        .post(
            "/api/v1/webhooks",
            &key,
            json!({ "url": everything.url, "events": ["*"] }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{webhook}");
    let (status, body) = server
        .post(
            "/api/v1/webhooks",
            &key,
            json!({ "url": gone.url, "events": ["instance.created"] }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    emit_every_event(&server, &key, webhook["data"]["id"].as_str().unwrap()).await;

    let deliveries = everything
        .wait_for("every kind of event", |r| {
            event_names(r).into_iter().collect::<BTreeSet<_>>() == published
        })
        .await;
    for delivery in &deliveries {
        let body = delivery.json();
        let event = body["event"].as_str().unwrap();
        // The published schema, resolved against the whole document.
        let mut schema = document.clone();
        schema["$ref"] = json!(format!(
            "#/webhooks/{}/post/requestBody/content/application~1json/schema",
            event
        ));
        let validator = jsonschema::draft202012::new(&schema).expect("a valid schema");
        let errors: Vec<String> = validator
            .iter_errors(&body)
            .map(|e| format!("{} at {}", e, e.instance_path()))
            .collect();
        assert!(errors.is_empty(), "{event}: {errors:?} in {body}");
    }
    server.stop().await;
}
