//! Cloud messages dispatched per second: one wagate process sending through 100 cloud numbers
//! to the fake Graph API, reported against the fake's own capacity — 64 clients posting the
//! same message bodies straight to it — measured in the same run.
//!
//! The fake validates every body against Meta's OpenAPI description, as in the tests, so it
//! costs what it costs in both measurements. Every number is paced at the default 80 messages
//! a second (the Cloud API's standard throughput), so 100 numbers could go up to 8,000/s.
//! The messages are queued first with one `sendAt`, so the dispatch is measured alone: from the
//! first message the fake receives to the last, and until wagate has recorded every one `sent`.
//!
//! ```text
//! cargo bench -p wagate-server --bench cloud_dispatch
//! WAGATE_BENCH_CLOUD_MESSAGES=60000 WAGATE_TEST_DATABASE_URL=postgres://… cargo bench …
//! ```

mod support;

use reqwest::StatusCode;
use serde_json::{Value, json};
use std::time::{Duration, Instant};
use support::{ADMIN_KEY, CLIENTS, backends, load, post, print};
use wagate_graph_fake::{FakeNumber, GraphFake};
use wagate_server::Server;
use wagate_server::config::Config;

const NUMBERS: usize = 100;
const TEXT: &str = "Your order 1234 has shipped and will arrive on Tuesday.";

fn number(i: usize) -> FakeNumber {
    FakeNumber {
        phone_number_id: format!("1065403522{i:05}"),
        access_token: format!("EAAG-bench-token-{i}"),
        display_phone_number: format!("+1 555-01{i:05}"),
        verified_name: format!("Shop {i}"),
        quality_rating: "GREEN".to_owned(),
        business_account_id: "102290129340398".to_owned(),
    }
}

fn recipient(n: u64) -> String {
    format!("1555{:07}", n % 10_000_000)
}

fn main() {
    let total: u64 = std::env::var("WAGATE_BENCH_CLOUD_MESSAGES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(30_000);
    let runtime = tokio::runtime::Runtime::new().expect("a runtime");
    runtime.block_on(async {
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        println!(
            "cloud dispatch: {total} messages a run over {NUMBERS} numbers at 80/s each, {cores} cores"
        );
        let fake = GraphFake::start().await;
        for i in 0..NUMBERS {
            fake.add_number(number(i));
        }
        let base = fake.base_url().to_owned();
        let baseline = load(total, StatusCode::OK, move |client, n| {
            let number = number(n as usize % NUMBERS);
            client
                .post(format!("{base}/v23.0/{}/messages", number.phone_number_id))
                .bearer_auth(&number.access_token)
                .json(&json!({
                    "messaging_product": "whatsapp",
                    "recipient_type": "individual",
                    "to": recipient(n),
                    "type": "text",
                    "text": { "preview_url": false, "body": TEXT },
                }))
        })
        .await;
        for (name, database_url) in backends().await {
            let dir = tempfile::tempdir().expect("temp dir");
            let dispatched = dispatch(&fake, &database_url, dir.path(), total).await;
            println!("{name}:");
            print(
                &format!("fake Graph API alone ({CLIENTS} clients)"),
                &baseline,
                None,
            );
            for (label, rate) in [("dispatched to the fake", dispatched.0), ("recorded sent by wagate", dispatched.1)] {
                println!("  {label:<28} {rate:>7.0} msg/s  = {:.2} × baseline", rate / baseline.rate);
            }
        }
        assert!(fake.violations().is_empty(), "{:?}", fake.violations());
    });
}

/// Queues `total` messages over the numbers for one moment, then measures their dispatch.
/// Answers messages per second to the fake, and until wagate recorded them all sent.
async fn dispatch(
    fake: &GraphFake,
    database_url: &str,
    dir: &std::path::Path,
    total: u64,
) -> (f64, f64) {
    let mut config = Config::defaults();
    config.listen = "127.0.0.1:0".parse().expect("address");
    config.data_dir = dir.to_path_buf();
    config.database_url = database_url.to_owned();
    config.admin_key = ADMIN_KEY.to_owned();
    config.log.level = "error".to_owned();
    config.cloud.base_url = fake.base_url().to_owned();
    // The benchmark's customers never wrote first; the window is tested elsewhere.
    config.cloud.enforce_service_window = false;
    if let Some(size) = std::env::var("WAGATE_BENCH_BATCH_SIZE")
        .ok()
        .and_then(|v| v.parse().ok())
    {
        config.dispatcher.batch_size = size;
    }
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
    for i in 0..NUMBERS {
        let number = number(i);
        post(
            &client,
            format!("{base}/api/v1/instances"),
            &key,
            json!({"name": format!("shop-{i}"), "engine": "cloud", "cloud": {
                "accessToken": number.access_token, "phoneNumberId": number.phone_number_id,
                "appSecret": "bench-secret",
            }}),
        )
        .await;
        post(
            &client,
            format!("{base}/api/v1/instances/shop-{i}/verify"),
            &key,
            json!({}),
        )
        .await;
    }

    let queue_for = Duration::from_secs(20);
    let send_at = chrono::Utc::now() + queue_for;
    let queued_by = Instant::now() + queue_for;
    let per_number = total / NUMBERS as u64;
    let mut batches = Vec::new();
    for i in 0..NUMBERS {
        let messages: Vec<Value> = (0..per_number)
            .map(|n| json!({"to": recipient(n * NUMBERS as u64 + i as u64), "text": TEXT, "sendAt": send_at.to_rfc3339()}))
            .collect();
        for chunk in messages.chunks(1000) {
            let (client, key, base) = (client.clone(), key.clone(), base.clone());
            let chunk = chunk.to_vec();
            batches.push(tokio::spawn(async move {
                post(
                    &client,
                    format!("{base}/api/v1/instances/shop-{i}/messages/bulk"),
                    &key,
                    json!({"messages": chunk}),
                )
                .await
            }));
            if batches.len() >= 8 {
                batches.remove(0).await.expect("bulk send");
            }
        }
    }
    for batch in batches {
        batch.await.expect("bulk send");
    }
    let queued = per_number * NUMBERS as u64;
    assert!(
        Instant::now() < queued_by,
        "queueing took longer than {queue_for:?}; the run would not measure dispatch alone"
    );

    let before = fake.sent_count();
    while fake.sent_count() == before {
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
    let first = Instant::now();
    let mut dispatched_at = None;
    let deadline = first + Duration::from_secs(600);
    loop {
        if dispatched_at.is_none() && fake.sent_count() - before >= queued {
            dispatched_at = Some(first.elapsed());
        }
        if dispatched_at.is_some() && sent_total(&client, &base, &key).await >= queued {
            break;
        }
        assert!(Instant::now() < deadline, "the dispatch did not finish");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let recorded_at = first.elapsed();
    server.shutdown().await;
    let rate = |elapsed: Duration| queued as f64 / elapsed.as_secs_f64();
    (rate(dispatched_at.expect("dispatched")), rate(recorded_at))
}

/// How many messages wagate shows as sent.
async fn sent_total(client: &reqwest::Client, base: &str, key: &str) -> u64 {
    let answer: Value = client
        .get(format!("{base}/api/v1/analytics/summary"))
        .bearer_auth(key)
        .send()
        .await
        .expect("the gateway answers")
        .json()
        .await
        .expect("a JSON answer");
    answer["data"]["byStatus"]["sent"].as_u64().unwrap_or(0)
}
