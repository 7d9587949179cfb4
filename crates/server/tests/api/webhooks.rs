//! Webhooks: signed, retried, disabled, replayed, and private to their account.

use crate::receiver::{Receiver, event_names};
use crate::support::*;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use std::collections::HashSet;

fn fast_webhooks(config: &mut wagate_server::config::Config) {
    config.webhooks.allow_private_targets = true;
    config.webhooks.retry_schedule_secs = vec![0.05, 0.05, 0.05];
    config.webhooks.poll_interval_ms = 50;
    config.webhooks.timeout_secs = 2.0;
}

async fn create_webhook(server: &TestServer, key: &str, body: Value) -> Value {
    let (status, answer) = server.post("/api/v1/webhooks", key, body.clone()).await;
    assert_eq!(status, StatusCode::CREATED, "{body}: {answer}");
    answer["data"].clone()
}

#[tokio::test]
async fn deliveries_are_signed_enveloped_and_verified_by_the_reference_library() {
    on_each_backend_with(fast_webhooks, |server| async move {
        let receiver = Receiver::start().await;
        let (key, instance) = server.linked_instance("sales").await;
        let webhook = create_webhook(
            &server,
            &key,
            json!({ "url": receiver.url, "events": ["*"], "headers": { "X-Team": "ops" } }),
        )
        .await;
        let secret = webhook["secret"].as_str().unwrap().to_owned();
        assert!(secret.starts_with("whsec_"));
        let (_, shown) = server
            .get(
                &format!("/api/v1/webhooks/{}", webhook["id"].as_str().unwrap()),
                &key,
            )
            .await;
        assert!(
            shown["data"].get("secret").is_none(),
            "the secret is shown only once"
        );

        let id = server
            .send_text(&key, "sales", "15550002222", "Hello")
            .await;
        server.wait_for_message(&key, &id, "read").await;
        let received = receiver
            .wait_for("the read status", |r| {
                event_names(r)
                    .iter()
                    .filter(|e| *e == "message.status_updated")
                    .count()
                    >= 3
            })
            .await;
        let verifier = standardwebhooks::Webhook::new(&secret).unwrap();
        for delivery in &received {
            verifier
                .verify(&delivery.body, &delivery.headers)
                .expect("a valid Standard Webhooks signature");
            let body = delivery.json();
            assert_eq!(delivery.header("webhook-id"), body["id"].as_str().unwrap());
            assert_eq!(delivery.header("x-team"), "ops");
            assert_eq!(delivery.header("content-type"), "application/json");
            for field in ["id", "event", "instanceId", "instance", "timestamp", "data"] {
                assert!(body.get(field).is_some(), "{field} in {body}");
            }
            assert_eq!(body["instanceId"], instance.as_str());
        }
        let statuses: Vec<_> = received
            .iter()
            .map(|r| r.json())
            .filter(|b| {
                b["event"] == "message.status_updated" && b["data"]["messageId"] == id.as_str()
            })
            .map(|b| b["data"]["status"].as_str().unwrap().to_owned())
            .collect();
        // Deliveries to one endpoint run in parallel, so they may arrive in any order.
        let mut statuses = statuses;
        statuses.sort();
        assert_eq!(statuses, ["delivered", "read", "sent"]);
        let read = received
            .iter()
            .map(|r| r.json())
            .find(|b| b["data"]["status"] == "read")
            .unwrap();
        for field in [
            "messageId",
            "status",
            "to",
            "deliveredAt",
            "readAt",
            "failedAt",
            "errorMessage",
            "metadata",
        ] {
            assert!(read["data"].get(field).is_some(), "seed 004's {field}");
        }
        let ids: HashSet<_> = received.iter().map(|r| r.header("webhook-id")).collect();
        assert_eq!(ids.len(), received.len(), "no duplicates");
        // The events API and the webhook carry the same events with the same ids.
        let api_ids: HashSet<_> = server
            .events(&key)
            .await
            .iter()
            .map(|e| e["id"].as_str().unwrap().to_owned())
            .collect();
        assert!(ids.is_subset(&api_ids));
        server.stop().await;
    })
    .await;
}

