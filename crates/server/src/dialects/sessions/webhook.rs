//! Seed 002's webhooks, the `sessions` webhook format: `{event, sessionId, timestamp, data}`
//! with the seed's event names, rendered from the native event when a delivery is attempted.
//!
//! `message.received` and `message.sent` are wagate's events of those names;
//! `session.connected` is wagate's; `session.disconnected` is a `session.status` change to a
//! state the seed shows as not connected (`DISCONNECTED`, `LOGGED_OUT`, `FAILED`);
//! `presence.update` is `presence.updated`. `data` is the native event's data.

use crate::services::{
    Gateway, NativeEvent, RenderedDelivery, ServiceError, ServiceResult, WebhookRecord,
    WebhookRenderer,
};
use chrono::SecondsFormat;
use serde_json::{Value, json};
use wagate_core::EventKind;

/// The wagate events the format renders.
const KINDS: [EventKind; 5] = [
    EventKind::MessageReceived,
    EventKind::MessageSent,
    EventKind::SessionConnected,
    EventKind::SessionStatus,
    EventKind::PresenceUpdated,
];

/// The statuses a `session.status` change to is the seed's `session.disconnected`.
const DISCONNECTED: [&str; 4] = [
    "disconnected",
    "logged_out",
    "failed",
    "credentials_invalid",
];

/// The seed's name of an event, when it has one.
pub fn seed_name(kind: EventKind, data: &Value) -> Option<&'static str> {
    match kind {
        EventKind::MessageReceived => Some("message.received"),
        EventKind::MessageSent => Some("message.sent"),
        EventKind::SessionConnected => Some("session.connected"),
        EventKind::PresenceUpdated => Some("presence.update"),
        EventKind::SessionStatus => data
            .get("status")
            .and_then(Value::as_str)
            .filter(|status| DISCONNECTED.contains(status))
            .map(|_| "session.disconnected"),
        _ => None,
    }
}

/// The body of one event.
pub fn body(event: &NativeEvent) -> Option<Value> {
    let name = seed_name(event.kind, &event.data)?;
    Some(json!({
        "event": name,
        "sessionId": event.instance_id,
        "timestamp": event.at.to_rfc3339_opts(SecondsFormat::Secs, true),
        "data": event.data,
    }))
}

/// Renders `sessions`-format deliveries.
pub struct SessionsWebhooks;

#[async_trait::async_trait]
impl WebhookRenderer for SessionsWebhooks {
    fn renders_kind(&self, kind: EventKind) -> bool {
        KINDS.contains(&kind)
    }

    fn renders(&self, kind: EventKind, data: &Value) -> bool {
        seed_name(kind, data).is_some()
    }

    async fn render(
        &self,
        _gateway: &Gateway,
        webhook: &WebhookRecord,
        event: &NativeEvent,
    ) -> ServiceResult<RenderedDelivery> {
        let body = body(event)
            .ok_or(ServiceError::NotFound("a sessions rendering of the event"))?
            .to_string();
        Ok(RenderedDelivery {
            url: webhook.url.clone(),
            logged: body.clone(),
            body,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_render_in_the_seeds_envelope_and_names() {
        let event = NativeEvent::from_envelope(
            r#"{"id":"evt_1","event":"message.received","instanceId":"ins_1",
                "timestamp":"2024-01-15T12:00:00.000Z","data":{"id":"m1","from":"15550002222"}}"#,
        )
        .unwrap();
        assert_eq!(
            body(&event).unwrap(),
            json!({
                "event": "message.received", "sessionId": "ins_1",
                "timestamp": "2024-01-15T12:00:00Z",
                "data": { "id": "m1", "from": "15550002222" }
            })
        );
        let status = |status: &str| json!({ "status": status, "previousStatus": "open" });
        assert_eq!(
            seed_name(EventKind::SessionStatus, &status("logged_out")),
            Some("session.disconnected")
        );
        assert_eq!(seed_name(EventKind::SessionStatus, &status("qr")), None);
        assert!(!SessionsWebhooks.renders_kind(EventKind::MessageStatusUpdated));
        assert!(SessionsWebhooks.renders(EventKind::MessageSent, &Value::Null));
        assert_eq!(
            seed_name(EventKind::PresenceUpdated, &Value::Null),
            Some("presence.update")
        );
    }
}
