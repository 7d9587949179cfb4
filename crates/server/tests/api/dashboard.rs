//! The dashboard in a real browser: Debian's Chromium, driven by Playwright
//! (`tests/browser/dashboard.mjs`), against a server started here. CI installs Chromium and
//! the script's one npm package and names the browser in `WAGATE_TEST_CHROMIUM`. The
//! screenshots of each step go to `WAGATE_TEST_SCREENSHOTS` (default: a folder under the
//! target directory), to be looked at.

use crate::receiver::Receiver;
use crate::support::*;
use reqwest::StatusCode;
use std::time::Duration;

const BROWSER_TESTS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/browser");

fn dashboard_server(config: &mut wagate_server::config::Config) {
    config.webhooks.allow_private_targets = true;
    config.webhooks.poll_interval_ms = 50;
    // QR codes rotate every two seconds, so the page is seen replacing one.
    config.sandbox.qr_first_ttl_ms = 2000;
    config.sandbox.qr_next_ttl_ms = 2000;
    config.sandbox.qr_max_codes = 60;
    config.sandbox.delivered_after_ms = 200;
    config.sandbox.read_after_ms = 400;
}

#[tokio::test]
async fn the_dashboard_links_a_number_sends_and_shows_what_happens_in_a_browser() {
    let Some(chromium) =
        wagate_store::testing::service_url("WAGATE_TEST_CHROMIUM", "dashboard in Chromium")
    else {
        return;
    };
    let shots = std::env::var("WAGATE_TEST_SCREENSHOTS")
        .unwrap_or_else(|_| format!("{}/dashboard-screenshots", env!("CARGO_TARGET_TMPDIR")));
    let server = TestServer::start(Backend::Sqlite, dashboard_server).await;
    let key = server.account("Acme").await;
    let other = server.account("Other").await;
    let receiver = Receiver::start().await;

    let run = tokio::process::Command::new("node")
        .current_dir(BROWSER_TESTS)
        .arg("dashboard.mjs")
        .args([&chromium, &server.base, &key, &other, &receiver.url, &shots])
        .arg(ADMIN_KEY)
        .kill_on_drop(true)
        .output();
    let output = tokio::time::timeout(Duration::from_secs(180), run)
        .await
        .expect("the browser test finishes within three minutes")
        .expect("node runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success() && stdout.contains("dashboard: ok"),
        "the browser test failed (screenshots in {shots}):\n{stdout}\n{stderr}"
    );

    // What the page did, it did through the API: the account's instance is linked and its
    // message was read; the webhook received the test event.
    let (status, instance) = server.get("/api/v1/instances/sales", &key).await;
    assert_eq!(status, StatusCode::OK, "{instance}");
    assert_eq!(instance["data"]["status"], "open");
    let (_, messages) = server
        .get("/api/v1/messages?direction=outbound", &key)
        .await;
    let outbound = messages["data"].as_array().unwrap();
    assert_eq!(outbound.len(), 2, "{messages}");
    assert!(outbound.iter().all(|m| m["status"] == "read"), "{messages}");
    let (_, accounts) = server.get("/api/v1/accounts", ADMIN_KEY).await;
    let plan_of = |name: &str| {
        accounts["data"]
            .as_array()
            .unwrap()
            .iter()
            .find(|account| account["name"] == name)
            .map(|account| account["plan"].clone())
    };
    assert_eq!(plan_of("Other"), Some("pro".into()), "{accounts}");
    assert!(plan_of("Third").is_some(), "{accounts}");
    assert!(
        receiver
            .received()
            .iter()
            .any(|delivery| delivery.json()["event"] == "webhook.test"),
        "the receiver got no test event"
    );
    server.stop().await;
}

#[tokio::test]
async fn the_dashboard_is_served_from_the_binary_and_loads_nothing_from_elsewhere() {
    let server = TestServer::start(Backend::Sqlite, |_| {}).await;
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    // A browser opening / is sent to the dashboard; an API client gets Evolution's welcome.
    let browser = client
        .get(format!("{}/", server.base))
        .header("Accept", "text/html,application/xhtml+xml,*/*;q=0.8")
        .send()
        .await
        .unwrap();
    assert_eq!(browser.status(), StatusCode::SEE_OTHER);
    assert_eq!(browser.headers()["location"], "/dashboard");
    let api = client
        .get(format!("{}/", server.base))
        .send()
        .await
        .unwrap();
    assert_eq!(api.status(), StatusCode::OK);
    let welcome: serde_json::Value = api.json().await.unwrap();
    assert_eq!(welcome["status"], 200);

    let page = client
        .get(format!("{}/dashboard", server.base))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    let policy = page.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(policy.contains("default-src 'none'") && policy.contains("connect-src 'self'"));
    let html = page.text().await.unwrap();
    for asset in ["/dashboard/dashboard.css", "/dashboard/dashboard.js"] {
        assert!(html.contains(asset), "{asset} is not linked");
    }
    // Every file the page names is served here, and none names another host.
    for asset in [
        "/dashboard/dashboard.css",
        "/dashboard/dashboard.js",
        "/dashboard/api.js",
        "/dashboard/ui.js",
    ] {
        let answer = client
            .get(format!("{}{asset}", server.base))
            .send()
            .await
            .unwrap();
        assert_eq!(answer.status(), StatusCode::OK, "{asset}");
        let text = answer.text().await.unwrap();
        assert!(
            !loads_from_elsewhere(&text),
            "{asset} loads from another host"
        );
    }
    assert!(!loads_from_elsewhere(&html));
    server.stop().await;
}

/// Whether a file names another host where a browser would load from it (an import, a
/// `src` or `href`, a CSS `url()`, a `fetch`).
fn loads_from_elsewhere(text: &str) -> bool {
    [
        "from \"",
        "import(\"",
        "src=\"",
        "href=\"",
        "url(",
        "fetch(\"",
        "fetch(`",
    ]
    .iter()
    .any(|opening| {
        text.match_indices(opening).any(|(at, _)| {
            let rest = &text[at + opening.len()..];
            rest.starts_with("http") || rest.starts_with("//")
        })
    })
}
