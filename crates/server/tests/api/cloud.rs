//! Cloud instances end to end: the real server talks to a fake Graph API that checks every
//! body against Meta's OpenAPI description, and Meta's webhooks come back signed.

use crate::files;
use crate::support::{TestServer, fields, on_each_backend_with};
use base64::Engine as _;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use wagate_graph_fake::{FakeNumber, GraphFake, post_webhook};

const TOKEN: &str = "EAAG-good-token";
const NUMBER_ID: &str = "106540352242922";
const APP_SECRET: &str = "app-secret-1";
const CUSTOMER: &str = "15550002222";

fn cloud_body(name: &str, base_url: &str) -> Value {
    json!({
        "name": name,
        "engine": "cloud",
        "cloud": {
            "accessToken": TOKEN,
            "phoneNumberId": NUMBER_ID,
            "businessAccountId": "102290129340398",
            "appSecret": APP_SECRET,
            "verifyToken": "let-me-in",
            "baseUrl": base_url,
        }
    })
}

/// Creates a cloud instance pointed at the fake Graph API: an endpoint of its own is the
/// operator's setting, so the admin key creates it for the account.
async fn create_cloud(server: &TestServer, key: &str, body: Value) -> (StatusCode, Value) {
    server
        .as_operator(key, Method::POST, "/api/v1/instances", body)
        .await
}

/// An account with a verified cloud instance; answers the account key and the instance id.
async fn verified(server: &TestServer, fake: &GraphFake) -> (String, String) {
    let key = server.account("Acme").await;
    let (status, body) = create_cloud(server, &key, cloud_body("shop", fake.base_url())).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let id = body["data"]["id"].as_str().unwrap().to_owned();
    let (status, body) = server
        .post(&format!("/api/v1/instances/{id}/verify"), &key, json!({}))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    (key, id)
}

async fn webhook(server: &TestServer, id: &str, body: &[u8]) -> (u16, String) {
    post_webhook(
        &format!("{}/webhooks/meta/{id}", server.base),
        APP_SECRET,
        body,
    )
    .await
}

/// The customer writes first: their message opens the 24-hour service window.
async fn customer_writes(server: &TestServer, fake: &GraphFake, id: &str, wamid: &str) {
    let body = fake.message_webhook_body(
        NUMBER_ID,
        "15550783881",
        CUSTOMER,
        "Sarah",
        json!({ "from": CUSTOMER, "id": wamid, "timestamp": chrono::Utc::now().timestamp().to_string(), "type": "text", "text": { "body": "Hi, is my order ready?" } }),
    );
    let (status, text) = webhook(server, id, &body).await;
    assert_eq!(status, 200, "{text}");
}

async fn fake_graph() -> GraphFake {
    let fake = GraphFake::start().await;
    fake.add_number(FakeNumber::example());
    fake
}

