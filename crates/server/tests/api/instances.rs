//! Creating, listing, finding and deleting instances, and who may reach them.

use crate::support::*;
use reqwest::{Method, StatusCode};
use serde_json::json;

#[tokio::test]
async fn an_instance_is_created_disconnected_with_its_own_key() {
    on_each_backend(|server| async move {
        let key = server.account("Acme").await;
        let (status, body) = server
            .post(
                "/api/v1/instances",
                &key,
                json!({ "name": "sales", "engine": "sandbox" }),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        let data = &body["data"];
        assert_eq!(data["name"], "sales");
        assert_eq!(data["engine"], "sandbox");
        assert_eq!(data["status"], "disconnected");
        assert!(data["apiKey"].as_str().unwrap().starts_with("wgi_"));
        assert!(
            data["capabilities"]
                .as_array()
                .unwrap()
                .contains(&json!("send_text"))
        );
        let id = data["id"].as_str().unwrap();

        for ident in [id, "sales"] {
            let (status, found) = server
                .get(&format!("/api/v1/instances/{ident}"), &key)
                .await;
            assert_eq!(status, StatusCode::OK);
            assert_eq!(found["data"]["id"], id);
            assert!(
                found["data"].get("apiKey").is_none(),
                "the key is shown only once"
            );
        }
        let (_, list) = server.get("/api/v1/instances", &key).await;
        assert_eq!(list["data"].as_array().unwrap().len(), 1);
        server.stop().await;
    })
    .await;
}

#[tokio::test]
async fn bad_instances_are_refused_with_the_field_named() {
    on_each_backend(|server| async move {
        let key = server.account("Acme").await;
        server.instance(&key, "sales").await;
        let (status, body) = server
            .post("/api/v1/instances", &key, json!({ "name": "sales" }))
            .await;
        assert_eq!(status, StatusCode::CONFLICT, "{body}");
        assert_eq!(body["code"], "CONFLICT");
        let (status, body) = server
            .post(
                "/api/v1/instances",
                &key,
                json!({ "name": "has space", "engine": "telegram" }),
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(fields(&body), ["name", "engine"]);
        let (status, body) = server
            .post(
                "/api/v1/instances",
                &key,
                json!({ "name": "w", "engine": "web" }),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        assert_eq!(body["data"]["engine"], "web");
        let capabilities = body["data"]["capabilities"].as_array().unwrap();
        for capability in ["qr_link", "pairing_code", "send_poll"] {
            assert!(capabilities.contains(&json!(capability)), "{capability}");
        }
        assert!(
            !capabilities.contains(&json!("send_template")),
            "a Cloud API feature"
        );
        server.stop().await;
    })
    .await;
}

#[tokio::test]
async fn other_accounts_and_other_instances_keys_see_nothing() {
    on_each_backend(|server| async move {
        let key = server.account("Acme").await;
        let (id, instance_key) = server.instance(&key, "sales").await;
        let (other_id, _) = server.instance(&key, "support").await;
        let stranger = server.account("Stranger").await;

        for path in [
            format!("/api/v1/instances/{id}"),
            "/api/v1/instances/sales".to_owned(),
        ] {
            let (status, body) = server.get(&path, &stranger).await;
            assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
            assert_eq!(body["code"], "NOT_FOUND");
        }
        let (_, list) = server.get("/api/v1/instances", &stranger).await;
        assert!(list["data"].as_array().unwrap().is_empty());

        // An instance key reaches its instance only, and cannot manage the account.
        let (status, _) = server
            .get(&format!("/api/v1/instances/{id}"), &instance_key)
            .await;
        assert_eq!(status, StatusCode::OK);
        let (status, _) = server
            .get(&format!("/api/v1/instances/{other_id}"), &instance_key)
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        let (_, list) = server.get("/api/v1/instances", &instance_key).await;
        assert_eq!(list["data"].as_array().unwrap().len(), 1);
        let (status, _) = server
            .post("/api/v1/instances", &instance_key, json!({ "name": "x" }))
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        let (status, _) = server
            .call(
                Method::DELETE,
                &format!("/api/v1/instances/{id}"),
                Some(&instance_key),
                None,
            )
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        server.stop().await;
    })
    .await;
}

#[tokio::test]
async fn a_deleted_instance_is_gone_with_its_key() {
    on_each_backend(|server| async move {
        let (key, id) = server.linked_instance("sales").await;
        let (status, _) = server
            .call(Method::DELETE, "/api/v1/instances/sales", Some(&key), None)
            .await;
        assert_eq!(status, StatusCode::OK);
        let (status, _) = server.get(&format!("/api/v1/instances/{id}"), &key).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        server
            .wait_for_event(&key, "instance.deleted", |e| e["instanceId"] == id.as_str())
            .await;
        server.stop().await;
    })
    .await;
}
