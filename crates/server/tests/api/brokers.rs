//! Broker sinks against the machine's real NATS JetStream and RabbitMQ: every event arrives
//! once, in outbox order, with its subject / routing key and the webhook envelope; and when
//! the broker goes away mid-stream — its connection cut, or the broker itself stopped and
//! started again — events wait in the outbox and all arrive, in order, once it is back.
//!
//! What is shared by the tests of both brokers lives here: reading arrivals, the order and
//! envelope checks, and the traffic that makes events.

mod amqp;
mod nats;

use crate::support::*;
use futures_util::StreamExt;
use serde_json::Value;
use std::collections::HashSet;
use std::time::Duration;

/// What a test subscriber saw: (subject or routing key, body), in arrival order.
pub type Seen = Vec<(String, Value)>;

/// Arrivals from a broker subscription.
pub type Arrivals = futures_util::stream::BoxStream<'static, (String, Value)>;

/// A name part no other test (or earlier run) uses.
pub fn unique_tag() -> String {
    uuid::Uuid::new_v4().simple().to_string()[..12].to_owned()
}

/// Reads `arrivals` until every event of `expected` was seen.
pub async fn receive_all(seen: &mut Seen, expected: &[Value], arrivals: &mut Arrivals) {
    let want: HashSet<_> = expected.iter().map(|e| e["id"].clone()).collect();
    loop {
        let have: HashSet<_> = seen.iter().map(|(_, e)| e["id"].clone()).collect();
        if want.is_subset(&have) {
            return;
        }
        let item = tokio::time::timeout(Duration::from_secs(20), arrivals.next())
            .await
            .unwrap_or_else(|_| {
                panic!(
                    "{} of {} events arrived",
                    want.intersection(&have).count(),
                    want.len()
                )
            })
            .expect("the subscription is open");
        seen.push(item);
    }
}

/// Nothing arrives for a while.
pub async fn assert_quiet(arrivals: &mut Arrivals, why: &str) {
    if let Ok(Some((subject, event))) =
        tokio::time::timeout(Duration::from_millis(300), arrivals.next()).await
    {
        panic!("{why}, yet {subject} arrived: {event}");
    }
}

/// Every stored event arrived, first arrivals in outbox order (a republished copy may follow
/// its first arrival), each under `<prefix>.<instance>.<event>` with the body the events API
/// shows (less its `seq`).
pub fn assert_in_order(seen: &Seen, expected: &[Value], prefix: &str) {
    let mut first: Vec<&(String, Value)> = Vec::new();
    for arrival in seen {
        if !first.iter().any(|(_, e)| e["id"] == arrival.1["id"]) {
            first.push(arrival);
        }
    }
    let ids = |events: Vec<&Value>| events.iter().map(|e| e["id"].clone()).collect::<Vec<_>>();
    assert_eq!(
        ids(first.iter().map(|(_, e)| e).collect()),
        ids(expected.iter().collect()),
        "first arrivals in outbox order"
    );
    for ((subject, body), stored) in first.iter().zip(expected) {
        let instance = stored["instance"].as_str().unwrap_or("_");
        let event = stored["event"].as_str().unwrap();
        assert_eq!(subject, &format!("{prefix}.{instance}.{event}"));
        let mut envelope = stored.clone();
        envelope.as_object_mut().unwrap().remove("seq");
        assert_eq!(body, &envelope, "the webhook envelope");
    }
}

/// No event arrived twice.
pub fn assert_each_once(seen: &Seen) {
    let mut ids = HashSet::new();
    for (_, event) in seen {
        assert!(ids.insert(event["id"].clone()), "twice: {event}");
    }
}

/// The events of an instance's life so far cover what a broker consumer cares about.
pub fn assert_kinds(events: &[Value]) {
    let kinds: HashSet<_> = events.iter().filter_map(|e| e["event"].as_str()).collect();
    for kind in [
        "instance.created",
        "session.status",
        "session.connected",
        "message.queued",
        "message.sent",
        "message.status_updated",
    ] {
        assert!(kinds.contains(kind), "no {kind} among {kinds:?}");
    }
}

/// Sends texts `numbers` through the instance "sales", each waited for until read.
pub async fn texts_read(server: &TestServer, key: &str, numbers: std::ops::Range<usize>) {
    for i in numbers {
        let id = server
            .send_text(key, "sales", "15550002222", &format!("#{i}"))
            .await;
        server.wait_for_message(key, &id, "read").await;
    }
}

/// Traffic with the broker taken away in the middle of it: two texts, then `outage` (which
/// takes the broker away) runs while six more go out, then two more with the broker away.
pub async fn texts_around<F: std::future::Future<Output = ()>>(
    server: &TestServer,
    key: &str,
    outage: F,
) {
    let (started, start_outage) = tokio::sync::oneshot::channel();
    let sending = async {
        texts_read(server, key, 0..2).await;
        let _ = started.send(());
        texts_read(server, key, 2..8).await;
    };
    let away = async {
        start_outage.await.expect("the texts went out");
        outage.await;
    };
    tokio::join!(sending, away);
    texts_read(server, key, 8..10).await;
}
