//! Accepted sends per second: `POST /api/v1/instances/{id}/messages` answered 202 after the
//! message is durably queued, at 64 concurrent clients, with p50 and p99 latency — reported
//! against `GET /healthz` of the same server, loaded the same way in the same run.
//!
//! The gateway runs in this process as the binary runs it ([`Server::start`]) with its
//! default configuration, pacing included, so the dispatcher works beside the intake as in
//! production (pacing keeps it to one send a second or two per number). Each accepted send is
//! a transaction: the message, its first timeline entry and its `message.queued` event.
//!
//! SQLite always; PostgreSQL too (a fresh database) when `WAGATE_TEST_DATABASE_URL` names a
//! server.
//!
//! ```text
//! cargo bench -p wagate-server --bench send_accept
//! WAGATE_BENCH_SENDS=50000 WAGATE_TEST_DATABASE_URL=postgres://… cargo bench …
//! ```

mod support;

use reqwest::StatusCode;
use serde_json::json;
use support::{CLIENTS, backends, gateway, load, print};

fn main() {
    let total: u64 = std::env::var("WAGATE_BENCH_SENDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(20_000);
    let runtime = tokio::runtime::Runtime::new().expect("a runtime");
    runtime.block_on(async {
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        println!(
            "accepted sends: {total} requests a run, {CLIENTS} concurrent clients, {cores} cores"
        );
        for (name, database_url) in backends().await {
            let dir = tempfile::tempdir().expect("temp dir");
            let (server, base, key) = gateway(&database_url, dir.path()).await;
            let health = format!("{base}/healthz");
            // Warm the connection pool and the server before measuring.
            load(2_000, StatusCode::OK, {
                let health = health.clone();
                move |client, _| client.get(&health)
            })
            .await;
            let baseline = load(total, StatusCode::OK, {
                let key = key.clone();
                move |client, _| client.get(&health).bearer_auth(&key)
            })
            .await;
            let sends = format!("{base}/api/v1/instances/bench/messages");
            let accepted = load(total, StatusCode::ACCEPTED, move |client, n| {
                client.post(&sends).bearer_auth(&key).json(&json!({
                    "to": format!("1555{:06}1", n % 1_000_000),
                    "text": "Your order 1234 has shipped and will arrive on Tuesday.",
                }))
            })
            .await;
            println!("{name}:");
            print("GET /healthz (baseline)", &baseline, None);
            print("POST …/messages (202)", &accepted, Some(&baseline));
            server.shutdown().await;
        }
    });
}
