//! Broker sinks: every event of the outbox published to a message broker (NATS JetStream,
//! RabbitMQ), in outbox order, at least once.
//!
//! A sink only publishes and waits for the broker's confirmation; the worker in
//! `workers::event_sink` owns the cursor and advances it only after a whole batch was
//! confirmed, so a broker that is down makes events wait in the outbox, never disappear.

pub mod amqp;
pub mod nats;

use std::future::Future;
use wagate_store::EventRecord;

/// A broker refused, timed out or went away; the worker reconnects and publishes again.
#[derive(Debug, thiserror::Error)]
#[error("{broker}: {message}")]
pub struct SinkError {
    pub broker: &'static str,
    pub message: String,
}

impl SinkError {
    pub fn new(broker: &'static str, error: impl std::fmt::Display) -> Self {
        Self {
            broker,
            message: error.to_string(),
        }
    }
}

/// A connected broker.
pub trait EventSink: Send + Sized + 'static {
    /// The sink's name, also its outbox cursor's (`sink:<name>`).
    const NAME: &'static str;
    type Config: Clone + Send + Sync + 'static;

    fn connect(config: &Self::Config) -> impl Future<Output = Result<Self, SinkError>> + Send;

    /// Publishes the events in order; returns once the broker confirmed every one of them.
    ///
    /// When it fails, the broker must hold no more than a prefix of `events`: the worker
    /// publishes again from the first unconfirmed event, so a later event that got through
    /// while an earlier one was lost would arrive out of order.
    fn publish(
        &mut self,
        events: &[EventRecord],
    ) -> impl Future<Output = Result<(), SinkError>> + Send;
}

/// Why `prefix` cannot start subjects and routing keys (`None`: it can): dot-separated tokens
/// that are neither empty nor wildcards, without whitespace.
pub fn prefix_problem(prefix: &str) -> Option<&'static str> {
    if prefix.split('.').any(str::is_empty) {
        return Some("must be dot-separated words without empty parts");
    }
    if prefix
        .chars()
        .any(|c| matches!(c, '*' | '>' | '#') || c.is_whitespace())
    {
        return Some("must not contain *, >, # or whitespace");
    }
    None
}

/// `<prefix>.<instance name>.<event name>`, e.g. `wagate.sales.message.received`. Characters
/// that separate or match tokens in NATS subjects and AMQP routing keys become `_`; events of
/// no instance use `_`.
pub fn subject(prefix: &str, event: &EventRecord) -> String {
    let instance = event
        .instance_name
        .as_deref()
        .filter(|name| !name.is_empty())
        .map(|name| {
            name.chars()
                .map(|c| match c {
                    '.' | '*' | '>' | '#' => '_',
                    c if c.is_whitespace() => '_',
                    c => c,
                })
                .collect::<String>()
        })
        .unwrap_or_else(|| "_".to_owned());
    format!("{prefix}.{instance}.{}", event.kind.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;
    use wagate_core::{AccountId, EventKind, EventSeq};

    fn event(instance: Option<&str>) -> EventRecord {
        EventRecord {
            seq: EventSeq(1),
            id: "e".to_owned(),
            account_id: AccountId::from_trusted("acc_1".to_owned()),
            instance_id: None,
            instance_name: instance.map(str::to_owned),
            kind: EventKind::MessageReceived,
            data: serde_json::json!({}),
            created_at: chrono::Utc::now(),
        }
    }

    #[test]
    fn prefixes_are_plain_tokens() {
        assert_eq!(prefix_problem("wagate"), None);
        assert_eq!(prefix_problem("acme.wagate"), None);
        for bad in [
            "", ".wagate", "wagate.", "a..b", "wa*", "wa>", "wa#", "wa gate",
        ] {
            assert!(prefix_problem(bad).is_some(), "{bad:?}");
        }
    }

    #[test]
    fn subjects_name_the_instance_and_the_event() {
        assert_eq!(
            subject("wagate", &event(Some("sales"))),
            "wagate.sales.message.received"
        );
        assert_eq!(
            subject("wagate", &event(Some("a.b *>#c d"))),
            "wagate.a_b____c_d.message.received"
        );
        assert_eq!(subject("wagate", &event(None)), "wagate._.message.received");
    }
}
