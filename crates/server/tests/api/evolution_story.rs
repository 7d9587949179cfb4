//! Seed 000's whole story, as its reader runs it: create a number, show its QR code, scan
//! it, receive `messages.upsert` in an n8n-style webhook, answer with the exact `sendText`
//! body the seed prints, and see `connection.update` when the connection drops and returns.

use crate::evolution_chat::{evo, evo_post};
use crate::evolution_instances::{create, sandbox_baileys, scan};
use crate::receiver::{Received, Receiver};
use crate::support::*;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

fn events(received: &[Received], name: &str) -> Vec<Value> {
    received
        .iter()
        .map(Received::json)
        .filter(|body| body["event"] == name)
        .collect()
}

fn has(name: &'static str, holds: impl Fn(&Value) -> bool) -> impl Fn(&[Received]) -> bool {
    move |received| events(received, name).iter().any(&holds)
}

#[tokio::test]
async fn seed_000_story_from_qr_code_to_reply_and_reconnect() {
    on_each_backend_with(sandbox_baileys, |server| async move {
        let receiver = Receiver::start().await;
        let key = server.account("Acme").await;
        let made = create(
            &server,
            &key,
            json!({
                "instanceName": "your-number-id", "qrcode": true,
                "webhook": { "url": receiver.url, "events": ["MESSAGES_UPSERT", "CONNECTION_UPDATE", "QRCODE_UPDATED"] }
            }),
        )
        .await;
        let code = made["qrcode"]["code"].as_str().unwrap().to_owned();
        receiver
            .wait_for("qrcode.updated", has("qrcode.updated", |event| {
                event["data"]["qrcode"]["code"] == code.as_str()
                    && event["data"]["qrcode"]["base64"].as_str().is_some_and(|b| b.starts_with("data:image/png;base64,"))
            }))
            .await;

        // "Poll connectionState until it returns open, or listen for connection.update."
        scan(&server, &key, &code, "15550001111").await;
        receiver
            .wait_for("connection.update open", has("connection.update", |event| {
                event["data"]["state"] == "open"
            }))
            .await;
        let (_, state) = evo(&server, Method::GET, "/instance/connectionState/your-number-id", Some(&key), None).await;
        assert_eq!(state["instance"]["state"], "open");

        server
            .inbound(&key, "your-number-id", json!({
                "from": "15550002222", "pushName": "Ann", "text": "Hey, is this available?"
            }))
            .await;
        let received = receiver
            .wait_for("messages.upsert", has("messages.upsert", |_| true))
            .await;
        let upsert = events(&received, "messages.upsert").remove(0);
        assert_eq!(upsert["instance"], "your-number-id", "{upsert}");
        // The n8n expressions seed 000 prints.
        let text = &upsert["data"]["message"]["conversation"];
        assert_eq!(text, "Hey, is this available?", "{upsert}");
        let remote_jid = upsert["data"]["key"]["remoteJid"].as_str().unwrap();
        assert_eq!(remote_jid, "15550002222@s.whatsapp.net");
        assert_eq!(upsert["data"]["key"]["fromMe"], false);
        assert!(upsert["data"]["key"]["id"].is_string());
        assert!(upsert["data"]["messageTimestamp"].is_number() || upsert["data"]["messageTimestamp"].is_string());

        // The HTTP Request node's reply, byte for byte the seed's body.
        let number = remote_jid.replace("@s.whatsapp.net", "");
        let (status, reply) = evo_post(
            &server,
            "/message/sendText/your-number-id",
            &key,
            json!({ "number": number, "text": "Thanks for your message! We'll get back to you soon." }),
        )
        .await;
        assert_eq!(status, StatusCode::CREATED, "{reply}");
        assert_eq!(reply["key"]["remoteJid"], "15550002222@s.whatsapp.net");
        assert_eq!(reply["status"], "PENDING");
        let id = reply["key"]["id"].as_str().unwrap();
        server
            .wait_for_message_where(&key, id, "sent", |message| message["status"] != "queued" && message["status"] != "processing")
            .await;
        let activity = server.sandbox_activity(&key, "your-number-id").await;
        assert!(
            activity
                .iter()
                .any(|item| item["kind"] == "message" && item["messageId"] == id),
            "{activity:?}"
        );

        // A drop, then the connection back: both told by connection.update.
        let (status, body) = server
            .post("/api/v1/sandbox/instances/your-number-id/disconnect", &key, json!({}))
            .await;
        assert_eq!(status, StatusCode::ACCEPTED, "{body}");
        receiver
            .wait_for("connection.update close", has("connection.update", |event| {
                event["data"]["state"] == "close"
            }))
            .await;
        let (status, body) = server
            .post("/api/v1/sandbox/instances/your-number-id/reconnect", &key, json!({}))
            .await;
        assert_eq!(status, StatusCode::ACCEPTED, "{body}");
        receiver
            .wait_for("connection.update open again", |received| {
                events(received, "connection.update")
                    .iter()
                    .filter(|event| event["data"]["state"] == "open")
                    .count()
                    >= 2
            })
            .await;
        // Nothing was delivered twice.
        let received = receiver.received();
        let mut ids: Vec<String> = received
            .iter()
            .map(|r| r.header("webhook-id"))
            .filter(|id| !id.is_empty())
            .collect();
        let all = ids.len();
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), all, "duplicate deliveries");
        server.stop().await;
    })
    .await;
}