#[tokio::test]
async fn cloud_instances_are_created_verified_and_keep_their_secrets() {
    let fake = fake_graph().await;
    // The server's own Graph URL leads nowhere: the instance's baseUrl must be used.
    on_each_backend_with(
        |config| config.cloud.base_url = "http://127.0.0.1:9".to_owned(),
        |server| async {
            let key = server.account("Acme").await;
            let (status, body) = server
                .post("/api/v1/instances", &key, json!({ "name": "shop", "engine": "cloud", "cloud": { "phoneNumberId": "+1 555", "graphVersion": "23" } }))
                .await;
            assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
            let mut invalid = fields(&body);
            invalid.sort();
            assert_eq!(invalid, ["cloud.accessToken", "cloud.appSecret", "cloud.graphVersion", "cloud.phoneNumberId"]);
            let (status, body) = server
                .post("/api/v1/instances", &key, json!({ "name": "shop", "engine": "cloud" }))
                .await;
            assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
            assert_eq!(fields(&body), ["cloud"]);
            // A switch the engine cannot honour is refused at creation as at a change.
            let mut switched = cloud_body("shop", fake.base_url());
            switched["settings"] = json!({ "syncHistory": true, "alwaysOnline": true });
            let (status, body) = create_cloud(&server, &key, switched).await;
            assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
            assert_eq!(fields(&body), ["settings.alwaysOnline", "settings.syncHistory"]);

            let (status, created) =
                create_cloud(&server, &key, cloud_body("shop", fake.base_url())).await;
            assert_eq!(status, StatusCode::CREATED, "{created}");
            let id = created["data"]["id"].as_str().unwrap().to_owned();
            assert_eq!(created["data"]["engine"], "cloud");
            assert_eq!(created["data"]["status"], "disconnected");
            assert_eq!(created["data"]["cloud"]["webhookPath"], format!("/webhooks/meta/{id}"));
            assert_eq!(created["data"]["cloud"]["verifyToken"], "let-me-in");
            let (status, taken) =
                create_cloud(&server, &key, cloud_body("shop-2", fake.base_url())).await;
            assert_eq!(status, StatusCode::CONFLICT, "one number, one instance: {taken}");

            let (status, verified) = server
                .post(&format!("/api/v1/instances/{id}/verify"), &key, json!({}))
                .await;
            assert_eq!(status, StatusCode::OK, "{verified}");
            assert_eq!(verified["data"]["instance"]["status"], "open");
            assert_eq!(verified["data"]["instance"]["me"]["phone"], "15550783881");
            let cloud = &verified["data"]["cloud"];
            assert_eq!(cloud["verifiedName"], "Jaspers Market");
            assert_eq!(cloud["displayPhoneNumber"], "+1 555-078-3881");
            assert_eq!(cloud["qualityRating"], "GREEN");
            assert!(cloud["verifiedAt"].is_string());
            server
                .wait_for_event(&key, "session.connected", |e| e["instanceId"] == id.as_str())
                .await;

            // Neither the API nor the database holds the secrets in clear.
            let (_, shown) = server.get(&format!("/api/v1/instances/{id}/cloud"), &key).await;
            for body in [&created, &verified, &shown] {
                let text = body.to_string();
                assert!(!text.contains(TOKEN) && !text.contains(APP_SECRET), "{text}");
            }
            let stored = server.server().gateway().store().cloud_number(&wagate_core::InstanceId::parse(&id).unwrap()).await.unwrap().unwrap();
            assert!(!stored.credentials.access_token.contains(TOKEN));
            assert!(!stored.credentials.app_secret.contains(APP_SECRET));
            assert!(fake.violations().is_empty(), "{:?}", fake.violations());
            server.stop().await;
        },
    )
    .await;
}

#[tokio::test]
async fn a_token_meta_refuses_marks_the_instance_credentials_invalid() {
    let fake = fake_graph().await;
    on_each_backend_with(
        |_| {},
        |server| async {
            fake.add_number(FakeNumber::example());
            let (key, id) = verified(&server, &fake).await;
            fake.revoke(NUMBER_ID);
            let (status, body) = server
                .post(&format!("/api/v1/instances/{id}/verify"), &key, json!({}))
                .await;
            assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
            assert_eq!(body["code"], "CREDENTIALS_INVALID");
            assert!(body["error"].as_str().unwrap().contains("190"), "{body}");
            let (_, instance) = server.get(&format!("/api/v1/instances/{id}"), &key).await;
            assert_eq!(instance["data"]["status"], "credentials_invalid");
            server
                .wait_for_event(&key, "session.status", |e| {
                    e["data"]["status"] == "credentials_invalid"
                })
                .await;
            let (status, body) = server
                .post(
                    &format!("/api/v1/instances/{id}/messages"),
                    &key,
                    json!({ "to": CUSTOMER, "text": "hi" }),
                )
                .await;
            assert_eq!(
                status,
                StatusCode::CONFLICT,
                "nothing is sent through refused credentials: {body}"
            );
            server.stop().await;
        },
    )
    .await;
}

