//! `Idempotency-Key`: a client that retries gets the first answer, never a second message.

use crate::support::*;
use futures_util::future::join_all;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

const SEND: &str = "/api/v1/instances/sales/messages";

/// POSTs with a key; answers the status, the replay header and the body.
async fn post_with_key(
    server: &TestServer,
    key: &str,
    path: &str,
    idempotency_key: &str,
    body: Value,
) -> (StatusCode, Option<String>, Value) {
    let response = server
        .raw(Method::POST, path)
        .await
        .bearer_auth(key)
        .header("Idempotency-Key", idempotency_key)
        .json(&body)
        .send()
        .await
        .unwrap();
    let status = response.status();
    let replayed = response
        .headers()
        .get("idempotency-replayed")
        .map(|v| v.to_str().unwrap().to_owned());
    (status, replayed, response.json().await.unwrap())
}

async fn message_count(server: &TestServer, key: &str) -> u64 {
    let (status, body) = server.get("/api/v1/messages?limit=200", key).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body["data"].as_array().unwrap().len() as u64
}

#[tokio::test]
async fn a_retried_send_is_answered_from_the_first_and_sent_once() {
    on_each_backend(|server| async move {
        let (key, _) = server.linked_instance("sales").await;
        let body = json!({ "to": "15550002222", "text": "Your order shipped" });
        let (status, replayed, first) =
            post_with_key(&server, &key, SEND, "order-1234-shipped", body.clone()).await;
        assert_eq!(status, StatusCode::ACCEPTED, "{first}");
        assert_eq!(replayed, None);
        let (status, replayed, second) =
            post_with_key(&server, &key, SEND, "order-1234-shipped", body.clone()).await;
        assert_eq!(status, StatusCode::ACCEPTED);
        assert_eq!(replayed.as_deref(), Some("true"));
        assert_eq!(second, first);
        assert_eq!(message_count(&server, &key).await, 1);

        // The same key with another request is a conflict; nothing is sent.
        let (status, _, conflict) = post_with_key(
            &server,
            &key,
            SEND,
            "order-1234-shipped",
            json!({ "to": "15550002222", "text": "Something else" }),
        )
        .await;
        assert_eq!(status, StatusCode::CONFLICT, "{conflict}");
        assert_eq!(conflict["code"], "IDEMPOTENCY_CONFLICT");
        assert_eq!(message_count(&server, &key).await, 1);

        // Refusals are replayed too, and a key that is not printable ASCII is refused.
        let bad = json!({ "to": "15550002222" });
        let (status, _, _) = post_with_key(&server, &key, SEND, "bad-1", bad.clone()).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        let (status, replayed, _) = post_with_key(&server, &key, SEND, "bad-1", bad).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(replayed.as_deref(), Some("true"));
        let (status, _, refused) = post_with_key(&server, &key, SEND, "", body.clone()).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(fields(&refused), ["Idempotency-Key"]);

        // Keys are per account: another account's same key is its own.
        let other = server.account("Other").await;
        server.instance(&other, "sales").await;
        server.link(&other, "sales", "15550005555").await;
        let (status, replayed, theirs) =
            post_with_key(&server, &other, SEND, "order-1234-shipped", body).await;
        assert_eq!(status, StatusCode::ACCEPTED, "{theirs}");
        assert_eq!(replayed, None);
        assert_ne!(theirs["data"]["id"], first["data"]["id"]);
        server.stop().await;
    })
    .await;
}

#[tokio::test]
async fn concurrent_requests_with_one_key_create_one_message() {
    on_each_backend(|server| async move {
        let (key, _) = server.linked_instance("sales").await;
        let body = json!({ "to": "15550002222", "text": "Only once" });
        let answers =
            join_all((0..10).map(|_| post_with_key(&server, &key, SEND, "race", body.clone())))
                .await;
        let ids: std::collections::HashSet<_> = answers
            .iter()
            .map(|(status, _, body)| {
                assert_eq!(*status, StatusCode::ACCEPTED, "{body}");
                body["data"]["id"].as_str().unwrap().to_owned()
            })
            .collect();
        assert_eq!(ids.len(), 1, "one message for one key");
        assert_eq!(
            answers
                .iter()
                .filter(|(_, replayed, _)| replayed.is_some())
                .count(),
            9
        );
        assert_eq!(message_count(&server, &key).await, 1);
        server.stop().await;
    })
    .await;
}

