//! Seed 001's API: the resource groups under `/api/v1/<resource>` with `X-Api-Key` and
//! `X-Instance-Id` (or an instance key alone), answering the seed's status codes: 200, 201
//! when something is created, 202 when accepted for later, 400/404 for a missing or unknown
//! instance, 409 when the device is not paired.

use crate::support::*;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

/// A request as seed 001 writes it: `X-Api-Key`, and `X-Instance-Id` when given.
async fn call(
    server: &TestServer,
    method: Method,
    path: &str,
    key: &str,
    instance: Option<&str>,
    body: Option<Value>,
) -> (StatusCode, Value) {
    let mut request = server.raw(method, path).await.header("X-Api-Key", key);
    if let Some(instance) = instance {
        request = request.header("X-Instance-Id", instance);
    }
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.unwrap();
    let status = response.status();
    let text = response.text().await.unwrap();
    let body = serde_json::from_str(&text).unwrap_or(Value::Null);
    (status, body)
}

#[tokio::test]
async fn seed_001_resource_groups_take_the_instance_from_x_instance_id() {
    on_each_backend(|server| async move {
        let account = server.account("Acme").await;
        let (id, instance_key) = server.instance(&account, "sales").await;
        let sales = Some("sales");

        // Session: connect, its QR code, the connection status; then the phone scans it.
        let (status, body) = call(&server, Method::POST, "/api/v1/connect", &account, sales, Some(json!({}))).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let code = body["data"]["qr"]["code"].as_str().unwrap().to_owned();
        let (status, body) = call(&server, Method::GET, "/api/v1/qr?format=base64", &account, sales, None).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert!(body["data"]["image"].as_str().unwrap().starts_with("data:image/png;base64,"));
        let (status, body) = call(&server, Method::GET, "/api/v1/status", &account, sales, None).await;
        assert_eq!((status, body["data"]["status"].clone()), (StatusCode::OK, json!("qr")), "{body}");
        let (status, body) = server
            .post("/api/v1/sandbox/link", &account, json!({ "code": code, "phone": "15550001111" }))
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let (_, body) = call(&server, Method::GET, "/api/v1/status", &account, Some(&id), None).await;
        assert_eq!(body["data"]["status"], "open", "by id too: {body}");

        // Messages: 202, by name, by id, and with the instance key alone.
        let text = json!({ "to": "15550002222", "text": "Hello from seed 001" });
        for (key, instance) in [(&account, sales), (&account, Some(id.as_str())), (&instance_key, None)] {
            let (status, body) = call(&server, Method::POST, "/api/v1/messages", key, instance, Some(text.clone())).await;
            assert_eq!(status, StatusCode::ACCEPTED, "{body}");
            let sent = server
                .wait_for_message(&account, body["data"]["id"].as_str().unwrap(), "read")
                .await;
            assert_eq!(sent["instanceId"], id.as_str());
        }
        let (status, body) = call(
            &server,
            Method::POST,
            "/api/v1/messages/bulk",
            &account,
            sales,
            Some(json!({ "messages": [{ "to": "15550002222", "text": "One" }, { "to": "15550003333", "text": "Two" }] })),
        )
        .await;
        assert_eq!(status, StatusCode::ACCEPTED, "{body}");
        // The account's own message routes are unchanged beside them.
        let (status, body) = call(&server, Method::GET, "/api/v1/messages", &account, sales, None).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["pagination"]["total"], 5, "{body}");

        // Chats, Contacts, Groups (201 on creation), Labels.
        let (status, body) = call(&server, Method::GET, "/api/v1/chats", &account, sales, None).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert!(body["data"].as_array().unwrap().iter().any(|c| c["jid"] == "15550002222@s.whatsapp.net"), "{body}");
        let (status, body) = call(&server, Method::GET, "/api/v1/on-whatsapp/15550002222", &account, sales, None).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let (status, group) = call(
            &server,
            Method::POST,
            "/api/v1/groups",
            &account,
            sales,
            Some(json!({ "subject": "Launch team", "participants": ["15550002222"] })),
        )
        .await;
        assert_eq!(status, StatusCode::CREATED, "{group}");
        let jid = group["data"]["jid"].as_str().unwrap();
        let (status, body) = call(&server, Method::GET, &format!("/api/v1/groups/{jid}"), &instance_key, None, None).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["data"]["subject"], "Launch team");
        let (status, body) = call(&server, Method::POST, "/api/v1/labels", &account, sales, Some(json!({ "name": "VIP" }))).await;
        assert_eq!(status, StatusCode::CREATED, "{body}");

        // Account: the profile and its name.
        let (status, body) = call(&server, Method::PUT, "/api/v1/profile/name", &account, sales, Some(json!({ "name": "Acme Sales" }))).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let (status, body) = call(&server, Method::GET, "/api/v1/profile", &account, sales, None).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["data"]["pushName"], "Acme Sales", "{body}");

        // Instance: itself, its settings, a restart.
        let (status, body) = call(&server, Method::GET, "/api/v1/instance", &account, sales, None).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["data"]["id"], id.as_str());
        let (status, body) = call(&server, Method::GET, "/api/v1/instance/settings", &account, sales, None).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let (status, body) = call(&server, Method::POST, "/api/v1/restart", &account, sales, None).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        // The restarted session comes back on its own, with no new QR code.
        let mut status_now = serde_json::Value::Null;
        for _ in 0..200 {
            let (_, body) = call(&server, Method::GET, "/api/v1/status", &account, sales, None).await;
            status_now = body["data"]["status"].clone();
            if status_now == "open" {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        assert_eq!(status_now, "open", "the restarted instance never reopened");

        // Session: logout; then the device is not paired, and sends answer 409.
        let (status, body) = call(&server, Method::POST, "/api/v1/logout", &account, sales, None).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let (status, body) = call(&server, Method::POST, "/api/v1/messages", &account, sales, Some(text)).await;
        assert_eq!(status, StatusCode::CONFLICT, "{body}");
        assert_eq!(body["code"], "INSTANCE_NOT_CONNECTED");
        server.stop().await;
    })
    .await;
}