#[tokio::test]
async fn every_kind_of_message_reaches_meta_as_a_body_it_accepts() {
    let fake = fake_graph().await;
    on_each_backend_with(
        |_| {},
        |server| async {
            fake.add_number(FakeNumber::example());
            let (key, id) = verified(&server, &fake).await;
            customer_writes(&server, &fake, &id, "wamid.customer-1").await;
            // The fake lives across backends: count only what this run made.
            let (calls_before, sent_before) = (fake.calls().len(), fake.sent_messages().len());
            let b64 = base64::engine::general_purpose::STANDARD;
            let sends = [
                json!({ "text": "Your order is ready: https://example.com/o/1", "previewUrl": true }),
                json!({ "image": { "base64": b64.encode(files::png(8)), "caption": "Your receipt" } }),
                json!({ "document": { "base64": b64.encode(files::pdf()), "fileName": "invoice.pdf" } }),
                json!({ "audio": { "base64": b64.encode(files::ogg()), "voice": true } }),
                json!({ "location": { "latitude": 52.52, "longitude": 13.405, "name": "Shop", "address": "Main St 1" } }),
                json!({ "contact": { "fullName": "Ana", "phoneNumber": "15550003333" } }),
                json!({ "reaction": { "messageId": "wamid.customer-1", "emoji": "👍" } }),
                json!({ "text": "Reply", "replyTo": "wamid.customer-1" }),
                json!({ "template": { "name": "hello_world", "language": "en_US", "components": [{ "type": "body", "parameters": [{ "type": "text", "text": "Sarah" }] }] } }),
                json!({ "interactive": { "body": "Pick one", "buttons": [{ "id": "yes", "title": "Yes" }, { "id": "no", "title": "No" }] } }),
                json!({ "interactive": { "body": "Menu", "list": { "button": "Open", "sections": [{ "title": "Food", "rows": [{ "id": "p", "title": "Pizza" }] }] } } }),
                json!({ "interactive": { "body": "Track it", "cta": { "displayText": "Track", "url": "https://example.com/t/1" } } }),
            ];
            let mut ids = Vec::new();
            for mut send in sends {
                send["to"] = json!(CUSTOMER);
                let (status, body) = server
                    .post(&format!("/api/v1/instances/{id}/messages"), &key, send.clone())
                    .await;
                assert_eq!(status, StatusCode::ACCEPTED, "{send}: {body}");
                ids.push(body["data"]["id"].as_str().unwrap().to_owned());
            }
            for message in &ids {
                let sent = server.wait_for_message(&key, message, "sent").await;
                assert!(sent["providerMessageId"].as_str().unwrap().starts_with("wamid."), "{sent}");
            }
            assert!(fake.violations().is_empty(), "Meta would refuse: {:?}", fake.violations());
            let bodies: Vec<Value> = fake.sent_messages().into_iter().skip(sent_before).map(|m| m.body).collect();
            let types: Vec<&str> = bodies.iter().filter_map(|b| b["type"].as_str()).collect();
            for kind in ["text", "image", "document", "audio", "location", "contacts", "reaction", "template", "interactive"] {
                assert!(types.contains(&kind), "no {kind} in {types:?}");
            }
            assert!(bodies.iter().any(|b| b["context"]["message_id"] == "wamid.customer-1"), "the reply quotes");
            assert!(bodies.iter().any(|b| b["text"]["preview_url"] == true));
            let uploads = fake.calls().into_iter().skip(calls_before).filter(|c| c.path.ends_with("/media")).count();
            assert_eq!(uploads, 3, "our files are uploaded to the number first");
            server.stop().await;
        },
    )
    .await;
}

