//! Webhook formats other than wagate's own envelope. A format's renderer (a dialect's, e.g.
//! Evolution API's) is registered once at start-up; the fan-out asks it which events it can
//! render (the others are never queued for its endpoints) and the deliverer asks it for the
//! body when a delivery is attempted. Outbox, routing, retries, delivery log and replay stay
//! one mechanism: a delivery still stores the native envelope, and only what is posted (the
//! body and the URL) is rendered from it.

use super::{Gateway, ServiceError, ServiceResult};
use chrono::{DateTime, Utc};
use futures_util::TryStreamExt;
use serde_json::Value;
use std::collections::HashMap;
use std::sync::Arc;
use wagate_core::{EventKind, InstanceId, WebhookFormat};
use wagate_store::{
    AttemptOutcome, AttemptRecord, DeliveryRecord, DeliveryStatus, InstanceRecord, MessageRecord,
    WebhookRecord,
};

/// An event as a renderer reads it: the native envelope a delivery stores.
#[derive(Clone, Debug)]
pub struct NativeEvent {
    /// The public event id (`evt_…`), also the `webhook-id` header.
    pub id: String,
    pub kind: EventKind,
    pub instance_id: Option<InstanceId>,
    /// The instance's name when the event carried it.
    pub instance: Option<String>,
    /// When the event happened.
    pub at: DateTime<Utc>,
    pub data: Value,
}

impl NativeEvent {
    /// Reads a delivery's stored envelope.
    pub fn from_envelope(envelope: &str) -> Result<Self, String> {
        let value: Value = serde_json::from_str(envelope)
            .map_err(|e| format!("the stored event is not JSON: {e}"))?;
        let text = |name: &str| value.get(name).and_then(Value::as_str);
        let kind = text("event")
            .ok_or("the stored event has no name")?
            .parse::<EventKind>()?;
        let at = text("timestamp")
            .and_then(|at| DateTime::parse_from_rfc3339(at).ok())
            .ok_or("the stored event has no timestamp")?
            .with_timezone(&Utc);
        Ok(Self {
            id: text("id").unwrap_or_default().to_owned(),
            kind,
            instance_id: text("instanceId").map(|id| InstanceId::from_trusted(id.to_owned())),
            instance: text("instance").map(str::to_owned),
            at,
            data: value.get("data").cloned().unwrap_or(Value::Null),
        })
    }
}

/// What a renderer made of a delivery.
#[derive(Clone, Debug, PartialEq)]
pub struct RenderedDelivery {
    /// Where it is posted (the endpoint's URL, or more of it).
    pub url: String,
    /// The body, sent as is and signed.
    pub body: String,
    /// The body as the delivery log keeps it: inline media left out.
    pub logged: String,
}

/// A webhook format's renderer.
#[async_trait::async_trait]
pub trait WebhookRenderer: Send + Sync {
    /// Whether some events of this kind have a rendering: an endpoint of the format may ask for
    /// it by name.
    fn renders_kind(&self, kind: EventKind) -> bool;

    /// Whether this event has a rendering; the others are never routed to the format's
    /// endpoints.
    fn renders(&self, kind: EventKind, data: &Value) -> bool;

    /// The delivery of `event` to `webhook`, made when it is attempted. `NotFound` means there
    /// is nothing left to render (the delivery is given up); other errors are tried again.
    async fn render(
        &self,
        gateway: &Gateway,
        webhook: &WebhookRecord,
        event: &NativeEvent,
    ) -> ServiceResult<RenderedDelivery>;
}

/// The renderers of the formats other than native.
#[derive(Clone, Default)]
pub struct WebhookFormats {
    renderers: HashMap<WebhookFormat, Arc<dyn WebhookRenderer>>,
}

impl WebhookFormats {
    pub fn renderer(&self, format: WebhookFormat) -> Option<&Arc<dyn WebhookRenderer>> {
        self.renderers.get(&format)
    }

    /// Whether an endpoint of `format` may ask for events of `kind`.
    pub fn can_render(&self, format: WebhookFormat, kind: EventKind) -> bool {
        match format {
            WebhookFormat::Native => true,
            other => self
                .renderer(other)
                .is_some_and(|renderer| renderer.renders_kind(kind)),
        }
    }

    /// Whether an endpoint of `format` gets this event at all.
    pub fn routes(&self, format: WebhookFormat, kind: EventKind, data: &Value) -> bool {
        match format {
            WebhookFormat::Native => true,
            other => self
                .renderer(other)
                .is_some_and(|renderer| renderer.renders(kind, data)),
        }
    }
}

