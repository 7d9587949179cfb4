//! The real `wagate` process killed with SIGKILL while it sends 5,000 accepted messages, then
//! started again on the same database: every message reaches a final status, the simulated
//! WhatsApp received each exactly once, and none of the accepted messages is missing.
//!
//! The sandbox keeps its delivery ledger in a file (one line per delivered message id), as a
//! phone would remember what it received: it outlives the killed process, and the restarted
//! one continues it. A message delivered just before the kill, whose "sent" was never
//! recorded, is claimed again when its lease expires; the sandbox recognises wagate's id and
//! does not deliver it twice — the at-most-once-at-the-engine rule this test holds the
//! gateway to.

use serde_json::{Value, json};
use std::collections::{HashMap, HashSet};
use std::time::{Duration, Instant};

mod process;
use process::{account, call, get, linked_sandbox, spawn};

const MESSAGES: usize = 5_000;
const BULK: usize = 1_000;
const NOT_FINAL: [&str; 4] = ["queued", "scheduled", "processing", "retrying"];

fn ledger(path: &std::path::Path) -> HashMap<String, u32> {
    let mut counts = HashMap::new();
    for line in std::fs::read_to_string(path).unwrap_or_default().lines() {
        *counts.entry(line.trim().to_owned()).or_insert(0) += 1;
    }
    counts
}

/// How many of the instance's messages are in `status`.
async fn count(client: &reqwest::Client, base: &str, key: &str, status: &str) -> i64 {
    let page = get(
        client,
        base,
        key,
        &format!("/api/v1/messages?instance=sales&direction=outbound&status={status}&limit=1"),
    )
    .await;
    page["pagination"]["total"].as_i64().unwrap()
}

/// Every outbound message of the instance, as id → status.
async fn all_messages(client: &reqwest::Client, base: &str, key: &str) -> HashMap<String, String> {
    let mut all = HashMap::new();
    for page in 1.. {
        let body = get(
            client,
            base,
            key,
            &format!("/api/v1/messages?instance=sales&direction=outbound&limit=200&page={page}"),
        )
        .await;
        let items = body["data"].as_array().unwrap().clone();
        if items.is_empty() {
            break;
        }
        for item in items {
            all.insert(
                item["id"].as_str().unwrap().to_owned(),
                item["status"].as_str().unwrap().to_owned(),
            );
        }
    }
    all
}

async fn kill_mid_dispatch_and_recover(database_url: String) {
    let dir = tempfile::tempdir().unwrap();
    let ledger_path = dir.path().join("sandbox-deliveries");
    let ledger_setting = ledger_path.to_str().unwrap().to_owned();
    let env = [
        ("WAGATE_SANDBOX__DELIVERY_LEDGER", ledger_setting.as_str()),
        // A lease left by the killed process expires soon, so the test need not wait a minute.
        ("WAGATE_DISPATCHER__LEASE_SECS", "3"),
    ];
    let client = reqwest::Client::new();
    let (mut child, base) = spawn(dir.path(), &database_url, &env);
    let key = account(&client, &base, "Crash").await;
    linked_sandbox(&client, &base, &key, "sales", "15550001111").await;

    let mut accepted = 0;
    for batch in 0..MESSAGES / BULK {
        let messages: Vec<Value> = (0..BULK)
            .map(|i| json!({ "to": format!("1555{:06}1", batch * BULK + i), "text": format!("#{batch}-{i}") }))
            .collect();
        let answer = call(
            &client,
            &base,
            &key,
            "/api/v1/instances/sales/messages/bulk",
            json!({ "messages": messages }),
        )
        .await;
        accepted += answer["queued"].as_u64().unwrap() as usize;
    }
    assert_eq!(accepted, MESSAGES);

    // Kill it mid-dispatch: some messages have reached WhatsApp, most have not.
    let deadline = Instant::now() + Duration::from_secs(120);
    while ledger(&ledger_path).len() < 500 {
        assert!(Instant::now() < deadline, "sending never started");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    child.kill();
    let at_kill = ledger(&ledger_path).len();
    assert!(at_kill < MESSAGES, "the kill came after every send");

    let started = Instant::now();
    let (mut child, base) = spawn(dir.path(), &database_url, &env);
    let deadline = Instant::now() + Duration::from_secs(300);
    loop {
        let mut waiting = 0;
        for status in NOT_FINAL {
            waiting += count(&client, &base, &key, status).await;
        }
        if waiting == 0 {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "{waiting} messages never reached a final status"
        );
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    let recovered_in = started.elapsed();

    let messages = all_messages(&client, &base, &key).await;
    assert_eq!(messages.len(), MESSAGES, "every accepted message is there");
    let failed: Vec<_> = messages.iter().filter(|(_, s)| *s == "failed").collect();
    assert!(failed.is_empty(), "nothing failed: {failed:?}");
    let delivered = ledger(&ledger_path);
    let ids: HashSet<_> = messages.keys().cloned().collect();
    let on_the_wire: HashSet<_> = delivered.keys().cloned().collect();
    assert_eq!(
        ids, on_the_wire,
        "WhatsApp got exactly the accepted messages"
    );
    let twice: Vec<_> = delivered.iter().filter(|(_, n)| **n != 1).collect();
    assert!(twice.is_empty(), "delivered more than once: {twice:?}");
    println!(
        "{MESSAGES} messages; {at_kill} on the wire at the kill; all final {:.1} s after the restart",
        recovered_in.as_secs_f64()
    );
    child.kill();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_killed_server_sends_every_accepted_message_once_on_sqlite() {
    kill_mid_dispatch_and_recover(String::new()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_killed_server_sends_every_accepted_message_once_on_postgres() {
    let Some(base) = wagate_store::testing::postgres_url() else {
        return;
    };
    kill_mid_dispatch_and_recover(wagate_store::testing::fresh_postgres_database(&base).await)
        .await;
}