#[tokio::test]
async fn other_creations_are_idempotent_without_replaying_keys() {
    on_each_backend(|server| async move {
        let key = server.account("Acme").await;
        let body = json!({ "name": "support", "engine": "sandbox" });
        let (status, _, first) = post_with_key(
            &server,
            &key,
            "/api/v1/instances",
            "new-support",
            body.clone(),
        )
        .await;
        assert_eq!(status, StatusCode::CREATED, "{first}");
        assert!(first["data"]["apiKey"].is_string());
        let (status, replayed, second) =
            post_with_key(&server, &key, "/api/v1/instances", "new-support", body).await;
        assert_eq!(status, StatusCode::CREATED, "{second}");
        assert_eq!(replayed.as_deref(), Some("true"));
        assert_eq!(second["data"]["id"], first["data"]["id"]);
        assert!(second["data"]["apiKey"].is_null(), "keys are shown once");
        let (_, list) = server.get("/api/v1/instances", &key).await;
        assert_eq!(list["data"].as_array().unwrap().len(), 1);
        server.stop().await;
    })
    .await;
}

/// The stored record of `idempotency_key` for the holder of `key`, as the database has it.
async fn stored_record(server: &TestServer, key: &str, idempotency_key: &str) -> String {
    let store = server.server().gateway().store();
    let record = store
        .find_api_key(&wagate_server::services::hash_key(key))
        .await
        .unwrap()
        .expect("the key is stored");
    let account = wagate_core::AccountId::parse(&server.account_id(key).await).unwrap();
    let day_ago = chrono::Utc::now() - chrono::Duration::hours(24);
    match store
        .claim_idempotency_key(&account, &record.id, idempotency_key, "", day_ago, day_ago)
        .await
        .unwrap()
    {
        wagate_store::IdempotencyClaim::Completed(stored) => stored.body,
        other => panic!("no completed record: {other:?}"),
    }
}

#[tokio::test]
async fn one_key_is_never_answered_what_another_key_did() {
    on_each_backend(|server| async move {
        let key = server.account("Acme").await;
        let (_, sales_key) = server.instance(&key, "sales").await;
        let (_, support_key) = server.instance(&key, "support").await;
        let hook = json!({ "url": "https://example.com/hook", "instanceId": "sales" });

        // The account key's webhook, with its once-shown secret.
        let (status, _, first) =
            post_with_key(&server, &key, "/api/v1/webhooks", "hook-1", hook.clone()).await;
        assert_eq!(status, StatusCode::CREATED, "{first}");
        let secret = first["data"]["secret"].as_str().unwrap().to_owned();
        // The same Idempotency-Key from an instance key is that key's own request.
        let (status, replayed, second) = post_with_key(
            &server,
            &sales_key,
            "/api/v1/webhooks",
            "hook-1",
            hook.clone(),
        )
        .await;
        assert_eq!(replayed, None, "{second}");
        assert!(!second.to_string().contains(&secret), "{second}");
        assert_ne!(
            second["data"]["id"], first["data"]["id"],
            "{status}: {second}"
        );
        // Neither the instance key's request nor the account key's is answered to another
        // instance key.
        let (_, replayed, third) = post_with_key(
            &server,
            &support_key,
            "/api/v1/webhooks",
            "hook-1",
            hook.clone(),
        )
        .await;
        assert_eq!(replayed, None, "{third}");
        assert!(!third.to_string().contains(&secret), "{third}");
        // The holder of the first key still gets its own answer again.
        let (_, replayed, again) =
            post_with_key(&server, &key, "/api/v1/webhooks", "hook-1", hook).await;
        assert_eq!(replayed.as_deref(), Some("true"));
        assert_eq!(again["data"]["id"], first["data"]["id"]);

        // An instance key may not create instances, and is not answered the account key's.
        let body = json!({ "name": "marketing", "engine": "sandbox" });
        let (status, _, created) = post_with_key(
            &server,
            &key,
            "/api/v1/instances",
            "new-marketing",
            body.clone(),
        )
        .await;
        assert_eq!(status, StatusCode::CREATED, "{created}");
        let (status, replayed, refused) = post_with_key(
            &server,
            &sales_key,
            "/api/v1/instances",
            "new-marketing",
            body,
        )
        .await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{refused}");
        assert_eq!(replayed, None);

        // What is kept to replay holds no secret in clear.
        let stored = stored_record(&server, &key, "hook-1").await;
        assert!(!stored.contains(&secret), "{stored}");
        assert!(
            !stored.contains("example.com"),
            "the whole answer is sealed: {stored}"
        );
        server.stop().await;
    })
    .await;
}
