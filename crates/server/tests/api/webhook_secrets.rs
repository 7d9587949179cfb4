//! Webhook secrets and custom header values at rest: sealed in the database, shown by name
//! only, opened to sign and send each delivery — including rows kept in plain text before.

use crate::receiver::{Received, Receiver};
use crate::support::*;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use std::collections::BTreeMap;
use wagate_core::AccountId;
use wagate_store::WebhookRecord;

fn fast_webhooks(config: &mut wagate_server::config::Config) {
    config.webhooks.allow_private_targets = true;
    config.webhooks.retry_schedule_secs = vec![0.05, 0.05, 0.05];
    config.webhooks.poll_interval_ms = 50;
    config.webhooks.timeout_secs = 2.0;
}

async fn account_id(server: &TestServer, key: &str) -> AccountId {
    let (status, me) = server.get("/api/v1/auth/me", key).await;
    assert_eq!(status, StatusCode::OK, "{me}");
    AccountId::from_trusted(me["data"]["id"].as_str().unwrap().to_owned())
}

/// The endpoint's row as the database holds it.
async fn stored(server: &TestServer, account: &AccountId, id: &str) -> WebhookRecord {
    server
        .server()
        .gateway()
        .store()
        .find_webhook(account, id)
        .await
        .unwrap()
        .expect("the webhook's row")
}

/// Asks for a `webhook.test` delivery and answers it once it arrived.
async fn test_delivery(server: &TestServer, key: &str, id: &str, receiver: &Receiver) -> Received {
    let before = receiver.received().len();
    let (status, body) = server
        .post(&format!("/api/v1/webhooks/{id}/test"), key, json!({}))
        .await;
    assert_eq!(status, StatusCode::ACCEPTED, "{body}");
    let event_id = body["data"]["eventId"].as_str().unwrap().to_owned();
    let received = receiver
        .wait_for("the test delivery", |r| {
            r[before..]
                .iter()
                .any(|d| d.json()["id"] == event_id.as_str())
        })
        .await;
    received
        .into_iter()
        .find(|d| d.json()["id"] == event_id.as_str())
        .unwrap()
}

fn assert_names_only(view: &Value, names: &[&str]) {
    assert_eq!(view["headerNames"], json!(names), "{view}");
    assert!(view.get("headers").is_none(), "no header values: {view}");
}

fn verifies(secret: &str, delivery: &Received) -> bool {
    standardwebhooks::Webhook::new(secret)
        .unwrap()
        .verify(&delivery.body, &delivery.headers)
        .is_ok()
}

