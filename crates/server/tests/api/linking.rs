//! Linking by QR code and pairing code, QR rotation, status and logout.

use crate::support::*;
use base64::Engine as _;
use reqwest::{Method, StatusCode};
use serde_json::json;

#[tokio::test]
async fn a_qr_code_links_the_instance_and_is_served_in_every_format() {
    on_each_backend(|server| async move {
        let key = server.account("Acme").await;
        let (id, _) = server.instance(&key, "sales").await;
        let (status, body) = server
            .post("/api/v1/instances/sales/connect", &key, json!({}))
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["data"]["status"], "qr");
        let code = body["data"]["qr"]["code"].as_str().unwrap().to_owned();
        let image = body["data"]["qr"]["image"].as_str().unwrap();
        let png = base64::engine::general_purpose::STANDARD
            .decode(
                image
                    .strip_prefix("data:image/png;base64,")
                    .expect("a PNG data URL"),
            )
            .unwrap();
        assert_eq!(&png[..4], b"\x89PNG");

        let response = server
            .raw(Method::GET, "/api/v1/instances/sales/qr")
            .await
            .bearer_auth(&key)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(response.headers()["content-type"], "image/png");
        assert_eq!(&response.bytes().await.unwrap()[..4], b"\x89PNG");
        let raw = server
            .raw(Method::GET, "/api/v1/instances/sales/qr?format=raw")
            .await
            .bearer_auth(&key)
            .send()
            .await
            .unwrap();
        assert_eq!(raw.text().await.unwrap(), code);
        let (_, base64) = server
            .get("/api/v1/instances/sales/qr?format=base64", &key)
            .await;
        assert_eq!(base64["data"]["code"], code.as_str());
        let (status, _) = server
            .get("/api/v1/instances/sales/qr?format=gif", &key)
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);

        let (status, linked) = server
            .post(
                "/api/v1/sandbox/link",
                &key,
                json!({ "code": code, "phone": "+1 555 000 1111" }),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{linked}");
        assert_eq!(linked["data"]["instanceId"], id.as_str());

        let (_, status_body) = server.get("/api/v1/instances/sales/status", &key).await;
        let data = &status_body["data"];
        assert_eq!(data["status"], "open");
        assert_eq!(data["me"]["phone"], "15550001111");
        assert_eq!(data["me"]["jid"], "15550001111@s.whatsapp.net");
        assert!(data["me"]["pushName"].is_string());

        // The QR code is gone once linked; connecting again is a conflict.
        let (status, _) = server.get("/api/v1/instances/sales/qr", &key).await;
        assert_eq!(status, StatusCode::CONFLICT);
        let (status, _) = server
            .post("/api/v1/instances/sales/connect", &key, json!({}))
            .await;
        assert_eq!(status, StatusCode::CONFLICT);

        let names: Vec<_> = server
            .events(&key)
            .await
            .iter()
            .map(|e| e["event"].as_str().unwrap().to_owned())
            .collect();
        for expected in ["qrcode.updated", "session.status", "session.connected"] {
            assert!(
                names.iter().any(|n| n == expected),
                "{expected} missing from {names:?}"
            );
        }
        server.stop().await;
    })
    .await;
}

#[tokio::test]
async fn a_pairing_code_links_the_number_it_was_requested_for() {
    on_each_backend(|server| async move {
        let key = server.account("Acme").await;
        server.instance(&key, "sales").await;
        let (status, body) = server
            .post(
                "/api/v1/instances/sales/connect",
                &key,
                json!({ "phoneNumber": "+44 7911 123456" }),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["data"]["status"], "pairing");
        let code = body["data"]["pairingCode"].as_str().unwrap().to_owned();
        assert_eq!(code.len(), 9);
        assert_eq!(&code[4..5], "-");

        let (status, body) = server
            .post(
                "/api/v1/sandbox/link",
                &key,
                json!({ "code": code, "phone": "15550009999" }),
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert_eq!(fields(&body), ["phone"]);

        let typed = code.replace('-', "").to_lowercase();
        let (status, body) = server
            .post("/api/v1/sandbox/link", &key, json!({ "code": typed }))
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["data"]["me"]["phone"], "447911123456");
        server.stop().await;
    })
    .await;
}

