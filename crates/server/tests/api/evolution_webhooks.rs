//! Webhooks in Evolution API's format: set through `/webhook/set/{instance}`, delivered in
//! Evolution's envelope with its event names and Baileys-shaped data, by the same outbox,
//! retries, delivery log and replay as native ones.

use crate::evolution_chat::evo;
use crate::files;
use crate::receiver::{Received, Receiver, event_names};
use crate::support::*;
use base64::Engine as _;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

fn fast_webhooks(config: &mut wagate_server::config::Config) {
    config.webhooks.allow_private_targets = true;
    config.webhooks.retry_schedule_secs = vec![0.05, 0.05, 0.05];
    config.webhooks.poll_interval_ms = 50;
    config.webhooks.timeout_secs = 2.0;
}

/// Sets the instance's Evolution webhook; answers Evolution's webhook object.
async fn set_webhook(server: &TestServer, key: &str, instance: &str, webhook: Value) -> Value {
    let (status, body) = evo(
        server,
        Method::POST,
        &format!("/webhook/set/{instance}"),
        Some(key),
        Some(json!({ "webhook": webhook })),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    body
}

/// The deliveries that arrived with Evolution's event `name`.
fn named<'a>(received: &'a [Received], name: &str) -> Vec<&'a Received> {
    received
        .iter()
        .filter(|r| r.json()["event"] == name)
        .collect()
}

fn count(name: &'static str, at_least: usize) -> impl Fn(&[Received]) -> bool {
    move |received| named(received, name).len() >= at_least
}

/// Asserts `date_time` is UTC with milliseconds, and `timestamp` the same time.
fn assert_times(body: &Value) {
    let date_time = body["date_time"].as_str().expect("date_time");
    let parsed = chrono::DateTime::parse_from_rfc3339(date_time).expect("RFC 3339");
    assert_eq!(parsed.offset().local_minus_utc(), 0, "{date_time}");
    assert!(
        date_time.ends_with('Z') && date_time.len() == "2026-03-02T10:00:00.000Z".len(),
        "{date_time}"
    );
    let age = chrono::Utc::now() - parsed.with_timezone(&chrono::Utc);
    assert!(
        age.num_seconds().abs() < 60,
        "true UTC, not local time: {date_time}"
    );
    assert_eq!(body["timestamp"], body["date_time"]);
}

