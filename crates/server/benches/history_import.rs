//! Importing the chat history WhatsApp hands a newly linked device (`syncHistory`), reported
//! against storing the same number of messages the way live arrivals are stored, in the same
//! run on the same database.
//!
//! Baseline: each message stored as intake stores one that arrives now (its own transaction,
//! with its `message.received` event). Measured: the same count as history, in chunks of 500
//! messages over 200 chats as WhatsApp sends them, each chunk one transaction with one
//! `history.synced` event, every message first looked up by WhatsApp's id so a chunk sent
//! twice stores nothing twice. A second pass imports the same chunks again, which must store
//! nothing.
//!
//! ```text
//! cargo bench -p wagate-server --bench history_import
//! WAGATE_BENCH_HISTORY=50000 WAGATE_TEST_DATABASE_URL=postgres://… cargo bench …
//! ```

#[allow(dead_code)] // the store is timed directly; no HTTP load is driven
mod support;

use chrono::{Duration, Utc};
use std::time::Instant;
use support::{backends, gateway};
use wagate_core::{EventKind, InstanceId, MessageContent, TextBody};
use wagate_store::{InstanceRecord, NewEvent, NewHistoricMessage, NewInboundMessage, Store};

const CHUNK: usize = 500;
const CHATS: usize = 200;

fn text(n: usize) -> MessageContent {
    MessageContent::Text {
        body: TextBody::parse(&format!("message {n} of the past")).expect("a text"),
        preview_url: false,
    }
}

fn phone(n: usize) -> String {
    format!("1555{:07}", n % CHATS)
}

fn event(instance: &InstanceRecord, kind: EventKind, data: serde_json::Value) -> NewEvent {
    NewEvent {
        account_id: instance.account_id.clone(),
        instance_id: Some(instance.id.clone()),
        instance_name: Some(instance.name.as_str().to_owned()),
        kind,
        data,
    }
}

async fn live(store: &Store, instance: &InstanceRecord, count: usize) -> f64 {
    let started = Instant::now();
    for n in 0..count {
        let new = NewInboundMessage {
            account_id: instance.account_id.clone(),
            instance_id: instance.id.clone(),
            provider_message_id: format!("LIVE{n:08}"),
            chat_jid: format!("{}@s.whatsapp.net", phone(n)),
            sender: phone(n),
            sender_lid: None,
            push_name: Some("Ann".to_owned()),
            content: text(n),
            reply_to: None,
            at: Utc::now(),
        };
        store
            .insert_inbound_message(new, |record| {
                vec![event(
                    instance,
                    EventKind::MessageReceived,
                    serde_json::json!({ "messageId": record.id }),
                )]
            })
            .await
            .expect("the store answers");
    }
    count as f64 / started.elapsed().as_secs_f64()
}

fn chunks(count: usize) -> Vec<Vec<NewHistoricMessage>> {
    let now = Utc::now();
    let all: Vec<NewHistoricMessage> = (0..count)
        .map(|n| NewHistoricMessage {
            provider_message_id: format!("HIST{n:08}"),
            chat_jid: format!("{}@s.whatsapp.net", phone(n)),
            recipient: phone(n),
            from_me: n % 3 == 0,
            sender: (n % 3 != 0).then(|| phone(n)),
            sender_lid: None,
            push_name: Some("Ann".to_owned()),
            content: text(n),
            at: now - Duration::minutes((count - n) as i64),
        })
        .collect();
    all.chunks(CHUNK).map(<[_]>::to_vec).collect()
}

/// Answers messages per second and how many were stored.
async fn import(
    store: &Store,
    instance: &InstanceRecord,
    chunks: &[Vec<NewHistoricMessage>],
) -> (f64, usize) {
    let started = Instant::now();
    let mut stored = 0;
    for chunk in chunks {
        stored += store
            .insert_history(&instance.account_id, &instance.id, chunk, |new| {
                vec![event(
                    instance,
                    EventKind::HistorySynced,
                    serde_json::json!({ "messages": new }),
                )]
            })
            .await
            .expect("the store answers");
    }
    let count: usize = chunks.iter().map(Vec::len).sum();
    (count as f64 / started.elapsed().as_secs_f64(), stored)
}

fn main() {
    let count: usize = std::env::var("WAGATE_BENCH_HISTORY")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(20_000);
    let runtime = tokio::runtime::Runtime::new().expect("a runtime");
    runtime.block_on(async {
        println!("history import: {count} messages over {CHATS} chats, chunks of {CHUNK}");
        for (name, database_url) in backends().await {
            let dir = tempfile::tempdir().expect("temp dir");
            let (server, base, key) = gateway(&database_url, dir.path()).await;
            let store = server.gateway().store().clone();
            let found: serde_json::Value = reqwest::Client::new()
                .get(format!("{base}/api/v1/instances/bench"))
                .bearer_auth(&key)
                .send()
                .await
                .expect("the gateway answers")
                .json()
                .await
                .expect("JSON");
            let id = InstanceId::parse(found["data"]["id"].as_str().expect("an id"))
                .expect("an instance id");
            let instance = store
                .get_instance(&id)
                .await
                .expect("the store answers")
                .expect("the instance");

            let baseline = live(&store, &instance, count).await;
            let chunks = chunks(count);
            let (first, stored) = import(&store, &instance, &chunks).await;
            let (again, stored_again) = import(&store, &instance, &chunks).await;
            assert_eq!((stored, stored_again), (count, 0), "each message stored once");
            println!("{name}:");
            println!("  live arrivals (baseline)   {baseline:>9.0} messages/s");
            println!(
                "  history import             {first:>9.0} messages/s  = {:.2} × baseline",
                first / baseline
            );
            println!(
                "  the same chunks again      {again:>9.0} messages/s  = {:.2} × baseline (nothing stored)",
                again / baseline
            );
            server.shutdown().await;
        }
    });
}
