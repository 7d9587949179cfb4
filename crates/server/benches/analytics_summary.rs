//! `GET /api/v1/analytics/summary` over a million sent messages (30 days of them, statuses
//! mixed), reported against `GET /healthz` of the same server loaded the same way in the same
//! run, with p50 and p99 latency.
//!
//! The messages are inserted straight into the gateway's database, counted as the store counts
//! real sends, and folded into the hourly counts before the run (on PostgreSQL followed by the
//! vacuum autovacuum would soon run). Two ranges are measured: the default (the last 30 days
//! up to now) and one that starts and ends inside hours, so partial hours are counted from the
//! messages.
//!
//! ```text
//! cargo bench -p wagate-server --bench analytics_summary
//! WAGATE_BENCH_MESSAGES=100000 WAGATE_TEST_DATABASE_URL=postgres://… cargo bench …
//! ```

mod support;

use reqwest::StatusCode;
use std::time::Instant;
use support::{CLIENTS, backends, gateway, load, print};
use wagate_core::InstanceId;

const DAY_MS: i64 = 86_400_000;

fn main() {
    let messages: i64 = std::env::var("WAGATE_BENCH_MESSAGES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000);
    let requests = 2_000;
    let runtime = tokio::runtime::Runtime::new().expect("a runtime");
    runtime.block_on(async {
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        println!(
            "analytics summary: {messages} messages over 30 days, {requests} requests a run, {CLIENTS} concurrent clients, {cores} cores"
        );
        for (name, database_url) in backends().await {
            let dir = tempfile::tempdir().expect("temp dir");
            let (server, base, key) = gateway(&database_url, dir.path()).await;
            let store = server.gateway().store().clone();
            let client = reqwest::Client::new();
            let instance: serde_json::Value = client
                .get(format!("{base}/api/v1/instances/bench"))
                .bearer_auth(&key)
                .send()
                .await
                .expect("the gateway answers")
                .json()
                .await
                .expect("JSON");
            let id = instance["data"]["id"].as_str().expect("an instance id");
            let instance = store
                .get_instance(&InstanceId::parse(id).expect("an instance id"))
                .await
                .expect("the store answers")
                .expect("the instance");
            let now = chrono::Utc::now().timestamp_millis();
            let seeding = Instant::now();
            wagate_store::testing::seed_outbound_messages(
                &store,
                &instance,
                messages,
                now - 30 * DAY_MS,
                30 * DAY_MS - 60_000,
            )
            .await;
            println!(
                "{name}: seeded and folded in {:.1} s",
                seeding.elapsed().as_secs_f64()
            );

            let health = format!("{base}/healthz");
            load(500, StatusCode::OK, {
                let health = health.clone();
                move |client, _| client.get(&health)
            })
            .await;
            let baseline = load(requests, StatusCode::OK, {
                let key = key.clone();
                move |client, _| client.get(&health).bearer_auth(&key)
            })
            .await;
            let summary = format!("{base}/api/v1/analytics/summary");
            let default_range = load(requests, StatusCode::OK, {
                let (summary, key) = (summary.clone(), key.clone());
                move |client, _| client.get(&summary).bearer_auth(&key)
            })
            .await;
            let cut = |ms: i64| {
                chrono::DateTime::from_timestamp_millis(ms)
                    .expect("a time")
                    .to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
            };
            let (from, to) = (
                cut(now - 20 * DAY_MS - 1_234_567),
                cut(now - 2 * DAY_MS + 2_345_678),
            );
            // RFC 3339 in UTC ("…Z") needs no escaping in a query string.
            let ranged = format!("{summary}?from={from}&to={to}");
            let partial_hours = load(requests, StatusCode::OK, move |client, _| {
                client.get(&ranged).bearer_auth(&key)
            })
            .await;
            println!("{name}:");
            print("GET /healthz (baseline)", &baseline, None);
            print("summary, last 30 days", &default_range, Some(&baseline));
            print("summary, partial hours", &partial_hours, Some(&baseline));
            server.shutdown().await;
        }
    });
}