impl Gateway {
    /// Renders `format`'s endpoints' deliveries with `renderer`.
    pub fn with_webhook_renderer(
        mut self,
        format: WebhookFormat,
        renderer: Arc<dyn WebhookRenderer>,
    ) -> Self {
        self.webhook_formats.renderers.insert(format, renderer);
        self
    }

    pub fn webhook_formats(&self) -> &WebhookFormats {
        &self.webhook_formats
    }

    /// The body (and the URL) of a delivery to an endpoint of a format other than native.
    pub async fn render_delivery(
        &self,
        webhook: &WebhookRecord,
        delivery: &DeliveryRecord,
    ) -> ServiceResult<RenderedDelivery> {
        let renderer = self
            .webhook_formats
            .renderer(webhook.format)
            .ok_or_else(|| {
                ServiceError::NotSupported(format!(
                    "this server renders no '{}' webhooks",
                    webhook.format
                ))
            })?;
        let event = NativeEvent::from_envelope(&delivery.payload).map_err(|e| {
            ServiceError::Store(wagate_store::StoreError::Corrupt(format!(
                "delivery {}: {e}",
                delivery.id
            )))
        })?;
        renderer.render(self, webhook, &event).await
    }

    /// What a delivery that could not be rendered means: given up when there is nothing left
    /// to render, else tried again on the retry schedule. Either way the endpoint is not
    /// judged: it was never asked.
    pub fn unrendered_outcome(
        &self,
        delivery: &DeliveryRecord,
        error: &ServiceError,
    ) -> AttemptOutcome {
        let now = Utc::now();
        let attempt = AttemptRecord {
            at: now,
            status_code: None,
            duration_ms: 0,
            response_body: None,
            error: Some(format!("the body could not be rendered: {error}")),
            request_url: None,
            request_body: None,
        };
        let permanent = matches!(
            error,
            ServiceError::NotFound(_) | ServiceError::NotSupported(_)
        );
        let schedule = &self.webhook_config.retry_schedule_secs;
        let (status, next_attempt_at) = match schedule.get(delivery.attempts as usize) {
            Some(delay) if !permanent => (
                DeliveryStatus::Pending,
                now + chrono::Duration::milliseconds((delay * 1000.0) as i64),
            ),
            _ => (DeliveryStatus::Failed, now),
        };
        AttemptOutcome {
            attempt,
            status,
            next_attempt_at,
            failing_since: None,
            disable: None,
            events: Vec::new(),
        }
    }

    // What renderers read: records by id, with no caller (the delivery is the gateway's own
    // work for an endpoint the account registered).

    /// An instance by id.
    pub async fn instance_record(&self, id: &InstanceId) -> ServiceResult<Option<InstanceRecord>> {
        Ok(self.store.get_instance(id).await?)
    }

    /// One of an instance's messages, by wagate's id or WhatsApp's.
    pub async fn instance_message(
        &self,
        instance: &InstanceId,
        id: &str,
    ) -> ServiceResult<Option<MessageRecord>> {
        Ok(self.store.find_instance_message(instance, id).await?)
    }

    /// The bytes of the media a message carries, when the gateway still holds them and they
    /// are at most `max_bytes`.
    pub async fn message_media(
        &self,
        message: &MessageRecord,
        max_bytes: u64,
    ) -> ServiceResult<Option<Vec<u8>>> {
        let Some(media) = message.content.media() else {
            return Ok(None);
        };
        let Some(record) = self
            .store
            .find_media(
                &message.account_id,
                Some(&message.instance_id),
                &media.media_id,
            )
            .await?
        else {
            return Ok(None);
        };
        if record.size < 0 || record.size as u64 > max_bytes {
            return Ok(None);
        }
        let stream = self.open_media(&record).await?;
        let chunks: Vec<_> = stream
            .try_collect()
            .await
            .map_err(|e| ServiceError::EngineUnavailable(format!("reading the media: {e}")))?;
        Ok(Some(chunks.concat()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stored_envelope_reads_back_as_its_event() {
        let event = NativeEvent::from_envelope(
            r#"{"id":"evt_1","event":"message.received","instanceId":"inst_1","instance":"sales",
                "timestamp":"2026-03-02T10:00:00.000Z","data":{"body":"hi"}}"#,
        )
        .unwrap();
        assert_eq!(event.kind, EventKind::MessageReceived);
        assert_eq!(event.instance.as_deref(), Some("sales"));
        assert_eq!(event.instance_id.unwrap().as_str(), "inst_1");
        assert_eq!(event.at.timestamp(), 1_772_445_600);
        assert_eq!(event.data["body"], "hi");
        assert!(NativeEvent::from_envelope(r#"{"event":"nope","timestamp":"x"}"#).is_err());
    }
}