#[tokio::test]
async fn metas_status_webhooks_move_messages_once_and_only_when_signed() {
    let fake = fake_graph().await;
    on_each_backend_with(
        |_| {},
        |server| async {
            fake.add_number(FakeNumber::example());
            let (key, id) = verified(&server, &fake).await;
            customer_writes(&server, &fake, &id, "wamid.customer-1").await;
            let message = server
                .send_text(&key, &id, CUSTOMER, "Your order shipped")
                .await;
            let sent = server.wait_for_message(&key, &message, "sent").await;
            let wamid = sent["providerMessageId"].as_str().unwrap().to_owned();

            let status = |status: &str, error: Option<(i64, &str, &str)>| {
                fake.status_webhook_body(NUMBER_ID, "15550783881", &wamid, CUSTOMER, status, error)
            };
            let unsigned = server
                .raw(Method::POST, &format!("/webhooks/meta/{id}"))
                .await
                .header("x-hub-signature-256", "sha256=00")
                .body(status("read", None))
                .send()
                .await
                .unwrap();
            assert_eq!(unsigned.status(), StatusCode::UNAUTHORIZED);
            assert_eq!(
                server
                    .get(&format!("/api/v1/messages/{message}"), &key)
                    .await
                    .1["data"]["status"],
                "sent"
            );

            for _ in 0..2 {
                let (code, text) = webhook(&server, &id, &status("delivered", None)).await;
                assert_eq!(code, 200, "{text}");
                let (code, text) = webhook(&server, &id, &status("read", None)).await;
                assert_eq!(code, 200, "{text}");
            }
            server.wait_for_message(&key, &message, "read").await;
            let updates: Vec<Value> = server
                .events(&key)
                .await
                .into_iter()
                .filter(|e| {
                    e["event"] == "message.status_updated"
                        && e["data"]["messageId"] == message.as_str()
                })
                .collect();
            let statuses: Vec<&str> = updates
                .iter()
                .filter_map(|e| e["data"]["status"].as_str())
                .collect();
            assert_eq!(
                statuses,
                ["sent", "delivered", "read"],
                "repeated webhooks change nothing twice"
            );

            // A message Meta accepted and then could not deliver ends failed with Meta's reason.
            let second = server.send_text(&key, &id, CUSTOMER, "Still there?").await;
            let sent = server.wait_for_message(&key, &second, "sent").await;
            let body = fake.status_webhook_body(
                NUMBER_ID,
                "15550783881",
                sent["providerMessageId"].as_str().unwrap(),
                CUSTOMER,
                "failed",
                Some((
                    131047,
                    "Re-engagement message",
                    "More than 24 hours have passed since the recipient last replied.",
                )),
            );
            let (code, text) = webhook(&server, &id, &body).await;
            assert_eq!(code, 200, "{text}");
            let failed = server.wait_for_message(&key, &second, "failed").await;
            assert_eq!(failed["errorCode"], "META_131047", "{failed}");
            assert!(
                failed["errorMessage"]
                    .as_str()
                    .unwrap()
                    .contains("24 hours"),
                "{failed}"
            );
            server.stop().await;
        },
    )
    .await;
}

#[tokio::test]
async fn messages_customers_send_arrive_with_their_files() {
    let fake = fake_graph().await;
    on_each_backend_with(
        |_| {},
        |server| async {
            fake.add_number(FakeNumber::example());
            let (key, id) = verified(&server, &fake).await;
            let photo = files::png(16);
            fake.add_file("media-photo-1", photo.clone(), "image/png");
            let body = fake.message_webhook_body(
                NUMBER_ID,
                "15550783881",
                CUSTOMER,
                "Sarah",
                json!({ "from": CUSTOMER, "id": "wamid.photo-1", "timestamp": "1700000000", "type": "image", "image": { "id": "media-photo-1", "mime_type": "image/png", "sha256": "abc", "caption": "The damaged box" } }),
            );
            for _ in 0..2 {
                let (code, text) = webhook(&server, &id, &body).await;
                assert_eq!(code, 200, "{text}");
            }
            let received = server
                .wait_for_event(&key, "message.received", |e| e["data"]["providerMessageId"] == "wamid.photo-1")
                .await;
            assert_eq!(received["data"]["from"], CUSTOMER);
            assert_eq!(received["data"]["pushName"], "Sarah");
            assert_eq!(received["data"]["content"]["caption"], "The damaged box");
            let media_id = received["data"]["content"]["media"]["mediaId"].as_str().unwrap().to_owned();
            let download = server
                .raw(Method::GET, &format!("/api/v1/media/{media_id}"))
                .await
                .bearer_auth(&key)
                .send()
                .await
                .unwrap();
            assert_eq!(download.status(), StatusCode::OK);
            assert_eq!(download.bytes().await.unwrap().to_vec(), photo);
            let copies = server
                .events(&key)
                .await
                .into_iter()
                .filter(|e| e["event"] == "message.received")
                .count();
            assert_eq!(copies, 1, "a repeated delivery is stored once");

            // The handshake answers Meta's challenge only with the instance's verify token.
            let handshake = |token: &str| {
                format!("/webhooks/meta/{id}?hub.mode=subscribe&hub.verify_token={token}&hub.challenge=1158201444")
            };
            let answer = server.raw(Method::GET, &handshake("let-me-in")).await.send().await.unwrap();
            assert_eq!(answer.status(), StatusCode::OK);
            assert_eq!(answer.text().await.unwrap(), "1158201444");
            let (status, _) = server.call(Method::GET, &handshake("guess"), None, None).await;
            assert_eq!(status, StatusCode::FORBIDDEN);
            server.stop().await;
        },
    )
    .await;
}