#[tokio::test]
async fn failures_are_retried_on_the_schedule_and_every_attempt_is_logged() {
    on_each_backend_with(fast_webhooks, |server| async move {
        let receiver = Receiver::start().await;
        receiver.answer_with(&[500, 503]);
        let key = server.account("Acme").await;
        let webhook = create_webhook(
            &server,
            &key,
            json!({ "url": receiver.url, "events": ["instance.created"] }),
        )
        .await;
        let webhook_id = webhook["id"].as_str().unwrap().to_owned();
        server.instance(&key, "sales").await;
        let received = receiver.wait_for("three attempts", |r| r.len() >= 3).await;
        let ids: HashSet<_> = received.iter().map(|r| r.header("webhook-id")).collect();
        assert_eq!(ids.len(), 1, "the same event each time");
        let deliveries = wait_for_delivery(&server, &key, &webhook_id, "succeeded").await;
        let codes: Vec<_> = deliveries["attemptLog"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a["statusCode"].as_i64().unwrap())
            .collect();
        assert_eq!(codes, [500, 503, 200]);
        assert_eq!(deliveries["attempts"], 3);
        assert!(
            deliveries["attemptLog"][0]["responseBody"]
                .as_str()
                .unwrap()
                .contains("ok")
        );
        server.stop().await;
    })
    .await;
}

async fn wait_for_delivery(server: &TestServer, key: &str, webhook: &str, status: &str) -> Value {
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(15);
    loop {
        let (code, body) = server
            .get(
                &format!("/api/v1/webhooks/{webhook}/deliveries?status={status}"),
                key,
            )
            .await;
        assert_eq!(code, StatusCode::OK, "{body}");
        if let Some(first) = body["data"].as_array().unwrap().first() {
            return first.clone();
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "no {status} delivery"
        );
        tokio::time::sleep(std::time::Duration::from_millis(30)).await;
    }
}

#[tokio::test]
async fn a_receiver_that_was_down_gets_every_event_once_it_is_up() {
    on_each_backend_with(
        |config| {
            fast_webhooks(config);
            config.webhooks.retry_schedule_secs = vec![0.05; 40];
        },
        |server| async move {
            // Reserve a port, then close it: the receiver is down.
            let port = {
                let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
                listener.local_addr().unwrap().port()
            };
            let url = format!("http://127.0.0.1:{port}/hook");
            let (key, _) = server.linked_instance("sales").await;
            create_webhook(&server, &key, json!({ "url": url })).await;
            let before = server
                .events(&key)
                .await
                .last()
                .map(|e| e["seq"].as_i64().unwrap())
                .unwrap_or(0);
            let mut sent = Vec::new();
            for i in 0..5 {
                sent.push(
                    server
                        .send_text(&key, "sales", "15550002222", &format!("m{i}"))
                        .await,
                );
            }
            for id in &sent {
                server.wait_for_message(&key, id, "read").await;
            }
            tokio::time::sleep(std::time::Duration::from_millis(300)).await;
            // While the receiver is down, the endpoint's backlog shows what waits for it.
            let (status, listed) = server.get("/api/v1/webhooks", &key).await;
            assert_eq!(status, StatusCode::OK, "{listed}");
            let backlog = listed["data"][0]["pendingDeliveries"].as_i64().unwrap();
            assert!(backlog >= 5, "{listed}");
            let listener = tokio::net::TcpListener::bind(("127.0.0.1", port))
                .await
                .unwrap();
            let receiver = Receiver::serve(listener).await;
            let recorded: Vec<String> = server
                .events(&key)
                .await
                .iter()
                .filter(|e| e["seq"].as_i64().unwrap() > before)
                .map(|e| e["id"].as_str().unwrap().to_owned())
                .collect();
            let received = receiver
                .wait_for("every recorded event", |r| {
                    let got: HashSet<_> = r.iter().map(|d| d.header("webhook-id")).collect();
                    recorded.iter().all(|id| got.contains(id))
                })
                .await;
            // Once all arrived, nothing waits any more.
            let webhook = listed["data"][0]["id"].as_str().unwrap().to_owned();
            let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(10);
            loop {
                let (_, shown) = server
                    .get(&format!("/api/v1/webhooks/{webhook}"), &key)
                    .await;
                if shown["data"]["pendingDeliveries"] == 0 {
                    break;
                }
                assert!(
                    tokio::time::Instant::now() < deadline,
                    "a backlog stays: {shown}"
                );
                tokio::time::sleep(std::time::Duration::from_millis(50)).await;
            }
            // Each event exactly as recorded: the body is the events API's event.
            let events = server.events(&key).await;
            for delivery in &received {
                let body = delivery.json();
                let recorded = events.iter().find(|e| e["id"] == body["id"]).unwrap();
                assert_eq!(body["data"], recorded["data"]);
                assert_eq!(body["event"], recorded["event"]);
            }
            server.stop().await;
        },
    )
    .await;
}

