//! Sending texts and following them to read or failed.

use crate::support::*;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

fn statuses(message: &Value) -> Vec<String> {
    message["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .map(|entry| entry["status"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn a_text_is_queued_then_sent_delivered_and_read() {
    on_each_backend(|server| async move {
        let (key, instance) = server.linked_instance("sales").await;
        let (status, body) = server
            .post(
                "/api/v1/instances/sales/messages",
                &key,
                json!({ "to": "+1 (555) 000-2222", "text": "Hello", "metadata": { "orderId": "1234" } }),
            )
            .await;
        assert_eq!(status, StatusCode::ACCEPTED, "{body}");
        assert_eq!(body["data"]["status"], "queued");
        assert_eq!(body["data"]["to"], "15550002222");
        let id = body["data"]["id"].as_str().unwrap().to_owned();

        let message = server.wait_for_message(&key, &id, "read").await;
        assert_eq!(message["to"], "15550002222");
        assert_eq!(message["body"], "Hello");
        assert_eq!(message["instanceId"], instance.as_str());
        assert_eq!(message["metadata"]["orderId"], "1234");
        for field in ["sentAt", "deliveredAt", "readAt"] {
            assert!(message[field].is_string(), "{field}: {message}");
        }
        assert!(message["failedAt"].is_null());
        assert_eq!(statuses(&message), ["queued", "processing", "sent", "delivered", "read"]);

        // Exactly one delivery reached the (simulated) network.
        let message_id = wagate_core::MessageId::parse(&id).unwrap();
        assert_eq!(server.server().gateway().sandbox_deliveries(&message_id), 1);

        let events: Vec<_> = server
            .events(&key)
            .await
            .into_iter()
            .filter(|e| e["data"]["messageId"] == id.as_str())
            .collect();
        let names: Vec<_> = events
            .iter()
            .map(|e| format!("{}:{}", e["event"].as_str().unwrap(), e["data"]["status"].as_str().unwrap()))
            .collect();
        assert_eq!(
            names,
            [
                "message.queued:queued",
                "message.sent:sent",
                "message.status_updated:sent",
                "message.status_updated:delivered",
                "message.status_updated:read"
            ]
        );
        assert_eq!(events[3]["data"]["to"], "15550002222");
        assert_eq!(events[3]["data"]["metadata"]["orderId"], "1234");
        assert_eq!(events[3]["instance"], "sales");
        server.stop().await;
    })
    .await;
}

#[tokio::test]
async fn numbers_not_on_whatsapp_fail_with_a_clear_reason() {
    on_each_backend(|server| async move {
        let (key, _) = server.linked_instance("sales").await;
        let (status, body) = server
            .post(
                "/api/v1/instances/sales/messages",
                &key,
                json!({ "to": "15550000000", "message": "Hi" }),
            )
            .await;
        assert_eq!(status, StatusCode::ACCEPTED, "{body}");
        let id = body["data"]["id"].as_str().unwrap().to_owned();
        let message = server.wait_for_message(&key, &id, "failed").await;
        assert_eq!(message["errorCode"], "NOT_ON_WHATSAPP");
        assert!(
            message["errorMessage"]
                .as_str()
                .unwrap()
                .contains("not on WhatsApp")
        );
        assert!(message["failedAt"].is_string());
        assert!(message["sentAt"].is_null());
        server
            .wait_for_event(&key, "message.failed", |e| {
                e["data"]["messageId"] == id.as_str()
            })
            .await;

        let (_, failed) = server.get("/api/v1/messages?status=failed", &key).await;
        assert_eq!(failed["data"].as_array().unwrap().len(), 1);
        assert_eq!(failed["pagination"]["total"], 1);
        server.stop().await;
    })
    .await;
}

#[tokio::test]
async fn bad_sends_are_refused_and_store_nothing() {
    on_each_backend_with(
        |config| {
            config.http.body_limit_bytes = 16 * 1024;
            config.http.send_json_limit_bytes = 16 * 1024;
        },
        |server| async move {
            let (key, _) = server.linked_instance("sales").await;
            let path = "/api/v1/instances/sales/messages";
            let (status, body) = server
                .post(path, &key, json!({ "to": "call me", "text": "" }))
                .await;
            assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
            assert_eq!(body["code"], "VALIDATION_ERROR");
            assert_eq!(fields(&body), ["to", "text"]);
            let (status, body) = server
                .post(
                    path,
                    &key,
                    json!({ "to": "15550002222", "text": "a".repeat(4097) }),
                )
                .await;
            assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
            assert!(
                body["details"][0]["message"]
                    .as_str()
                    .unwrap()
                    .contains("4096")
            );
            let (status, body) = server.post(path, &key, json!({})).await;
            assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
            assert_eq!(fields(&body), ["to", "text"]);

            let malformed = server
                .raw(Method::POST, path)
                .await
                .bearer_auth(&key)
                .body("{\"to\": ")
                .send()
                .await
                .unwrap();
            assert_eq!(malformed.status(), StatusCode::BAD_REQUEST);
            let body: Value = malformed.json().await.unwrap();
            assert_eq!(body["code"], "BAD_REQUEST");

            let huge = json!({ "to": "15550002222", "text": "a".repeat(20 * 1024) });
            let response = server
                .raw(Method::POST, path)
                .await
                .bearer_auth(&key)
                .json(&huge)
                .send()
                .await
                .unwrap();
            assert_eq!(response.status(), StatusCode::PAYLOAD_TOO_LARGE);
            let body: Value = response.json().await.unwrap();
            assert_eq!(body["code"], "PAYLOAD_TOO_LARGE");
            let (status, body) = server
                .post(
                    "/api/v1/instances",
                    &key,
                    json!({ "name": "a".repeat(20 * 1024) }),
                )
                .await;
            assert_eq!(
                status,
                StatusCode::PAYLOAD_TOO_LARGE,
                "other routes keep the general limit: {body}"
            );

            let (status, _) = server
                .post(
                    "/api/v1/instances/nope/messages",
                    &key,
                    json!({ "to": "15550002222", "text": "x" }),
                )
                .await;
            assert_eq!(status, StatusCode::NOT_FOUND);

            let (_, list) = server.get("/api/v1/messages", &key).await;
            assert_eq!(list["pagination"]["total"], 0, "nothing was stored: {list}");
            server.stop().await;
        },
    )
    .await;
}

#[tokio::test]
async fn a_never_linked_instance_refuses_sends() {
    on_each_backend(|server| async move {
        let key = server.account("Acme").await;
        server.instance(&key, "sales").await;
        let (status, body) = server
            .post(
                "/api/v1/instances/sales/messages",
                &key,
                json!({ "to": "15550002222", "text": "hi" }),
            )
            .await;
        assert_eq!(status, StatusCode::CONFLICT);
        assert_eq!(body["code"], "INSTANCE_NOT_CONNECTED");
        server.stop().await;
    })
    .await;
}

#[tokio::test]
async fn a_momentarily_disconnected_instance_queues_and_sends_when_back() {
    on_each_backend(|server| async move {
        let (key, _) = server.linked_instance("sales").await;
        let (status, body) = server
            .post(
                "/api/v1/sandbox/instances/sales/disconnect",
                &key,
                json!({}),
            )
            .await;
        assert_eq!(status, StatusCode::ACCEPTED, "{body}");
        server
            .wait_for_event(&key, "session.status", |e| {
                e["data"]["status"] == "connecting"
            })
            .await;
        let (_, status) = server.get("/api/v1/instances/sales/status", &key).await;
        assert_eq!(status["data"]["status"], "connecting");
        assert!(status["data"]["me"].is_object(), "still linked");

        let id = server.send_text(&key, "sales", "15550002222", "hi").await;
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
        let (_, message) = server.get(&format!("/api/v1/messages/{id}"), &key).await;
        assert_eq!(
            message["data"]["status"], "queued",
            "waits while disconnected"
        );

        let (status, _) = server
            .post("/api/v1/sandbox/instances/sales/reconnect", &key, json!({}))
            .await;
        assert_eq!(status, StatusCode::ACCEPTED);
        server.wait_for_message(&key, &id, "read").await;
        let (status, body) = server
            .post("/api/v1/sandbox/instances/sales/reconnect", &key, json!({}))
            .await;
        assert_eq!(status, StatusCode::CONFLICT, "{body}");
        server.stop().await;
    })
    .await;
}

#[tokio::test]
async fn messages_are_private_to_their_account_and_instance_key() {
    on_each_backend(|server| async move {
        let (key, _) = server.linked_instance("sales").await;
        let id = server.send_text(&key, "sales", "15550002222", "hi").await;
        let stranger = server.account("Stranger").await;
        let (status, _) = server
            .get(&format!("/api/v1/messages/{id}"), &stranger)
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        let (_, list) = server.get("/api/v1/messages", &stranger).await;
        assert_eq!(list["pagination"]["total"], 0);
        let (_, other_key) = server.instance(&key, "support").await;
        let (status, _) = server
            .get(&format!("/api/v1/messages/{id}"), &other_key)
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        let (status, body) = server
            .get("/api/v1/messages?limit=500&status=lost", &key)
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(fields(&body), ["status", "limit"]);
        server.stop().await;
    })
    .await;
}
