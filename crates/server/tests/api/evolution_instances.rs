//! Evolution API's `/instance/*` routes on the sandbox (standing in for Baileys, as
//! `[evolution] linked_device_engine = "sandbox"` sets it): creating with a token, settings,
//! a webhook and the first QR code or a pairing code; linking; the connection state; the
//! listing; restart, presence, logout and delete; and the refusals in Evolution's shape.

use crate::evolution_chat::{evo, evo_error, evo_post};
use crate::support::*;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use wagate_server::config::Config;

/// `WHATSAPP-BAILEYS` instances run on the sandbox.
pub fn sandbox_baileys(config: &mut Config) {
    config.evolution.linked_device_engine = "sandbox".to_owned();
    config.webhooks.allow_private_targets = true;
    config.webhooks.retry_schedule_secs = vec![0.05, 0.05, 0.05];
    config.webhooks.poll_interval_ms = 50;
}

const TOKEN: &str = "0c7f6a0e-6a4f-4d0e-9a51-3d2f8b1c9e77";

/// Creates `name` through Evolution's route; answers the 201 body.
pub async fn create(server: &TestServer, key: &str, body: Value) -> Value {
    let (status, answer) = evo_post(server, "/instance/create", key, body).await;
    assert_eq!(status, StatusCode::CREATED, "{answer}");
    answer
}

