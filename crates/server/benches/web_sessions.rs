//! Resident memory per connected WhatsApp Web session: the `wagate` binary runs as a child
//! process against the scripted WhatsApp Web server (which runs here, in the benchmark's own
//! process, so its weight is not counted); that many web instances are linked by scanning
//! their QR codes and left connected and idle. The figure is the growth of the gateway's
//! resident set over its baseline — the same process with the same instances created and
//! none connected, measured in the same run — divided by the number of sessions.
//!
//! ```text
//! cargo bench -p wagate-server --bench web_sessions
//! WAGATE_BENCH_SESSIONS=500 cargo bench -p wagate-server --bench web_sessions
//! ```

#[allow(dead_code)] // this benchmark takes only the account helpers; it loads nothing
mod support;

use serde_json::{Value, json};
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
use support::{ADMIN_KEY, post};
use wagate_web_fake::{FakePhone, WebFake};

/// The resident set of a process, from /proc, in kB.
fn resident_kb(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).expect("proc status");
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmRSS:"))
        .and_then(|value| value.trim().trim_end_matches("kB").trim().parse().ok())
        .expect("VmRSS")
}

/// Lets the allocator and the runtime settle, then reads the resident set.
async fn settled_resident_kb(pid: u32) -> u64 {
    tokio::time::sleep(Duration::from_secs(3)).await;
    resident_kb(pid)
}

/// Starts the gateway binary against `whatsapp`; answers the child and its base URL.
fn start_gateway(dir: &std::path::Path, whatsapp: &WebFake) -> (Child, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_wagate"))
        .env("WAGATE_LISTEN", "127.0.0.1:0")
        .env("WAGATE_DATA_DIR", dir)
        .env("WAGATE_ADMIN_KEY", ADMIN_KEY)
        .env("WAGATE_LOG__LEVEL", "error")
        .env("WAGATE_WEB__URL", whatsapp.url())
        .env("WAGATE_WEB__VERSION", "2.3000.1")
        .env("WAGATE_WEB__START_SPACING_MS", "1")
        .stdout(Stdio::piped())
        .spawn()
        .expect("wagate starts");
    let mut lines = BufReader::new(child.stdout.take().expect("stdout")).lines();
    let address = lines
        .by_ref()
        .map_while(Result::ok)
        .find_map(|line| {
            line.split("serving on http://").nth(1).map(|rest| {
                rest.split_whitespace()
                    .next()
                    .expect("an address")
                    .to_owned()
            })
        })
        .expect("the serving line");
    // Keep reading, so the gateway never blocks on a full pipe.
    std::thread::spawn(move || lines.for_each(drop));
    (child, format!("http://{address}"))
}

async fn statuses(client: &reqwest::Client, base: &str, key: &str) -> Vec<Value> {
    let response = client
        .get(format!("{base}/api/v1/instances"))
        .bearer_auth(key)
        .send()
        .await
        .expect("the gateway answers");
    let body: Value = response.json().await.expect("a JSON answer");
    body["data"]
        .as_array()
        .expect("a list")
        .iter()
        .map(|instance| instance["status"].clone())
        .collect()
}

fn main() {
    let sessions: usize = std::env::var("WAGATE_BENCH_SESSIONS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100);
    let runtime = tokio::runtime::Runtime::new().expect("a runtime");
    runtime.block_on(async {
        let whatsapp = WebFake::start().await;
        let dir = tempfile::tempdir().expect("temp dir");
        let (mut gateway, base) = start_gateway(dir.path(), &whatsapp);
        let pid = gateway.id();
        let client = reqwest::Client::new();
        let account = post(
            &client,
            format!("{base}/api/v1/accounts"),
            ADMIN_KEY,
            json!({"name": "bench"}),
        )
        .await;
        let key = account["apiKey"].as_str().expect("account key").to_owned();
        for n in 0..sessions {
            post(
                &client,
                format!("{base}/api/v1/instances"),
                &key,
                json!({"name": format!("web{n}"), "engine": "web"}),
            )
            .await;
        }
        let before = settled_resident_kb(pid).await;

        // Every instance shows a QR code, which its phone scans.
        let started = Instant::now();
        for n in 0..sessions {
            let shown = post(
                &client,
                format!("{base}/api/v1/instances/web{n}/connect"),
                &key,
                json!({}),
            )
            .await;
            let code = shown["qr"]["code"].as_str().expect("a QR code");
            let phone = FakePhone::new(
                &format!("1555{n:07}"),
                &format!("1000000{n:08}"),
                &format!("Bench {n}"),
            );
            whatsapp.scan(code, &phone).await.expect("the scan links");
        }
        loop {
            let statuses = statuses(&client, &base, &key).await;
            let open = statuses.iter().filter(|status| *status == "open").count();
            if open == sessions {
                break;
            }
            assert!(
                started.elapsed() < Duration::from_secs(120 + sessions as u64),
                "{open} of {sessions} sessions opened: {statuses:?}"
            );
            tokio::time::sleep(Duration::from_millis(500)).await;
        }
        let linked_in = started.elapsed();
        assert_eq!(whatsapp.connected_devices(), sessions);

        let after = settled_resident_kb(pid).await;
        let grown = after.saturating_sub(before);
        println!(
            "web sessions: {sessions} numbers linked by QR and connected in {:.1} s, idle",
            linked_in.as_secs_f64()
        );
        println!(
            "  gateway resident, instances created, none connected  {:>8.1} MB",
            before as f64 / 1024.0
        );
        println!(
            "  gateway resident, every session connected and idle   {:>8.1} MB",
            after as f64 / 1024.0
        );
        println!(
            "  per connected session                                {:>8.1} KB  ({:.2} MB)",
            grown as f64 / sessions as f64,
            grown as f64 / sessions as f64 / 1024.0
        );
        gateway.kill().expect("the gateway stops");
        gateway.wait().expect("the gateway ends");
    });
}
