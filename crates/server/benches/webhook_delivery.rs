//! Webhook delivery throughput: how many signed deliveries per second the gateway makes to a
//! local receiver that answers at once, reported against the rate a plain HTTP load loop
//! reaches on the same receiver, at the same concurrency, in the same run.
//!
//! The gateway runs in this process as the binary runs it ([`Server::start`]); events go
//! straight into its outbox, so the figure covers fan-out, claiming, signing, sending and
//! recording every attempt — the whole path an event takes after it is written.
//!
//! SQLite always; PostgreSQL too (a fresh database) when `WAGATE_TEST_DATABASE_URL` names a
//! server.
//!
//! ```text
//! cargo bench -p wagate-server --bench webhook_delivery
//! WAGATE_BENCH_EVENTS=50000 WAGATE_TEST_DATABASE_URL=postgres://… cargo bench …
//! ```

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use serde_json::{Value, json};
use std::collections::HashSet;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use wagate_core::{AccountId, EventKind, InstanceId};
use wagate_server::Server;
use wagate_server::config::Config;
use wagate_store::NewEvent;

const ADMIN_KEY: &str = "bench-admin-key";
const APPEND_BATCH: usize = 1_000;

/// A receiver that answers 204 at once and remembers which event ids it saw.
#[derive(Default)]
struct Receiver {
    requests: AtomicU64,
    ids: Mutex<HashSet<String>>,
}

async fn receive(State(receiver): State<Arc<Receiver>>, headers: HeaderMap) -> StatusCode {
    receiver.requests.fetch_add(1, Ordering::Relaxed);
    if let Some(id) = headers.get("webhook-id").and_then(|v| v.to_str().ok()) {
        receiver
            .ids
            .lock()
            .expect("receiver poisoned")
            .insert(id.to_owned());
    }
    StatusCode::NO_CONTENT
}

async fn start_receiver() -> (SocketAddr, Arc<Receiver>) {
    let receiver = Arc::new(Receiver::default());
    let app = Router::new()
        .route("/hook", post(receive))
        .with_state(receiver.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("receiver binds");
    let addr = listener.local_addr().expect("receiver address");
    tokio::spawn(async move { axum::serve(listener, app).await });
    (addr, receiver)
}

impl Receiver {
    fn reset(&self) {
        self.requests.store(0, Ordering::Relaxed);
        self.ids.lock().expect("receiver poisoned").clear();
    }

    fn distinct(&self) -> usize {
        self.ids.lock().expect("receiver poisoned").len()
    }
}

fn event_data(n: usize) -> Value {
    json!({
        "id": format!("msg_bench_{n:08}"),
        "from": "15550001111",
        "chat": "15550001111@s.whatsapp.net",
        "type": "text",
        "text": {"body": "The quick brown fox jumps over the lazy dog, again and again."},
        "timestamp": "2026-11-23T10:00:00Z",
    })
}

/// The baseline: `concurrency` workers posting a webhook-sized signed-looking request in a
/// loop with one shared client, `total` requests in all.
async fn plain_load(url: &str, total: u64, concurrency: usize) -> f64 {
    let client = reqwest::Client::new();
    let body = serde_json::to_vec(&json!({
        "id": "evt_0000000000000000000000000",
        "event": "message.received",
        "instanceId": "ins_0000000000000000000000000",
        "instance": "bench",
        "timestamp": "2026-11-23T10:00:00Z",
        "data": event_data(0),
    }))
    .expect("body serialises");
    let next = Arc::new(AtomicU64::new(0));
    let started = Instant::now();
    let workers: Vec<_> = (0..concurrency)
        .map(|_| {
            let client = client.clone();
            let body = body.clone();
            let next = next.clone();
            let url = url.to_owned();
            tokio::spawn(async move {
                while next.fetch_add(1, Ordering::Relaxed) < total {
                    let response = client
                        .post(&url)
                        .header("content-type", "application/json")
                        .header("webhook-id", "evt_0000000000000000000000000")
                        .header("webhook-timestamp", "1795000000")
                        .header(
                            "webhook-signature",
                            "v1,AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
                        )
                        .body(body.clone())
                        .send()
                        .await
                        .expect("the receiver answers");
                    assert!(response.status().is_success());
                }
            })
        })
        .collect();
    for worker in workers {
        worker.await.expect("load worker");
    }
    total as f64 / started.elapsed().as_secs_f64()
}

struct Gateway {
    server: Server,
    base: String,
    client: reqwest::Client,
    _dir: tempfile::TempDir,
}

impl Gateway {
    async fn start(database_url: &str) -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let mut config = Config::defaults();
        config.listen = "127.0.0.1:0".parse().expect("address");
        config.data_dir = dir.path().to_path_buf();
        config.database_url = database_url.to_owned();
        config.admin_key = ADMIN_KEY.to_owned();
        config.pacing.enabled = false;
        config.webhooks.allow_private_targets = true;
        let server = Server::start(config).await.expect("the gateway starts");
        Self {
            base: format!("http://{}", server.local_addr()),
            server,
            client: reqwest::Client::new(),
            _dir: dir,
        }
    }

    async fn post(&self, path: &str, key: &str, body: Value) -> Value {
        let response = self
            .client
            .post(format!("{}{path}", self.base))
            .bearer_auth(key)
            .json(&body)
            .send()
            .await
            .expect("the gateway answers");
        let status = response.status();
        let body: Value = response.json().await.expect("a JSON answer");
        assert!(status.is_success(), "{path}: {status} {body}");
        body["data"].clone()
    }

    async fn pending_deliveries(&self, key: &str, webhook: &str) -> usize {
        let response = self
            .client
            .get(format!(
                "{}/api/v1/webhooks/{webhook}/deliveries?status=pending&limit=500",
                self.base
            ))
            .bearer_auth(key)
            .send()
            .await
            .expect("the gateway answers");
        let body: Value = response.json().await.expect("a JSON answer");
        body["data"].as_array().map_or(0, Vec::len)
    }
}

