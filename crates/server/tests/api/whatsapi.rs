//! whatsapi.cc (seed 004) at the root: the seed's own examples — its curl lines and the bodies
//! of its JavaScript and Python snippets — run against wagate with only the base URL and the
//! key changed, and their documented answers, codes and webhook checked.

use crate::receiver::Receiver;
use crate::support::*;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use std::time::Duration;
use wagate_graph_fake::{FakeNumber, GraphFake, post_webhook};
use wagate_server::config::Config;

/// The server as a whatsapi.cc user meets it: sign-up open, keys in the seed's format, the
/// free plan roomy enough for a test that polls, and webhooks that may reach this machine.
fn seed_server(config: &mut Config) {
    config.accounts.registration = true;
    config.accounts.key_format = "whatsapi".to_owned();
    config.limits.plans.free = 100_000;
    config.webhooks.allow_private_targets = true;
    config.webhooks.retry_schedule_secs = vec![0.05, 0.05, 0.05];
    config.webhooks.poll_interval_ms = 50;
}

/// A request as the seed's curl lines make it: `Authorization: Bearer <key>`, a JSON body.
async fn seed(
    server: &TestServer,
    method: Method,
    path: &str,
    key: Option<&str>,
    body: Option<Value>,
) -> (StatusCode, Value) {
    server.call(method, path, key, body).await
}

