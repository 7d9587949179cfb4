//! Bulk sends: valid items queued under one batch id, invalid ones reported by index.

use crate::support::*;
use reqwest::StatusCode;
use serde_json::json;

const BULK: &str = "/api/v1/instances/sales/messages/bulk";

#[tokio::test]
async fn valid_items_are_queued_as_one_batch_and_invalid_ones_reported() {
    on_each_backend_with(
        |config| config.messages.max_bulk = 4,
        |server| async move {
            let (key, _) = server.linked_instance("sales").await;
            let later = (chrono::Utc::now() + chrono::Duration::hours(1)).to_rfc3339();
            let (status, body) = server
                .post(
                    BULK,
                    &key,
                    json!({ "messages": [
                        { "to": "15550002222", "text": "Hi Alice" },
                        { "to": "15550003333" },
                        42,
                        { "to": "15550004444", "text": "Hi Bob", "sendAt": later },
                    ] }),
                )
                .await;
            assert_eq!(status, StatusCode::ACCEPTED, "{body}");
            let data = &body["data"];
            assert_eq!(data["totalMessages"], 4);
            assert_eq!(data["queued"], 2);
            assert_eq!(data["failedCount"], 2);
            let indices: Vec<_> = data["errors"]
                .as_array()
                .unwrap()
                .iter()
                .map(|e| e["index"].as_u64().unwrap())
                .collect();
            assert_eq!(indices, [1, 2]);
            assert_eq!(data["errors"][0]["details"][0]["field"], "text");
            let messages = data["messages"].as_array().unwrap();
            assert_eq!(messages[0]["status"], "queued");
            assert_eq!(messages[1]["status"], "scheduled");

            let batch = data["batchId"].as_str().unwrap();
            let (status, listed) = server
                .get(&format!("/api/v1/messages?batchId={batch}"), &key)
                .await;
            assert_eq!(status, StatusCode::OK, "{listed}");
            let mut listed: Vec<_> = listed["data"]
                .as_array()
                .unwrap()
                .iter()
                .map(|m| m["id"].as_str().unwrap().to_owned())
                .collect();
            let mut queued: Vec<_> = messages
                .iter()
                .map(|m| m["id"].as_str().unwrap().to_owned())
                .collect();
            listed.sort();
            queued.sort();
            assert_eq!(listed, queued);
            server
                .wait_for_message(&key, messages[0]["id"].as_str().unwrap(), "read")
                .await;

            let stranger = server.account("Stranger").await;
            let (_, theirs) = server
                .get(&format!("/api/v1/messages?batchId={batch}"), &stranger)
                .await;
            assert!(theirs["data"].as_array().unwrap().is_empty());

            let text = json!({ "to": "15550002222", "text": "x" });
            for messages in [json!([]), json!([text, text, text, text, text])] {
                let (status, body) = server
                    .post(BULK, &key, json!({ "messages": messages }))
                    .await;
                assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
                assert_eq!(fields(&body), ["messages"]);
            }
            server.stop().await;
        },
    )
    .await;
}