/// Writes `total` events into the outbox of a fresh gateway with one endpoint subscribed to
/// everything, and measures until the receiver has seen every event id.
async fn gateway_deliveries(
    database_url: &str,
    receiver_url: &str,
    receiver: &Receiver,
    total: usize,
) -> (f64, usize) {
    let gateway = Gateway::start(database_url).await;
    let account = gateway
        .post("/api/v1/accounts", ADMIN_KEY, json!({"name": "bench"}))
        .await;
    let key = account["apiKey"].as_str().expect("account key").to_owned();
    let account_id =
        AccountId::from_trusted(account["id"].as_str().expect("account id").to_owned());
    let instance = gateway
        .post(
            "/api/v1/instances",
            &key,
            json!({"name": "bench", "engine": "sandbox"}),
        )
        .await;
    let instance_id =
        InstanceId::from_trusted(instance["id"].as_str().expect("instance id").to_owned());
    let webhook = gateway
        .post(
            "/api/v1/webhooks",
            &key,
            json!({"url": receiver_url, "events": ["message.received"]}),
        )
        .await;
    let webhook_id = webhook["id"].as_str().expect("webhook id").to_owned();
    receiver.reset();

    let store = gateway.server.gateway().store();
    let started = Instant::now();
    for first in (0..total).step_by(APPEND_BATCH) {
        let events = (first..(first + APPEND_BATCH).min(total))
            .map(|n| NewEvent {
                account_id: account_id.clone(),
                instance_id: Some(instance_id.clone()),
                instance_name: Some("bench".to_owned()),
                kind: EventKind::MessageReceived,
                data: event_data(n),
            })
            .collect();
        store.append_events(events).await.expect("events appended");
    }
    let deadline = started + Duration::from_secs(600);
    while receiver.distinct() < total {
        assert!(
            Instant::now() < deadline,
            "only {} of {total} events arrived",
            receiver.distinct()
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let elapsed = started.elapsed();
    let mut pending = gateway.pending_deliveries(&key, &webhook_id).await;
    let settle = Instant::now();
    while pending > 0 && settle.elapsed() < Duration::from_secs(30) {
        tokio::time::sleep(Duration::from_millis(50)).await;
        pending = gateway.pending_deliveries(&key, &webhook_id).await;
    }
    assert_eq!(pending, 0, "every delivery is recorded as done");
    let requests = receiver.requests.load(Ordering::Relaxed) as usize;
    gateway.server.shutdown().await;
    (total as f64 / elapsed.as_secs_f64(), requests)
}

fn main() {
    let total: usize = std::env::var("WAGATE_BENCH_EVENTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(20_000);
    let runtime = tokio::runtime::Runtime::new().expect("a runtime");
    runtime.block_on(async {
        let (addr, receiver) = start_receiver().await;
        let url = format!("http://{addr}/hook");
        let concurrency = Config::defaults().webhooks.max_in_flight_per_endpoint;
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        println!("webhook delivery: {total} events, one endpoint, {concurrency} in flight, {cores} cores");

        // Warm the receiver and the client's connection pool before the baseline.
        plain_load(&url, 2_000, concurrency).await;
        let baseline = plain_load(&url, total as u64, concurrency).await;
        println!("  baseline (plain HTTP load loop): {baseline:>8.0} requests/s");

        let mut backends = vec![("sqlite", String::new())];
        if let Some(base) = wagate_store::testing::postgres_url() {
            backends.push((
                "postgres",
                wagate_store::testing::fresh_postgres_database(&base).await,
            ));
        }
        for (name, database_url) in backends {
            let (rate, requests) = gateway_deliveries(&database_url, &url, &receiver, total).await;
            println!(
                "  wagate on {name:<8}: {rate:>8.0} signed deliveries/s  = {:.2} × baseline ({} requests for {total} events)",
                rate / baseline,
                requests,
            );
        }
    });
}
