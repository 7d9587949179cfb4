//! Resident memory per WhatsApp Web session: linked web numbers are started (each a
//! `whatsapp-rust` client with its keys read from the database) and the growth of the
//! process's resident set is divided by their number. The baseline is the same server with the
//! same numbers in its database and no session running, measured in the same run.
//!
//! No WhatsApp server is reachable here: every session is started and then waits in the
//! library's reconnect backoff with no socket open. The figure is the session's own weight
//! (client, caches, tasks) without the buffers of a live connection.
//!
//! ```text
//! cargo bench -p wagate-server --bench web_sessions
//! WAGATE_BENCH_SESSIONS=500 cargo bench -p wagate-server --bench web_sessions
//! ```

#[allow(dead_code)] // this benchmark takes only the account helpers; it loads nothing
mod support;

use serde_json::json;
use std::time::Duration;
use support::{ADMIN_KEY, post};
use wagate_core::{InstanceId, InstanceStatus, LinkedAccount, PhoneNumber};
use wagate_engine_web::KeyStore;
use wagate_server::Server;
use wagate_server::config::Config;
use wagate_store::InstanceState;

/// The resident set of this process, from /proc, in kB.
fn resident_kb() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").expect("proc status");
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmRSS:"))
        .and_then(|value| value.trim().trim_end_matches("kB").trim().parse().ok())
        .expect("VmRSS")
}

/// A WebSocket address on this machine where nothing listens.
fn unreachable_whatsapp() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("a port");
    let port = listener.local_addr().expect("its address").port();
    drop(listener);
    format!("ws://127.0.0.1:{port}/ws/chat")
}

/// Settles the allocator and the runtime, then reads the resident set.
async fn settled_resident_kb() -> u64 {
    tokio::time::sleep(Duration::from_secs(3)).await;
    resident_kb()
}

fn main() {
    let sessions: usize = std::env::var("WAGATE_BENCH_SESSIONS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100);
    let runtime = tokio::runtime::Runtime::new().expect("a runtime");
    runtime.block_on(async {
        let dir = tempfile::tempdir().expect("temp dir");
        let mut config = Config::defaults();
        config.listen = "127.0.0.1:0".parse().expect("address");
        config.data_dir = dir.path().to_path_buf();
        config.admin_key = ADMIN_KEY.to_owned();
        config.log.level = "error".to_owned();
        config.web.url = unreachable_whatsapp();
        config.web.version = "2.3000.1".to_owned();
        config.web.start_spacing_ms = 1;
        let server = Server::start(config).await.expect("the gateway starts");
        let base = format!("http://{}", server.local_addr());
        let client = reqwest::Client::new();
        let account = post(
            &client,
            format!("{base}/api/v1/accounts"),
            ADMIN_KEY,
            json!({"name": "bench"}),
        )
        .await;
        let key = account["apiKey"].as_str().expect("account key").to_owned();

        // Linked numbers, stopped: a device identity and the linked account.
        let store = server.gateway().store().clone();
        let mut names = Vec::with_capacity(sessions);
        for n in 0..sessions {
            let name = format!("web{n}");
            let created = post(
                &client,
                format!("{base}/api/v1/instances"),
                &key,
                json!({"name": name, "engine": "web"}),
            )
            .await;
            let id =
                InstanceId::parse(created["id"].as_str().expect("an id")).expect("an instance id");
            KeyStore::new(store.clone(), id.clone())
                .ensure_device()
                .await
                .expect("a device");
            let phone = format!("1555{n:07}");
            let me = LinkedAccount {
                jid: format!("{phone}@s.whatsapp.net"),
                phone: PhoneNumber::parse(&phone).expect("a phone"),
                push_name: None,
                lid: None,
            };
            store
                .update_instance(&id, |current| {
                    let mut state = InstanceState::of(current);
                    state.status = InstanceStatus::Disconnected;
                    state.linked = true;
                    state.me = Some(me.clone());
                    Some((state, Vec::new()))
                })
                .await
                .expect("linked");
            names.push(name);
        }

        let before = settled_resident_kb().await;
        for name in &names {
            // A linked number that is not open reconnects without a new QR code.
            post(
                &client,
                format!("{base}/api/v1/instances/{name}/connect"),
                &key,
                json!({}),
            )
            .await;
        }
        let after = settled_resident_kb().await;
        let grown = after.saturating_sub(before);
        println!("web sessions: {sessions} linked numbers, each waiting to reconnect");
        println!(
            "  resident before the sessions   {:>8.1} MB",
            before as f64 / 1024.0
        );
        println!(
            "  resident with the sessions     {:>8.1} MB",
            after as f64 / 1024.0
        );
        println!(
            "  per session                    {:>8.1} KB  ({:.2} MB)",
            grown as f64 / sessions as f64,
            grown as f64 / sessions as f64 / 1024.0
        );
        server.shutdown().await;
    });
}