#[tokio::test]
async fn gone_endpoints_are_disabled_and_say_so() {
    on_each_backend_with(fast_webhooks, |server| async move {
        let gone = Receiver::start().await;
        gone.answer_with(&[410]);
        let watcher = Receiver::start().await;
        let key = server.account("Acme").await;
        let webhook = create_webhook(
            &server,
            &key,
            json!({ "url": gone.url, "events": ["instance.created"] }),
        )
        .await;
        create_webhook(
            &server,
            &key,
            json!({ "url": watcher.url, "events": ["webhook.disabled"] }),
        )
        .await;
        server.instance(&key, "sales").await;
        let disabled = watcher
            .wait_for("webhook.disabled", |r| !r.is_empty())
            .await;
        let body = disabled[0].json();
        assert_eq!(body["data"]["webhookId"], webhook["id"]);
        assert!(body["data"]["reason"].as_str().unwrap().contains("410"));
        let (_, shown) = server
            .get(
                &format!("/api/v1/webhooks/{}", webhook["id"].as_str().unwrap()),
                &key,
            )
            .await;
        assert_eq!(shown["data"]["enabled"], false);
        // No more deliveries to it; re-enabling brings it back.
        server.instance(&key, "second").await;
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
        assert_eq!(gone.received().len(), 1);
        let (status, body) = server
            .call(
                Method::PATCH,
                &format!("/api/v1/webhooks/{}", webhook["id"].as_str().unwrap()),
                Some(&key),
                Some(json!({ "enabled": true })),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        server.instance(&key, "third").await;
        gone.wait_for("deliveries after re-enabling", |r| r.len() >= 2)
            .await;
        server.stop().await;
    })
    .await;
}

#[tokio::test]
async fn endpoints_failing_for_too_long_are_disabled() {
    on_each_backend_with(
        |config| {
            fast_webhooks(config);
            config.webhooks.retry_schedule_secs = vec![0.1; 20];
            config.webhooks.disable_after_hours = 0.3 / 3600.0;
        },
        |server| async move {
            let receiver = Receiver::start().await;
            receiver.answer_with(&[500; 50]);
            let key = server.account("Acme").await;
            let webhook = create_webhook(&server, &key, json!({ "url": receiver.url })).await;
            server.instance(&key, "sales").await;
            let event = server
                .wait_for_event(&key, "webhook.disabled", |_| true)
                .await;
            assert!(event["data"]["reason"].as_str().unwrap().contains("hours"));
            let (_, shown) = server
                .get(
                    &format!("/api/v1/webhooks/{}", webhook["id"].as_str().unwrap()),
                    &key,
                )
                .await;
            assert_eq!(shown["data"]["enabled"], false);
            let delivery =
                wait_for_delivery(&server, &key, webhook["id"].as_str().unwrap(), "failed").await;
            assert!(delivery["attempts"].as_i64().unwrap() >= 2);
            server.stop().await;
        },
    )
    .await;
}

#[tokio::test]
async fn failed_deliveries_can_be_retried_and_history_replayed() {
    on_each_backend_with(
        |config| {
            fast_webhooks(config);
            config.webhooks.retry_schedule_secs = vec![];
        },
        |server| async move {
            let receiver = Receiver::start().await;
            receiver.answer_with(&[500]);
            let key = server.account("Acme").await;
            let webhook = create_webhook(
                &server,
                &key,
                json!({ "url": receiver.url, "events": ["instance.created"] }),
            )
            .await;
            let webhook_id = webhook["id"].as_str().unwrap().to_owned();
            server.instance(&key, "sales").await;
            let failed = wait_for_delivery(&server, &key, &webhook_id, "failed").await;
            let (status, _) = server
                .post(
                    &format!(
                        "/api/v1/webhooks/{webhook_id}/deliveries/{}/retry",
                        failed["id"].as_str().unwrap()
                    ),
                    &key,
                    json!({}),
                )
                .await;
            assert_eq!(status, StatusCode::ACCEPTED);
            wait_for_delivery(&server, &key, &webhook_id, "succeeded").await;
            assert_eq!(receiver.received().len(), 2);

            let (status, body) = server
                .post(
                    &format!("/api/v1/webhooks/{webhook_id}/replay"),
                    &key,
                    json!({ "since": "2000-01-01T00:00:00Z" }),
                )
                .await;
            assert_eq!(status, StatusCode::ACCEPTED, "{body}");
            assert_eq!(body["data"]["queued"], 1);
            let received = receiver.wait_for("the replay", |r| r.len() >= 3).await;
            assert_eq!(
                received[2].header("webhook-id"),
                received[0].header("webhook-id"),
                "a replay keeps the event id"
            );
            let (status, body) = server
                .post(
                    &format!("/api/v1/webhooks/{webhook_id}/replay"),
                    &key,
                    json!({ "since": "yesterday" }),
                )
                .await;
            assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
            assert_eq!(fields(&body), ["since"]);
            server.stop().await;
        },
    )
    .await;
}

#[tokio::test]
async fn webhooks_are_private_to_their_account_and_instance() {
    on_each_backend_with(fast_webhooks, |server| async move {
        let account_wide = Receiver::start().await;
        let sales_only = Receiver::start().await;
        let strangers = Receiver::start().await;
        let key = server.account("Acme").await;
        let (sales, sales_key) = server.instance(&key, "sales").await;
        let (support, _) = server.instance(&key, "support").await;
        create_webhook(
            &server,
            &key,
            json!({ "url": account_wide.url, "events": ["qrcode.updated"] }),
        )
        .await;
        let scoped = create_webhook(
            &server,
            &key,
            json!({ "url": sales_only.url, "events": ["qrcode.updated"], "instanceId": "sales" }),
        )
        .await;
        let stranger = server.account("Stranger").await;
        create_webhook(&server, &stranger, json!({ "url": strangers.url })).await;

        server
            .post("/api/v1/instances/sales/connect", &key, json!({}))
            .await;
        server
            .post("/api/v1/instances/support/connect", &key, json!({}))
            .await;
        account_wide
            .wait_for("both instances' QR codes", |r| r.len() >= 2)
            .await;
        let scoped_got = sales_only
            .wait_for("the sales QR code", |r| !r.is_empty())
            .await;
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
        assert!(
            sales_only
                .received()
                .iter()
                .all(|r| r.json()["instanceId"] == sales.as_str())
        );
        assert_eq!(scoped_got.len(), 1);
        assert!(
            account_wide
                .received()
                .iter()
                .any(|r| r.json()["instanceId"] == support.as_str())
        );
        assert!(
            strangers.received().is_empty(),
            "another account's events never reach this account's endpoints"
        );

        let (status, _) = server
            .get(
                &format!("/api/v1/webhooks/{}", scoped["id"].as_str().unwrap()),
                &stranger,
            )
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        let (_, listed) = server.get("/api/v1/webhooks", &sales_key).await;
        assert_eq!(
            listed["data"].as_array().unwrap().len(),
            1,
            "an instance key sees its instance's webhooks"
        );
        server.stop().await;
    })
    .await;
}

#[tokio::test]
async fn bad_webhooks_are_refused_and_private_targets_need_permission() {
    on_each_backend(|server| async move {
        let key = server.account("Acme").await;
        let receiver = Receiver::start().await;
        let (status, body) = server.post("/api/v1/webhooks", &key, json!({ "url": receiver.url })).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert_eq!(fields(&body), ["url"]);
        assert!(body["details"][0]["message"].as_str().unwrap().contains("private"));
        let (status, body) = server
            .post("/api/v1/webhooks", &key, json!({ "url": "ftp://example.com", "events": ["message.nope"], "headers": { "webhook-id": "x" } }))
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(fields(&body), ["url", "events", "headers"]);
        // Headers that frame or route the request are not the endpoint's to set.
        for header in ["Content-Length", "Transfer-Encoding", "Connection", "Upgrade"] {
            let (status, body) = server
                .post("/api/v1/webhooks", &key, json!({ "url": "https://example.com/hook", "headers": { header: "1" } }))
                .await;
            assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{header}: {body}");
            assert_eq!(fields(&body), ["headers"], "{header}");
        }
        server.stop().await;
    })
    .await;
}

#[tokio::test]
async fn the_default_endpoint_the_instance_webhook_the_test_event_and_rotation() {
    on_each_backend_with(fast_webhooks, |server| async move {
        let receiver = Receiver::start().await;
        let key = server.account("Acme").await;
        let (status, body) = server.call(Method::PUT, "/api/v1/auth/me/webhook", Some(&key), Some(json!({ "url": receiver.url }))).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["data"]["isDefault"], true);
        let first_secret = body["data"]["secret"].as_str().unwrap().to_owned();
        let webhook_id = body["data"]["id"].as_str().unwrap().to_owned();

        let with_hook = Receiver::start().await;
        let (status, created) = server
            .post("/api/v1/instances", &key, json!({ "name": "sales", "webhook": { "url": with_hook.url, "events": ["qrcode.updated"] } }))
            .await;
        assert_eq!(status, StatusCode::CREATED, "{created}");
        let hook_secret = created["data"]["webhook"]["secret"].as_str().unwrap().to_owned();
        server.post("/api/v1/instances/sales/connect", &key, json!({})).await;
        let got = with_hook.wait_for("the QR code", |r| !r.is_empty()).await;
        standardwebhooks::Webhook::new(&hook_secret).unwrap().verify(&got[0].body, &got[0].headers).unwrap();

        let (status, rotated) = server.post(&format!("/api/v1/webhooks/{webhook_id}/rotate-secret"), &key, json!({})).await;
        assert_eq!(status, StatusCode::OK);
        let second_secret = rotated["data"]["secret"].as_str().unwrap().to_owned();
        assert_ne!(first_secret, second_secret);
        let (status, _) = server.post(&format!("/api/v1/webhooks/{webhook_id}/test"), &key, json!({})).await;
        assert_eq!(status, StatusCode::ACCEPTED);
        let received = receiver.wait_for("the test event", |r| event_names(r).contains(&"webhook.test".to_owned())).await;
        let test = received.iter().find(|r| r.json()["event"] == "webhook.test").unwrap();
        standardwebhooks::Webhook::new(&second_secret).unwrap().verify(&test.body, &test.headers).expect("signed with the new secret");
        assert!(standardwebhooks::Webhook::new(&first_secret).unwrap().verify(&test.body, &test.headers).is_err());

        let (status, _) = server.call(Method::DELETE, "/api/v1/auth/me/webhook", Some(&key), None).await;
        assert_eq!(status, StatusCode::OK);
        let (status, _) = server.call(Method::DELETE, "/api/v1/auth/me/webhook", Some(&key), None).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        server.stop().await;
    })
    .await;
}
