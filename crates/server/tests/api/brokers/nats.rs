//! NATS JetStream. The shared server of `WAGATE_TEST_NATS_URL` serves the tests that leave it
//! running (each with a stream and subject prefix of its own). The restart test runs a
//! nats-server of its own — the same binary, on a free port with its own store directory —
//! since stopping the shared one would pull it from under every other test.

use super::*;
use crate::proxy::Proxy;
use async_nats::jetstream::{self, consumer};
use std::process::Stdio;
use wagate_server::config::Config;
use wagate_store::testing::service_url;

fn sink_to(config: &mut Config, url: &str, stream: &str, prefix: &str) {
    config.brokers.nats.enabled = true;
    config.brokers.nats.url = url.to_owned();
    config.brokers.nats.stream = stream.to_owned();
    config.brokers.nats.subject_prefix = prefix.to_owned();
}

/// Everything in `stream` from its start, as it arrives; `Nats-Msg-Id` is checked to be the
/// event id on the way.
async fn arrivals(url: &str, stream: &str) -> Arrivals {
    let jetstream = jetstream::new(async_nats::connect(url).await.expect("connect to NATS"));
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    let stream = loop {
        // The sink creates the stream when it connects.
        match jetstream.get_stream(stream).await {
            Ok(stream) => break stream,
            Err(error) => {
                assert!(tokio::time::Instant::now() < deadline, "no stream: {error}");
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        }
    };
    let consumer = stream
        .create_consumer(consumer::pull::Config {
            ack_policy: consumer::AckPolicy::None,
            ..Default::default()
        })
        .await
        .expect("a consumer");
    let messages = consumer.messages().await.expect("messages");
    messages
        .map(|message| {
            let message = message.expect("a message");
            let body: Value = serde_json::from_slice(&message.payload).expect("JSON");
            let id = message
                .headers
                .as_ref()
                .and_then(|headers| headers.get("Nats-Msg-Id"))
                .map(|id| id.to_string());
            assert_eq!(id.as_deref(), body["id"].as_str(), "Nats-Msg-Id");
            (message.subject.to_string(), body)
        })
        .boxed()
}

async fn delete_stream(url: &str, stream: &str) {
    if let Ok(client) = async_nats::connect(url).await {
        jetstream::new(client).delete_stream(stream).await.ok();
    }
}

#[tokio::test]
async fn nats_jetstream_gets_every_event_once_in_order() {
    let Some(url) = service_url("WAGATE_TEST_NATS_URL", "NATS") else {
        return;
    };
    for backend in backends().await {
        eprintln!("backend: {backend:?}");
        let tag = unique_tag();
        let (stream, prefix) = (format!("WAGATE_TEST_{tag}"), format!("t{tag}"));
        let server =
            TestServer::start(backend, |config| sink_to(config, &url, &stream, &prefix)).await;
        let (key, _) = server.linked_instance("sales").await;
        texts_read(&server, &key, 0..3).await;

        let mut next = arrivals(&url, &stream).await;
        let mut seen = Seen::new();
        let events = server.events(&key).await;
        assert_kinds(&events);
        receive_all(&mut seen, &events, &mut next).await;
        assert_quiet(&mut next, "every event was there").await;
        assert_each_once(&seen);
        assert_in_order(&seen, &events, &prefix);
        // The sink's progress is shown: it has published everything.
        let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(10);
        loop {
            let (status, sinks) = server.get("/api/v1/sinks", &key).await;
            assert_eq!(status, reqwest::StatusCode::OK, "{sinks}");
            assert_eq!(sinks["data"].as_array().unwrap().len(), 1, "{sinks}");
            assert_eq!(sinks["data"][0]["name"], "nats");
            if sinks["data"][0]["lag"] == 0 {
                assert!(sinks["data"][0]["cursor"].as_i64().unwrap() > 0, "{sinks}");
                break;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "the sink never caught up: {sinks}"
            );
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        server.stop().await;
        delete_stream(&url, &stream).await;
    }
}

#[tokio::test]
async fn nats_jetstream_catches_up_after_its_connection_is_cut_mid_stream() {
    let Some(url) = service_url("WAGATE_TEST_NATS_URL", "NATS") else {
        return;
    };
    let tag = unique_tag();
    let (stream, prefix) = (format!("WAGATE_TEST_{tag}"), format!("t{tag}"));
    let proxy = Proxy::start(url.trim_start_matches("nats://")).await;
    let proxied = format!("nats://{}", proxy.address);
    let server = TestServer::start(Backend::Sqlite, |config| {
        sink_to(config, &proxied, &stream, &prefix)
    })
    .await;
    let (key, _) = server.linked_instance("sales").await;
    let mut next = arrivals(&url, &stream).await;
    let mut seen = Seen::new();

    texts_around(&server, &key, async { proxy.cut() }).await;
    let events = server.events(&key).await;
    // Give the sink time to publish whatever got through before the cut, then nothing more.
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
    delete_stream(&url, &stream).await;
}

/// A nats-server of the test's own: stopped and started again on the same port and store.
struct OwnNats {
    port: u16,
    store: tempfile::TempDir,
    process: Option<tokio::process::Child>,
}

impl OwnNats {
    async fn start() -> Self {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|listener| listener.local_addr())
            .expect("a free port")
            .port();
        let mut nats = Self {
            port,
            store: tempfile::tempdir().expect("a store directory"),
            process: None,
        };
        nats.run().await;
        nats
    }

    fn url(&self) -> String {
        format!("nats://127.0.0.1:{}", self.port)
    }

    async fn run(&mut self) {
        let process = tokio::process::Command::new("nats-server")
            .args([
                "-a",
                "127.0.0.1",
                "-p",
                &self.port.to_string(),
                "-js",
                "-sd",
            ])
            .arg(self.store.path())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .expect("nats-server on the PATH");
        self.process = Some(process);
        let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
        while async_nats::connect(self.url()).await.is_err() {
            assert!(
                tokio::time::Instant::now() < deadline,
                "nats-server did not start"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// A clean shutdown (SIGTERM), as a service manager stops it; waits until it is gone.
    async fn stop(&mut self) {
        let mut process = self.process.take().expect("running");
        let pid = process.id().expect("a pid").to_string();
        let status = tokio::process::Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .await
            .expect("kill");
        assert!(status.success());
        tokio::time::timeout(Duration::from_secs(10), process.wait())
            .await
            .expect("nats-server stops")
            .expect("its exit status");
    }
}

#[tokio::test]
async fn nats_jetstream_catches_up_after_a_restart_mid_stream() {
    if service_url("WAGATE_TEST_NATS_URL", "NATS").is_none() {
        return;
    }
    let mut nats = OwnNats::start().await;
    let url = nats.url();
    let tag = unique_tag();
    let (stream, prefix) = (format!("WAGATE_TEST_{tag}"), format!("t{tag}"));
    let server = TestServer::start(Backend::Sqlite, |config| {
        sink_to(config, &url, &stream, &prefix);
        // Shorter than the outage: the sink gives up on its connection and starts again from
        // its cursor, rather than the client's own reconnect hiding the restart.
        config.brokers.nats.ack_timeout_ms = 250;
    })
    .await;
    let (key, _) = server.linked_instance("sales").await;
    let mut next = arrivals(&url, &stream).await;
    let mut seen = Seen::new();
    receive_all(&mut seen, &server.events(&key).await, &mut next).await;
    drop(next);

    texts_around(&server, &key, nats.stop()).await;
    let events = server.events(&key).await;
    nats.run().await;
    // The stream from its start, as the restarted server kept it.
    let mut seen = Seen::new();
    let mut next = arrivals(&url, &stream).await;
    receive_all(&mut seen, &events, &mut next).await;
    assert_in_order(&seen, &events, &prefix);
    server.stop().await;
}
