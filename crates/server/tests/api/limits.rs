//! Request limits: per account by plan, per address without a key, with the headers of seed
//! 004 and 429 + Retry-After past the limit.

use crate::support::*;
use reqwest::{Method, StatusCode};
use serde_json::json;

/// Limits count in one-minute windows: start a test early in one so it does not straddle two.
pub async fn early_in_a_window() {
    let second = chrono::Utc::now().timestamp() % 60;
    if second > 45 {
        tokio::time::sleep(std::time::Duration::from_secs((61 - second) as u64)).await;
    }
}

async fn get_me(server: &TestServer, key: Option<&str>) -> reqwest::Response {
    let mut request = server.raw(Method::GET, "/api/v1/auth/me").await;
    if let Some(key) = key {
        request = request.bearer_auth(key);
    }
    request.send().await.unwrap()
}

fn header(response: &reqwest::Response, name: &str) -> Option<u64> {
    response
        .headers()
        .get(name)
        .map(|v| v.to_str().unwrap().parse().unwrap())
}

#[tokio::test]
async fn accounts_are_limited_by_their_plan() {
    on_each_backend_with(
        |config| config.limits.plans.free = 5,
        |server| async move {
            let (status, body) = server
                .post(
                    "/api/v1/accounts",
                    ADMIN_KEY,
                    json!({ "name": "Small", "plan": "free" }),
                )
                .await;
            assert_eq!(status, StatusCode::CREATED, "{body}");
            assert_eq!(body["data"]["plan"], "free");
            let key = body["data"]["apiKey"].as_str().unwrap().to_owned();
            let account = body["data"]["id"].as_str().unwrap().to_owned();
            let unlimited = server.account("Big").await;

            early_in_a_window().await;
            for remaining in (0..5).rev() {
                let response = get_me(&server, Some(&key)).await;
                assert_eq!(response.status(), StatusCode::OK);
                assert_eq!(header(&response, "x-ratelimit-limit"), Some(5));
                assert_eq!(header(&response, "x-ratelimit-remaining"), Some(remaining));
                let reset = header(&response, "x-ratelimit-reset").unwrap();
                assert!(reset as i64 > chrono::Utc::now().timestamp());
            }
            let refused = get_me(&server, Some(&key)).await;
            assert_eq!(refused.status(), StatusCode::TOO_MANY_REQUESTS);
            let retry_after = header(&refused, "retry-after").unwrap();
            assert!((1..=60).contains(&retry_after), "{retry_after}");
            assert_eq!(header(&refused, "x-ratelimit-remaining"), Some(0));
            let body: serde_json::Value = refused.json().await.unwrap();
            assert_eq!(body["code"], "RATE_LIMITED");

            // Other accounts are not touched; an unlimited one carries no limit headers.
            let other = get_me(&server, Some(&unlimited)).await;
            assert_eq!(other.status(), StatusCode::OK);
            assert!(other.headers().get("x-ratelimit-limit").is_none());

            // The admin raises the plan; the limit follows at once.
            let (status, body) = server
                .call(
                    Method::PATCH,
                    &format!("/api/v1/accounts/{account}"),
                    Some(ADMIN_KEY),
                    Some(json!({ "plan": "pro" })),
                )
                .await;
            assert_eq!(status, StatusCode::OK, "{body}");
            assert_eq!(body["data"]["plan"], "pro");
            let response = get_me(&server, Some(&key)).await;
            assert_eq!(response.status(), StatusCode::OK);
            assert_eq!(header(&response, "x-ratelimit-limit"), Some(500));

            let (status, body) = server
                .post(
                    "/api/v1/accounts",
                    ADMIN_KEY,
                    json!({ "name": "X", "plan": "gold" }),
                )
                .await;
            assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
            assert_eq!(fields(&body), ["plan"]);
            let (status, _) = server
                .call(
                    Method::PATCH,
                    &format!("/api/v1/accounts/{account}"),
                    Some(&unlimited),
                    Some(json!({ "plan": "unlimited" })),
                )
                .await;
            assert_eq!(status, StatusCode::FORBIDDEN);
            let (status, _) = server
                .call(
                    Method::PATCH,
                    "/api/v1/accounts/acc_nope",
                    Some(ADMIN_KEY),
                    Some(json!({ "plan": "pro" })),
                )
                .await;
            assert_eq!(status, StatusCode::NOT_FOUND);
            server.stop().await;
        },
    )
    .await;
}

#[tokio::test]
async fn requests_without_a_key_are_limited_per_address() {
    let server = TestServer::start(Backend::Sqlite, |config| {
        config.limits.unauthenticated_per_minute = 3;
    })
    .await;
    early_in_a_window().await;
    for remaining in (0..3).rev() {
        let response = get_me(&server, None).await;
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
        assert_eq!(header(&response, "x-ratelimit-remaining"), Some(remaining));
    }
    let refused = get_me(&server, Some("not-a-key")).await;
    assert_eq!(refused.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(header(&refused, "retry-after").is_some());
    // Probes stay open to monitors; valid keys are counted apart.
    let (status, _) = server.call(Method::GET, "/healthz", None, None).await;
    assert_eq!(status, StatusCode::OK);
    let key = server.account("Acme").await;
    assert_eq!(get_me(&server, Some(&key)).await.status(), StatusCode::OK);
    server.stop().await;
}
