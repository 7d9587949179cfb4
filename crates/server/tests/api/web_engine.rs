//! Web instances over HTTP when WhatsApp cannot be reached: linking fails with a clear error
//! in bounded time, nothing is left half-linked, and the server stays healthy.

use crate::support::{TestServer, backends};
use reqwest::StatusCode;
use serde_json::json;
use std::time::{Duration, Instant};

/// A WebSocket address on this machine where nothing listens.
fn unreachable_whatsapp() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    format!("ws://127.0.0.1:{port}/ws/chat")
}

#[tokio::test]
async fn linking_a_web_number_without_whatsapp_answers_503_in_time_and_the_server_stays_healthy() {
    let url = unreachable_whatsapp();
    for backend in backends().await {
        let server = TestServer::start(backend, |config| {
            config.web.url = url.clone();
            config.web.version = "2.3000.1".to_owned();
            config.web.link_timeout_secs = 2;
        })
        .await;
        let key = server.account("Acme").await;
        let (status, body) = server
            .post(
                "/api/v1/instances",
                &key,
                json!({ "name": "phone", "engine": "web" }),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");

        for request in [json!({}), json!({ "phoneNumber": "15550001111" })] {
            let started = Instant::now();
            let (status, body) = server
                .post("/api/v1/instances/phone/connect", &key, request.clone())
                .await;
            let took = started.elapsed();
            assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{request}: {body}");
            assert_eq!(body["code"], "ENGINE_UNAVAILABLE");
            assert!(
                body["error"]
                    .as_str()
                    .unwrap()
                    .contains("could not reach WhatsApp"),
                "{body}"
            );
            assert!(took < Duration::from_secs(15), "answered after {took:?}");

            let (status, body) = server.get("/api/v1/instances/phone", &key).await;
            assert_eq!(status, StatusCode::OK);
            assert_eq!(body["data"]["status"], "disconnected", "{body}");
            assert_eq!(body["data"]["qr"], serde_json::Value::Null);
        }

        let (status, _) = server.get("/healthz", &key).await;
        assert_eq!(status, StatusCode::OK);
        server.stop().await;
    }
}

#[tokio::test]
async fn a_linked_web_number_reconnects_by_itself_after_a_restart_and_shows_connecting_while_whatsapp_is_away()
 {
    use wagate_core::{InstanceId, InstanceStatus, LinkedAccount, PhoneNumber};
    use wagate_engine_web::KeyStore;
    use wagate_store::InstanceState;

    let url = unreachable_whatsapp();
    for backend in backends().await {
        let server = TestServer::start(backend, |config| {
            config.web.url = url.clone();
            config.web.version = "2.3000.1".to_owned();
            config.web.start_spacing_ms = 10;
        })
        .await;
        let key = server.account("Acme").await;
        let (status, body) = server
            .post(
                "/api/v1/instances",
                &key,
                json!({ "name": "phone", "engine": "web" }),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        let id = InstanceId::parse(body["data"]["id"].as_str().unwrap()).unwrap();

        // What a phone linking the device leaves behind: its keys and the linked number.
        let store = server.server().gateway().store().clone();
        let keys = KeyStore::new(store.clone(), id.clone());
        keys.ensure_device().await.unwrap();
        let me = LinkedAccount {
            phone: PhoneNumber::parse("15550001111").unwrap(),
            jid: "15550001111@s.whatsapp.net".to_owned(),
            push_name: Some("Acme".to_owned()),
            lid: Some("100000012345678@lid".to_owned()),
        };
        store
            .update_instance(&id, |current| {
                let mut state = InstanceState::of(current);
                state.status = InstanceStatus::Open;
                state.linked = true;
                state.me = Some(me.clone());
                Some((state, Vec::new()))
            })
            .await
            .unwrap();

        let server = server.restart().await;
        let (status, body) = server.get("/api/v1/instances/phone", &key).await;
        assert_eq!(status, StatusCode::OK);
        let data = &body["data"];
        assert_eq!(data["status"], "connecting", "{body}");
        assert_eq!(
            data["statusReason"], "reconnecting after a restart",
            "{body}"
        );
        assert_eq!(data["me"]["phone"], "15550001111", "no new QR code: {body}");
        assert_eq!(data["me"]["lid"], "100000012345678@lid");
        assert_eq!(data["qr"], serde_json::Value::Null);

        // Still away after a while: connecting, keys kept, the server healthy.
        tokio::time::sleep(Duration::from_secs(2)).await;
        let (_, body) = server.get("/api/v1/instances/phone", &key).await;
        assert_eq!(body["data"]["status"], "connecting", "{body}");
        let store = server.server().gateway().store().clone();
        assert!(KeyStore::new(store, id.clone()).has_device().await.unwrap());
        let (status, _) = server.get("/healthz", &key).await;
        assert_eq!(status, StatusCode::OK);

        // Sends wait in the queue while the number is away.
        let (status, body) = server
            .post(
                "/api/v1/instances/phone/messages",
                &key,
                json!({ "to": "15550002222", "text": "hi" }),
            )
            .await;
        assert_eq!(status, StatusCode::ACCEPTED, "{body}");
        let message = body["data"]["id"].as_str().unwrap().to_owned();
        tokio::time::sleep(Duration::from_millis(500)).await;
        let (_, body) = server
            .get(&format!("/api/v1/messages/{message}"), &key)
            .await;
        assert_eq!(body["data"]["status"], "queued", "{body}");
        server.stop().await;
    }
}