/// The endpoint's newest delivery once it succeeded (its attempts are logged by then).
async fn succeeded_delivery(server: &TestServer, key: &str, webhook: &str) -> Value {
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(15);
    loop {
        let (status, body) = server
            .get(
                &format!("/api/v1/webhooks/{webhook}/deliveries?status=succeeded"),
                key,
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        if let Some(first) = body["data"].as_array().unwrap().first() {
            return first.clone();
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "no succeeded delivery"
        );
        tokio::time::sleep(std::time::Duration::from_millis(30)).await;
    }
}

#[tokio::test]
async fn evolution_webhooks_deliver_inbound_messages_in_evolutions_envelope() {
    on_each_backend_with(fast_webhooks, |server| async move {
        let receiver = Receiver::start().await;
        let (key, instance_id) = server.linked_instance("sales").await;
        let webhook = set_webhook(
            &server,
            &key,
            "sales",
            json!({
                "enabled": true, "url": receiver.url,
                "events": ["MESSAGES_UPSERT", "CONNECTION_UPDATE", "QRCODE_UPDATED"],
                "headers": { "X-Team": "ops" },
            }),
        )
        .await;
        assert!(webhook["id"].as_str().unwrap().starts_with("whk_"));
        assert_eq!(webhook["url"], receiver.url.as_str());
        assert_eq!(webhook["enabled"], true);
        assert_eq!(
            webhook["events"],
            json!(["QRCODE_UPDATED", "CONNECTION_UPDATE", "MESSAGES_UPSERT"])
        );
        assert_eq!(webhook["headers"], json!({ "X-Team": "***" }));
        assert_eq!(webhook["webhookByEvents"], false);
        assert_eq!(webhook["webhookBase64"], false);
        assert_eq!(webhook["instanceId"], instance_id.as_str());
        let (status, found) = evo(&server, Method::GET, "/webhook/find/sales", Some(&key), None).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(found, webhook);

        let whatsapp_id = server
            .inbound(
                &key,
                "sales",
                json!({ "from": "15550002222", "pushName": "Bob", "text": "Hey, is this available?" }),
            )
            .await
            .unwrap();
        let received = receiver
            .wait_for("messages.upsert", count("messages.upsert", 1))
            .await;
        let delivery = named(&received, "messages.upsert")[0];
        let body = delivery.json();
        assert_eq!(body["event"], "messages.upsert");
        assert_eq!(body["instance"], "sales");
        assert_eq!(body["data"]["key"]["remoteJid"], "15550002222@s.whatsapp.net");
        assert_eq!(body["data"]["key"]["fromMe"], false);
        assert_eq!(body["data"]["key"]["id"], whatsapp_id.as_str());
        assert_eq!(body["data"]["message"]["conversation"], "Hey, is this available?");
        assert_eq!(body["data"]["messageType"], "conversation");
        assert_eq!(body["data"]["pushName"], "Bob");
        assert_eq!(body["data"]["instanceId"], instance_id.as_str());
        let seconds = body["data"]["messageTimestamp"]
            .as_str()
            .expect("messageTimestamp is a string, as Evolution prints it");
        let seconds: i64 = seconds.parse().expect("unix seconds");
        assert!((chrono::Utc::now().timestamp() - seconds).abs() < 60);
        assert_times(&body);
        assert_eq!(body["sender"], "15550001111@s.whatsapp.net");
        assert_eq!(body["server_url"], server.base.as_str());
        assert_eq!(body["destination"], receiver.url.as_str());
        assert!(body["apikey"].is_null(), "keys are kept only as hashes");
        let fields: Vec<&str> = body.as_object().unwrap().keys().map(String::as_str).collect();
        for field in [
            "event", "instance", "data", "destination", "date_time", "sender", "server_url",
            "apikey", "timestamp",
        ] {
            assert!(fields.contains(&field), "{field} in {fields:?}");
        }
        // The receiver's headers, and the Standard Webhooks ones a user may verify.
        assert_eq!(delivery.header("x-team"), "ops");
        assert!(delivery.header("webhook-id").starts_with("evt_"));
        assert!(!delivery.header("webhook-signature").is_empty());
        assert!(
            event_names(&received)
                .iter()
                .all(|name| !name.starts_with("message.")),
            "only Evolution's names reach an Evolution endpoint: {:?}",
            event_names(&received)
        );
        server.stop().await;
    })
    .await;
}

#[tokio::test]
async fn evolution_webhooks_tell_sends_and_their_statuses_under_one_key_id() {
    on_each_backend_with(fast_webhooks, |server| async move {
        let receiver = Receiver::start().await;
        let (key, _) = server.linked_instance("sales").await;
        set_webhook(
            &server,
            &key,
            "sales",
            json!({ "enabled": true, "url": receiver.url, "events": ["SEND_MESSAGE", "MESSAGES_UPDATE"] }),
        )
        .await;
        let id = server.send_text(&key, "sales", "15550002222", "Hello").await;
        let message = server.wait_for_message(&key, &id, "read").await;
        let whatsapp_id = message["providerMessageId"].as_str().unwrap().to_owned();
        let received = receiver
            .wait_for("the sent message and its statuses", |r| {
                named(r, "send.message").len() == 1 && named(r, "messages.update").len() >= 3
            })
            .await;
        let sent = named(&received, "send.message")[0].json();
        assert_eq!(sent["data"]["key"]["id"], whatsapp_id.as_str());
        assert_eq!(sent["data"]["key"]["fromMe"], true);
        assert_eq!(sent["data"]["key"]["remoteJid"], "15550002222@s.whatsapp.net");
        assert_eq!(sent["data"]["message"]["conversation"], "Hello");
        assert!(sent["data"]["messageTimestamp"].is_string());
        let statuses: Vec<Value> = named(&received, "messages.update")
            .iter()
            .map(|r| {
                let data = r.json()["data"].clone();
                assert_eq!(data["keyId"], whatsapp_id.as_str(), "{data}");
                assert_eq!(data["remoteJid"], "15550002222@s.whatsapp.net");
                assert_eq!(data["fromMe"], true);
                assert_eq!(data["messageId"], id.as_str());
                data["status"].clone()
            })
            .collect();
        for status in ["SERVER_ACK", "DELIVERY_ACK", "READ"] {
            assert!(statuses.contains(&json!(status)), "{status} in {statuses:?}");
        }
        server.stop().await;
    })
    .await;
}

#[tokio::test]
async fn evolution_webhooks_by_events_and_with_inline_media() {
    on_each_backend_with(fast_webhooks, |server| async move {
        let receiver = Receiver::start().await;
        let (key, _) = server.linked_instance("sales").await;
        let webhook = set_webhook(
            &server,
            &key,
            "sales",
            json!({ "enabled": true, "url": receiver.url, "events": ["MESSAGES_UPSERT"], "byEvents": true, "base64": true }),
        )
        .await;
        assert_eq!(webhook["webhookByEvents"], true);
        assert_eq!(webhook["webhookBase64"], true);
        let png = files::png(16);
        let b64 = base64::engine::general_purpose::STANDARD.encode(&png);
        server
            .inbound(
                &key,
                "sales",
                json!({ "from": "15550002222", "image": { "base64": b64, "caption": "Photo" } }),
            )
            .await;
        let received = receiver
            .wait_for("messages.upsert", count("messages.upsert", 1))
            .await;
        let delivery = named(&received, "messages.upsert")[0];
        assert_eq!(delivery.path, "/hook/messages-upsert");
        let body = delivery.json();
        assert_eq!(
            body["destination"],
            format!("{}/messages-upsert", receiver.url).as_str()
        );
        assert_eq!(body["data"]["messageType"], "imageMessage");
        assert_eq!(body["data"]["message"]["imageMessage"]["caption"], "Photo");
        assert_eq!(body["data"]["message"]["imageMessage"]["mimetype"], "image/png");
        assert_eq!(body["data"]["message"]["base64"], b64.as_str());

        // The delivery log shows where the attempt went and what it sent, media left out.
        let webhook_id = webhook["id"].as_str().unwrap();
        let delivery = succeeded_delivery(&server, &key, webhook_id).await;
        let attempt = &delivery["attemptLog"][0];
        assert_eq!(
            attempt["requestUrl"],
            format!("{}/messages-upsert", receiver.url).as_str()
        );
        assert_eq!(attempt["requestBody"]["event"], "messages.upsert");
        assert_eq!(attempt["requestBody"]["data"]["message"]["imageMessage"]["caption"], "Photo");
        let logged = attempt["requestBody"]["data"]["message"]["base64"].as_str().unwrap();
        assert!(logged.contains("left out of the log"), "{logged}");
        server.stop().await;
    })
    .await;
}

#[tokio::test]
async fn evolution_webhooks_report_a_dropped_connection_as_closed() {
    on_each_backend_with(fast_webhooks, |server| async move {
        let receiver = Receiver::start().await;
        let (key, _) = server.linked_instance("sales").await;
        set_webhook(
            &server,
            &key,
            "sales",
            json!({ "enabled": true, "url": receiver.url, "events": ["CONNECTION_UPDATE"] }),
        )
        .await;
        let (status, body) = server
            .post(
                "/api/v1/sandbox/instances/sales/disconnect",
                &key,
                json!({}),
            )
            .await;
        assert_eq!(status, StatusCode::ACCEPTED, "{body}");
        // Linking's own updates may arrive too (the webhook was set right after it).
        let state_is = |state: &'static str| {
            move |r: &Received| {
                r.json()["event"] == "connection.update" && r.json()["data"]["state"] == state
            }
        };
        let received = receiver
            .wait_for("the close", |r| r.iter().any(state_is("close")))
            .await;
        let closed_at = received.iter().position(state_is("close")).unwrap();
        let closed = received[closed_at].json();
        assert_eq!(closed["instance"], "sales");
        assert_eq!(closed["data"]["instance"], "sales");
        assert_eq!(closed["data"]["state"], "close");
        assert_eq!(closed["data"]["statusReason"], 428);
        assert_times(&closed);

        let (status, body) = server
            .post("/api/v1/sandbox/instances/sales/reconnect", &key, json!({}))
            .await;
        assert_eq!(status, StatusCode::ACCEPTED, "{body}");
        let received = receiver
            .wait_for("the reconnection", |r| {
                r.iter().skip(closed_at + 1).any(state_is("open"))
            })
            .await;
        let open = received
            .iter()
            .skip(closed_at + 1)
            .find(|r| state_is("open")(r))
            .unwrap()
            .json();
        assert_eq!(open["data"]["state"], "open");
        assert_eq!(open["data"]["statusReason"], 200);
        assert_eq!(open["data"]["wuid"], "15550001111@s.whatsapp.net");
        server.stop().await;
    })
    .await;
}

