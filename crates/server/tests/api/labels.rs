//! Labels over HTTP on the sandbox: created with the next id and colour, renamed, put on
//! chats and taken off, deleted (and so off every chat), each change on WhatsApp and one
//! event; refusals for unknown labels, bad names and colours, and other tenants.

use crate::support::*;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

async fn label_events(server: &TestServer, key: &str) -> Vec<Value> {
    server
        .events(key)
        .await
        .into_iter()
        .filter(|e| e["event"].as_str().unwrap().starts_with("label."))
        .map(|e| json!([e["event"], e["data"]]))
        .collect()
}

#[tokio::test]
async fn labels_are_created_put_on_chats_and_deleted_on_whatsapp_with_an_event_each() {
    on_each_backend(|server| async move {
        let (key, _) = server.linked_instance("sales").await;
        let (status, body) = server
            .post("/api/v1/instances/sales/labels", &key, json!({ "name": " New customer " }))
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        assert_eq!(body["data"], json!({ "id": "1", "name": "New customer", "color": 0, "chats": 0 }));
        let (_, body) = server
            .post("/api/v1/instances/sales/labels", &key, json!({ "name": "Paid", "color": 7 }))
            .await;
        assert_eq!(body["data"]["id"], "2");
        assert_eq!(body["data"]["color"], 7);
        let (status, body) = server
            .put("/api/v1/instances/sales/labels/1", &key, json!({ "name": "Lead" }))
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["data"]["name"], "Lead");
        assert_eq!(body["data"]["color"], 0, "the colour stays");

        for chat in ["15550002222", "15550003333"] {
            let (status, body) = server
                .post(&format!("/api/v1/instances/sales/chats/{chat}/labels/1"), &key, json!({}))
                .await;
            assert_eq!(status, StatusCode::OK, "{body}");
            assert_eq!(body["data"]["labeled"], true);
        }
        // Again: nothing changes, no second event.
        server
            .post("/api/v1/instances/sales/chats/15550002222/labels/1", &key, json!({}))
            .await;
        let (_, chats) = server.get("/api/v1/instances/sales/labels/1/chats", &key).await;
        assert_eq!(chats["data"], json!(["15550002222@s.whatsapp.net", "15550003333@s.whatsapp.net"]));
        let (status, body) = server
            .call(Method::DELETE, "/api/v1/instances/sales/chats/15550003333/labels/1", Some(&key), None)
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["data"], json!({ "jid": "15550003333@s.whatsapp.net", "labelId": "1", "labeled": false }));
        let (_, list) = server.get("/api/v1/instances/sales/labels", &key).await;
        let summary: Vec<(Value, Value)> = list["data"].as_array().unwrap().iter().map(|l| (l["name"].clone(), l["chats"].clone())).collect();
        assert_eq!(summary, [(json!("Lead"), json!(1)), (json!("Paid"), json!(0))], "{list}");

        let (status, body) = server.call(Method::DELETE, "/api/v1/instances/sales/labels/1", Some(&key), None).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let (status, _) = server.get("/api/v1/instances/sales/labels/1/chats", &key).await;
        assert_eq!(status, StatusCode::NOT_FOUND);

        let events = label_events(&server, &key).await;
        assert_eq!(
            events,
            [
                json!(["label.updated", { "labelId": "1", "name": "New customer", "color": 0, "deleted": false }]),
                json!(["label.updated", { "labelId": "2", "name": "Paid", "color": 7, "deleted": false }]),
                json!(["label.updated", { "labelId": "1", "name": "Lead", "color": 0, "deleted": false }]),
                json!(["label.chat_updated", { "labelId": "1", "chat": "15550002222@s.whatsapp.net", "labeled": true }]),
                json!(["label.chat_updated", { "labelId": "1", "chat": "15550003333@s.whatsapp.net", "labeled": true }]),
                json!(["label.chat_updated", { "labelId": "1", "chat": "15550003333@s.whatsapp.net", "labeled": false }]),
                json!(["label.updated", { "labelId": "1", "name": null, "color": null, "deleted": true }]),
            ]
        );
        let kinds: Vec<String> = server
            .sandbox_activity(&key, "sales")
            .await
            .into_iter()
            .map(|entry| entry["kind"].as_str().unwrap().to_owned())
            .filter(|kind| kind.contains("label"))
            .collect();
        assert_eq!(kinds, ["save_label", "save_label", "save_label", "label_chat", "label_chat", "label_chat", "unlabel_chat", "delete_label"]);
    })
    .await;
}

#[tokio::test]
async fn bad_label_requests_are_refused_and_labels_are_the_callers_own() {
    on_each_backend(|server| async move {
        let (key, _) = server.linked_instance("sales").await;
        for (request, field) in [
            (json!({}), "name"),
            (json!({ "name": "" }), "name"),
            (json!({ "name": "Paid", "color": 20 }), "color"),
        ] {
            let (status, body) = server
                .post("/api/v1/instances/sales/labels", &key, request.clone())
                .await;
            assert_eq!(
                status,
                StatusCode::UNPROCESSABLE_ENTITY,
                "{request}: {body}"
            );
            assert_eq!(fields(&body), [field]);
        }
        let (_, body) = server
            .post(
                "/api/v1/instances/sales/labels",
                &key,
                json!({ "name": "Paid" }),
            )
            .await;
        let id = body["data"]["id"].as_str().unwrap().to_owned();
        let (status, body) = server
            .put(
                &format!("/api/v1/instances/sales/labels/{id}"),
                &key,
                json!({}),
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        for (method, path) in [
            (Method::PUT, "/api/v1/instances/sales/labels/99"),
            (Method::DELETE, "/api/v1/instances/sales/labels/99"),
            (
                Method::POST,
                "/api/v1/instances/sales/chats/15550002222/labels/99",
            ),
            (Method::GET, "/api/v1/instances/sales/labels/99/chats"),
        ] {
            let (status, body) = server
                .call(
                    method.clone(),
                    path,
                    Some(&key),
                    Some(json!({ "name": "X" })),
                )
                .await;
            assert_eq!(status, StatusCode::NOT_FOUND, "{method} {path}: {body}");
        }
        let (status, body) = server
            .post(
                &format!("/api/v1/instances/sales/chats/hello/labels/{id}"),
                &key,
                json!({}),
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");

        let stranger = server.account("Other Co").await;
        let (status, _) = server
            .get("/api/v1/instances/sales/labels", &stranger)
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        let (status, _) = server
            .post(
                &format!("/api/v1/instances/sales/chats/15550002222/labels/{id}"),
                &stranger,
                json!({}),
            )
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        server.instance(&key, "idle").await;
        let (status, _) = server
            .post(
                "/api/v1/instances/idle/labels",
                &key,
                json!({ "name": "Paid" }),
            )
            .await;
        assert_eq!(status, StatusCode::CONFLICT);
        let (_, list) = server.get("/api/v1/instances/sales/labels", &key).await;
        assert_eq!(
            list["data"].as_array().unwrap().len(),
            1,
            "only the one created: {list}"
        );
    })
    .await;
}
