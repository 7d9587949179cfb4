//! Accounts and keys.

use crate::support::*;
use reqwest::{Method, StatusCode};
use serde_json::json;

#[tokio::test]
async fn the_admin_creates_accounts_whose_keys_reach_only_their_account() {
    on_each_backend(|server| async move {
        let (status, body) = server
            .post("/api/v1/accounts", ADMIN_KEY, json!({ "name": "Acme" }))
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        let key = body["data"]["apiKey"].as_str().unwrap().to_owned();
        assert!(key.starts_with("wgk_"));
        assert!(body["data"]["id"].as_str().unwrap().starts_with("acc_"));

        let (status, me) = server.get("/api/v1/auth/me", &key).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(me["data"]["name"], "Acme");
        assert_eq!(me["data"]["id"], body["data"]["id"]);
        assert!(
            !me.to_string().contains(&key),
            "the key is never shown again"
        );

        // An account key cannot create accounts; the admin key has no account of its own.
        let (status, body) = server
            .post("/api/v1/accounts", &key, json!({ "name": "Other" }))
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
        assert_eq!(body["code"], "FORBIDDEN");
        let (status, _) = server.get("/api/v1/auth/me", ADMIN_KEY).await;
        assert_eq!(status, StatusCode::FORBIDDEN);

        let (status, list) = server.get("/api/v1/accounts", ADMIN_KEY).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(list["data"].as_array().unwrap().len(), 1);
        server.stop().await;
    })
    .await;
}

#[tokio::test]
async fn keys_are_read_from_every_header_clients_use_and_bad_keys_are_refused() {
    on_each_backend(|server| async move {
        let key = server.account("Acme").await;
        for header in ["x-api-key", "apikey", "x-api-token"] {
            let response = server
                .raw(Method::GET, "/api/v1/auth/me")
                .await
                .header(header, &key)
                .send()
                .await
                .unwrap();
            assert_eq!(response.status(), StatusCode::OK, "{header}");
        }
        let (status, body) = server
            .call(Method::GET, "/api/v1/auth/me", None, None)
            .await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        assert_eq!(body["success"], false);
        assert_eq!(body["code"], "UNAUTHORIZED");
        let (status, _) = server.get("/api/v1/auth/me", "wgk_not-a-key").await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        server.stop().await;
    })
    .await;
}

#[tokio::test]
async fn account_names_are_validated() {
    on_each_backend(|server| async move {
        let (status, body) = server.post("/api/v1/accounts", ADMIN_KEY, json!({})).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(fields(&body), ["name"]);
        let (status, body) = server
            .post("/api/v1/accounts", ADMIN_KEY, json!({ "name": 5 }))
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(fields(&body), ["name"]);
        server.stop().await;
    })
    .await;
}
