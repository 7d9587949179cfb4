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

use reqwest::StatusCode;
use serde_json::{Value, json};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};
use wagate_server::Server;
use wagate_server::config::Config;

const ADMIN_KEY: &str = "bench-admin-key";
const CLIENTS: usize = 64;

/// Requests per second and latency percentiles of one load run.
struct Load {
    rate: f64,
    p50: Duration,
    p99: Duration,
}

/// `CLIENTS` workers sending the request `make` builds until `total` have been answered with
/// `expect`.
async fn load(
    total: u64,
    expect: StatusCode,
    make: impl Fn(&reqwest::Client, u64) -> reqwest::RequestBuilder + Send + Sync + 'static,
) -> Load {
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(CLIENTS)
        .build()
        .expect("a client");
    let make = Arc::new(make);
    let next = Arc::new(AtomicU64::new(0));
    let started = Instant::now();
    let workers: Vec<_> = (0..CLIENTS)
        .map(|_| {
            let (client, make, next) = (client.clone(), make.clone(), next.clone());
            tokio::spawn(async move {
                let mut latencies = Vec::new();
                loop {
                    let n = next.fetch_add(1, Ordering::Relaxed);
                    if n >= total {
                        return latencies;
                    }
                    let sent = Instant::now();
                    let response = make(&client, n).send().await.expect("the gateway answers");
                    let status = response.status();
                    let body = response.bytes().await.expect("a body");
                    latencies.push(sent.elapsed());
                    assert_eq!(status, expect, "{}", String::from_utf8_lossy(&body));
                }
            })
        })
        .collect();
    let mut latencies = Vec::new();
    for worker in workers {
        latencies.extend(worker.await.expect("load worker"));
    }
    let elapsed = started.elapsed();
    latencies.sort();
    let at = |q: f64| latencies[((latencies.len() as f64 * q) as usize).min(latencies.len() - 1)];
    Load {
        rate: total as f64 / elapsed.as_secs_f64(),
        p50: at(0.50),
        p99: at(0.99),
    }
}

async fn post(client: &reqwest::Client, url: String, key: &str, body: Value) -> Value {
    let response = client
        .post(url)
        .bearer_auth(key)
        .json(&body)
        .send()
        .await
        .expect("the gateway answers");
    let status = response.status();
    let body: Value = response.json().await.expect("a JSON answer");
    assert!(status.is_success(), "{status} {body}");
    body["data"].clone()
}

/// A fresh gateway with an account and a linked sandbox instance; answers the server, its
/// base URL and the account key.
async fn gateway(database_url: &str, dir: &std::path::Path) -> (Server, String, String) {
    let mut config = Config::defaults();
    config.listen = "127.0.0.1:0".parse().expect("address");
    config.data_dir = dir.to_path_buf();
    config.database_url = database_url.to_owned();
    config.admin_key = ADMIN_KEY.to_owned();
    config.log.level = "error".to_owned();
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
    post(
        &client,
        format!("{base}/api/v1/instances"),
        &key,
        json!({"name": "bench", "engine": "sandbox"}),
    )
    .await;
    let qr = post(
        &client,
        format!("{base}/api/v1/instances/bench/connect"),
        &key,
        json!({}),
    )
    .await;
    post(
        &client,
        format!("{base}/api/v1/sandbox/link"),
        &key,
        json!({"code": qr["qr"]["code"], "phone": "15550001111"}),
    )
    .await;
    (server, base, key)
}

fn print(label: &str, load: &Load, baseline: Option<&Load>) {
    let ratio = baseline.map_or(String::new(), |b| {
        format!("  = {:.2} × baseline", load.rate / b.rate)
    });
    println!(
        "  {label:<28} {:>7.0} req/s  p50 {:>6.2} ms  p99 {:>6.2} ms{ratio}",
        load.rate,
        load.p50.as_secs_f64() * 1000.0,
        load.p99.as_secs_f64() * 1000.0,
    );
}

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
        let mut backends = vec![("sqlite", String::new())];
        if let Some(base) = wagate_store::testing::postgres_url() {
            backends.push((
                "postgres",
                wagate_store::testing::fresh_postgres_database(&base).await,
            ));
        }
        for (name, database_url) in backends {
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
