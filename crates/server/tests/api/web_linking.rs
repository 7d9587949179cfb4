//! A web number's whole life against the scripted WhatsApp Web server, over HTTP: the real
//! client shows QR codes, follows a rotation, is linked when the phone scans the code shown,
//! comes back by itself after WhatsApp drops it and after a gateway restart, and ends
//! `logged_out` with its keys wiped when the phone removes it.

use crate::support::{TestServer, backends};
use reqwest::StatusCode;
use serde_json::{Value, json};
use std::time::Duration;
use wagate_web_fake::{FakePhone, WebFake};

fn phone() -> FakePhone {
    FakePhone::new("15550001111", "100000012345678", "Acme Support")
}

/// Polls the instance until `accept` holds, for up to `within`.
async fn instance_until(
    server: &TestServer,
    key: &str,
    within: Duration,
    accept: impl Fn(&Value) -> bool,
) -> Value {
    let deadline = tokio::time::Instant::now() + within;
    loop {
        let (status, body) = server.get("/api/v1/instances/phone", key).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        if accept(&body["data"]) {
            return body["data"].clone();
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "the instance never got there: {body}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// The QR code on screen now, as `GET …/qr?format=base64` gives it.
async fn qr_code(server: &TestServer, key: &str) -> Option<String> {
    let (status, body) = server
        .get("/api/v1/instances/phone/qr?format=base64", key)
        .await;
    (status == StatusCode::OK).then(|| body["data"]["code"].as_str().unwrap().to_owned())
}

#[tokio::test]
async fn a_web_number_is_linked_by_scanning_its_qr_code_reconnects_and_is_logged_out_by_the_phone()
{
    for backend in backends().await {
        let whatsapp = WebFake::start().await;
        let server = TestServer::start(backend, |config| {
            config.web.url = whatsapp.url();
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
        let id = body["data"]["id"].as_str().unwrap().to_owned();

        // A real QR code from the server's references, in every format.
        let (status, body) = server
            .post("/api/v1/instances/phone/connect", &key, json!({}))
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["data"]["status"], "qr", "{body}");
        let first = body["data"]["qr"]["code"].as_str().unwrap().to_owned();
        assert!(first.starts_with("2@fake-ref-"), "{first}");
        assert!(
            body["data"]["qr"]["image"]
                .as_str()
                .unwrap()
                .starts_with("data:image/png;base64,")
        );

        // WhatsApp retires the code's secret: a new code is shown and announced.
        assert_eq!(whatsapp.rotate_qr_codes(), 1);
        let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
        let second = loop {
            match qr_code(&server, &key).await {
                Some(code) if code != first => break code,
                _ => {
                    assert!(
                        tokio::time::Instant::now() < deadline,
                        "the QR code never rotated"
                    );
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
            }
        };
        assert!(second.starts_with("2@fake-ref-"), "{second}");
        server
            .wait_for_event(&key, "qrcode.updated", |event| {
                event["instanceId"] == id.as_str() && event["data"]["code"] == second.as_str()
            })
            .await;

        // The phone scans the code on screen.
        whatsapp.scan(&second, &phone()).await.unwrap();
        let open = instance_until(&server, &key, Duration::from_secs(20), |data| {
            data["status"] == "open"
        })
        .await;
        assert_eq!(open["me"]["phone"], "15550001111", "{open}");
        assert_eq!(open["me"]["jid"], "15550001111@s.whatsapp.net", "{open}");
        assert_eq!(open["me"]["lid"], "100000012345678@lid", "{open}");
        assert_eq!(open["me"]["pushName"], "Acme Support", "{open}");
        assert_eq!(qr_code(&server, &key).await, None);
        server
            .wait_for_event(&key, "session.connected", |event| {
                event["instanceId"] == id.as_str()
            })
            .await;
        assert_eq!(whatsapp.connected("15550001111"), 1);

        // WhatsApp drops the connection: connecting with a reason, then open again by itself.
        let logins = whatsapp.logins();
        assert_eq!(whatsapp.drop_connections("15550001111"), 1);
        instance_until(&server, &key, Duration::from_secs(10), |data| {
            data["status"] == "connecting"
        })
        .await;
        instance_until(&server, &key, Duration::from_secs(30), |data| {
            data["status"] == "open"
        })
        .await;
        assert!(whatsapp.logins() > logins);

        // A restart of the gateway: the number comes back without a new QR code.
        let logins = whatsapp.logins();
        let server = server.restart().await;
        let back = instance_until(&server, &key, Duration::from_secs(30), |data| {
            data["status"] == "open"
        })
        .await;
        assert_eq!(back["me"]["phone"], "15550001111", "{back}");
        assert!(whatsapp.logins() > logins);
        assert_eq!(whatsapp.connected("15550001111"), 1);

        // The phone removes the device: logged out for good, keys gone, no reconnect loop.
        assert_eq!(whatsapp.remove_devices("15550001111"), 1);
        let out = instance_until(&server, &key, Duration::from_secs(10), |data| {
            data["status"] == "logged_out"
        })
        .await;
        assert!(
            out["statusReason"].as_str().unwrap().contains("removed"),
            "{out}"
        );
        server
            .wait_for_event(&key, "session.logged_out", |event| {
                event["instanceId"] == id.as_str()
            })
            .await;
        let logins = whatsapp.logins();
        tokio::time::sleep(Duration::from_secs(2)).await;
        assert_eq!(
            whatsapp.logins(),
            logins,
            "a removed device must not log in again"
        );
        let instance = wagate_core::InstanceId::parse(&id).unwrap();
        let store = server.server().gateway().store().clone();
        assert!(
            !wagate_engine_web::KeyStore::new(store, instance)
                .has_device()
                .await
                .unwrap()
        );
        let (_, body) = server.get("/api/v1/instances/phone", &key).await;
        assert_eq!(body["data"]["status"], "logged_out", "{body}");
        server.stop().await;
    }
}
