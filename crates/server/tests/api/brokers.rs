//! Broker sinks against the machine's real NATS JetStream and RabbitMQ: every event arrives,
//! in outbox order, with its subject / routing key; and when the broker goes away mid-stream,
//! events wait in the outbox and all arrive, in order, once it is back.

use crate::proxy::Proxy;
use crate::support::*;
use futures_util::StreamExt;
use serde_json::Value;
use std::time::Duration;
use wagate_store::testing::service_url;

/// What a test subscriber saw: (subject or routing key, envelope).
type Seen = Vec<(String, Value)>;

/// Reads `arrivals` until every event of `expected` was seen.
async fn receive_all<S>(seen: &mut Seen, expected: &[Value], arrivals: &mut S)
where
    S: futures_util::Stream<Item = (String, Value)> + Unpin,
{
    let want: std::collections::HashSet<_> = expected.iter().map(|e| e["id"].clone()).collect();
    loop {
        let have: std::collections::HashSet<_> =
            seen.iter().map(|(_, e)| e["id"].clone()).collect();
        if want.is_subset(&have) {
            return;
        }
        let item = tokio::time::timeout(Duration::from_secs(20), arrivals.next())
            .await
            .unwrap_or_else(|_| panic!("{} of {} events arrived", have.len(), want.len()))
            .expect("the subscription is open");
        seen.push(item);
    }
}

/// Every stored event arrived, in outbox order (a republished copy may follow its first
/// arrival), under `<prefix>.<instance>.<event>`.
fn assert_in_order(seen: &Seen, expected: &[Value], prefix: &str) {
    let mut first = Vec::new();
    for (subject, event) in seen {
        if !first
            .iter()
            .any(|(_, e): &(String, Value)| e["id"] == event["id"])
        {
            first.push((subject.clone(), event.clone()));
        }
    }
    let ids = |events: Vec<&Value>| events.iter().map(|e| e["id"].clone()).collect::<Vec<_>>();
    assert_eq!(
        ids(first.iter().map(|(_, e)| e).collect()),
        ids(expected.iter().collect())
    );
    for (subject, event) in &first {
        let instance = event["instance"].as_str().unwrap_or("_");
        assert_eq!(
            subject,
            &format!("{prefix}.{instance}.{}", event["event"].as_str().unwrap())
        );
    }
}

async fn texts_read(server: &TestServer, key: &str, count: usize) {
    for i in 0..count {
        let id = server
            .send_text(key, "sales", "15550002222", &format!("#{i}"))
            .await;
        server.wait_for_message(key, &id, "read").await;
    }
}

#[tokio::test]
async fn nats_jetstream_gets_every_event_in_order_across_an_outage() {
    let Some(url) = service_url("WAGATE_TEST_NATS_URL", "NATS") else {
        return;
    };
    let tag = uuid::Uuid::new_v4().simple().to_string()[..12].to_owned();
    let (stream_name, prefix) = (format!("WAGATE_TEST_{tag}"), format!("t{tag}"));
    let proxy = Proxy::start(url.trim_start_matches("nats://")).await;
    let server = TestServer::start(Backend::Sqlite, |config| {
        config.brokers.nats.enabled = true;
        config.brokers.nats.url = format!("nats://{}", proxy.address);
        config.brokers.nats.stream = stream_name.clone();
        config.brokers.nats.subject_prefix = prefix.clone();
    })
    .await;
    let (key, _) = server.linked_instance("sales").await;
    texts_read(&server, &key, 1).await;

    let jetstream = async_nats::jetstream::new(async_nats::connect(url.as_str()).await.unwrap());
    let stream = loop {
        match jetstream.get_stream(&stream_name).await {
            Ok(stream) => break stream,
            Err(_) => tokio::time::sleep(Duration::from_millis(50)).await,
        }
    };
    let consumer = stream
        .create_consumer(async_nats::jetstream::consumer::pull::Config {
            ack_policy: async_nats::jetstream::consumer::AckPolicy::None,
            ..Default::default()
        })
        .await
        .unwrap();
    let messages = consumer.messages().await.unwrap();
    let mut next = Box::pin(messages.map(|message| {
        let message = message.expect("a message");
        let id = message
            .headers
            .as_ref()
            .and_then(|h| h.get("Nats-Msg-Id"))
            .map(|v| v.to_string());
        let body: Value = serde_json::from_slice(&message.payload).unwrap();
        assert_eq!(
            id.as_deref(),
            body["id"].as_str(),
            "Nats-Msg-Id is the event id"
        );
        (message.subject.to_string(), body)
    }));
    let mut seen = Seen::new();
    let before = server.events(&key).await;
    receive_all(&mut seen, &before, &mut next).await;
    assert_in_order(&seen, &before, &prefix);

    // The broker goes away; the gateway goes on and its events wait in the outbox.
    proxy.cut();
    texts_read(&server, &key, 3).await;
    assert!(
        tokio::time::timeout(Duration::from_millis(300), next.next())
            .await
            .is_err(),
        "nothing arrives while the broker is away"
    );
    let during = server.events(&key).await;
    assert!(during.len() > before.len());
    proxy.restore().await;
    receive_all(&mut seen, &during, &mut next).await;
    assert_in_order(&seen, &during, &prefix);
    server.stop().await;
    jetstream.delete_stream(&stream_name).await.ok();
}