#[tokio::test]
async fn seed_001_a_missing_or_unknown_instance_is_a_clear_error() {
    on_each_backend(|server| async move {
        let account = server.account("Acme").await;
        let (_, sales_key) = server.instance(&account, "sales").await;
        server.instance(&account, "support").await;
        let other = server.account("Other").await;
        server.instance(&other, "theirs").await;

        // No instance named, and the key reaches several: 400 saying how to name one.
        let (status, body) =
            call(&server, Method::GET, "/api/v1/chats", &account, None, None).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
        assert_eq!(body["success"], false);
        assert!(
            body["error"].as_str().unwrap().contains("X-Instance-Id"),
            "{body}"
        );
        // Unknown, another account's, or beyond an instance key's reach: 404.
        for (key, instance) in [
            (&account, "nosuch"),
            (&account, "theirs"),
            (&sales_key, "support"),
        ] {
            let (status, body) = call(
                &server,
                Method::GET,
                "/api/v1/chats",
                key,
                Some(instance),
                None,
            )
            .await;
            assert_eq!(status, StatusCode::NOT_FOUND, "{instance}: {body}");
            assert_eq!(body["code"], "NOT_FOUND");
        }
        // No key: 401, before anything else.
        let response = server
            .raw(Method::GET, "/api/v1/chats")
            .await
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
        // An instance never linked: 409, the device is not paired.
        let (status, body) = call(
            &server,
            Method::POST,
            "/api/v1/messages",
            &account,
            Some("support"),
            Some(json!({ "to": "15550002222", "text": "Hi" })),
        )
        .await;
        assert_eq!(status, StatusCode::CONFLICT, "{body}");
        assert_eq!(body["code"], "INSTANCE_NOT_CONNECTED");
        // A name with characters a path cannot hold is looked up, not mangled.
        let (status, body) = call(
            &server,
            Method::GET,
            "/api/v1/instance",
            &account,
            Some("a/b?c"),
            None,
        )
        .await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
        let (_, list) = server.get("/api/v1/messages", &account).await;
        assert_eq!(list["pagination"]["total"], 0, "nothing was queued");
        server.stop().await;
    })
    .await;
}
