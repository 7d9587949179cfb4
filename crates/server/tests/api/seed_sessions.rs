//! Seed 002's sessions API under `/api/v1`, driven as its document writes it: a personal
//! access token in `X-API-Token` for the account routes, a session key as `Authorization:
//! Bearer` for the session routes, its JavaScript send (`data.messageId`), its payload
//! examples, its contacts and groups routes, and its error codes.

use crate::files;
use crate::media::file_server;
use crate::receiver::{Receiver, event_names};
use crate::support::*;
use base64::Engine as _;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

/// How a request of the seed authenticates.
enum Auth<'a> {
    /// A personal access token: `X-API-Token`.
    Token(&'a str),
    /// A session key: `Authorization: Bearer`.
    Bearer(&'a str),
    None,
}

async fn call(
    server: &TestServer,
    method: Method,
    path: &str,
    auth: Auth<'_>,
    body: Option<Value>,
) -> (StatusCode, Value) {
    let mut request = server.raw(method, path).await;
    request = match auth {
        Auth::Token(token) => request.header("X-API-Token", token),
        Auth::Bearer(key) => request.header("Authorization", format!("Bearer {key}")),
        Auth::None => request,
    };
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.unwrap();
    let status = response.status();
    let text = response.text().await.unwrap();
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

/// Creates a session with the token; answers its id and its session key.
async fn create_session(server: &TestServer, token: &str, name: &str) -> (String, String) {
    let (status, body) = call(
        server,
        Method::POST,
        "/api/v1/whatsapp-sessions",
        Auth::Token(token),
        Some(json!({ "name": name })),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(body["success"], true);
    assert_eq!(body["data"]["status"], "DISCONNECTED", "{body}");
    (
        body["data"]["id"].as_str().unwrap().to_owned(),
        body["data"]["apiKey"].as_str().unwrap().to_owned(),
    )
}

/// Connects a session and lets the sandbox phone `phone` scan its QR code.
async fn link(server: &TestServer, token: &str, id: &str, phone: &str) {
    let path = format!("/api/v1/whatsapp-sessions/{id}/connect");
    let (status, body) = call(server, Method::POST, &path, Auth::Token(token), None).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["data"]["status"], "CONNECTING", "{body}");
    let code = body["data"]["qrcode"]["qr"].as_str().unwrap().to_owned();
    let (status, body) = server
        .post(
            "/api/v1/sandbox/link",
            token,
            json!({ "code": code, "phone": phone }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

#[tokio::test]
async fn seed_002_sessions_connect_show_their_qr_code_and_disconnect() {
    on_each_backend(|server| async move {
        let token = server.account("Acme").await;
        let (id, session_key) = create_session(&server, &token, "support").await;
        let session_path = format!("/api/v1/whatsapp-sessions/{id}");

        // GET /whatsapp-sessions (PAT); GET /whatsapp-sessions/:id (session key or PAT).
        let (status, body) = call(
            &server,
            Method::GET,
            "/api/v1/whatsapp-sessions",
            Auth::Token(&token),
            None,
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["data"][0]["id"], id.as_str());
        assert!(
            body["data"][0].get("apiKey").is_none(),
            "the key is shown on creation only"
        );
        for auth in [Auth::Bearer(&session_key), Auth::Token(&token)] {
            let (status, body) = call(&server, Method::GET, &session_path, auth, None).await;
            assert_eq!(status, StatusCode::OK, "{body}");
            assert_eq!(
                (body["data"]["name"].clone(), body["data"]["status"].clone()),
                (json!("support"), json!("DISCONNECTED"))
            );
        }

        // The QR code only while CONNECTING.
        let qr_path = format!("{session_path}/qrcode");
        let (status, body) = call(
            &server,
            Method::GET,
            &qr_path,
            Auth::Bearer(&session_key),
            None,
        )
        .await;
        assert_eq!(
            (status, body["code"].clone()),
            (StatusCode::CONFLICT, json!("SESSION_DISCONNECTED")),
            "{body}"
        );
        let (status, body) = call(
            &server,
            Method::POST,
            &format!("{session_path}/connect"),
            Auth::Bearer(&session_key),
            None,
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["data"]["status"], "CONNECTING");
        let (status, body) = call(
            &server,
            Method::GET,
            &qr_path,
            Auth::Bearer(&session_key),
            None,
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["data"]["status"], "CONNECTING");
        assert!(
            body["data"]["image"]
                .as_str()
                .unwrap()
                .starts_with("data:image/png;base64,")
        );
        let code = body["data"]["qr"].as_str().unwrap().to_owned();
        let (status, body) = server
            .post(
                "/api/v1/sandbox/link",
                &token,
                json!({ "code": code, "phone": "15550001111" }),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let (_, body) = call(
            &server,
            Method::GET,
            &session_path,
            Auth::Bearer(&session_key),
            None,
        )
        .await;
        assert_eq!(body["data"]["status"], "CONNECTED", "{body}");
        assert_eq!(body["data"]["phoneNumber"], "15550001111");
        let (status, body) = call(
            &server,
            Method::GET,
            &qr_path,
            Auth::Bearer(&session_key),
            None,
        )
        .await;
        assert_eq!(
            status,
            StatusCode::CONFLICT,
            "no QR code once connected: {body}"
        );

        // Disconnect; a second time the session is not connected.
        let disconnect = format!("{session_path}/disconnect");
        let (status, body) = call(
            &server,
            Method::POST,
            &disconnect,
            Auth::Bearer(&session_key),
            None,
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["data"]["status"], "DISCONNECTED");
        let (status, body) = call(
            &server,
            Method::POST,
            &disconnect,
            Auth::Bearer(&session_key),
            None,
        )
        .await;
        assert_eq!(
            (status, body["code"].clone()),
            (StatusCode::CONFLICT, json!("SESSION_DISCONNECTED")),
            "{body}"
        );

        // Errors: no key, an unknown session, another account's session, a body that is not JSON.
        let (status, body) = call(
            &server,
            Method::GET,
            "/api/v1/whatsapp-sessions",
            Auth::None,
            None,
        )
        .await;
        assert_eq!(
            (status, body["code"].clone()),
            (StatusCode::UNAUTHORIZED, json!("UNAUTHORIZED")),
            "{body}"
        );
        assert_eq!(body["success"], false);
        let (status, body) = call(
            &server,
            Method::GET,
            "/api/v1/whatsapp-sessions/nope",
            Auth::Token(&token),
            None,
        )
        .await;
        assert_eq!(
            (status, body["code"].clone()),
            (StatusCode::NOT_FOUND, json!("SESSION_NOT_FOUND")),
            "{body}"
        );
        let stranger = server.account("Other").await;
        let (status, body) = call(
            &server,
            Method::GET,
            &session_path,
            Auth::Token(&stranger),
            None,
        )
        .await;
        assert_eq!(
            (status, body["code"].clone()),
            (StatusCode::NOT_FOUND, json!("SESSION_NOT_FOUND")),
            "{body}"
        );
        let response = server
            .raw(Method::POST, "/api/v1/whatsapp-sessions")
            .await
            .header("X-API-Token", &token)
            .header("Content-Type", "application/json")
            .body("{not json")
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["code"], "VALIDATION_ERROR");

        // DELETE /whatsapp-sessions/:id.
        let (status, body) = call(
            &server,
            Method::DELETE,
            &session_path,
            Auth::Token(&token),
            None,
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["data"]["deleted"], true);
        let (status, body) = call(
            &server,
            Method::GET,
            &session_path,
            Auth::Token(&token),
            None,
        )
        .await;
        assert_eq!(
            (status, body["code"].clone()),
            (StatusCode::NOT_FOUND, json!("SESSION_NOT_FOUND")),
            "{body}"
        );
        server.stop().await;
    })
    .await;
}

#[tokio::test]
async fn seed_002_send_message_reads_the_type_from_the_payload() {
    on_each_backend_with(|config| config.media.allow_private_urls = true, |server| async move {
        let token = server.account("Acme").await;
        let (id, session_key) = create_session(&server, &token, "support").await;

        // A session never linked cannot send.
        let (status, body) = call(&server, Method::POST, "/api/v1/send-message", Auth::Bearer(&session_key), Some(json!({ "to": "1234567890", "text": "Hello from the API!" }))).await;
        assert_eq!((status, body["code"].clone()), (StatusCode::CONFLICT, json!("SESSION_DISCONNECTED")), "{body}");
        link(&server, &token, &id, "15550001111").await;

        // The seed's JavaScript, with only the base URL and the key changed.
        let response = server
            .raw(Method::POST, "/api/v1/send-message")
            .await
            .header("Content-Type", "application/json")
            .header("Authorization", format!("Bearer {session_key}"))
            .body(serde_json::to_string(&json!({ "to": "1234567890", "text": "Hello from the API!" })).unwrap())
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::ACCEPTED);
        let data: Value = response.json().await.unwrap();
        let message_id = data["messageId"].as_str().expect("data.messageId").to_owned();
        assert_eq!(data["success"], true);
        assert_eq!(data["data"]["id"], message_id.as_str(), "{data}");
        assert_eq!(data["data"]["status"], "queued");

        // The payload examples, and every other type the seed lists.
        let files = file_server(files::png(8), "image/png").await;
        let b64 = base64::engine::general_purpose::STANDARD;
        let payloads = [
            ("image", json!({ "to": "1234567890", "image": { "url": format!("{files}/file"), "caption": "Optional" } })),
            ("location", json!({ "to": "1234567890", "location": { "latitude": 37.7749, "longitude": -122.4194, "name": "San Francisco" } })),
            // wagate names a message of contact cards `contacts`.
            ("contacts", json!({ "to": "1234567890", "contact": { "fullName": "John Doe", "phoneNumber": "+1234567890" } })),
            ("video", json!({ "to": "1234567890", "video": { "base64": b64.encode(files::mp4()), "caption": "Clip" } })),
            ("document", json!({ "to": "1234567890", "document": { "base64": b64.encode(files::pdf()), "fileName": "invoice.pdf" } })),
            ("sticker", json!({ "to": "1234567890", "sticker": { "base64": b64.encode(files::webp(100, false)) } })),
            ("poll", json!({ "to": "1234567890", "poll": { "name": "Lunch?", "values": ["Pizza", "Sushi"], "selectableCount": 1 } })),
            ("text", json!({ "to": "1234567890", "text": "Replying", "quoted": { "messageId": message_id } })),
            ("image", json!({ "to": "1234567890", "image": { "url": format!("{files}/file") }, "viewOnce": true })),
            ("text", json!({ "to": "1234567890", "text": "Hi @15550002222", "mentions": ["15550002222"] })),
        ];
        for (kind, payload) in payloads {
            let (status, body) = call(&server, Method::POST, "/api/v1/send-message", Auth::Bearer(&session_key), Some(payload.clone())).await;
            assert_eq!(status, StatusCode::ACCEPTED, "{payload}: {body}");
            assert_eq!(body["data"]["type"], kind, "{body}");
            let id = body["messageId"].as_str().unwrap();
            let (status, message) = server.get(&format!("/api/v1/messages/{id}"), &token).await;
            assert_eq!(status, StatusCode::OK, "{message}");
            assert_eq!(message["data"]["instanceId"], id_of(&server, &token).await);
        }
        // A personal access token names the session.
        let (status, body) = call(&server, Method::POST, "/api/v1/send-message", Auth::Token(&token), Some(json!({ "to": "1234567890", "text": "From the account", "sessionId": id }))).await;
        assert_eq!(status, StatusCode::ACCEPTED, "{body}");

        // VALIDATION_ERROR 422 with the fields, SESSION_NOT_FOUND, UNAUTHORIZED.
        let (status, body) = call(&server, Method::POST, "/api/v1/send-message", Auth::Bearer(&session_key), Some(json!({ "text": "to nobody" }))).await;
        assert_eq!((status, body["code"].clone()), (StatusCode::UNPROCESSABLE_ENTITY, json!("VALIDATION_ERROR")), "{body}");
        assert_eq!(fields(&body), ["to"]);
        let (status, body) = call(&server, Method::POST, "/api/v1/send-message", Auth::Token(&token), Some(json!({ "to": "1234567890", "text": "hi", "sessionId": "nope" }))).await;
        assert_eq!((status, body["code"].clone()), (StatusCode::NOT_FOUND, json!("SESSION_NOT_FOUND")), "{body}");
        let (status, body) = call(&server, Method::POST, "/api/v1/send-message", Auth::Bearer("wgi_nope"), Some(json!({ "to": "1234567890", "text": "hi" }))).await;
        assert_eq!((status, body["code"].clone()), (StatusCode::UNAUTHORIZED, json!("UNAUTHORIZED")), "{body}");
        server.stop().await;
    })
    .await;
}

/// The id of the account's only session.
async fn id_of(server: &TestServer, token: &str) -> Value {
    let (_, body) = call(
        server,
        Method::GET,
        "/api/v1/whatsapp-sessions",
        Auth::Token(token),
        None,
    )
    .await;
    body["data"][0]["id"].clone()
}

#[tokio::test]
async fn seed_002_contacts_and_groups_with_the_session_key() {
    on_each_backend(|server| async move {
        let token = server.account("Acme").await;
        let (id, key) = create_session(&server, &token, "support").await;
        link(&server, &token, &id, "15550001111").await;
        for (name, phone) in [("ann", "15550002222"), ("bob", "15550003333")] {
            let (other, _) = create_session(&server, &token, name).await;
            link(&server, &token, &other, phone).await;
        }
        let bearer = || Auth::Bearer(&key);

        // Contacts.
        let (status, body) = call(
            &server,
            Method::PUT,
            "/api/v1/contacts",
            bearer(),
            Some(json!({ "contacts": [{ "phone": "15550002222", "name": "Ann Smith" }] })),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let (status, body) = call(&server, Method::GET, "/api/v1/contacts", bearer(), None).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert!(
            body["data"]
                .as_array()
                .unwrap()
                .iter()
                .any(|c| c["name"] == "Ann Smith"),
            "{body}"
        );
        let (status, body) = call(
            &server,
            Method::GET,
            "/api/v1/contacts/15550002222",
            bearer(),
            None,
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let (status, body) = call(
            &server,
            Method::GET,
            "/api/v1/on-whatsapp/15550002222",
            bearer(),
            None,
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{body}");

        // Groups.
        let (status, body) = call(
            &server,
            Method::POST,
            "/api/v1/groups",
            bearer(),
            Some(json!({ "subject": "Launch team", "participants": ["15550002222"] })),
        )
        .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        let jid = body["data"]["jid"].as_str().unwrap().to_owned();
        let (status, body) = call(&server, Method::GET, "/api/v1/groups", bearer(), None).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["data"].as_array().unwrap().len(), 1, "{body}");
        let (status, body) = call(
            &server,
            Method::GET,
            &format!("/api/v1/groups/{jid}"),
            bearer(),
            None,
        )
        .await;
        assert_eq!(
            (status, body["data"]["subject"].clone()),
            (StatusCode::OK, json!("Launch team")),
            "{body}"
        );
        let participants = format!("/api/v1/groups/{jid}/participants");
        let (status, body) = call(
            &server,
            Method::POST,
            &format!("{participants}/add"),
            bearer(),
            Some(json!({ "participants": ["15550003333"] })),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let (status, body) = call(&server, Method::GET, &participants, bearer(), None).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let phones = |body: &Value| -> Vec<String> {
            let mut phones: Vec<String> = body["data"]
                .as_array()
                .unwrap()
                .iter()
                .map(|m| m["phone"].as_str().unwrap().to_owned())
                .collect();
            phones.sort();
            phones
        };
        assert_eq!(
            phones(&body),
            ["15550001111", "15550002222", "15550003333"],
            "{body}"
        );
        let (status, body) = call(
            &server,
            Method::POST,
            &format!("{participants}/remove"),
            bearer(),
            Some(json!({ "participants": ["15550003333"] })),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let (_, body) = call(&server, Method::GET, &participants, bearer(), None).await;
        assert_eq!(phones(&body), ["15550001111", "15550002222"], "{body}");
        let (status, body) = call(
            &server,
            Method::POST,
            &format!("/api/v1/groups/{jid}/leave"),
            bearer(),
            Some(json!({})),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        server.stop().await;
    })
    .await;
}

#[tokio::test]
async fn seed_002_personal_access_tokens_are_shown_once_and_revoked() {
    on_each_backend(|server| async move {
        let first = server.account("Acme").await;
        let (status, body) = call(
            &server,
            Method::POST,
            "/api/v1/auth/tokens",
            Auth::Token(&first),
            Some(json!({ "name": "CI deploys" })),
        )
        .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        let token = body["data"]["token"].as_str().unwrap().to_owned();
        let token_id = body["data"]["id"].as_str().unwrap().to_owned();
        assert_eq!(body["data"]["name"], "CI deploys");

        // The new token is the account's: it lists and creates sessions.
        let (id, session_key) = create_session(&server, &token, "support").await;
        let (status, body) = call(
            &server,
            Method::GET,
            "/api/v1/whatsapp-sessions",
            Auth::Token(&first),
            None,
        )
        .await;
        assert_eq!(
            (status, body["data"][0]["id"].clone()),
            (StatusCode::OK, json!(id)),
            "{body}"
        );

        // Listed without secrets.
        let (status, body) = call(
            &server,
            Method::GET,
            "/api/v1/auth/tokens",
            Auth::Token(&token),
            None,
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let listed = body["data"].as_array().unwrap();
        assert_eq!(listed.len(), 2, "{body}");
        assert_eq!(listed[1]["id"], token_id.as_str());
        assert_eq!(listed[1]["name"], "CI deploys");
        assert!(
            !body.to_string().contains(&token) && !body.to_string().contains(&first),
            "{body}"
        );
        assert!(
            listed
                .iter()
                .all(|t| t.get("token").is_none() && t["createdAt"].is_string())
        );

        // A session key manages no tokens; a token does not revoke itself.
        let (status, _) = call(
            &server,
            Method::GET,
            "/api/v1/auth/tokens",
            Auth::Bearer(&session_key),
            None,
        )
        .await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        let (status, body) = call(
            &server,
            Method::DELETE,
            &format!("/api/v1/auth/tokens/{token_id}"),
            Auth::Token(&token),
            None,
        )
        .await;
        assert_eq!(status, StatusCode::CONFLICT, "{body}");

        // Revoked by id: it stops working at once.
        let (status, body) = call(
            &server,
            Method::DELETE,
            "/api/v1/auth/tokens",
            Auth::Token(&first),
            Some(json!({ "id": token_id })),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let (status, body) = call(
            &server,
            Method::GET,
            "/api/v1/whatsapp-sessions",
            Auth::Token(&token),
            None,
        )
        .await;
        assert_eq!(
            (status, body["code"].clone()),
            (StatusCode::UNAUTHORIZED, json!("UNAUTHORIZED")),
            "{body}"
        );
        let (status, body) = call(
            &server,
            Method::DELETE,
            &format!("/api/v1/auth/tokens/{token_id}"),
            Auth::Token(&first),
            None,
        )
        .await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
        server.stop().await;
    })
    .await;
}

#[tokio::test]
async fn seed_002_webhooks_post_the_seeds_envelope_per_session() {
    on_each_backend_with(
        |config| config.webhooks.allow_private_targets = true,
        |server| async move {
            let token = server.account("Acme").await;
            let receiver = Receiver::start().await;
            let (status, body) = call(
                &server,
                Method::POST,
                "/api/v1/whatsapp-sessions",
                Auth::Token(&token),
                Some(json!({ "name": "support", "webhookUrl": receiver.url })),
            )
            .await;
            assert_eq!(status, StatusCode::CREATED, "{body}");
            assert_eq!(body["data"]["webhook"]["url"], receiver.url.as_str());
            let id = body["data"]["id"].as_str().unwrap().to_owned();
            let key = body["data"]["apiKey"].as_str().unwrap().to_owned();
            // Another session's events do not reach this one's webhook.
            let (other, _) = create_session(&server, &token, "other").await;
            link(&server, &token, &other, "15550002222").await;

            link(&server, &token, &id, "15550001111").await;
            let (status, body) = call(
                &server,
                Method::POST,
                "/api/v1/send-message",
                Auth::Bearer(&key),
                Some(json!({ "to": "15550002222", "text": "Hello from the API!" })),
            )
            .await;
            assert_eq!(status, StatusCode::ACCEPTED, "{body}");
            let message_id = body["messageId"].as_str().unwrap().to_owned();
            server
                .inbound(
                    &token,
                    "support",
                    json!({ "from": "15550003333", "pushName": "Bob", "text": "Hi there" }),
                )
                .await;
            // Bob starts typing his next message.
            let (status, body) = server
                .post(
                    "/api/v1/sandbox/instances/support/presence",
                    &token,
                    json!({ "from": "15550003333", "state": "composing" }),
                )
                .await;
            assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
            // Disconnected only once the message went out.
            receiver
                .wait_for("message.sent", |received| {
                    event_names(received)
                        .iter()
                        .any(|name| name == "message.sent")
                })
                .await;
            let disconnect = format!("/api/v1/whatsapp-sessions/{id}/disconnect");
            let (status, body) =
                call(&server, Method::POST, &disconnect, Auth::Bearer(&key), None).await;
            assert_eq!(status, StatusCode::OK, "{body}");

            let wanted = [
                "session.connected",
                "message.sent",
                "message.received",
                "presence.update",
                "session.disconnected",
            ];
            let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(30);
            let received = loop {
                let received = receiver.received();
                let names = event_names(&received);
                if wanted.iter().all(|name| names.iter().any(|n| n == name)) {
                    break received;
                }
                assert!(
                    tokio::time::Instant::now() < deadline,
                    "the session's webhook got only {names:?}"
                );
                tokio::time::sleep(std::time::Duration::from_millis(50)).await;
            };
            for delivery in &received {
                let body = delivery.json();
                let mut fields: Vec<_> = body.as_object().unwrap().keys().cloned().collect();
                fields.sort();
                assert_eq!(
                    fields,
                    ["data", "event", "sessionId", "timestamp"],
                    "{body}"
                );
                assert_eq!(body["sessionId"], id.as_str(), "{body}");
                assert!(wanted.contains(&body["event"].as_str().unwrap()), "{body}");
                let at = body["timestamp"].as_str().unwrap();
                assert!(
                    chrono::DateTime::parse_from_rfc3339(at).is_ok() && at.ends_with('Z'),
                    "{at}"
                );
                assert!(body["data"].is_object(), "{body}");
            }
            let named = |name: &str| {
                received
                    .iter()
                    .map(|r| r.json())
                    .find(|b| b["event"] == name)
                    .unwrap()
            };
            assert_eq!(
                named("message.sent")["data"]["messageId"],
                message_id.as_str()
            );
            assert_eq!(
                named("message.received")["data"]["body"],
                "Hi there",
                "{}",
                named("message.received")
            );
            let presence = named("presence.update");
            assert_eq!(presence["data"]["from"], "15550003333", "{presence}");
            assert_eq!(presence["data"]["state"], "composing", "{presence}");
            assert_eq!(
                presence["data"]["chatJid"], "15550003333@s.whatsapp.net",
                "{presence}"
            );

            // The webhook can be set again for a session (its key or the token).
            let (status, body) = call(
                &server,
                Method::PUT,
                &format!("/api/v1/whatsapp-sessions/{id}/webhook"),
                Auth::Bearer(&key),
                Some(json!({ "webhookUrl": format!("{}/other", receiver.url) })),
            )
            .await;
            assert_eq!(status, StatusCode::OK, "{body}");
            assert_eq!(body["data"]["enabled"], true);
            let (status, body) = call(
                &server,
                Method::PUT,
                &format!("/api/v1/whatsapp-sessions/{id}/webhook"),
                Auth::Bearer(&key),
                Some(json!({})),
            )
            .await;
            assert_eq!(
                (status, body["code"].clone()),
                (StatusCode::UNPROCESSABLE_ENTITY, json!("VALIDATION_ERROR")),
                "{body}"
            );
            server.stop().await;
        },
    )
    .await;
}

#[tokio::test]
async fn seed_002_sends_are_limited_per_session_on_the_sessions_plan() {
    on_each_backend_with(
        |config| config.limits.sessions_sends_per_minute = 3,
        |server| async move {
            let (status, body) = server
                .post(
                    "/api/v1/accounts",
                    ADMIN_KEY,
                    json!({ "name": "Seed 002", "plan": "sessions" }),
                )
                .await;
            assert_eq!(status, StatusCode::CREATED, "{body}");
            let token = body["data"]["apiKey"].as_str().unwrap().to_owned();
            let (id, key) = create_session(&server, &token, "support").await;
            link(&server, &token, &id, "15550001111").await;
            let (other, other_key) = create_session(&server, &token, "other").await;
            link(&server, &token, &other, "15550002222").await;

            crate::limits::early_in_a_window().await;
            let text = json!({ "to": "1234567890", "text": "Hello from the API!" });
            for _ in 0..3 {
                let (status, body) = call(
                    &server,
                    Method::POST,
                    "/api/v1/send-message",
                    Auth::Bearer(&key),
                    Some(text.clone()),
                )
                .await;
                assert_eq!(status, StatusCode::ACCEPTED, "{body}");
            }
            let response = server
                .raw(Method::POST, "/api/v1/send-message")
                .await
                .bearer_auth(&key)
                .json(&text)
                .send()
                .await
                .unwrap();
            assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
            let retry_after: u64 = response.headers()["retry-after"]
                .to_str()
                .unwrap()
                .parse()
                .unwrap();
            assert!((1..=60).contains(&retry_after), "{retry_after}");
            let body: Value = response.json().await.unwrap();
            assert_eq!(
                (body["success"].clone(), body["code"].clone()),
                (json!(false), json!("RATE_LIMITED")),
                "{body}"
            );
            // Per session: the account's other session still sends.
            let (status, body) = call(
                &server,
                Method::POST,
                "/api/v1/send-message",
                Auth::Bearer(&other_key),
                Some(text.clone()),
            )
            .await;
            assert_eq!(status, StatusCode::ACCEPTED, "{body}");

            // Other plans do not count sends per session.
            let unlimited = server.account("Unlimited").await;
            let (id, key) = create_session(&server, &unlimited, "support").await;
            link(&server, &unlimited, &id, "15550003333").await;
            for _ in 0..4 {
                let (status, body) = call(
                    &server,
                    Method::POST,
                    "/api/v1/send-message",
                    Auth::Bearer(&key),
                    Some(text.clone()),
                )
                .await;
                assert_eq!(status, StatusCode::ACCEPTED, "{body}");
            }
            server.stop().await;
        },
    )
    .await;
}