#[tokio::test]
async fn codes_of_other_accounts_and_bad_codes_link_nothing() {
    on_each_backend(|server| async move {
        let key = server.account("Acme").await;
        server.instance(&key, "sales").await;
        let (_, body) = server
            .post("/api/v1/instances/sales/connect", &key, json!({}))
            .await;
        let code = body["data"]["qr"]["code"].as_str().unwrap().to_owned();
        let stranger = server.account("Stranger").await;
        let (status, _) = server
            .post(
                "/api/v1/sandbox/link",
                &stranger,
                json!({ "code": code, "phone": "15550001111" }),
            )
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        let (status, body) = server
            .post("/api/v1/sandbox/link", &key, json!({ "code": code }))
            .await;
        assert_eq!(
            status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "a QR code needs a phone: {body}"
        );
        let (status, body) = server
            .post("/api/v1/sandbox/link", &key, json!({ "phone": "abc" }))
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(fields(&body), ["code", "phone"]);
        server.stop().await;
    })
    .await;
}

#[tokio::test]
async fn qr_codes_rotate_and_linking_fails_with_a_reason_when_none_is_scanned() {
    on_each_backend_with(
        |config| {
            config.sandbox.qr_first_ttl_ms = 150;
            config.sandbox.qr_next_ttl_ms = 100;
            config.sandbox.qr_max_codes = 3;
        },
        |server| async move {
            let key = server.account("Acme").await;
            let (id, _) = server.instance(&key, "sales").await;
            let (_, body) = server
                .post("/api/v1/instances/sales/connect", &key, json!({}))
                .await;
            let first = body["data"]["qr"]["code"].as_str().unwrap().to_owned();
            let status_event = server
                .wait_for_event(&key, "session.status", |e| e["data"]["status"] == "failed")
                .await;
            assert!(
                status_event["data"]["reason"]
                    .as_str()
                    .unwrap()
                    .contains("3 codes expired")
            );
            let codes: Vec<_> = server
                .events(&key)
                .await
                .into_iter()
                .filter(|e| e["event"] == "qrcode.updated" && e["instanceId"] == id.as_str())
                .map(|e| e["data"]["code"].as_str().unwrap().to_owned())
                .collect();
            assert_eq!(
                codes.len(),
                3,
                "the first code and two rotations: {codes:?}"
            );
            assert_eq!(codes[0], first);
            assert_ne!(codes[1], codes[0]);
            let (_, status) = server.get("/api/v1/instances/sales/status", &key).await;
            assert_eq!(status["data"]["status"], "failed");
            assert!(status["data"]["statusReason"].is_string());
            // An expired code links nothing; connecting again starts over.
            let (status, _) = server
                .post(
                    "/api/v1/sandbox/link",
                    &key,
                    json!({ "code": first, "phone": "15550001111" }),
                )
                .await;
            assert_eq!(status, StatusCode::NOT_FOUND);
            let (_, again) = server
                .post("/api/v1/instances/sales/connect", &key, json!({}))
                .await;
            assert_eq!(again["data"]["status"], "qr");
            server.stop().await;
        },
    )
    .await;
}

#[tokio::test]
async fn logout_unlinks_and_the_instance_can_link_again() {
    on_each_backend(|server| async move {
        let (key, _) = server.linked_instance("sales").await;
        let (status, body) = server
            .post("/api/v1/instances/sales/logout", &key, json!({}))
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["data"]["status"], "disconnected");
        assert!(body["data"]["me"].is_null());
        server
            .wait_for_event(&key, "session.logged_out", |_| true)
            .await;
        let (status, _) = server
            .post("/api/v1/instances/sales/logout", &key, json!({}))
            .await;
        assert_eq!(status, StatusCode::CONFLICT);
        let (status, body) = server
            .post(
                "/api/v1/instances/sales/messages",
                &key,
                json!({ "to": "15550002222", "text": "hi" }),
            )
            .await;
        assert_eq!(status, StatusCode::CONFLICT);
        assert_eq!(body["code"], "INSTANCE_NOT_CONNECTED");
        server.link(&key, "sales", "15550003333").await;
        let (_, status) = server.get("/api/v1/instances/sales/status", &key).await;
        assert_eq!(status["data"]["me"]["phone"], "15550003333");
        server.stop().await;
    })
    .await;
}