#[tokio::test]
async fn evolution_webhooks_are_retried_and_replayed_with_the_same_body() {
    on_each_backend_with(fast_webhooks, |server| async move {
        let receiver = Receiver::start().await;
        let (key, _) = server.linked_instance("sales").await;
        let webhook = set_webhook(
            &server,
            &key,
            "sales",
            json!({ "enabled": true, "url": receiver.url, "events": ["MESSAGES_UPSERT"] }),
        )
        .await;
        receiver.answer_with(&[500]);
        server
            .inbound(
                &key,
                "sales",
                json!({ "from": "15550002222", "text": "Again?" }),
            )
            .await;
        let received = receiver
            .wait_for("the retry", count("messages.upsert", 2))
            .await;
        let first = &named(&received, "messages.upsert")[0];
        let retry = &named(&received, "messages.upsert")[1];
        assert_eq!(first.body, retry.body, "a retry posts the same body");
        assert_eq!(first.header("webhook-id"), retry.header("webhook-id"));

        let webhook_id = webhook["id"].as_str().unwrap();
        let (status, body) = server
            .post(
                &format!("/api/v1/webhooks/{webhook_id}/replay"),
                &key,
                json!({ "since": "2000-01-01T00:00:00Z" }),
            )
            .await;
        assert_eq!(status, StatusCode::ACCEPTED, "{body}");
        assert_eq!(body["data"]["queued"], 1, "only what the endpoint renders");
        let received = receiver
            .wait_for("the replay", count("messages.upsert", 3))
            .await;
        let replay = &named(&received, "messages.upsert")[2];
        assert_eq!(first.body, replay.body, "a replay posts the same body");

        succeeded_delivery(&server, &key, webhook_id).await;
        let log = loop {
            let (_, log) = server
                .get(
                    &format!("/api/v1/webhooks/{webhook_id}/deliveries?status=succeeded"),
                    &key,
                )
                .await;
            if log["data"].as_array().unwrap().len() == 2 {
                break log;
            }
            tokio::time::sleep(std::time::Duration::from_millis(30)).await;
        };
        let codes: Vec<_> = log["data"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|d| d["attemptLog"].as_array().unwrap().clone())
            .map(|a| a["statusCode"].clone())
            .collect();
        assert_eq!(
            codes.iter().filter(|c| **c == json!(500)).count(),
            1,
            "{log}"
        );
        assert_eq!(
            codes.iter().filter(|c| **c == json!(200)).count(),
            2,
            "{log}"
        );
        server.stop().await;
    })
    .await;
}