#[tokio::test]
async fn metas_errors_are_retried_or_end_the_message_with_metas_reason() {
    let fake = fake_graph().await;
    on_each_backend_with(
        |_| {},
        |server| async {
            fake.add_number(FakeNumber::example());
            let (key, id) = verified(&server, &fake).await;
            for customer in [CUSTOMER, "15550000000", "15550004444"] {
                let body = fake.message_webhook_body(NUMBER_ID, "15550783881", customer, "C", json!({ "from": customer, "id": format!("wamid.in-{customer}"), "timestamp": chrono::Utc::now().timestamp().to_string(), "type": "text", "text": { "body": "hi" } }));
                assert_eq!(webhook(&server, &id, &body).await.0, 200);
            }
            fake.fail_next_sends(2, 130429, 429);
            let throttled = server.send_text(&key, &id, CUSTOMER, "Rate limited at first").await;
            let sent = server.wait_for_message(&key, &throttled, "sent").await;
            assert_eq!(sent["attempts"], 3, "{sent}");

            fake.fail_recipient("15550000000", 131026, 400, "Message undeliverable", "Message Undeliverable.");
            let undeliverable = server.send_text(&key, &id, "15550000000", "Hello?").await;
            let failed = server.wait_for_message(&key, &undeliverable, "failed").await;
            assert_eq!(failed["errorCode"], "NOT_ON_WHATSAPP", "{failed}");

            fake.fail_recipient("15550004444", 131051, 400, "Unsupported message type", "Message type is not currently supported.");
            let refused = server.send_text(&key, &id, "15550004444", "Hello").await;
            let failed = server.wait_for_message(&key, &refused, "failed").await;
            assert_eq!(failed["errorCode"], "META_131051", "{failed}");
            assert!(failed["errorMessage"].as_str().unwrap().contains("not currently supported"), "{failed}");
            fake.clear_failures();
            server.stop().await;
        },
    )
    .await;
}

#[tokio::test]
async fn free_form_messages_outside_the_service_window_fail_before_they_are_sent() {
    let fake = fake_graph().await;
    on_each_backend_with(
        |_| {},
        |server| async {
            fake.add_number(FakeNumber::example());
            let (key, id) = verified(&server, &fake).await;
            let before = fake.sent_count();
            let text = server.send_text(&key, &id, CUSTOMER, "Hello stranger").await;
            let failed = server.wait_for_message(&key, &text, "failed").await;
            assert_eq!(failed["errorCode"], "SERVICE_WINDOW_CLOSED", "{failed}");
            assert!(failed["errorMessage"].as_str().unwrap().contains("template"), "{failed}");
            assert_eq!(fake.sent_count(), before, "nothing went to Meta");

            let (status, body) = server
                .post(&format!("/api/v1/instances/{id}/messages"), &key, json!({ "to": CUSTOMER, "template": { "name": "hello_world", "language": "en_US" } }))
                .await;
            assert_eq!(status, StatusCode::ACCEPTED, "{body}");
            server.wait_for_message(&key, body["data"]["id"].as_str().unwrap(), "sent").await;

            customer_writes(&server, &fake, &id, "wamid.customer-2").await;
            let reply = server.send_text(&key, &id, CUSTOMER, "Welcome back").await;
            server.wait_for_message(&key, &reply, "sent").await;

            // A day later the window has closed again.
            server.advance_clock(chrono::TimeDelta::hours(25));
            let late = server.send_text(&key, &id, CUSTOMER, "Are you there?").await;
            let failed = server.wait_for_message(&key, &late, "failed").await;
            assert_eq!(failed["errorCode"], "SERVICE_WINDOW_CLOSED");
            server.stop().await;
        },
    )
    .await;
}

