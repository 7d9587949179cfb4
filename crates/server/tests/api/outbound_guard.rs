//! No address a tenant gives makes the gateway call into its own network: a cloud number's
//! Graph API endpoint is the operator's setting, and webhook targets, media URLs and an
//! endpoint an account may choose all go through the one outbound guard.

use crate::support::*;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

/// A listener on loopback that answers anything with 200 and counts what reached it.
async fn local_listener() -> (u16, Arc<AtomicUsize>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let reached = Arc::new(AtomicUsize::new(0));
    let count = reached.clone();
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            count.fetch_add(1, Ordering::SeqCst);
            use tokio::io::AsyncWriteExt;
            let _ = stream
                .write_all(b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 2\r\n\r\n{}")
                .await;
        }
    });
    (port, reached)
}

/// A listener on loopback that redirects everything to `target`.
async fn redirector(target: String) -> u16 {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let app = axum::Router::new().fallback(move || {
        let target = target.clone();
        async move { axum::response::Redirect::temporary(&target) }
    });
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    port
}

fn cloud(name: &str, base_url: &str) -> Value {
    json!({
        "name": name,
        "engine": "cloud",
        "cloud": {
            "accessToken": "EAAG-secret-token",
            "phoneNumberId": "106540352242922",
            "appSecret": "app-secret",
            "baseUrl": base_url,
        }
    })
}

/// Where an account might try to send a number's Graph API calls.
fn private_endpoints(port: u16, redirect_port: u16) -> Vec<String> {
    vec![
        format!("http://127.0.0.1:{port}/any/prefix"),
        format!("http://[::1]:{port}"),
        "http://10.0.0.1".to_owned(),
        "http://169.254.169.254/latest".to_owned(),
        format!("http://0x7f000001:{port}"),
        format!("http://localhost:{port}"),
        format!("http://[64:ff9b::7f00:1]:{port}"),
        // Looks like any server, and redirects to the listener.
        format!("http://127.0.0.1:{redirect_port}/graph"),
    ]
}

#[tokio::test]
async fn an_account_key_cannot_point_a_cloud_number_at_the_gateways_network() {
    let (port, reached) = local_listener().await;
    let redirect_port = redirector(format!("http://127.0.0.1:{port}/")).await;
    on_each_backend(|server| {
        let reached = reached.clone();
        async move {
            let key = server.account("Acme").await;
            for endpoint in private_endpoints(port, redirect_port) {
                let (status, body) = server
                    .post("/api/v1/instances", &key, cloud("shop", &endpoint))
                    .await;
                assert_eq!(status, StatusCode::FORBIDDEN, "{endpoint}: {body}");
                assert!(
                    body["error"].as_str().unwrap().contains("cloud.baseUrl"),
                    "the answer names the setting: {body}"
                );
            }
            let mut version = cloud("shop", "https://graph.facebook.com");
            version["cloud"].as_object_mut().unwrap().remove("baseUrl");
            version["cloud"]["graphVersion"] = json!("v24.0");
            let (status, body) = server.post("/api/v1/instances", &key, version).await;
            assert_eq!(status, StatusCode::FORBIDDEN, "{body}");

            // Created without an endpoint of its own, it cannot be given one with PUT.
            let mut plain = cloud("shop", "");
            plain["cloud"].as_object_mut().unwrap().remove("baseUrl");
            let (status, body) = server.post("/api/v1/instances", &key, plain).await;
            assert_eq!(status, StatusCode::CREATED, "{body}");
            for endpoint in private_endpoints(port, redirect_port) {
                let (status, body) = server
                    .put(
                        "/api/v1/instances/shop/cloud",
                        &key,
                        cloud("shop", &endpoint)["cloud"].clone(),
                    )
                    .await;
                assert_eq!(status, StatusCode::FORBIDDEN, "{endpoint}: {body}");
            }
            server.stop().await;
            assert_eq!(
                reached.load(Ordering::SeqCst),
                0,
                "nothing reached the listener"
            );
        }
    })
    .await;
}

#[tokio::test]
async fn an_endpoint_an_account_may_choose_is_still_guarded() {
    let (port, reached) = local_listener().await;
    let redirect_port = redirector(format!("http://127.0.0.1:{port}/")).await;
    on_each_backend_with(
        |config| config.cloud.allow_tenant_base_url = true,
        |server| {
            let reached = reached.clone();
            async move {
                let key = server.account("Acme").await;
                for endpoint in private_endpoints(port, redirect_port) {
                    let (status, body) = server
                        .post("/api/v1/instances", &key, cloud("shop", &endpoint))
                        .await;
                    assert_eq!(
                        status,
                        StatusCode::UNPROCESSABLE_ENTITY,
                        "{endpoint}: {body}"
                    );
                    assert_eq!(fields(&body), ["cloud.baseUrl"], "{endpoint}");
                }
                // A name is resolved when the call is made; one that leads nowhere public
                // fails the verification, and the token goes nowhere.
                let (status, body) = server
                    .post(
                        "/api/v1/instances",
                        &key,
                        cloud("shop", "http://graph.wagate-test.invalid"),
                    )
                    .await;
                assert_eq!(status, StatusCode::CREATED, "{body}");
                let (status, body) = server
                    .post("/api/v1/instances/shop/verify", &key, json!({}))
                    .await;
                assert!(
                    status.is_client_error() || status.is_server_error(),
                    "{body}"
                );
                server.stop().await;
                assert_eq!(
                    reached.load(Ordering::SeqCst),
                    0,
                    "nothing reached the listener"
                );
            }
        },
    )
    .await;
}

