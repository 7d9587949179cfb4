//! RabbitMQ. Every test uses the broker of `WAGATE_TEST_AMQP_URL` with an exchange, queue and
//! routing prefix of its own. The restart test stops the broker's application
//! (`rabbitmqctl stop_app`) and starts it again, so it takes [`RABBITMQ`] exclusively and the
//! other tests share it: none of them runs while the broker is away.

use super::*;
use crate::proxy::Proxy;
use lapin::options::{
    BasicAckOptions, BasicConsumeOptions, ExchangeDeclareOptions, QueueBindOptions,
    QueueDeclareOptions,
};
use lapin::types::FieldTable;
use lapin::{Connection, ConnectionProperties, ExchangeKind};
use wagate_server::config::Config;
use wagate_store::testing::service_url;

/// Held shared by the tests that need RabbitMQ up, exclusively by the one that stops it.
static RABBITMQ: tokio::sync::RwLock<()> = tokio::sync::RwLock::const_new(());

fn sink_to(config: &mut Config, url: &str, exchange: &str, prefix: &str) {
    config.brokers.amqp.enabled = true;
    config.brokers.amqp.url = url.to_owned();
    config.brokers.amqp.exchange = exchange.to_owned();
    config.brokers.amqp.routing_prefix = prefix.to_owned();
}

/// A queue bound to every event of `prefix` on `exchange` (declared here too: an exchange
/// keeps nothing for queues bound after the fact): `durable` names one that outlives the
/// connection and the broker's restart, otherwise the broker names a private one. Answers
/// the connection, which must stay open for the arrivals to flow, and the arrivals; each
/// message is checked to be persistent with the event id as `message_id`, and acknowledged.
async fn arrivals(
    url: &str,
    exchange: &str,
    prefix: &str,
    durable: Option<&str>,
) -> (Connection, Arrivals) {
    let connection = Connection::connect(url, ConnectionProperties::default())
        .await
        .expect("connect to RabbitMQ");
    let channel = connection.create_channel().await.expect("a channel");
    channel
        .exchange_declare(
            exchange.into(),
            ExchangeKind::Topic,
            ExchangeDeclareOptions {
                durable: true,
                ..Default::default()
            },
            FieldTable::default(),
        )
        .await
        .expect("the exchange");
    let options = match durable {
        Some(_) => QueueDeclareOptions {
            durable: true,
            ..Default::default()
        },
        None => QueueDeclareOptions {
            exclusive: true,
            auto_delete: true,
            ..Default::default()
        },
    };
    let queue = channel
        .queue_declare(durable.unwrap_or("").into(), options, FieldTable::default())
        .await
        .expect("a queue");
    channel
        .queue_bind(
            queue.name().clone(),
            exchange.into(),
            format!("{prefix}.#").as_str().into(),
            QueueBindOptions::default(),
            FieldTable::default(),
        )
        .await
        .expect("the binding");
    let consumer = channel
        .basic_consume(
            queue.name().clone(),
            "wagate-test".into(),
            BasicConsumeOptions::default(),
            FieldTable::default(),
        )
        .await
        .expect("a consumer");
    let arrivals = consumer
        .then(|delivery| async move {
            let delivery = delivery.expect("a delivery");
            let body: Value = serde_json::from_slice(&delivery.data).expect("JSON");
            assert_eq!(delivery.properties.delivery_mode(), &Some(2), "persistent");
            let id = delivery
                .properties
                .message_id()
                .as_ref()
                .map(|id| id.as_str());
            assert_eq!(id, body["id"].as_str(), "message_id");
            delivery
                .ack(BasicAckOptions::default())
                .await
                .expect("an ack");
            (delivery.routing_key.as_str().to_owned(), body)
        })
        .boxed();
    (connection, arrivals)
}

async fn delete(url: &str, exchange: &str, queue: Option<&str>) {
    let Ok(connection) = Connection::connect(url, ConnectionProperties::default()).await else {
        return;
    };
    if let Ok(channel) = connection.create_channel().await {
        if let Some(queue) = queue {
            channel
                .queue_delete(queue.into(), Default::default())
                .await
                .ok();
        }
        channel
            .exchange_delete(exchange.into(), Default::default())
            .await
            .ok();
    }
    connection.close(200, "done".into()).await.ok();
}

#[tokio::test]
async fn rabbitmq_gets_every_event_once_in_order() {
    let Some(url) = service_url("WAGATE_TEST_AMQP_URL", "RabbitMQ") else {
        return;
    };
    let _up = RABBITMQ.read().await;
    for backend in backends().await {
        eprintln!("backend: {backend:?}");
        let tag = unique_tag();
        let (exchange, prefix) = (format!("wagate_test_{tag}"), format!("t{tag}"));
        let (_connection, mut next) = arrivals(&url, &exchange, &prefix, None).await;
        let server =
            TestServer::start(backend, |config| sink_to(config, &url, &exchange, &prefix)).await;
        let (key, _) = server.linked_instance("sales").await;
        texts_read(&server, &key, 0..3).await;

        let mut seen = Seen::new();
        let events = server.events(&key).await;
        assert_kinds(&events);
        receive_all(&mut seen, &events, &mut next).await;
        assert_quiet(&mut next, "every event was there").await;
        assert_each_once(&seen);
        assert_in_order(&seen, &events, &prefix);
        server.stop().await;
        delete(&url, &exchange, None).await;
    }
}