#[tokio::test]
async fn templates_are_listed_and_submitted_for_review() {
    let fake = fake_graph().await;
    on_each_backend_with(
        |_| {},
        |server| async {
            fake.add_number(FakeNumber::example());
            let (key, id) = verified(&server, &fake).await;
            let (status, body) = server.get(&format!("/api/v1/instances/{id}/templates"), &key).await;
            assert_eq!(status, StatusCode::OK, "{body}");
            assert!(body["data"].as_array().unwrap().iter().any(|t| t["name"] == "hello_world" && t["status"] == "APPROVED"), "{body}");

            let (status, body) = server
                .post(&format!("/api/v1/instances/{id}/templates"), &key, json!({ "name": "Order Shipped", "language": "en_US", "category": "gift", "components": [] }))
                .await;
            assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
            let mut invalid = fields(&body);
            invalid.sort();
            assert_eq!(invalid, ["category", "components", "name"]);

            let name = format!("order_shipped_{}", rand_suffix());
            let (status, created) = server
                .post(&format!("/api/v1/instances/{id}/templates"), &key, json!({
                    "name": name, "language": "en_US", "category": "utility",
                    "components": [{ "type": "BODY", "text": "Your order {{1}} has shipped.", "example": { "body_text": [["#1234"]] } }]
                }))
                .await;
            assert_eq!(status, StatusCode::CREATED, "{created}");
            assert_eq!(created["data"]["name"], name.as_str());
            assert_eq!(created["data"]["category"], "UTILITY");
            assert!(created["data"]["id"].is_string());
            let (_, listed) = server.get(&format!("/api/v1/instances/{id}/templates"), &key).await;
            assert!(listed["data"].as_array().unwrap().iter().any(|t| t["name"] == name.as_str()));
            assert!(fake.violations().is_empty(), "{:?}", fake.violations());

            // Templates are a Cloud API feature.
            let (sandbox, _) = server.instance(&key, "sandbox").await;
            let (status, body) = server.get(&format!("/api/v1/instances/{sandbox}/templates"), &key).await;
            assert_eq!(status, StatusCode::NOT_IMPLEMENTED, "{body}");
            server.stop().await;
        },
    )
    .await;
}

fn rand_suffix() -> String {
    uuid::Uuid::new_v4().simple().to_string()[..8].to_owned()
}

#[tokio::test]
async fn accounts_bring_their_own_credentials_as_seed_004_does() {
    let fake = fake_graph().await;
    let base = fake.base_url().to_owned();
    on_each_backend_with(
        move |config| config.cloud.base_url = base.clone(),
        |server| async {
            fake.add_number(FakeNumber::example());
            let key = server.account("Acme").await;
            let (_, me) = server.get("/api/v1/auth/me", &key).await;
            assert_eq!(me["data"]["byocConfigured"], false, "{me}");

            let (status, body) = server
                .call(Method::PUT, "/api/v1/auth/me/credentials", Some(&key), Some(json!({ "whatsappPhoneNumberId": "not-a-number" })))
                .await;
            assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
            let mut invalid = fields(&body);
            invalid.sort();
            assert_eq!(invalid, ["whatsappAccessToken", "whatsappPhoneNumberId"]);

            let (status, body) = server
                .call(Method::PUT, "/api/v1/auth/me/credentials", Some(&key), Some(json!({ "whatsappAccessToken": TOKEN, "whatsappPhoneNumberId": NUMBER_ID })))
                .await;
            assert_eq!(status, StatusCode::OK, "{body}");
            assert!(!body.to_string().contains(TOKEN));
            let (_, me) = server.get("/api/v1/auth/me", &key).await;
            assert_eq!(me["data"]["byocConfigured"], true, "{me}");
            let instance = me["data"]["cloudInstanceId"].as_str().unwrap().to_owned();

            let (status, body) = server.post("/api/v1/auth/me/credentials/verify", &key, json!({})).await;
            assert_eq!(status, StatusCode::OK, "{body}");
            assert_eq!(body["data"]["instance"]["status"], "open");
            assert_eq!(body["data"]["cloud"]["verifiedName"], "Jaspers Market");

            // Saving again replaces the credentials of the same instance.
            let (status, body) = server
                .call(Method::PUT, "/api/v1/auth/me/credentials", Some(&key), Some(json!({ "whatsappAccessToken": "EAAG-other", "whatsappPhoneNumberId": NUMBER_ID })))
                .await;
            assert_eq!(status, StatusCode::OK, "{body}");
            assert_eq!(body["data"]["instance"]["id"], instance.as_str());
            let (status, body) = server.post("/api/v1/auth/me/credentials/verify", &key, json!({})).await;
            assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "a token Meta does not know: {body}");

            let (status, _) = server.call(Method::DELETE, "/api/v1/auth/me/credentials", Some(&key), None).await;
            assert_eq!(status, StatusCode::OK);
            let (_, me) = server.get("/api/v1/auth/me", &key).await;
            assert_eq!(me["data"]["byocConfigured"], false);
            let (status, _) = server.post("/api/v1/auth/me/credentials/verify", &key, json!({})).await;
            assert_eq!(status, StatusCode::CONFLICT);
            server.stop().await;
        },
    )
    .await;
}