#[tokio::test]
async fn the_operator_may_point_a_number_anywhere_and_the_account_keeps_it() {
    let fake = wagate_graph_fake::GraphFake::start().await;
    fake.add_number(wagate_graph_fake::FakeNumber::example());
    let number = wagate_graph_fake::FakeNumber::example();
    on_each_backend_with(
        // The server's own Graph API leads nowhere: only the operator's endpoint answers.
        |config| config.cloud.base_url = "http://127.0.0.1:9".to_owned(),
        |server| async {
            let key = server.account("Acme").await;
            let mut body = cloud("shop", fake.base_url());
            body["cloud"]["accessToken"] = json!(number.access_token);
            body["cloud"]["phoneNumberId"] = json!(number.phone_number_id);
            let (status, created) = server
                .as_operator(&key, Method::POST, "/api/v1/instances", body.clone())
                .await;
            assert_eq!(status, StatusCode::CREATED, "{created}");
            let (status, verified) = server
                .post("/api/v1/instances/shop/verify", &key, json!({}))
                .await;
            assert_eq!(status, StatusCode::OK, "{verified}");
            // New credentials from the account, naming no endpoint, keep the operator's.
            let mut renewed = body["cloud"].clone();
            renewed.as_object_mut().unwrap().remove("baseUrl");
            let (status, answer) = server
                .put("/api/v1/instances/shop/cloud", &key, renewed)
                .await;
            assert_eq!(status, StatusCode::OK, "{answer}");
            assert_eq!(answer["data"]["baseUrl"], fake.base_url(), "{answer}");
            let (status, verified) = server
                .post("/api/v1/instances/shop/verify", &key, json!({}))
                .await;
            assert_eq!(status, StatusCode::OK, "{verified}");
            // The admin key acts only for accounts that exist, and other keys for their own.
            let response = server
                .raw(Method::GET, "/api/v1/instances")
                .await
                .bearer_auth(ADMIN_KEY)
                .header("X-Account-Id", "acc_0192f0c5-e2b4-7a39-b1d2-c3e4f5a6b7c8")
                .send()
                .await
                .unwrap();
            assert_eq!(response.status(), StatusCode::NOT_FOUND);
            let other = server.account("Other").await;
            let other_id = server.account_id(&other).await;
            let response = server
                .raw(Method::GET, "/api/v1/instances")
                .await
                .bearer_auth(&key)
                .header("X-Account-Id", other_id)
                .send()
                .await
                .unwrap();
            assert_eq!(response.status(), StatusCode::FORBIDDEN);
            server.stop().await;
        },
    )
    .await;
}

#[tokio::test]
async fn webhook_targets_in_special_purpose_ranges_are_refused() {
    on_each_backend(|server| async move {
        let key = server.account("Acme").await;
        for url in [
            "http://198.18.0.1/hook",
            "http://198.19.255.1/hook",
            "http://[64:ff9b::7f00:1]/hook",
            "http://[::127.0.0.1]/hook",
            "http://[::ffff:7f00:1]/hook",
            "http://[2002:7f00:1::]/hook",
            "http://0x7f000001/hook",
            "http://2130706433/hook",
            "http://100.64.0.1/hook",
            "http://192.0.0.8/hook",
            "http://[fec0::1]/hook",
        ] {
            let (status, body) = server
                .post("/api/v1/webhooks", &key, json!({ "url": url }))
                .await;
            assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{url}: {body}");
            assert_eq!(fields(&body), ["url"], "{url}");
        }
        server.stop().await;
    })
    .await;
}

#[tokio::test]
async fn media_urls_through_nat64_or_mapped_addresses_are_refused() {
    let (port, reached) = local_listener().await;
    on_each_backend(|server| {
        let reached = reached.clone();
        async move {
            let (key, _) = server.linked_instance("sales").await;
            for url in [
                format!("http://[64:ff9b::7f00:1]:{port}/x.png"),
                format!("http://[::ffff:127.0.0.1]:{port}/x.png"),
                format!("http://[::127.0.0.1]:{port}/x.png"),
                format!("http://0177.0.0.1:{port}/x.png"),
            ] {
                let (status, body) = server
                    .post(
                        "/api/v1/instances/sales/messages",
                        &key,
                        json!({ "to": "15550002222", "image": { "url": url } }),
                    )
                    .await;
                assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{url}: {body}");
                assert_eq!(fields(&body), ["image.url"], "{url}");
            }
            server.stop().await;
            assert_eq!(
                reached.load(Ordering::SeqCst),
                0,
                "nothing reached the listener"
            );
        }
    })
    .await;
}
