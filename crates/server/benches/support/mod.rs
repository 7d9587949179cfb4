//! What the HTTP benchmarks share: a gateway started as the binary starts it, with an account
//! and a linked sandbox number, and a load loop of concurrent clients measuring rate and
//! latency.

use reqwest::StatusCode;
use serde_json::{Value, json};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};
use wagate_server::Server;
use wagate_server::config::Config;

pub const ADMIN_KEY: &str = "bench-admin-key";
pub const CLIENTS: usize = 64;

/// SQLite (an empty URL: the gateway's own file) always; a fresh PostgreSQL database too when
/// `WAGATE_TEST_DATABASE_URL` names a server.
pub async fn backends() -> Vec<(&'static str, String)> {
    let mut backends = vec![("sqlite", String::new())];
    if let Some(base) = wagate_store::testing::postgres_url() {
        backends.push((
            "postgres",
            wagate_store::testing::fresh_postgres_database(&base).await,
        ));
    }
    backends
}

/// Requests per second and latency percentiles of one load run.
pub struct Load {
    pub rate: f64,
    pub p50: Duration,
    pub p99: Duration,
}

/// `CLIENTS` workers sending the request `make` builds until `total` have been answered with
/// `expect`.
pub async fn load(
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

pub async fn post(client: &reqwest::Client, url: String, key: &str, body: Value) -> Value {
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
#[allow(dead_code)] // the cloud benchmark starts a gateway of its own
pub async fn gateway(database_url: &str, dir: &std::path::Path) -> (Server, String, String) {
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

pub fn print(label: &str, load: &Load, baseline: Option<&Load>) {
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