#[tokio::test]
async fn rabbitmq_gets_every_event_in_order_across_an_outage() {
    use lapin::options::{
        BasicConsumeOptions, ExchangeDeclareOptions, QueueBindOptions, QueueDeclareOptions,
    };
    use lapin::types::FieldTable;
    let Some(url) = service_url("WAGATE_TEST_AMQP_URL", "RabbitMQ") else {
        return;
    };
    let tag = uuid::Uuid::new_v4().simple().to_string()[..12].to_owned();
    let (exchange, prefix) = (format!("wagate_test_{tag}"), format!("t{tag}"));

    // The test's queue is bound before the gateway publishes: an exchange keeps nothing.
    let connection = lapin::Connection::connect(&url, lapin::ConnectionProperties::default())
        .await
        .unwrap();
    let channel = connection.create_channel().await.unwrap();
    channel
        .exchange_declare(
            exchange.as_str().into(),
            lapin::ExchangeKind::Topic,
            ExchangeDeclareOptions {
                durable: true,
                ..Default::default()
            },
            FieldTable::default(),
        )
        .await
        .unwrap();
    let queue = channel
        .queue_declare(
            "".into(),
            QueueDeclareOptions {
                exclusive: true,
                auto_delete: true,
                ..Default::default()
            },
            FieldTable::default(),
        )
        .await
        .unwrap();
    channel
        .queue_bind(
            queue.name().clone(),
            exchange.as_str().into(),
            format!("{prefix}.#").as_str().into(),
            QueueBindOptions::default(),
            FieldTable::default(),
        )
        .await
        .unwrap();
    let consumer = channel
        .basic_consume(
            queue.name().clone(),
            "wagate-test".into(),
            BasicConsumeOptions {
                no_ack: true,
                ..Default::default()
            },
            FieldTable::default(),
        )
        .await
        .unwrap();

    let authority = url
        .split('@')
        .nth(1)
        .unwrap()
        .split('/')
        .next()
        .unwrap()
        .to_owned();
    let proxy = Proxy::start(&authority).await;
    let proxied = url.replace(&authority, &proxy.address.to_string());
    let server = TestServer::start(Backend::Sqlite, |config| {
        config.brokers.amqp.enabled = true;
        config.brokers.amqp.url = proxied.clone();
        config.brokers.amqp.exchange = exchange.clone();
        config.brokers.amqp.routing_prefix = prefix.clone();
    })
    .await;
    let (key, _) = server.linked_instance("sales").await;
    texts_read(&server, &key, 1).await;

    let mut next = Box::pin(consumer.map(|delivery| {
        let delivery = delivery.expect("a delivery");
        assert_eq!(delivery.properties.delivery_mode(), &Some(2), "persistent");
        let body: Value = serde_json::from_slice(&delivery.data).unwrap();
        assert_eq!(
            delivery
                .properties
                .message_id()
                .as_ref()
                .map(|id| id.as_str()),
            body["id"].as_str()
        );
        (delivery.routing_key.as_str().to_owned(), body)
    }));
    let mut seen = Seen::new();
    let before = server.events(&key).await;
    receive_all(&mut seen, &before, &mut next).await;
    assert_in_order(&seen, &before, &prefix);

    proxy.cut();
    texts_read(&server, &key, 3).await;
    assert!(
        tokio::time::timeout(Duration::from_millis(300), next.next())
            .await
            .is_err(),
        "nothing arrives while the broker is away"
    );
    let during = server.events(&key).await;
    proxy.restore().await;
    receive_all(&mut seen, &during, &mut next).await;
    assert_in_order(&seen, &during, &prefix);
    server.stop().await;
    channel
        .exchange_delete(exchange.as_str().into(), Default::default())
        .await
        .ok();
}