#[tokio::test]
async fn rabbitmq_catches_up_after_its_connection_is_cut_mid_stream() {
    let Some(url) = service_url("WAGATE_TEST_AMQP_URL", "RabbitMQ") else {
        return;
    };
    let _up = RABBITMQ.read().await;
    let tag = unique_tag();
    let (exchange, prefix) = (format!("wagate_test_{tag}"), format!("t{tag}"));
    let (_connection, mut next) = arrivals(&url, &exchange, &prefix, None).await;
    let parsed = url::Url::parse(&url).expect("an AMQP URL");
    let authority = format!(
        "{}:{}",
        parsed.host_str().expect("a host"),
        parsed.port().unwrap_or(5672)
    );
    let proxy = Proxy::start(&authority).await;
    let mut proxied = parsed.clone();
    proxied.set_host(Some("127.0.0.1")).unwrap();
    proxied.set_port(Some(proxy.address.port())).unwrap();
    let server = TestServer::start(Backend::Sqlite, |config| {
        sink_to(config, proxied.as_str(), &exchange, &prefix)
    })
    .await;
    let (key, _) = server.linked_instance("sales").await;

    let mut seen = Seen::new();
    texts_around(&server, &key, async { proxy.cut() }).await;
    let events = server.events(&key).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    while let Ok(Some(arrival)) =
        tokio::time::timeout(Duration::from_millis(100), next.next()).await
    {
        seen.push(arrival);
    }
    assert!(
        seen.len() < events.len(),
        "events made while the broker was away wait in the outbox"
    );
    proxy.restore().await;
    receive_all(&mut seen, &events, &mut next).await;
    assert_in_order(&seen, &events, &prefix);
    server.stop().await;
    delete(&url, &exchange, None).await;
}

/// The broker's application stopped with `rabbitmqctl` (on the machine the tests run on);
/// started again when dropped, so a failing test leaves it running.
struct Stopped {
    running: bool,
}

impl Stopped {
    async fn stop() -> Self {
        let stopped = Self { running: false };
        rabbitmqctl(&["stop_app"]).await;
        stopped
    }

    async fn start(mut self) {
        rabbitmqctl(&["start_app"]).await;
        rabbitmqctl(&["await_startup"]).await;
        self.running = true;
    }
}

impl Drop for Stopped {
    fn drop(&mut self) {
        if !self.running {
            let _ = std::process::Command::new("rabbitmqctl")
                .arg("start_app")
                .output();
        }
    }
}

async fn rabbitmqctl(args: &[&str]) {
    let output = tokio::process::Command::new("rabbitmqctl")
        .args(args)
        .output()
        .await
        .expect("rabbitmqctl on the PATH");
    assert!(
        output.status.success(),
        "rabbitmqctl {args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
}

#[tokio::test]
async fn rabbitmq_catches_up_after_a_restart_mid_stream() {
    let Some(url) = service_url("WAGATE_TEST_AMQP_URL", "RabbitMQ") else {
        return;
    };
    let host = url::Url::parse(&url).expect("an AMQP URL");
    if !matches!(host.host_str(), Some("127.0.0.1" | "localhost" | "[::1]")) {
        eprintln!("notice: RabbitMQ is not on this machine; skipping the restart test");
        return;
    }
    let _alone = RABBITMQ.write().await;
    let tag = unique_tag();
    let (exchange, prefix, queue) = (
        format!("wagate_test_{tag}"),
        format!("t{tag}"),
        format!("wagate_test_{tag}"),
    );
    // The sink declares the durable queue itself; it keeps the events across the restart.
    let server = TestServer::start(Backend::Sqlite, |config| {
        sink_to(config, &url, &exchange, &prefix);
        config.brokers.amqp.queue = queue.clone();
    })
    .await;
    let (key, _) = server.linked_instance("sales").await;
    let (connection, mut next) = arrivals(&url, &exchange, &prefix, Some(&queue)).await;
    let mut seen = Seen::new();
    receive_all(&mut seen, &server.events(&key).await, &mut next).await;
    drop(next);
    connection.close(200, "restart".into()).await.ok();

    let mut stopped = None;
    texts_around(&server, &key, async {
        stopped = Some(Stopped::stop().await);
    })
    .await;
    let events = server.events(&key).await;
    stopped.expect("stopped").start().await;
    let (_connection, mut next) = arrivals(&url, &exchange, &prefix, Some(&queue)).await;
    receive_all(&mut seen, &events, &mut next).await;
    assert_in_order(&seen, &events, &prefix);
    server.stop().await;
    delete(&url, &exchange, Some(&queue)).await;
}
