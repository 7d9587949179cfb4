//! NATS JetStream: each event published to its subject on a stream that captures
//! `<prefix>.>`, with `Nats-Msg-Id` set to the event id so JetStream drops the copies a
//! republish after a failure would otherwise store twice.

use super::{EventSink, SinkError, subject};
use crate::services::{envelope, public_event_id};
use async_nats::jetstream::{self, stream};
use serde::Deserialize;
use wagate_store::EventRecord;

const BROKER: &str = "nats";

#[derive(Clone, Debug, Deserialize)]
pub struct NatsConfig {
    pub enabled: bool,
    pub url: String,
    pub stream: String,
    pub subject_prefix: String,
}

pub struct NatsSink {
    jetstream: jetstream::Context,
    prefix: String,
}

impl EventSink for NatsSink {
    const NAME: &'static str = "nats";
    type Config = NatsConfig;

    async fn connect(config: &NatsConfig) -> Result<Self, SinkError> {
        let client = async_nats::connect(config.url.as_str())
            .await
            .map_err(|e| SinkError::new(BROKER, e))?;
        let jetstream = jetstream::new(client);
        jetstream
            .get_or_create_stream(stream::Config {
                name: config.stream.clone(),
                subjects: vec![format!("{}.>", config.subject_prefix)],
                ..Default::default()
            })
            .await
            .map_err(|e| SinkError::new(BROKER, e))?;
        Ok(Self {
            jetstream,
            prefix: config.subject_prefix.clone(),
        })
    }

    async fn publish(&mut self, events: &[EventRecord]) -> Result<(), SinkError> {
        // Publish them all, then wait for the acknowledgements: one connection keeps them in
        // order, and the broker works on the batch while we wait.
        let mut acks = Vec::with_capacity(events.len());
        for event in events {
            let mut headers = async_nats::HeaderMap::new();
            headers.insert("Nats-Msg-Id", public_event_id(event).as_str());
            let body = envelope(event).to_string();
            let ack = self
                .jetstream
                .publish_with_headers(subject(&self.prefix, event), headers, body.into())
                .await
                .map_err(|e| SinkError::new(BROKER, e))?;
            acks.push(ack);
        }
        for ack in acks {
            ack.await.map_err(|e| SinkError::new(BROKER, e))?;
        }
        Ok(())
    }
}