#[tokio::test]
async fn cloud_numbers_come_back_open_after_a_restart() {
    let fake = fake_graph().await;
    on_each_backend_with(
        |_| {},
        |server| async {
            fake.add_number(FakeNumber::example());
            let (key, id) = verified(&server, &fake).await;
            customer_writes(&server, &fake, &id, "wamid.customer-restart").await;
            let server = server.restart().await;
            let (_, instance) = server.get(&format!("/api/v1/instances/{id}"), &key).await;
            assert_eq!(instance["data"]["status"], "open", "{instance}");
            let message = server
                .send_text(&key, &id, CUSTOMER, "After the restart")
                .await;
            server.wait_for_message(&key, &message, "sent").await;
            server.stop().await;
        },
    )
    .await;
}

#[tokio::test]
async fn cloud_numbers_cannot_check_numbers_show_presence_or_manage_groups_and_say_so() {
    let fake = fake_graph().await;
    on_each_backend_with(
        |_| {},
        |server| async {
            let (key, id) = verified(&server, &fake).await;
            let (status, body) = server
                .post(
                    &format!("/api/v1/instances/{id}/contacts/check"),
                    &key,
                    json!({ "numbers": [CUSTOMER] }),
                )
                .await;
            assert_eq!(status, StatusCode::NOT_IMPLEMENTED, "{body}");
            assert_eq!(body["code"], "NOT_SUPPORTED_BY_ENGINE");
            // Nor presence.
            let (status, body) = server
                .put(
                    &format!("/api/v1/instances/{id}/presence"),
                    &key,
                    json!({ "presence": "available" }),
                )
                .await;
            assert_eq!(status, StatusCode::NOT_IMPLEMENTED, "{body}");
            let (status, body) = server
                .put(
                    &format!("/api/v1/instances/{id}/settings"),
                    &key,
                    json!({ "alwaysOnline": true }),
                )
                .await;
            assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
            assert_eq!(fields(&body), ["settings.alwaysOnline"]);
            let (status, body) = server
                .put(
                    &format!("/api/v1/instances/{id}/settings"),
                    &key,
                    json!({ "syncHistory": true }),
                )
                .await;
            assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
            assert_eq!(fields(&body), ["settings.syncHistory"]);
            // Nor calls.
            let (status, body) = server
                .post(
                    &format!("/api/v1/instances/{id}/calls/ABC/reject"),
                    &key,
                    json!({ "from": CUSTOMER }),
                )
                .await;
            assert_eq!(status, StatusCode::NOT_IMPLEMENTED, "{body}");
            // Nor profiles.
            let (status, body) = server
                .get(&format!("/api/v1/instances/{id}/profile"), &key)
                .await;
            assert_eq!(status, StatusCode::NOT_IMPLEMENTED, "{body}");
            // Nor statuses.
            let (status, body) = server
                .post(
                    &format!("/api/v1/instances/{id}/status"),
                    &key,
                    json!({ "text": "Open", "recipients": [CUSTOMER] }),
                )
                .await;
            assert_eq!(status, StatusCode::NOT_IMPLEMENTED, "{body}");
            // Nor groups (the Cloud API has none for these numbers).
            let (status, body) = server
                .get(&format!("/api/v1/instances/{id}/groups"), &key)
                .await;
            assert_eq!(status, StatusCode::NOT_IMPLEMENTED, "{body}");
            assert_eq!(body["code"], "NOT_SUPPORTED_BY_ENGINE");
            server.stop().await;
        },
    )
    .await;
}
