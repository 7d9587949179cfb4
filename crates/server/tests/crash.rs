//! The real `wagate` process killed with SIGKILL while it delivers thousands of webhook
//! events, then started again on the same database: the receiver ends up with every event at
//! least once, and the delivery log accounts for it.
//!
//! What is asserted, and why:
//! - every event of the account reached the receiver (at least once: a delivery in flight at
//!   the kill may have arrived without its success being recorded, and is sent again);
//! - every delivery in the log succeeded, none is left pending or failed;
//! - every request the receiver got after the restart is a recorded attempt: the receiver
//!   counts requests per event id after the restart and the log holds at least that many
//!   attempts for it.

use axum::Router;
use axum::http::HeaderMap;
use axum::routing::post;
use serde_json::{Value, json};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

mod process;
use process::{account, call, get, linked_sandbox, spawn};

const MESSAGES: usize = 450;

/// Event id → requests received, before and after the restart.
#[derive(Default)]
struct Seen {
    before: HashMap<String, u32>,
    after: HashMap<String, u32>,
}

#[derive(Clone, Default)]
struct Receiver {
    seen: Arc<Mutex<Seen>>,
    restarted: Arc<Mutex<bool>>,
}

impl Receiver {
    async fn start(&self) -> String {
        let this = self.clone();
        let app = Router::new().route(
            "/hook",
            post(move |headers: HeaderMap| {
                let this = this.clone();
                async move {
                    // A little work per request keeps deliveries in flight when the kill lands.
                    tokio::time::sleep(Duration::from_millis(2)).await;
                    let id = headers["webhook-id"].to_str().unwrap().to_owned();
                    let after = *this.restarted.lock().unwrap();
                    let mut seen = this.seen.lock().unwrap();
                    let map = if after {
                        &mut seen.after
                    } else {
                        &mut seen.before
                    };
                    *map.entry(id).or_default() += 1;
                    "ok"
                }
            }),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        format!("http://{address}/hook")
    }

    fn distinct(&self) -> usize {
        let seen = self.seen.lock().unwrap();
        seen.before
            .keys()
            .chain(seen.after.keys())
            .collect::<std::collections::HashSet<_>>()
            .len()
    }
}

/// Every event of the account, as (id, kind).
async fn all_events(client: &reqwest::Client, base: &str, key: &str) -> Vec<(String, String)> {
    let mut ids = Vec::new();
    let mut after = 0;
    loop {
        let page = get(
            client,
            base,
            key,
            &format!("/api/v1/events?after={after}&limit=1000"),
        )
        .await;
        let items = page["data"].as_array().unwrap();
        if items.is_empty() {
            return ids;
        }
        ids.extend(items.iter().map(|e| {
            (
                e["id"].as_str().unwrap().to_owned(),
                e["event"].as_str().unwrap().to_owned(),
            )
        }));
        after = page["cursor"]["nextAfter"].as_i64().unwrap();
    }
}

async fn deliveries(client: &reqwest::Client, base: &str, key: &str, webhook: &str) -> Vec<Value> {
    let mut all = Vec::new();
    for page in 1.. {
        let body = get(
            client,
            base,
            key,
            &format!("/api/v1/webhooks/{webhook}/deliveries?limit=500&page={page}"),
        )
        .await;
        let items = body["data"].as_array().unwrap().clone();
        if items.is_empty() {
            break;
        }
        all.extend(items);
    }
    all
}

async fn crash_and_recover(database_url: String) {
    let dir = tempfile::tempdir().unwrap();
    let receiver = Receiver::default();
    let url = receiver.start().await;
    let client = reqwest::Client::new();
    let (mut child, base) = spawn(dir.path(), &database_url, &[]);

    let key = account(&client, &base, "Crash").await;
    let webhook = call(
        &client,
        &base,
        &key,
        "/api/v1/webhooks",
        json!({ "url": url, "events": ["*"] }),
    )
    .await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    linked_sandbox(&client, &base, &key, "sales", "15550001111").await;
    // Each message makes five events (queued, sent, and the sent / delivered / read updates).
    let messages: Vec<_> = (0..MESSAGES)
        .map(|i| json!({ "to": "15550002222", "text": format!("#{i}") }))
        .collect();
    call(
        &client,
        &base,
        &key,
        "/api/v1/instances/sales/messages/bulk",
        json!({ "messages": messages }),
    )
    .await;

    // Kill it mid-delivery: some events have arrived, not all.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
    while receiver.distinct() < 300 {
        assert!(
            tokio::time::Instant::now() < deadline,
            "deliveries never started"
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    child.kill();
    let at_kill = receiver.distinct();
    *receiver.restarted.lock().unwrap() = true;

    let (mut child, base) = spawn(dir.path(), &database_url, &[]);
    let deadline = tokio::time::Instant::now() + Duration::from_secs(90);
    loop {
        let events = all_events(&client, &base, &key).await;
        let missing = {
            let seen = receiver.seen.lock().unwrap();
            events
                .iter()
                .filter(|(id, _)| !seen.before.contains_key(id) && !seen.after.contains_key(id))
                .count()
        };
        let log = deliveries(&client, &base, &key, &webhook).await;
        // Messages still being sent after the restart add their events as they go. (The
        // sandbox's receipts for messages sent just before the kill die with the process, as a
        // phone's would not; so "complete" is every message sent, not every message read.)
        let sent = events
            .iter()
            .filter(|(_, kind)| kind == "message.sent")
            .count();
        let complete = sent == MESSAGES && events.len() >= 2000;
        let settled = log.iter().all(|d| d["status"] == "succeeded") && log.len() == events.len();
        if complete && missing == 0 && settled {
            assert!(
                at_kill < events.len(),
                "the kill came after every delivery ({at_kill})"
            );
            let seen = receiver.seen.lock().unwrap();
            for delivery in &log {
                let after = seen
                    .after
                    .get(delivery["eventId"].as_str().unwrap())
                    .copied()
                    .unwrap_or(0);
                assert!(
                    delivery["attempts"].as_i64().unwrap() >= i64::from(after),
                    "every request after the restart is a recorded attempt: {delivery}"
                );
                assert_eq!(
                    delivery["attemptLog"].as_array().unwrap().len() as i64,
                    delivery["attempts"].as_i64().unwrap()
                );
            }
            println!(
                "{} events; {at_kill} had arrived at the kill; {} requests after the restart",
                events.len(),
                seen.after.values().sum::<u32>()
            );
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "{missing} events never arrived; {} deliveries settled of {} events",
            log.iter().filter(|d| d["status"] == "succeeded").count(),
            events.len()
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    child.kill();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_killed_server_delivers_every_event_after_restart_on_sqlite() {
    crash_and_recover(String::new()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_killed_server_delivers_every_event_after_restart_on_postgres() {
    let Some(base) = wagate_store::testing::postgres_url() else {
        return;
    };
    crash_and_recover(wagate_store::testing::fresh_postgres_database(&base).await).await;
}