#[tokio::test]
async fn evolution_webhooks_leave_native_endpoints_as_they_were() {
    on_each_backend_with(fast_webhooks, |server| async move {
        let evolution = Receiver::start().await;
        let native = Receiver::start().await;
        let (key, _) = server.linked_instance("sales").await;
        set_webhook(
            &server,
            &key,
            "sales",
            json!({ "enabled": true, "url": evolution.url, "events": [] }),
        )
        .await;
        let (status, created) = server
            .post(
                "/api/v1/webhooks",
                &key,
                json!({ "url": native.url, "events": ["*"] }),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{created}");
        assert_eq!(created["data"]["format"], "native");
        assert_eq!(created["data"]["byEvents"], false);
        assert_eq!(created["data"]["base64"], false);
        let id = server.send_text(&key, "sales", "15550002222", "Hi").await;
        server.wait_for_message(&key, &id, "read").await;
        let received = native
            .wait_for("the read status", |r| {
                event_names(r)
                    .iter()
                    .filter(|e| *e == "message.status_updated")
                    .count()
                    >= 3
            })
            .await;
        let names = event_names(&received);
        assert!(names.contains(&"message.queued".to_owned()), "{names:?}");
        let queued = received
            .iter()
            .find(|r| r.json()["event"] == "message.queued")
            .unwrap()
            .json();
        assert!(queued["id"].as_str().unwrap().starts_with("evt_"));
        assert_eq!(queued["data"]["messageId"], id.as_str());
        assert!(queued.get("date_time").is_none(), "the native envelope");

        let received = evolution
            .wait_for("the read status", count("messages.update", 3))
            .await;
        let names = event_names(&received);
        assert!(names.contains(&"send.message".to_owned()), "{names:?}");
        assert!(
            names.iter().all(|name| !name.starts_with("message.")),
            "no native event and nothing without an Evolution rendering: {names:?}"
        );
        server.stop().await;
    })
    .await;
}

#[tokio::test]
async fn evolution_webhook_settings_are_evolutions_and_the_native_api_shows_them() {
    on_each_backend_with(fast_webhooks, |server| async move {
        let receiver = Receiver::start().await;
        let key = server.account("Acme").await;
        server.instance(&key, "sales").await;
        let (status, none) = evo(&server, Method::GET, "/webhook/find/sales", Some(&key), None).await;
        assert_eq!(status, StatusCode::OK);
        assert!(none.is_null(), "{none}");
        let (status, missing) =
            evo(&server, Method::GET, "/webhook/find/nobody", Some(&key), None).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        assert_eq!(missing["status"], 404);
        assert!(missing["response"]["message"][0].as_str().unwrap().contains("nobody"));
        let (status, unauthenticated) = server
            .call(Method::GET, "/webhook/find/sales", None, None)
            .await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{unauthenticated}");

        // The flat form Evolution's docs show; empty events are every event.
        let (status, flat) = evo(
            &server,
            Method::POST,
            "/webhook/set/sales",
            Some(&key),
            Some(json!({ "url": receiver.url, "enabled": true, "events": [], "webhook_by_events": true })),
        )
        .await;
        assert_eq!(status, StatusCode::CREATED, "{flat}");
        assert_eq!(flat["webhookByEvents"], true);
        let every = flat["events"].as_array().unwrap();
        assert!(every.contains(&json!("MESSAGES_UPSERT")) && every.contains(&json!("CALL")));
        // Set again: the same webhook, replaced.
        let replaced = set_webhook(
            &server,
            &key,
            "sales",
            json!({ "enabled": false, "url": receiver.url, "events": ["SEND_MESSAGE"] }),
        )
        .await;
        assert_eq!(replaced["id"], flat["id"]);
        assert_eq!(replaced["enabled"], false);
        assert_eq!(replaced["webhookByEvents"], false);
        assert_eq!(replaced["events"], json!(["SEND_MESSAGE"]));
        let webhook_id = replaced["id"].as_str().unwrap();
        let (_, listed) = server.get("/api/v1/webhooks", &key).await;
        assert_eq!(listed["data"].as_array().unwrap().len(), 1, "one per instance");
        let (status, shown) = server
            .get(&format!("/api/v1/webhooks/{webhook_id}"), &key)
            .await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(shown["data"]["format"], "evolution");
        assert_eq!(shown["data"]["events"], json!(["message.sent", "message.reaction"]));
        assert_eq!(shown["data"]["enabled"], false);

        // Bad settings: Evolution's 400.
        for bad in [
            json!({ "webhook": { "enabled": true } }),
            json!({ "webhook": { "enabled": true, "url": receiver.url, "events": ["NOPE"] } }),
            json!({ "webhook": { "enabled": true, "url": "ftp://example.com" } }),
        ] {
            let (status, body) =
                evo(&server, Method::POST, "/webhook/set/sales", Some(&key), Some(bad.clone())).await;
            assert_eq!(status, StatusCode::BAD_REQUEST, "{bad}: {body}");
            assert_eq!(body["status"], 400);
        }

        // Through the native API: the format and its options, and only events it renders.
        let (status, created) = server
            .post(
                "/api/v1/webhooks",
                &key,
                json!({ "url": receiver.url, "format": "evolution", "events": ["message.received"], "byEvents": true, "base64": true }),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{created}");
        assert_eq!(created["data"]["format"], "evolution");
        assert_eq!(created["data"]["byEvents"], true);
        assert_eq!(created["data"]["base64"], true);
        let created_id = created["data"]["id"].as_str().unwrap();
        let (status, patched) = server
            .call(
                Method::PATCH,
                &format!("/api/v1/webhooks/{created_id}"),
                Some(&key),
                Some(json!({ "byEvents": false })),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{patched}");
        assert_eq!(patched["data"]["byEvents"], false);
        for (bad, field) in [
            (json!({ "url": receiver.url, "format": "evolution", "events": ["message.queued"] }), "events"),
            (json!({ "url": receiver.url, "byEvents": true }), "byEvents"),
            (json!({ "url": receiver.url, "base64": true }), "base64"),
            (json!({ "url": receiver.url, "format": "soap" }), "format"),
        ] {
            let (status, body) = server.post("/api/v1/webhooks", &key, bad.clone()).await;
            assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}: {body}");
            assert_eq!(fields(&body), [field], "{body}");
        }
        server.stop().await;
    })
    .await;
}

#[tokio::test]
async fn evolution_webhooks_show_qr_codes_and_the_link_as_evolution_does() {
    on_each_backend_with(fast_webhooks, |server| async move {
        let receiver = Receiver::start().await;
        let key = server.account("Acme").await;
        server.instance(&key, "sales").await;
        set_webhook(
            &server,
            &key,
            "sales",
            json!({ "enabled": true, "url": receiver.url, "events": ["QRCODE_UPDATED", "CONNECTION_UPDATE"] }),
        )
        .await;
        let (status, body) = server
            .post("/api/v1/instances/sales/connect", &key, json!({}))
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let code = body["data"]["qr"]["code"].as_str().unwrap().to_owned();
        let received = receiver
            .wait_for("qrcode.updated", count("qrcode.updated", 1))
            .await;
        let qr = named(&received, "qrcode.updated")[0].json();
        assert_eq!(qr["instance"], "sales");
        assert_eq!(qr["data"]["qrcode"]["instance"], "sales");
        assert_eq!(qr["data"]["qrcode"]["code"], code.as_str());
        assert!(qr["data"]["qrcode"]["pairingCode"].is_null());
        let image = qr["data"]["qrcode"]["base64"].as_str().unwrap();
        let png = base64::engine::general_purpose::STANDARD
            .decode(image.strip_prefix("data:image/png;base64,").expect("a PNG data URL"))
            .unwrap();
        assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
        assert!(qr["sender"].is_null(), "not linked yet");

        let (status, body) = server
            .post(
                "/api/v1/sandbox/link",
                &key,
                json!({ "code": code, "phone": "15550001111" }),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let received = receiver
            .wait_for("the link", |r| {
                named(r, "connection.update")
                    .iter()
                    .any(|u| u.json()["data"]["state"] == "open")
            })
            .await;
        let updates = named(&received, "connection.update");
        let states: Vec<_> = updates.iter().map(|u| u.json()["data"]["state"].clone()).collect();
        assert!(states.contains(&json!("connecting")), "{states:?}");
        let open = updates
            .iter()
            .find(|u| u.json()["data"]["state"] == "open")
            .unwrap()
            .json();
        assert_eq!(open["data"]["wuid"], "15550001111@s.whatsapp.net");
        assert_eq!(open["sender"], "15550001111@s.whatsapp.net");
        server.stop().await;
    })
    .await;
}

#[tokio::test]
async fn evolution_webhooks_carry_edits_deletes_and_calls_and_replays_keep_what_arrived() {
    on_each_backend_with(fast_webhooks, |server| async move {
        let receiver = Receiver::start().await;
        let (key, _) = server.linked_instance("sales").await;
        let webhook = set_webhook(
            &server,
            &key,
            "sales",
            json!({ "enabled": true, "url": receiver.url,
                    "events": ["MESSAGES_UPSERT", "MESSAGES_EDITED", "MESSAGES_DELETE", "CALL", "PRESENCE_UPDATE"] }),
        )
        .await;
        let theirs = server
            .inbound(&key, "sales", json!({ "from": "15550002222", "text": "First version" }))
            .await
            .unwrap();
        let received = server
            .wait_for_event(&key, "message.received", |e| {
                e["data"]["providerMessageId"] == theirs.as_str()
            })
            .await;
        let their_message = received["data"]["messageId"].as_str().unwrap().to_owned();
        receiver
            .wait_for("messages.upsert", count("messages.upsert", 1))
            .await;
        server
            .inbound(
                &key,
                "sales",
                json!({ "from": "15550002222", "edit": { "messageId": their_message, "text": "Second version" } }),
            )
            .await;
        let received = receiver
            .wait_for("messages.edited", count("messages.edited", 1))
            .await;
        let edited = named(&received, "messages.edited")[0].json();
        assert_eq!(edited["data"]["key"]["id"], theirs.as_str());
        assert_eq!(edited["data"]["key"]["remoteJid"], "15550002222@s.whatsapp.net");
        assert_eq!(edited["data"]["type"], "MESSAGE_EDIT");
        assert_eq!(edited["data"]["editedMessage"]["conversation"], "Second version");

        server
            .inbound(
                &key,
                "sales",
                json!({ "from": "15550002222", "revoke": { "messageId": theirs } }),
            )
            .await;
        let received = receiver
            .wait_for("messages.delete", count("messages.delete", 1))
            .await;
        let deleted = named(&received, "messages.delete")[0].json();
        assert_eq!(deleted["data"]["id"], theirs.as_str());
        assert_eq!(deleted["data"]["fromMe"], false);
        assert_eq!(deleted["data"]["remoteJid"], "15550002222@s.whatsapp.net");

        let (status, body) = server
            .post(
                "/api/v1/sandbox/instances/sales/call",
                &key,
                json!({ "from": "15550002222", "pushName": "Ann", "video": true }),
            )
            .await;
        assert!(status.is_success(), "{body}");
        let received = receiver.wait_for("call", count("call", 1)).await;
        let call = named(&received, "call")[0].json();
        assert_eq!(call["data"]["from"], "15550002222@s.whatsapp.net");
        assert_eq!(call["data"]["isVideo"], true);
        assert_eq!(call["data"]["status"], "offer");
        assert!(call["data"]["id"].is_string());

        // Ann records a voice note, then goes offline: Baileys' presence shape.
        for state in ["recording", "unavailable"] {
            let (status, body) = server
                .post(
                    "/api/v1/sandbox/instances/sales/presence",
                    &key,
                    json!({ "from": "15550002222", "state": state }),
                )
                .await;
            assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
        }
        let received = receiver
            .wait_for("presence.update", count("presence.update", 2))
            .await;
        let presences: Vec<Value> = named(&received, "presence.update")
            .iter()
            .map(|delivery| delivery.json()["data"].clone())
            .collect();
        // An endpoint may get two deliveries at once, so they are found by what they say.
        let ann = "15550002222@s.whatsapp.net";
        let shown = |state: &str| {
            presences
                .iter()
                .find(|p| p["presences"][ann]["lastKnownPresence"] == state)
                .unwrap_or_else(|| panic!("no {state} presence in {presences:?}"))
        };
        assert_eq!(shown("recording")["id"], ann, "{presences:?}");
        assert!(shown("recording")["presences"][ann].get("lastSeen").is_none());
        assert!(shown("unavailable")["presences"][ann]["lastSeen"].is_i64(), "{presences:?}");

        // A replay shows the message as it arrived, not as it was edited since.
        let webhook_id = webhook["id"].as_str().unwrap();
        let (status, body) = server
            .post(
                &format!("/api/v1/webhooks/{webhook_id}/replay"),
                &key,
                json!({ "since": "2000-01-01T00:00:00Z" }),
            )
            .await;
        assert_eq!(status, StatusCode::ACCEPTED, "{body}");
        let received = receiver
            .wait_for("the replay", count("messages.upsert", 2))
            .await;
        let upserts = named(&received, "messages.upsert");
        assert_eq!(upserts[0].body, upserts[1].body);
        assert_eq!(
            upserts[1].json()["data"]["message"]["conversation"],
            "First version"
        );
        server.stop().await;
    })
    .await;
}
