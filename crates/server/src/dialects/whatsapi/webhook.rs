//! Seed 004's status webhook, the `whatsapi` webhook format: every status change of a sent
//! message, posted as
//! `{event: "message.status_updated", timestamp, data: {messageId, status, to, deliveredAt,
//! readAt, failedAt, errorMessage, metadata}}`.
//!
//! The native `message.status_updated` event already carries those fields (the native API was
//! modelled on seed 004), so rendering picks them out of the stored envelope; nothing is read
//! again at delivery time.

use super::reply;
use crate::services::{
    Gateway, NativeEvent, RenderedDelivery, ServiceError, ServiceResult, WebhookRecord,
    WebhookRenderer,
};
use serde_json::{Map, Value, json};
use wagate_core::EventKind;

/// The fields of the seed's `data`, in its order.
const FIELDS: [&str; 8] = [
    "messageId",
    "status",
    "to",
    "deliveredAt",
    "readAt",
    "failedAt",
    "errorMessage",
    "metadata",
];

/// Renders `whatsapi`-format deliveries.
pub struct WhatsapiWebhooks;

/// The body of one status change.
pub fn body(event: &NativeEvent) -> Option<Value> {
    if event.kind != EventKind::MessageStatusUpdated {
        return None;
    }
    let mut data = Map::new();
    for field in FIELDS {
        data.insert(
            field.to_owned(),
            event.data.get(field).cloned().unwrap_or(Value::Null),
        );
    }
    Some(json!({
        "event": "message.status_updated",
        "timestamp": reply::time(event.at),
        "data": data,
    }))
}

#[async_trait::async_trait]
impl WebhookRenderer for WhatsapiWebhooks {
    fn renders_kind(&self, kind: EventKind) -> bool {
        kind == EventKind::MessageStatusUpdated
    }

    fn renders(&self, kind: EventKind, _data: &Value) -> bool {
        kind == EventKind::MessageStatusUpdated
    }

    async fn render(
        &self,
        _gateway: &Gateway,
        webhook: &WebhookRecord,
        event: &NativeEvent,
    ) -> ServiceResult<RenderedDelivery> {
        let body = body(event)
            .ok_or(ServiceError::NotFound(
                "a whatsapi.cc rendering of the event",
            ))?
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
    fn a_status_change_renders_as_the_seed_prints_it() {
        let event = NativeEvent::from_envelope(
            r#"{"id":"evt_1","event":"message.status_updated","instanceId":"ins_1",
                "timestamp":"2026-03-28T10:00:04.000Z","data":{"messageId":"9dd15ee1",
                "status":"delivered","to":"14155552671","type":"text",
                "sentAt":"2026-03-28T10:00:01.000Z","deliveredAt":"2026-03-28T10:00:04.000Z",
                "readAt":null,"failedAt":null,"errorCode":null,"errorMessage":null,
                "metadata":{"orderId":"1234"}}}"#,
        )
        .unwrap();
        let body = body(&event).unwrap();
        assert_eq!(
            body,
            json!({
                "event": "message.status_updated",
                "timestamp": "2026-03-28T10:00:04.000Z",
                "data": {
                    "messageId": "9dd15ee1", "status": "delivered", "to": "14155552671",
                    "deliveredAt": "2026-03-28T10:00:04.000Z", "readAt": null, "failedAt": null,
                    "errorMessage": null, "metadata": { "orderId": "1234" }
                }
            })
        );
        let received = NativeEvent {
            kind: EventKind::MessageReceived,
            ..event
        };
        assert!(super::body(&received).is_none());
        assert!(!WhatsapiWebhooks.renders_kind(EventKind::MessageReceived));
    }
}
