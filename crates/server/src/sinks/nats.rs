//! NATS JetStream: each event published to its subject on a stream that captures
//! `<prefix>.>`, with `Nats-Msg-Id` set to the event id so JetStream drops the copies a
//! republish after a failure would otherwise store twice.
//!
//! Events go one at a time: each publish waits for its acknowledgement before the next is
//! sent. The client reconnects by itself and then sends what was still queued; had the batch
//! been pipelined, a message lost with the old connection could be followed by later ones
//! stored through the new one, and the republish from the cursor would store it after them.
//! With one message in flight, what the stream holds is always a prefix of the batch. The
//! price is a round trip per event, a fraction of a millisecond to a nearby server.

use super::{EventSink, SinkError, subject};
use crate::services::{envelope, public_event_id};
use async_nats::jetstream::{self, stream};
use serde::Deserialize;
use std::time::Duration;
use wagate_store::EventRecord;

const BROKER: &str = "nats";

#[derive(Clone, Debug, Deserialize)]
pub struct NatsConfig {
    pub enabled: bool,
    pub url: String,
    pub stream: String,
    pub subject_prefix: String,
    /// How long a publish waits for JetStream's acknowledgement (and a stream request for its
    /// answer) before the sink gives up on the connection.
    pub ack_timeout_ms: u64,
}

pub struct NatsSink {
    jetstream: jetstream::Context,
    prefix: String,
}

fn failed(error: impl std::fmt::Display) -> SinkError {
    SinkError::new(BROKER, error)
}

impl EventSink for NatsSink {
    const NAME: &'static str = "nats";
    type Config = NatsConfig;

    async fn connect(config: &NatsConfig) -> Result<Self, SinkError> {
        let client = async_nats::ConnectOptions::new()
            .name("wagate")
            .connect(config.url.as_str())
            .await
            .map_err(failed)?;
        let jetstream = jetstream::ContextBuilder::new()
            .timeout(Duration::from_millis(config.ack_timeout_ms))
            .build(client);
        jetstream
            .get_or_create_stream(stream::Config {
                name: config.stream.clone(),
                subjects: vec![format!("{}.>", config.subject_prefix)],
                ..Default::default()
            })
            .await
            .map_err(failed)?;
        Ok(Self {
            jetstream,
            prefix: config.subject_prefix.clone(),
        })
    }

    async fn publish(&mut self, events: &[EventRecord]) -> Result<(), SinkError> {
        for event in events {
            let mut headers = async_nats::HeaderMap::new();
            headers.insert("Nats-Msg-Id", public_event_id(event).as_str());
            let body = envelope(event).to_string();
            self.jetstream
                .publish_with_headers(subject(&self.prefix, event), headers, body.into())
                .await
                .map_err(failed)?
                .await
                .map_err(failed)?;
        }
        Ok(())
    }
}