#[tokio::test]
async fn webhook_secrets_and_header_values_are_sealed_at_rest_and_shown_by_name_only() {
    on_each_backend_with(fast_webhooks, |server| async move {
        let receiver = Receiver::start().await;
        let key = server.account("Acme").await;
        let account = account_id(&server, &key).await;
        let (status, created) = server
            .post(
                "/api/v1/webhooks",
                &key,
                json!({ "url": receiver.url, "headers": { "Authorization": "Bearer receiver-token-123", "X-Team": "ops-team" } }),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{created}");
        let created = &created["data"];
        assert_names_only(created, &["Authorization", "X-Team"]);
        let secret = created["secret"].as_str().unwrap().to_owned();
        let id = created["id"].as_str().unwrap().to_owned();

        let row = stored(&server, &account, &id).await;
        let raw = format!("{row:?}");
        for plain in [secret.as_str(), "receiver-token-123", "ops-team"] {
            assert!(!raw.contains(plain), "'{plain}' is stored in plain text: {raw}");
        }
        assert!(row.secret.starts_with("v1."), "{}", row.secret);
        assert!(row.headers.values().all(|v| v.starts_with("v1.")), "{raw}");

        let (_, shown) = server.get(&format!("/api/v1/webhooks/{id}"), &key).await;
        assert_names_only(&shown["data"], &["Authorization", "X-Team"]);
        assert!(shown["data"].get("secret").is_none());
        let (_, listed) = server.get("/api/v1/webhooks", &key).await;
        assert_names_only(&listed["data"][0], &["Authorization", "X-Team"]);
        let (status, patched) = server
            .call(Method::PATCH, &format!("/api/v1/webhooks/{id}"), Some(&key), Some(json!({ "description": "ops" })))
            .await;
        assert_eq!(status, StatusCode::OK, "{patched}");
        assert_names_only(&patched["data"], &["Authorization", "X-Team"]);
        assert_eq!(stored(&server, &account, &id).await.headers, row.headers, "untouched");

        let delivery = test_delivery(&server, &key, &id, &receiver).await;
        assert_eq!(delivery.header("authorization"), "Bearer receiver-token-123");
        assert_eq!(delivery.header("x-team"), "ops-team");
        assert!(verifies(&secret, &delivery), "signed with the secret of the create answer");

        // New headers replace the old ones, sealed too; a new secret is sealed and signs.
        let (status, patched) = server
            .call(Method::PATCH, &format!("/api/v1/webhooks/{id}"), Some(&key), Some(json!({ "headers": { "X-Key": "second-value" } })))
            .await;
        assert_eq!(status, StatusCode::OK, "{patched}");
        assert_names_only(&patched["data"], &["X-Key"]);
        let (_, rotated) = server
            .post(&format!("/api/v1/webhooks/{id}/rotate-secret"), &key, json!({}))
            .await;
        let second = rotated["data"]["secret"].as_str().unwrap().to_owned();
        assert_names_only(&rotated["data"], &["X-Key"]);
        let raw = format!("{:?}", stored(&server, &account, &id).await);
        assert!(!raw.contains("second-value") && !raw.contains(&second), "{raw}");
        let delivery = test_delivery(&server, &key, &id, &receiver).await;
        assert_eq!(delivery.header("x-key"), "second-value");
        assert_eq!(delivery.header("authorization"), "");
        assert!(verifies(&second, &delivery) && !verifies(&secret, &delivery));

        // The account's default endpoint: its secret sealed, shown only when it is made.
        let (status, first) = server
            .call(Method::PUT, "/api/v1/auth/me/webhook", Some(&key), Some(json!({ "url": receiver.url })))
            .await;
        assert_eq!(status, StatusCode::OK, "{first}");
        let default_secret = first["data"]["secret"].as_str().unwrap().to_owned();
        let default_id = first["data"]["id"].as_str().unwrap().to_owned();
        assert_names_only(&first["data"], &[]);
        let row = stored(&server, &account, &default_id).await;
        assert!(row.secret.starts_with("v1.") && !row.secret.contains(&default_secret));
        let (status, again) = server
            .call(Method::PUT, "/api/v1/auth/me/webhook", Some(&key), Some(json!({ "url": receiver.url })))
            .await;
        assert_eq!(status, StatusCode::OK, "{again}");
        assert!(again["data"].get("secret").is_none(), "shown only when made: {again}");
        let delivery = test_delivery(&server, &key, &default_id, &receiver).await;
        assert!(verifies(&default_secret, &delivery));
        server.stop().await;
    })
    .await;
}

#[tokio::test]
async fn secrets_and_headers_kept_in_plain_text_are_sealed_at_start_and_still_deliver() {
    on_each_backend_with(fast_webhooks, |server| async move {
        let receiver = Receiver::start().await;
        let key = server.account("Acme").await;
        let account = account_id(&server, &key).await;
        let created = server
            .post("/api/v1/webhooks", &key, json!({ "url": receiver.url }))
            .await
            .1;
        let id = created["data"]["id"].as_str().unwrap().to_owned();
        // The row as an older wagate wrote it: secret and header values in plain text.
        let legacy_secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
        let mut row = stored(&server, &account, &id).await;
        row.secret = legacy_secret.to_owned();
        row.headers =
            BTreeMap::from([("Authorization".to_owned(), "Bearer legacy-token".to_owned())]);
        server
            .server()
            .gateway()
            .store()
            .save_webhook(&row)
            .await
            .unwrap();

        let delivery = test_delivery(&server, &key, &id, &receiver).await;
        assert_eq!(
            delivery.header("authorization"),
            "Bearer legacy-token",
            "plain values are read"
        );
        assert!(verifies(legacy_secret, &delivery));

        let server = server.restart().await;
        let row = stored(&server, &account, &id).await;
        let raw = format!("{row:?}");
        assert!(
            !raw.contains(legacy_secret) && !raw.contains("legacy-token"),
            "sealed at start: {raw}"
        );
        assert!(row.secret.starts_with("v1."));
        let (_, shown) = server.get(&format!("/api/v1/webhooks/{id}"), &key).await;
        assert_names_only(&shown["data"], &["Authorization"]);
        let delivery = test_delivery(&server, &key, &id, &receiver).await;
        assert_eq!(
            delivery.header("authorization"),
            "Bearer legacy-token",
            "nothing lost"
        );
        assert!(verifies(legacy_secret, &delivery));
        server.stop().await;
    })
    .await;
}
