//! RabbitMQ (AMQP 0-9-1): each event a persistent message on a durable topic exchange, routed
//! by `<prefix>.<instance>.<event>`, with publisher confirms. An exchange drops what no queue
//! is bound to; `queue` names a durable queue bound to every event, for installs that want
//! the events kept until someone reads them.
//!
//! A batch is pipelined on one channel and its confirms awaited in order. lapin does not
//! reconnect by itself (auto-recovery stays off), so when the connection dies nothing after
//! the lost messages gets through and the broker holds a prefix of the batch. A `nack` fails
//! the batch too; RabbitMQ sends one only on an internal error or to a full queue set to
//! `reject-publish`, where messages after the refused one may have been taken.

use super::{EventSink, SinkError, subject};
use crate::services::{envelope, public_event_id};
use lapin::options::{
    BasicPublishOptions, ConfirmSelectOptions, ExchangeDeclareOptions, QueueBindOptions,
    QueueDeclareOptions,
};
use lapin::types::FieldTable;
use lapin::{BasicProperties, Channel, Connection, ConnectionProperties, ExchangeKind};
use serde::Deserialize;
use wagate_store::EventRecord;

const BROKER: &str = "amqp";
/// AMQP's delivery mode for messages written to disk.
const PERSISTENT: u8 = 2;

#[derive(Clone, Debug, Deserialize)]
pub struct AmqpConfig {
    pub enabled: bool,
    pub url: String,
    pub exchange: String,
    pub routing_prefix: String,
    pub queue: String,
}

pub struct AmqpSink {
    _connection: Connection,
    channel: Channel,
    exchange: String,
    prefix: String,
}

fn failed(error: impl std::fmt::Display) -> SinkError {
    SinkError::new(BROKER, error)
}

impl EventSink for AmqpSink {
    const NAME: &'static str = "amqp";
    type Config = AmqpConfig;

    async fn connect(config: &AmqpConfig) -> Result<Self, SinkError> {
        let connection = Connection::connect(
            &config.url,
            ConnectionProperties::default().with_connection_name("wagate".into()),
        )
        .await
        .map_err(failed)?;
        let channel = connection.create_channel().await.map_err(failed)?;
        channel
            .exchange_declare(
                config.exchange.as_str().into(),
                ExchangeKind::Topic,
                ExchangeDeclareOptions {
                    durable: true,
                    ..Default::default()
                },
                FieldTable::default(),
            )
            .await
            .map_err(failed)?;
        if !config.queue.is_empty() {
            channel
                .queue_declare(
                    config.queue.as_str().into(),
                    QueueDeclareOptions {
                        durable: true,
                        ..Default::default()
                    },
                    FieldTable::default(),
                )
                .await
                .map_err(failed)?;
            channel
                .queue_bind(
                    config.queue.as_str().into(),
                    config.exchange.as_str().into(),
                    format!("{}.#", config.routing_prefix).as_str().into(),
                    QueueBindOptions::default(),
                    FieldTable::default(),
                )
                .await
                .map_err(failed)?;
        }
        channel
            .confirm_select(ConfirmSelectOptions::default())
            .await
            .map_err(failed)?;
        Ok(Self {
            _connection: connection,
            channel,
            exchange: config.exchange.clone(),
            prefix: config.routing_prefix.clone(),
        })
    }

    async fn publish(&mut self, events: &[EventRecord]) -> Result<(), SinkError> {
        let mut confirms = Vec::with_capacity(events.len());
        for event in events {
            let properties = BasicProperties::default()
                .with_delivery_mode(PERSISTENT)
                .with_content_type("application/json".into())
                .with_message_id(public_event_id(event).as_str().into())
                .with_type(event.kind.as_str().into());
            let body = envelope(event).to_string();
            let confirm = self
                .channel
                .basic_publish(
                    self.exchange.as_str().into(),
                    subject(&self.prefix, event).as_str().into(),
                    BasicPublishOptions::default(),
                    body.as_bytes(),
                    properties,
                )
                .await
                .map_err(failed)?;
            confirms.push(confirm);
        }
        for confirm in confirms {
            let confirmation = confirm.await.map_err(failed)?;
            if confirmation.is_nack() {
                return Err(failed("the broker refused a message (nack)"));
            }
        }
        Ok(())
    }
}