/// Step 1 of the quickstart: `POST /auth/register` with the seed's body; answers the key.
async fn register(server: &TestServer) -> String {
    let (status, body) = seed(
        server,
        Method::POST,
        "/auth/register",
        None,
        Some(json!({ "name": "Your Name", "email": "you@example.com" })),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(body["success"], true);
    assert_eq!(body["data"]["plan"], "free");
    let key = body["data"]["apiKey"].as_str().unwrap().to_owned();
    let hex = key.strip_prefix("sk_live_").expect("sk_live_ + 48 hex");
    assert_eq!(hex.len(), 48, "{key}");
    assert!(hex.chars().all(|c| c.is_ascii_hexdigit()), "{key}");
    key
}

/// Polls `GET /messages/{id}` until `done` holds for the message.
async fn wait_for(
    server: &TestServer,
    key: &str,
    id: &str,
    done: impl Fn(&Value) -> bool,
) -> Value {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    loop {
        let (status, body) = seed(
            server,
            Method::GET,
            &format!("/messages/{id}"),
            Some(key),
            None,
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        if done(&body["data"]) {
            return body["data"].clone();
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "the message never got there: {body}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

fn reached(status: &'static str) -> impl Fn(&Value) -> bool {
    move |message| {
        let order = ["queued", "processing", "sent", "delivered", "read"];
        let at = |s: &str| order.iter().position(|o| *o == s);
        matches!((at(message["status"].as_str().unwrap_or_default()), at(status)), (Some(a), Some(b)) if a >= b)
    }
}

#[tokio::test]
async fn the_quickstart_runs_as_written_on_a_linked_number() {
    on_each_backend_with(seed_server, |server| async move {
        let key = register(&server).await;

        // GET /auth/me: the account, never the key.
        let (status, me) = seed(&server, Method::GET, "/auth/me", Some(&key), None).await;
        assert_eq!(status, StatusCode::OK, "{me}");
        for (field, value) in [
            ("name", json!("Your Name")),
            ("email", json!("you@example.com")),
            ("plan", json!("free")),
            ("messagesSent", json!(0)),
            ("byocConfigured", json!(false)),
            ("webhookUrl", Value::Null),
        ] {
            assert_eq!(me["data"][field], value, "{field}: {me}");
        }
        assert!(!me.to_string().contains(&key));

        // No number yet: the send cannot say where from.
        let template = json!({ "to": "14155552671", "template": { "name": "hello_world", "language": "en_US" } });
        let (status, body) = seed(&server, Method::POST, "/send-message", Some(&key), Some(template.clone())).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert_eq!(body["success"], false);
        assert!(body["error"].as_str().unwrap().contains("no WhatsApp number"), "{body}");

        // The account's one number (a sandbox instance here; any engine sends).
        server.instance(&key, "shop").await;
        server.link(&key, "shop", "15550001111").await;

        // Step 3: the template send (curl, JavaScript and Python send the same body).
        let (status, body) = seed(&server, Method::POST, "/send-message", Some(&key), Some(template)).await;
        assert_eq!(status, StatusCode::ACCEPTED, "{body}");
        assert_eq!(body["success"], true);
        assert_eq!(body["data"]["status"], "queued");
        assert_eq!(body["data"]["scheduledFor"], Value::Null);
        let template_id = body["data"]["id"].as_str().unwrap().to_owned();

        // The text send with its Idempotency-Key, as the seed's curl line sends it.
        let text = json!({ "to": "14155552671", "message": "Hi Sarah! Your order #1234 has shipped.", "metadata": { "orderId": "1234" } });
        let send = || async {
            server
                .raw(Method::POST, "/send-message")
                .await
                .bearer_auth(&key)
                .header("Idempotency-Key", "order-1234-shipped")
                .json(&text)
                .send()
                .await
                .unwrap()
        };
        let first = send().await;
        assert_eq!(first.status(), StatusCode::ACCEPTED);
        for header in ["x-ratelimit-limit", "x-ratelimit-remaining", "x-ratelimit-reset"] {
            assert!(first.headers().contains_key(header), "{header}");
        }
        let first: Value = first.json().await.unwrap();
        let id = first["data"]["id"].as_str().unwrap().to_owned();
        let again = send().await;
        assert_eq!(again.status(), StatusCode::ACCEPTED);
        assert_eq!(again.headers()["idempotency-replayed"], "true");
        let again: Value = again.json().await.unwrap();
        assert_eq!(again["data"]["id"], id.as_str(), "the same message, not a second one");

        // Step 4: GET /messages/{id} until delivered, with its history.
        let message = wait_for(&server, &key, &id, reached("delivered")).await;
        assert_eq!(message["id"], id.as_str());
        assert_eq!(message["to"], "14155552671");
        assert_eq!(message["body"], "Hi Sarah! Your order #1234 has shipped.");
        assert_eq!(message["metadata"], json!({ "orderId": "1234" }));
        assert!(message["sentAt"].is_string() && message["deliveredAt"].is_string(), "{message}");
        assert_eq!(message["failedAt"], Value::Null);
        assert_eq!(message["errorMessage"], Value::Null);
        assert!(message.get("readAt").is_some());
        let timeline: Vec<&str> = message["timeline"]
            .as_array()
            .unwrap()
            .iter()
            .map(|entry| {
                assert!(entry["at"].is_string());
                entry["status"].as_str().unwrap()
            })
            .collect();
        for status in ["queued", "sent", "delivered"] {
            assert!(timeline.contains(&status), "{status} in {timeline:?}");
        }
        wait_for(&server, &key, &template_id, reached("delivered")).await;

        // Scheduling with sendAt (the seed's body, its date moved into the future).
        let later = (chrono::Utc::now() + chrono::Duration::days(30)).to_rfc3339();
        let (status, body) = seed(&server, Method::POST, "/send-message", Some(&key), Some(json!({
            "to": "14155552671", "message": "Reminder: your appointment is tomorrow at 9am.", "sendAt": later,
        }))).await;
        assert_eq!(status, StatusCode::ACCEPTED, "{body}");
        assert_eq!(body["data"]["status"], "scheduled");
        assert!(body["data"]["scheduledFor"].is_string(), "{body}");

        // The template with variables.
        let (status, body) = seed(&server, Method::POST, "/send-message", Some(&key), Some(json!({
            "to": "14155552671",
            "template": { "name": "order_ready", "language": "en_US", "components": [{ "type": "body", "parameters": [
                { "type": "text", "text": "Sarah" }, { "type": "text", "text": "#1042" }
            ] }] }
        }))).await;
        assert_eq!(status, StatusCode::ACCEPTED, "{body}");

        // POST /messages/bulk, then the batch by its id.
        let (status, body) = seed(&server, Method::POST, "/messages/bulk", Some(&key), Some(json!({ "messages": [
            { "to": "14155552671", "message": "Hi Alice, your code is 1234" },
            { "to": "14155552672", "message": "Hi Bob, your code is 5678" },
        ] }))).await;
        assert_eq!(status, StatusCode::ACCEPTED, "{body}");
        assert_eq!(body["data"]["totalMessages"], 2);
        assert_eq!(body["data"]["queued"], 2);
        assert_eq!(body["data"]["failedCount"], 0);
        let batch = body["data"]["batchId"].as_str().unwrap().to_owned();
        let (status, listed) = seed(&server, Method::GET, &format!("/messages?batchId={batch}"), Some(&key), None).await;
        assert_eq!(status, StatusCode::OK, "{listed}");
        assert_eq!(listed["data"].as_array().unwrap().len(), 2, "{listed}");
        assert_eq!(listed["pagination"]["total"], 2);

        // GET /messages?status=failed&limit=50, as the seed's curl line asks.
        let (status, failed) = seed(&server, Method::GET, "/messages?status=failed&limit=50", Some(&key), None).await;
        assert_eq!(status, StatusCode::OK, "{failed}");
        assert_eq!(failed["data"], json!([]));
        assert_eq!(failed["pagination"]["limit"], 50);

        // Retrying works only on failed messages: this one was delivered.
        let (status, body) = seed(&server, Method::POST, &format!("/messages/{id}/retry"), Some(&key), None).await;
        assert_eq!(status, StatusCode::CONFLICT, "{body}");
        assert_eq!(body["success"], false);

        // GET /analytics/summary.
        let (status, summary) = seed(&server, Method::GET, "/analytics/summary", Some(&key), None).await;
        assert_eq!(status, StatusCode::OK, "{summary}");
        assert_eq!(summary["data"]["total"], 6, "{summary}");
        assert!(summary["data"]["byStatus"].is_object());
        assert!(summary["data"]["deliveryRate"].is_number());
        assert!(summary["data"]["failureRate"].is_number());
        let (_, me) = seed(&server, Method::GET, "/auth/me", Some(&key), None).await;
        assert_eq!(me["data"]["messagesSent"], 6, "{me}");
        server.stop().await;
    })
    .await;
}

#[tokio::test]
async fn errors_answer_with_the_seeds_codes() {
    on_each_backend_with(seed_server, |server| async move {
        let (status, body) = seed(&server, Method::GET, "/auth/me", None, None).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
        assert_eq!(body["success"], false);
        assert!(body["error"].is_string());
        let (status, _) = seed(
            &server,
            Method::GET,
            "/messages",
            Some("sk_live_wrong"),
            None,
        )
        .await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);

        let key = register(&server).await;
        server.instance(&key, "shop").await;
        server.link(&key, "shop", "15550001111").await;

        // 400 with details: a missing field, a wrong number, sendAt in the past.
        let (status, body) = seed(
            &server,
            Method::POST,
            "/send-message",
            Some(&key),
            Some(json!({ "message": "Hi" })),
        )
        .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
        assert_eq!(fields(&body), ["to"]);
        let (status, body) = seed(
            &server,
            Method::POST,
            "/send-message",
            Some(&key),
            Some(json!({
                "to": "14155552671", "message": "Late", "sendAt": "2020-01-01T00:00:00Z",
            })),
        )
        .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
        assert_eq!(fields(&body), ["sendAt"]);
        // A dry run is checked as a send is.
        let (status, body) = seed(
            &server,
            Method::POST,
            "/send-message",
            Some(&key),
            Some(json!({ "to": "not a number", "message": "Test", "dry_run": true })),
        )
        .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
        assert_eq!(fields(&body), ["to"]);
        let (status, body) = seed(
            &server,
            Method::POST,
            "/messages/bulk",
            Some(&key),
            Some(json!({ "messages": [] })),
        )
        .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");

        // 404: an id that does not exist, or that is another account's.
        let (status, body) = seed(
            &server,
            Method::GET,
            "/messages/9dd15ee1-3d3c-44e1-9dd2-8ec6547e7e20",
            Some(&key),
            None,
        )
        .await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
        let (_, sent) = seed(
            &server,
            Method::POST,
            "/send-message",
            Some(&key),
            Some(json!({ "to": "14155552671", "message": "Mine" })),
        )
        .await;
        let mine = sent["data"]["id"].as_str().unwrap().to_owned();
        let other = server.account("Other").await;
        let (status, _) = seed(
            &server,
            Method::GET,
            &format!("/messages/{mine}"),
            Some(&other),
            None,
        )
        .await;
        assert_eq!(status, StatusCode::NOT_FOUND);

        // 409: an Idempotency-Key reused with another body.
        for (text, expected) in [("One", StatusCode::ACCEPTED), ("Two", StatusCode::CONFLICT)] {
            let response = server
                .raw(Method::POST, "/send-message")
                .await
                .bearer_auth(&key)
                .header("Idempotency-Key", "user-99-order-1234-shipped")
                .json(&json!({ "to": "14155552671", "message": text }))
                .send()
                .await
                .unwrap();
            assert_eq!(response.status(), expected);
        }

        // Billing is Stripe's at whatsapi.cc; here the operator sets plans.
        let (status, body) = seed(
            &server,
            Method::POST,
            "/billing/checkout",
            Some(&key),
            Some(json!({ "plan": "pro" })),
        )
        .await;
        assert_eq!(status, StatusCode::NOT_IMPLEMENTED, "{body}");
        assert!(body["error"].as_str().unwrap().contains("Stripe"), "{body}");
        let (status, _) = seed(&server, Method::GET, "/billing/portal", Some(&key), None).await;
        assert_eq!(status, StatusCode::NOT_IMPLEMENTED);
        server.stop().await;
    })
    .await;
}

#[tokio::test]
async fn an_account_with_several_numbers_names_the_one_to_send_from() {
    on_each_backend_with(seed_server, |server| async move {
        let key = register(&server).await;
        for (name, phone) in [("sales", "15550001111"), ("support", "15550001112")] {
            server.instance(&key, name).await;
            server.link(&key, name, phone).await;
        }
        let body = json!({ "to": "14155552671", "message": "Hi" });
        let (status, refused) = seed(
            &server,
            Method::POST,
            "/send-message",
            Some(&key),
            Some(body.clone()),
        )
        .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{refused}");
        let error = refused["error"].as_str().unwrap();
        assert!(
            error.contains("'sales'") && error.contains("'support'"),
            "{refused}"
        );
        assert_eq!(fields(&refused), ["instance"]);

        let mut chosen = body.clone();
        chosen["instance"] = json!("support");
        let (status, sent) = seed(
            &server,
            Method::POST,
            "/send-message",
            Some(&key),
            Some(chosen),
        )
        .await;
        assert_eq!(status, StatusCode::ACCEPTED, "{sent}");
        let id = sent["data"]["id"].as_str().unwrap();
        let (_, native) = server.get(&format!("/api/v1/messages/{id}"), &key).await;
        let (_, support) = server.get("/api/v1/instances/support", &key).await;
        assert_eq!(native["data"]["instanceId"], support["data"]["id"]);

        let (status, bulk) = seed(
            &server,
            Method::POST,
            "/messages/bulk",
            Some(&key),
            Some(json!({
                "instance": "sales", "messages": [{ "to": "14155552671", "message": "Hi Alice" }],
            })),
        )
        .await;
        assert_eq!(status, StatusCode::ACCEPTED, "{bulk}");

        // An instance key sends from its own number.
        let (_, created) = server
            .post(
                "/api/v1/instances",
                &key,
                json!({ "name": "third", "engine": "sandbox" }),
            )
            .await;
        let instance_key = created["data"]["apiKey"].as_str().unwrap().to_owned();
        server.link(&key, "third", "15550001113").await;
        let (status, sent) = seed(
            &server,
            Method::POST,
            "/send-message",
            Some(&instance_key),
            Some(body),
        )
        .await;
        assert_eq!(status, StatusCode::ACCEPTED, "{sent}");
        server.stop().await;
    })
    .await;
}

#[tokio::test]
async fn status_changes_reach_the_webhook_in_the_seeds_shape() {
    on_each_backend_with(seed_server, |server| async move {
        let receiver = Receiver::start().await;
        let key = register(&server).await;
        server.instance(&key, "shop").await;
        server.link(&key, "shop", "15550001111").await;

        let (status, body) = seed(&server, Method::PUT, "/auth/me/webhook", Some(&key), Some(json!({ "url": receiver.url }))).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let (_, me) = seed(&server, Method::GET, "/auth/me", Some(&key), None).await;
        assert_eq!(me["data"]["webhookUrl"], receiver.url.as_str());

        let (status, sent) = seed(&server, Method::POST, "/send-message", Some(&key), Some(json!({
            "to": "14155552671", "message": "Hi Sarah! Your order #1234 has shipped.", "metadata": { "orderId": "1234" },
        }))).await;
        assert_eq!(status, StatusCode::ACCEPTED, "{sent}");
        let id = sent["data"]["id"].as_str().unwrap().to_owned();

        let status_of = |r: &crate::receiver::Received| r.json()["data"]["status"].as_str().unwrap_or_default().to_owned();
        let received = receiver
            .wait_for("a delivered status", |received| received.iter().any(|r| status_of(r) == "delivered"))
            .await;
        for delivery in &received {
            let body = delivery.json();
            assert_eq!(body["event"], "message.status_updated", "{body}");
            let keys: Vec<&str> = body.as_object().unwrap().keys().map(String::as_str).collect();
            assert_eq!(keys, ["data", "event", "timestamp"], "{body}");
            let mut data: Vec<&str> = body["data"].as_object().unwrap().keys().map(String::as_str).collect();
            data.sort_unstable();
            assert_eq!(data, ["deliveredAt", "errorMessage", "failedAt", "messageId", "metadata", "readAt", "status", "to"], "{body}");
            assert_eq!(body["data"]["messageId"], id.as_str());
            assert_eq!(body["data"]["to"], "14155552671");
            assert_eq!(body["data"]["metadata"], json!({ "orderId": "1234" }));
            assert!(chrono::DateTime::parse_from_rfc3339(body["timestamp"].as_str().unwrap()).is_ok());
            // Signed like every wagate delivery.
            assert!(!delivery.header("webhook-signature").is_empty());
        }
        let delivered = received.iter().find(|r| status_of(r) == "delivered").unwrap().json();
        assert!(delivered["data"]["deliveredAt"].is_string(), "{delivered}");
        assert_eq!(delivered["data"]["failedAt"], Value::Null);
        assert_eq!(delivered["data"]["errorMessage"], Value::Null);

        let (status, body) = seed(&server, Method::DELETE, "/auth/me/webhook", Some(&key), None).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let (_, me) = seed(&server, Method::GET, "/auth/me", Some(&key), None).await;
        assert_eq!(me["data"]["webhookUrl"], Value::Null);
        server.stop().await;
    })
    .await;
}

#[tokio::test]
async fn keys_rotate_and_sign_ups_are_limited_or_turned_off() {
    on_each_backend_with(seed_server, |server| async move {
        let old = register(&server).await;
        let (status, body) = seed(
            &server,
            Method::POST,
            "/auth/me/rotate-key",
            Some(&old),
            None,
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let new = body["data"]["apiKey"].as_str().unwrap().to_owned();
        assert!(new.starts_with("sk_live_") && new != old);
        let (status, _) = seed(&server, Method::GET, "/auth/me", Some(&old), None).await;
        assert_eq!(
            status,
            StatusCode::UNAUTHORIZED,
            "the old key stops at once"
        );
        let (status, me) = seed(&server, Method::GET, "/auth/me", Some(&new), None).await;
        assert_eq!(status, StatusCode::OK, "{me}");
        assert_eq!(me["data"]["email"], "you@example.com");

        // Five sign-ups a minute from one address (one made above, one for the rotation).
        let mut refused = None;
        for _ in 0..12 {
            let response = server
                .raw(Method::POST, "/auth/register")
                .await
                .json(&json!({ "name": "Your Name", "email": "you@example.com" }))
                .send()
                .await
                .unwrap();
            if response.status() == StatusCode::TOO_MANY_REQUESTS {
                refused = Some(response);
                break;
            }
            assert_eq!(response.status(), StatusCode::CREATED);
        }
        let refused = refused.expect("the sixth sign-up in a minute is refused");
        let retry_after: u64 = refused.headers()["retry-after"]
            .to_str()
            .unwrap()
            .parse()
            .unwrap();
        assert!((1..=60).contains(&retry_after));
        let body: Value = refused.json().await.unwrap();
        assert_eq!(body["success"], false);

        let (status, body) = seed(
            &server,
            Method::POST,
            "/auth/register",
            None,
            Some(json!({ "name": "Nobody" })),
        )
        .await;
        assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{body}");
        server.stop().await;
    })
    .await;
    on_each_backend_with(
        |config| {
            seed_server(config);
            config.accounts.registration = false;
        },
        |server| async move {
            let (status, body) = seed(
                &server,
                Method::POST,
                "/auth/register",
                None,
                Some(json!({ "name": "Your Name", "email": "you@example.com" })),
            )
            .await;
            assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
            assert_eq!(body["success"], false);
            server.stop().await;
        },
    )
    .await;
}

#[tokio::test]
async fn a_paused_number_answers_503_with_retry_after() {
    on_each_backend_with(
        |config| {
            seed_server(config);
            config.dispatcher.breaker_threshold = 3;
            config.dispatcher.breaker_pause_secs = 30;
            config.dispatcher.max_attempts = 10;
        },
        |server| async move {
            let key = register(&server).await;
            server.instance(&key, "sales").await;
            server.link(&key, "sales", "15550001111").await;
            let (status, body) = server
                .post(
                    "/api/v1/sandbox/instances/sales/faults",
                    &key,
                    json!({ "kind": "transient", "count": 3 }),
                )
                .await;
            assert_eq!(status, StatusCode::OK, "{body}");
            let (status, _) = seed(
                &server,
                Method::POST,
                "/send-message",
                Some(&key),
                Some(json!({ "to": "14155552671", "message": "Hi" })),
            )
            .await;
            assert_eq!(status, StatusCode::ACCEPTED);
            server
                .wait_for_event(&key, "session.paused", |_| true)
                .await;
            let response = server
                .raw(Method::POST, "/send-message")
                .await
                .bearer_auth(&key)
                .json(&json!({ "to": "14155552671", "message": "Now?" }))
                .send()
                .await
                .unwrap();
            assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
            assert!(response.headers().contains_key("retry-after"));
            let body: Value = response.json().await.unwrap();
            assert_eq!(body["success"], false);
            server.stop().await;
        },
    )
    .await;
}

const TOKEN: &str = "EAAG-good-token";
const NUMBER_ID: &str = "106540352242922";

#[tokio::test]
async fn byoc_credentials_send_from_the_accounts_cloud_number() {
    let fake = GraphFake::start().await;
    fake.add_number(FakeNumber::example());
    let base = fake.base_url().to_owned();
    on_each_backend_with(
        move |config| {
            seed_server(config);
            config.cloud.base_url = base.clone();
        },
        |server| async {
            let key = register(&server).await;
            // A sandbox number too: once credentials are saved, the account's own cloud
            // number is the one a send goes out from.
            server.instance(&key, "shop").await;
            server.link(&key, "shop", "15550001111").await;

            // Step 2, as written (the seed's token and id swapped for the fake's).
            let (status, body) = seed(&server, Method::PUT, "/auth/me/credentials", Some(&key), Some(json!({
                "whatsappAccessToken": TOKEN, "whatsappPhoneNumberId": NUMBER_ID,
            }))).await;
            assert_eq!(status, StatusCode::OK, "{body}");
            assert!(!body.to_string().contains(TOKEN));
            let verify_token = body["data"]["verifyToken"].as_str().unwrap().to_owned();
            let (status, body) = seed(&server, Method::POST, "/auth/me/credentials/verify", Some(&key), None).await;
            assert_eq!(status, StatusCode::OK, "{body}");
            assert_eq!(body["data"]["verified"], true, "{body}");
            let (_, me) = seed(&server, Method::GET, "/auth/me", Some(&key), None).await;
            assert_eq!(me["data"]["byocConfigured"], true, "{me}");

            let (status, sent) = seed(&server, Method::POST, "/send-message", Some(&key), Some(json!({
                "to": "14155552671", "template": { "name": "hello_world", "language": "en_US" },
            }))).await;
            assert_eq!(status, StatusCode::ACCEPTED, "{sent}");
            let id = sent["data"]["id"].as_str().unwrap().to_owned();
            let message = wait_for(&server, &key, &id, reached("sent")).await;
            assert_eq!(message["status"], "sent", "{message}");
            let (_, native) = server.get(&format!("/api/v1/messages/{id}"), &key).await;
            let (_, cloud) = server.get(&format!("/api/v1/instances/cloud-{NUMBER_ID}"), &key).await;
            assert_eq!(native["data"]["instanceId"], cloud["data"]["id"], "{native}");

            // Meta's callback at /webhooks/whatsapp: the handshake finds the number by its
            // verify token, a delivery by its number id.
            let response = server
                .raw(Method::GET, &format!("/webhooks/whatsapp?hub.mode=subscribe&hub.verify_token={verify_token}&hub.challenge=1158201444"))
                .await
                .send()
                .await
                .unwrap();
            assert_eq!(response.status(), StatusCode::OK);
            assert_eq!(response.text().await.unwrap(), "1158201444");
            let response = server
                .raw(Method::GET, "/webhooks/whatsapp?hub.mode=subscribe&hub.verify_token=wrong&hub.challenge=1")
                .await
                .send()
                .await
                .unwrap();
            assert_eq!(response.status(), StatusCode::FORBIDDEN);

            // Deliveries are checked against the number's app secret, saved with the
            // credentials (a field beside the seed's two).
            let (status, body) = seed(&server, Method::PUT, "/auth/me/credentials", Some(&key), Some(json!({
                "whatsappAccessToken": TOKEN, "whatsappPhoneNumberId": NUMBER_ID, "appSecret": "app-secret-1",
            }))).await;
            assert_eq!(status, StatusCode::OK, "{body}");
            let (status, _) = seed(&server, Method::POST, "/auth/me/credentials/verify", Some(&key), None).await;
            assert_eq!(status, StatusCode::OK);
            let wamid = native["data"]["providerMessageId"].as_str().unwrap().to_owned();
            let body = json!({ "object": "whatsapp_business_account", "entry": [{ "id": "102290129340398", "changes": [{ "field": "messages", "value": {
                "messaging_product": "whatsapp",
                "metadata": { "display_phone_number": "15550783881", "phone_number_id": NUMBER_ID },
                "statuses": [{ "id": wamid, "status": "delivered", "timestamp": chrono::Utc::now().timestamp().to_string(), "recipient_id": "14155552671" }]
            } }] }] })
            .to_string();
            let (status, text) = post_webhook(&format!("{}/webhooks/whatsapp", server.base), "app-secret-1", body.as_bytes()).await;
            assert_eq!(status, 200, "{text}");
            let (status, _) = post_webhook(&format!("{}/webhooks/whatsapp", server.base), "wrong-secret", body.as_bytes()).await;
            assert_eq!(status, 401);
            let message = wait_for(&server, &key, &id, reached("delivered")).await;
            assert!(message["deliveredAt"].is_string(), "{message}");

            let (status, body) = seed(&server, Method::DELETE, "/auth/me/credentials", Some(&key), None).await;
            assert_eq!(status, StatusCode::OK, "{body}");
            let (_, me) = seed(&server, Method::GET, "/auth/me", Some(&key), None).await;
            assert_eq!(me["data"]["byocConfigured"], false);
            server.stop().await;
        },
    )
    .await;
}

#[tokio::test]
async fn the_native_api_offers_the_whatsapi_format_for_status_changes_only() {
    on_each_backend_with(seed_server, |server| async move {
        let key = server.account("Acme").await;
        let url = "https://example.com/hooks/whatsapi";
        let (status, body) = server
            .post("/api/v1/webhooks", &key, json!({ "url": url, "format": "whatsapi", "events": ["message.status_updated"] }))
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        assert_eq!(body["data"]["format"], "whatsapi", "{body}");
        let (status, body) = server
            .post("/api/v1/webhooks", &key, json!({ "url": url, "format": "whatsapi", "events": ["message.received"], "byEvents": true }))
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        let mut invalid = fields(&body);
        invalid.sort();
        assert_eq!(invalid, ["byEvents", "events"], "{body}");
        server.stop().await;
    })
    .await;
}

#[tokio::test]
async fn a_dry_run_is_answered_and_recorded_but_never_sent() {
    on_each_backend_with(seed_server, |server| async move {
        let key = register(&server).await;
        server.instance(&key, "shop").await;
        server.link(&key, "shop", "15550001111").await;

        let (status, body) = seed(
            &server,
            Method::POST,
            "/send-message",
            Some(&key),
            Some(json!({
                "to": "14155552671", "message": "Hi Sarah! Your order #1234 has shipped.",
                "metadata": { "orderId": "1234" }, "dry_run": true,
            })),
        )
        .await;
        assert_eq!(status, StatusCode::ACCEPTED, "{body}");
        assert_eq!(body["data"]["status"], "simulated", "{body}");
        let simulated = body["data"]["id"].as_str().unwrap().to_owned();
        // A whole batch may be a dry run, one item keeping its own choice.
        let (status, body) = seed(
            &server,
            Method::POST,
            "/messages/bulk",
            Some(&key),
            Some(json!({ "dry_run": true, "messages": [
                { "to": "14155552672", "message": "Only checked" },
                { "to": "14155552673", "message": "Sent for real", "dry_run": false },
            ] })),
        )
        .await;
        assert_eq!(status, StatusCode::ACCEPTED, "{body}");
        let statuses: Vec<&str> = body["data"]["messages"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["status"].as_str().unwrap())
            .collect();
        assert_eq!(statuses, ["simulated", "queued"], "{body}");
        let real = body["data"]["messages"][1]["id"]
            .as_str()
            .unwrap()
            .to_owned();

        // The real one, queued after the dry run, goes out; the dry run stays as it was.
        wait_for(&server, &key, &real, |m| m["sentAt"].is_string()).await;
        let (status, body) = seed(
            &server,
            Method::GET,
            &format!("/messages/{simulated}"),
            Some(&key),
            None,
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["data"]["status"], "simulated", "{body}");
        assert_eq!(body["data"]["sentAt"], Value::Null);
        assert_eq!(body["data"]["metadata"]["orderId"], "1234");
        let timeline: Vec<&str> = body["data"]["timeline"]
            .as_array()
            .unwrap()
            .iter()
            .map(|step| step["status"].as_str().unwrap())
            .collect();
        assert_eq!(timeline, ["simulated"], "{body}");
        // Nothing to retry, and it does not count as sent.
        let (status, _) = seed(
            &server,
            Method::POST,
            &format!("/messages/{simulated}/retry"),
            Some(&key),
            None,
        )
        .await;
        assert_eq!(status, StatusCode::CONFLICT);
        let (_, me) = seed(&server, Method::GET, "/auth/me", Some(&key), None).await;
        assert_eq!(me["data"]["messagesSent"], 1, "{me}");
        server.stop().await;
    })
    .await;
}