/// The sandbox phone `phone` scans (or types) `code`.
pub async fn scan(server: &TestServer, key: &str, code: &str, phone: &str) {
    let (status, body) = server
        .post(
            "/api/v1/sandbox/link",
            key,
            json!({ "code": code, "phone": phone }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

async fn state(server: &TestServer, key: &str, name: &str) -> Value {
    let (status, body) = evo(
        server,
        Method::GET,
        &format!("/instance/connectionState/{name}"),
        Some(key),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["instance"]["instanceName"], name, "{body}");
    body["instance"]["state"].clone()
}

async fn get(server: &TestServer, key: &str, path: &str) -> (StatusCode, Value) {
    evo(server, Method::GET, path, Some(key), None).await
}

async fn delete(server: &TestServer, key: &str, path: &str) -> (StatusCode, Value) {
    evo(server, Method::DELETE, path, Some(key), None).await
}

#[tokio::test]
async fn an_instance_is_created_with_its_qr_code_linked_and_listed_as_evolution_shows_it() {
    on_each_backend_with(sandbox_baileys, |server| async move {
        let key = server.account("Acme").await;
        let made = create(
            &server,
            &key,
            json!({
                "instanceName": "sales", "integration": "WHATSAPP-BAILEYS", "qrcode": true,
                "token": TOKEN, "rejectCall": true, "msgCall": "No calls, please",
                "groupsIgnore": true, "readStatus": false,
                "webhook": { "url": "http://127.0.0.1:9/hook", "byEvents": true, "base64": false,
                             "events": ["MESSAGES_UPSERT"], "headers": { "X-Token": "t" } }
            }),
        )
        .await;
        let instance = &made["instance"];
        assert_eq!(instance["instanceName"], "sales");
        assert!(instance["instanceId"].as_str().unwrap().starts_with("ins_"));
        assert_eq!(instance["integration"], "WHATSAPP-BAILEYS");
        assert_eq!(instance["status"], "connecting");
        assert!(instance["webhookWaBusiness"].is_null());
        assert_eq!(instance["accessTokenWaBusiness"], "");
        assert_eq!(made["hash"], TOKEN);
        assert_eq!(
            made["webhook"],
            json!({ "webhookUrl": "http://127.0.0.1:9/hook", "webhookHeaders": { "X-Token": "***" },
                    "webhookByEvents": true, "webhookBase64": false })
        );
        assert_eq!(
            made["settings"],
            json!({ "rejectCall": true, "msgCall": "No calls, please", "groupsIgnore": true,
                    "alwaysOnline": false, "readMessages": false, "readStatus": false,
                    "syncFullHistory": false })
        );
        let qr = &made["qrcode"];
        let code = qr["code"].as_str().expect("a QR code").to_owned();
        assert!(qr["pairingCode"].is_null(), "{qr}");
        assert!(
            qr["base64"]
                .as_str()
                .unwrap()
                .starts_with("data:image/png;base64,")
        );
        assert_eq!(qr["count"], 1);
        assert_eq!(state(&server, &key, "sales").await, "connecting");

        // Asking again answers the QR code shown, not a new link.
        let (status, again) = get(&server, &key, "/instance/connect/sales").await;
        assert_eq!(status, StatusCode::OK, "{again}");
        assert_eq!(again["code"], code.as_str());
        assert_eq!(again["count"], 1);

        // The webhook is the instance's Evolution webhook.
        let (_, webhook) = get(&server, &key, "/webhook/find/sales").await;
        assert_eq!(webhook["url"], "http://127.0.0.1:9/hook");
        assert_eq!(webhook["events"], json!(["MESSAGES_UPSERT"]));

        scan(&server, &key, &code, "15550001111").await;
        assert_eq!(state(&server, &key, "sales").await, "open");
        let (status, open) = get(&server, &key, "/instance/connect/sales").await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(
            open,
            json!({ "instance": { "instanceName": "sales", "state": "open" } })
        );

        server
            .send_text(&key, "sales", "15550002222", "hello")
            .await;
        let (status, listed) = get(&server, &key, "/instance/fetchInstances").await;
        assert_eq!(status, StatusCode::OK, "{listed}");
        let listed = listed.as_array().unwrap();
        assert_eq!(listed.len(), 1);
        let sales = &listed[0];
        assert_eq!(sales["name"], "sales");
        assert_eq!(sales["id"], instance["instanceId"]);
        assert_eq!(sales["connectionStatus"], "open");
        assert_eq!(sales["ownerJid"], "15550001111@s.whatsapp.net");
        assert_eq!(sales["integration"], "WHATSAPP-BAILEYS");
        assert!(sales["token"].is_null(), "keys are kept only as hashes");
        assert!(sales["profilePicUrl"].is_null());
        assert!(sales["createdAt"].is_string() && sales["updatedAt"].is_string());
        assert_eq!(sales["Setting"]["rejectCall"], true);
        assert_eq!(sales["Setting"]["instanceId"], instance["instanceId"]);
        assert_eq!(
            sales["_count"],
            json!({ "Message": 1, "Contact": 0, "Chat": 1 })
        );

        // The token is the instance's key: it reaches its instance, and lists only it.
        let other = create(&server, &key, json!({ "instanceName": "support" })).await;
        assert!(
            other.get("qrcode").is_none(),
            "no QR code without qrcode: true"
        );
        assert_eq!(other["instance"]["status"], "close");
        assert_eq!(state(&server, TOKEN, "sales").await, "open");
        let (status, body) = get(&server, TOKEN, "/instance/connectionState/support").await;
        evo_error(status, &body, StatusCode::NOT_FOUND);
        let (_, mine) = get(&server, TOKEN, "/instance/fetchInstances").await;
        assert_eq!(mine.as_array().unwrap().len(), 1);
        assert_eq!(mine[0]["name"], "sales");
        let (_, all) = get(&server, &key, "/instance/fetchInstances").await;
        assert_eq!(all.as_array().unwrap().len(), 2);
        let (_, one) = get(
            &server,
            &key,
            "/instance/fetchInstances?instanceName=support",
        )
        .await;
        assert_eq!(one.as_array().unwrap().len(), 1);
        assert_eq!(one[0]["name"], "support");
        let by_id = format!(
            "/instance/fetchInstances?instanceId={}",
            instance["instanceId"].as_str().unwrap()
        );
        let (_, one) = get(&server, &key, &by_id).await;
        assert_eq!(one[0]["name"], "sales");
        // An instance key cannot make instances.
        let (status, body) = evo_post(
            &server,
            "/instance/create",
            TOKEN,
            json!({ "instanceName": "third" }),
        )
        .await;
        evo_error(status, &body, StatusCode::FORBIDDEN);
        server.stop().await;
    })
    .await;
}

#[tokio::test]
async fn a_number_links_with_a_pairing_code() {
    on_each_backend_with(sandbox_baileys, |server| async move {
        let key = server.account("Acme").await;
        let made = create(
            &server,
            &key,
            json!({ "instanceName": "sales", "number": "15550001111" }),
        )
        .await;
        let pairing = made["qrcode"]["pairingCode"]
            .as_str()
            .expect("a pairing code")
            .to_owned();
        assert!(made["qrcode"]["code"].is_null());
        let (_, again) = get(&server, &key, "/instance/connect/sales").await;
        assert_eq!(again["pairingCode"], pairing.as_str());
        scan(&server, &key, &pairing, "15550001111").await;
        assert_eq!(state(&server, &key, "sales").await, "open");

        // `/instance/connect?number=` asks for one on an instance made without.
        create(&server, &key, json!({ "instanceName": "support" })).await;
        let (status, code) = get(
            &server,
            &key,
            "/instance/connect/support?number=15550003333",
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{code}");
        let pairing = code["pairingCode"].as_str().expect("a pairing code");
        scan(&server, &key, pairing, "15550003333").await;
        assert_eq!(state(&server, &key, "support").await, "open");
        server.stop().await;
    })
    .await;
}

#[tokio::test]
async fn restart_presence_logout_and_delete_act_as_evolutions() {
    on_each_backend_with(sandbox_baileys, |server| async move {
        let key = server.account("Acme").await;
        let made = create(
            &server,
            &key,
            json!({ "instanceName": "sales", "qrcode": true }),
        )
        .await;
        let token = made["hash"].as_str().unwrap().to_owned();
        scan(&server, &key, made["qrcode"]["code"].as_str().unwrap(), "15550001111").await;

        let (status, restarted) = evo_post(&server, "/instance/restart/sales", &token, json!({})).await;
        assert_eq!(status, StatusCode::OK, "{restarted}");
        assert_eq!(restarted["instance"]["instanceName"], "sales");
        assert_eq!(restarted["instance"]["state"], "open");

        let (status, presence) = evo_post(
            &server,
            "/instance/setPresence/sales",
            &token,
            json!({ "presence": "available" }),
        )
        .await;
        assert_eq!(status, StatusCode::CREATED, "{presence}");
        assert_eq!(presence, json!({ "presence": "available" }));
        let (status, body) = evo_post(
            &server,
            "/instance/setPresence/sales",
            &token,
            json!({ "presence": "composing" }),
        )
        .await;
        evo_error(status, &body, StatusCode::BAD_REQUEST);

        let (status, out) = delete(&server, &token, "/instance/logout/sales").await;
        assert_eq!(status, StatusCode::OK, "{out}");
        assert_eq!(
            out,
            json!({ "status": "SUCCESS", "error": false, "response": { "message": "Instance logged out" } })
        );
        assert_eq!(state(&server, &key, "sales").await, "close");
        let (status, body) = delete(&server, &token, "/instance/logout/sales").await;
        let messages = evo_error(status, &body, StatusCode::BAD_REQUEST);
        assert!(messages[0].contains("not connected"), "{messages:?}");
        let (status, body) = evo_post(&server, "/instance/restart/sales", &token, json!({})).await;
        evo_error(status, &body, StatusCode::BAD_REQUEST);

        // Its own token cannot delete the instance; the account key can.
        let (status, body) = delete(&server, &token, "/instance/delete/sales").await;
        evo_error(status, &body, StatusCode::FORBIDDEN);
        let (status, gone) = delete(&server, &key, "/instance/delete/sales").await;
        assert_eq!(status, StatusCode::OK, "{gone}");
        assert_eq!(gone["response"]["message"], "Instance deleted");
        let (status, body) = get(&server, &key, "/instance/connectionState/sales").await;
        evo_error(status, &body, StatusCode::NOT_FOUND);
        let (status, _) = get(&server, &token, "/instance/fetchInstances").await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "its key went with it");

        // A linked instance is logged out as it is deleted.
        let made = create(&server, &key, json!({ "instanceName": "support", "qrcode": true })).await;
        scan(&server, &key, made["qrcode"]["code"].as_str().unwrap(), "15550003333").await;
        let (status, _) = delete(&server, &key, "/instance/delete/support").await;
        assert_eq!(status, StatusCode::OK);
        let id = made["instance"]["instanceId"].clone();
        server
            .wait_for_event(&key, "session.logged_out", |event| event["instanceId"] == id)
            .await;
        server.stop().await;
    })
    .await;
}

#[tokio::test]
async fn bad_creates_and_unknown_instances_are_refused_in_evolutions_shape() {
    on_each_backend_with(sandbox_baileys, |server| async move {
        let key = server.account("Acme").await;
        create(&server, &key, json!({ "instanceName": "sales" })).await;
        for (body, expected) in [
            (json!({ "instanceName": "sales" }), StatusCode::FORBIDDEN),
            (json!({}), StatusCode::BAD_REQUEST),
            (json!({ "instanceName": "  " }), StatusCode::BAD_REQUEST),
            (json!({ "instanceName": "a/b" }), StatusCode::BAD_REQUEST),
            (
                json!({ "instanceName": "x", "integration": "TELEGRAM" }),
                StatusCode::BAD_REQUEST,
            ),
            (
                json!({ "instanceName": "x", "integration": "EVOLUTION" }),
                StatusCode::NOT_IMPLEMENTED,
            ),
            (
                json!({ "instanceName": "x", "token": "short" }),
                StatusCode::BAD_REQUEST,
            ),
            (
                json!({ "instanceName": "x", "integration": "WHATSAPP-BUSINESS", "token": "EAAG" }),
                StatusCode::BAD_REQUEST,
            ),
            (
                json!({ "instanceName": "x", "webhook": { "enabled": true } }),
                StatusCode::BAD_REQUEST,
            ),
            (
                json!({ "instanceName": "x", "webhook": { "url": "ftp://example.com" } }),
                StatusCode::BAD_REQUEST,
            ),
        ] {
            let (status, answer) = evo_post(&server, "/instance/create", &key, body.clone()).await;
            evo_error(status, &answer, expected);
        }
        // None of the refused creates left an instance behind.
        let (_, listed) = get(&server, &key, "/instance/fetchInstances").await;
        assert_eq!(listed.as_array().unwrap().len(), 1, "{listed}");

        let (status, body) =
            evo(&server, Method::GET, "/instance/fetchInstances", None, None).await;
        evo_error(status, &body, StatusCode::UNAUTHORIZED);
        for path in [
            "/instance/connect/nope",
            "/instance/connectionState/nope",
            "/instance/fetchInstances?instanceName=nope",
        ] {
            let (status, body) = get(&server, &key, path).await;
            let messages = evo_error(status, &body, StatusCode::NOT_FOUND);
            assert!(messages[0].contains("\"nope\""), "{path}: {messages:?}");
        }
        server.stop().await;
    })
    .await;
}

#[tokio::test]
async fn the_admin_key_runs_a_single_tenant_install_as_evolutions_global_key() {
    on_each_backend_with(sandbox_baileys, |server| async move {
        let made = create(
            &server,
            ADMIN_KEY,
            json!({ "instanceName": "main", "qrcode": true }),
        )
        .await;
        assert!(made["qrcode"]["code"].is_string());
        let (status, listed) = get(&server, ADMIN_KEY, "/instance/fetchInstances").await;
        assert_eq!(status, StatusCode::OK, "{listed}");
        assert_eq!(listed[0]["name"], "main");
        assert_eq!(state(&server, ADMIN_KEY, "main").await, "connecting");
        // The instance's token reaches it too.
        let token = made["hash"].as_str().unwrap();
        assert_eq!(state(&server, token, "main").await, "connecting");
        server.stop().await;
    })
    .await;
}

#[tokio::test]
async fn a_business_instance_is_made_with_its_meta_credentials_and_opened() {
    let fake = wagate_graph_fake::GraphFake::start().await;
    fake.add_number(wagate_graph_fake::FakeNumber::example());
    let base = fake.base_url().to_owned();
    on_each_backend_with(
        move |config| {
            sandbox_baileys(config);
            config.cloud.base_url = base.clone();
        },
        |server| async move {
            let key = server.account("Acme").await;
            let made = create(
                &server,
                &key,
                json!({
                    "instanceName": "shop", "integration": "WHATSAPP-BUSINESS",
                    "token": "EAAG-good-token", "number": "106540352242922",
                    "businessId": "102290129340398"
                }),
            )
            .await;
            let instance = &made["instance"];
            assert_eq!(instance["integration"], "WHATSAPP-BUSINESS");
            assert_eq!(instance["status"], "open", "{made}");
            let id = instance["instanceId"].as_str().unwrap();
            assert_eq!(
                instance["webhookWaBusiness"],
                format!("{}/webhooks/meta/{id}", server.base).as_str()
            );
            let verify = instance["accessTokenWaBusiness"].as_str().unwrap();
            assert!(!verify.is_empty());
            // The Meta token is no key of wagate's: the instance's own key is `hash`.
            let token = made["hash"].as_str().unwrap();
            assert_ne!(token, "EAAG-good-token");
            assert_eq!(state(&server, token, "shop").await, "open");
            let (_, listed) = get(&server, &key, "/instance/fetchInstances").await;
            assert_eq!(listed[0]["integration"], "WHATSAPP-BUSINESS");

            // Meta checks the webhook URL with the verify token it was given.
            let challenge = server
                .raw(
                    Method::GET,
                    &format!(
                        "/webhooks/meta/{id}?hub.mode=subscribe&hub.verify_token={verify}&hub.challenge=42"
                    ),
                )
                .await
                .send()
                .await
                .unwrap();
            assert_eq!(challenge.status(), StatusCode::OK);
            assert_eq!(challenge.text().await.unwrap(), "42");

            // A token Meta does not know is refused, and leaves the instance to connect later.
            let (status, body) = evo_post(
                &server,
                "/instance/create",
                &key,
                json!({ "instanceName": "other", "integration": "WHATSAPP-BUSINESS",
                        "token": "EAAG-unknown", "number": "106540352242999" }),
            )
            .await;
            let messages = evo_error(status, &body, StatusCode::BAD_REQUEST);
            assert!(
                messages.last().unwrap().contains("/instance/connect/other"),
                "{messages:?}"
            );
            server.stop().await;
        },
    )
    .await;
}
