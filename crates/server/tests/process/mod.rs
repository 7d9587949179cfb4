//! The real `wagate` binary as a child process, for tests that kill it with SIGKILL.

use serde_json::{Value, json};
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

pub const ADMIN: &str = "crash-admin";

/// The server process, killed when the test ends, passing or not.
pub struct Process(Child);

impl Process {
    /// SIGKILL: no shutdown, nothing flushed.
    pub fn kill(&mut self) {
        self.0.kill().ok();
        self.0.wait().ok();
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        self.kill();
    }
}

pub fn spawn(
    data_dir: &std::path::Path,
    database_url: &str,
    env: &[(&str, &str)],
) -> (Process, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_wagate"))
        .env("WAGATE_LISTEN", "127.0.0.1:0")
        .env("WAGATE_DATA_DIR", data_dir)
        .env("WAGATE_DATABASE_URL", database_url)
        .env("WAGATE_ADMIN_KEY", ADMIN)
        .env("WAGATE_LOG__LEVEL", "error")
        .env("WAGATE_WEBHOOKS__ALLOW_PRIVATE_TARGETS", "true")
        .env("WAGATE_SANDBOX__DELIVERED_AFTER_MS", "0")
        .env("WAGATE_SANDBOX__READ_AFTER_MS", "0")
        .env("WAGATE_DISPATCHER__POLL_INTERVAL_MS", "50")
        .env("WAGATE_PACING__ENABLED", "false")
        .envs(env.iter().copied())
        .stdout(Stdio::piped())
        .spawn()
        .expect("wagate starts");
    let stdout = BufReader::new(child.stdout.take().unwrap());
    let mut lines = stdout.lines();
    let address = lines
        .by_ref()
        .map_while(Result::ok)
        .find_map(|line| {
            line.split("serving on http://")
                .nth(1)
                .map(|rest| rest.split_whitespace().next().unwrap().to_owned())
        })
        .expect("the serving line");
    // Keep draining stdout so the process never blocks on a full pipe.
    std::thread::spawn(move || for _ in lines {});
    (Process(child), format!("http://{address}"))
}

pub async fn call(
    client: &reqwest::Client,
    base: &str,
    key: &str,
    path: &str,
    body: Value,
) -> Value {
    let response = client
        .post(format!("{base}{path}"))
        .bearer_auth(key)
        .json(&body)
        .send()
        .await
        .unwrap();
    let status = response.status();
    let body: Value = response.json().await.unwrap();
    assert!(status.is_success(), "{path}: {status} {body}");
    body["data"].clone()
}

pub async fn get(client: &reqwest::Client, base: &str, key: &str, path: &str) -> Value {
    let response = client
        .get(format!("{base}{path}"))
        .bearer_auth(key)
        .send()
        .await
        .unwrap();
    assert!(response.status().is_success(), "{path}");
    response.json().await.unwrap()
}

/// A new account; answers its key.
pub async fn account(client: &reqwest::Client, base: &str, name: &str) -> String {
    call(
        client,
        base,
        ADMIN,
        "/api/v1/accounts",
        json!({ "name": name }),
    )
    .await["apiKey"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// Creates a sandbox instance and links it by QR code to `phone`.
pub async fn linked_sandbox(
    client: &reqwest::Client,
    base: &str,
    key: &str,
    name: &str,
    phone: &str,
) {
    call(
        client,
        base,
        key,
        "/api/v1/instances",
        json!({ "name": name, "engine": "sandbox" }),
    )
    .await;
    let qr = call(
        client,
        base,
        key,
        &format!("/api/v1/instances/{name}/connect"),
        json!({}),
    )
    .await;
    call(
        client,
        base,
        key,
        "/api/v1/sandbox/link",
        json!({ "code": qr["qr"]["code"], "phone": phone }),
    )
    .await;
}
