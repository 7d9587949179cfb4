//! Further instance keys over HTTP: made with the account key and shown once, each reaching
//! its instance only, listed without secrets, refused to instance keys, and revoked at once.

use crate::support::*;
use reqwest::{Method, StatusCode};
use serde_json::json;

#[tokio::test]
async fn an_instance_gets_more_keys_that_reach_it_alone_until_revoked() {
    on_each_backend(|server| async move {
        let account = server.account("Acme").await;
        let (_, first_key) = server.instance(&account, "sales").await;
        server.instance(&account, "support").await;

        let (status, created) = server
            .post(
                "/api/v1/instances/sales/keys",
                &account,
                json!({ "name": "front desk kiosk" }),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{created}");
        let kiosk = created["data"]["apiKey"].as_str().unwrap().to_owned();
        assert!(kiosk.starts_with("wgi_"), "{kiosk}");
        let kiosk_id = created["data"]["id"].as_str().unwrap().to_owned();
        assert_eq!(created["data"]["name"], "front desk kiosk");

        // The new key reaches its instance, and no other.
        let (status, body) = server.get("/api/v1/instances/sales", &kiosk).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let (status, _) = server.get("/api/v1/instances/support", &kiosk).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        let (status, body) = server.get("/api/v1/instances", &kiosk).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(body["data"].as_array().unwrap().len(), 1, "{body}");

        // Listed with the key the instance was made with, secrets never shown.
        let (status, listed) = server.get("/api/v1/instances/sales/keys", &account).await;
        assert_eq!(status, StatusCode::OK, "{listed}");
        let keys = listed["data"].as_array().unwrap();
        assert_eq!(keys.len(), 2, "{listed}");
        assert_eq!(keys[1]["id"], kiosk_id.as_str());
        assert!(keys.iter().all(|key| key.get("apiKey").is_none()));
        assert!(!listed.to_string().contains(&kiosk));
        assert!(!listed.to_string().contains(&first_key));

        // An instance key neither lists, makes nor revokes keys; another account sees none.
        for (method, path) in [
            (Method::GET, "/api/v1/instances/sales/keys".to_owned()),
            (Method::POST, "/api/v1/instances/sales/keys".to_owned()),
            (
                Method::DELETE,
                format!("/api/v1/instances/sales/keys/{kiosk_id}"),
            ),
        ] {
            let (status, body) = server.call(method, &path, Some(&first_key), None).await;
            assert_eq!(status, StatusCode::FORBIDDEN, "{path}: {body}");
        }
        let other = server.account("Other").await;
        let (status, _) = server.get("/api/v1/instances/sales/keys", &other).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        let (status, body) = server
            .post(
                "/api/v1/instances/sales/keys",
                &account,
                json!({ "name": "x".repeat(101) }),
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert_eq!(fields(&body), ["name"]);

        // Revoked: it stops working at once; a second revoke finds nothing.
        let revoke = format!("/api/v1/instances/sales/keys/{kiosk_id}");
        let (status, body) = server
            .call(Method::DELETE, &revoke, Some(&account), None)
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["data"]["revoked"], true);
        let (status, _) = server.get("/api/v1/instances/sales", &kiosk).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        let (status, _) = server
            .call(Method::DELETE, &revoke, Some(&account), None)
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        // The instance's first key still works.
        let (status, _) = server.get("/api/v1/instances/sales", &first_key).await;
        assert_eq!(status, StatusCode::OK);
        server.stop().await;
    })
    .await;
}
