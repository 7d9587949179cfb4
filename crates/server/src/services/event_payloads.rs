//! The shape of every event's `data`, decided once.
//!
//! Message events carry seed 004's status shape (`messageId, status, to, deliveredAt, readAt,
//! failedAt, errorMessage, metadata`) so receivers written for it work unchanged.

use chrono::{DateTime, SecondsFormat, Utc};
use serde_json::{Value, json};
use wagate_core::{EventKind, InstanceStatus, LinkedAccount};
use wagate_store::{InstanceRecord, MessageRecord, NewEvent};

pub fn rfc3339(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Millis, true)
}

fn instance_event(instance: &InstanceRecord, kind: EventKind, data: Value) -> NewEvent {
    NewEvent {
        account_id: instance.account_id.clone(),
        instance_id: Some(instance.id.clone()),
        instance_name: Some(instance.name.as_str().to_owned()),
        kind,
        data,
    }
}

pub fn instance_created(instance: &InstanceRecord) -> NewEvent {
    instance_event(
        instance,
        EventKind::InstanceCreated,
        json!({ "name": instance.name.as_str(), "engine": instance.engine }),
    )
}

pub fn instance_deleted(instance: &InstanceRecord) -> NewEvent {
    instance_event(
        instance,
        EventKind::InstanceDeleted,
        json!({ "name": instance.name.as_str() }),
    )
}

pub fn session_status(
    instance: &InstanceRecord,
    status: InstanceStatus,
    reason: Option<&str>,
) -> NewEvent {
    instance_event(
        instance,
        EventKind::SessionStatus,
        json!({ "status": status, "previousStatus": instance.status, "reason": reason }),
    )
}

pub fn qrcode_updated(
    instance: &InstanceRecord,
    code: &str,
    expires_at: DateTime<Utc>,
) -> NewEvent {
    instance_event(
        instance,
        EventKind::QrcodeUpdated,
        json!({ "code": code, "expiresAt": rfc3339(expires_at) }),
    )
}

pub fn pairing_code_issued(
    instance: &InstanceRecord,
    code: &str,
    expires_at: DateTime<Utc>,
) -> NewEvent {
    instance_event(
        instance,
        EventKind::QrcodeUpdated,
        json!({ "pairingCode": code, "expiresAt": rfc3339(expires_at) }),
    )
}

pub fn session_connected(instance: &InstanceRecord, me: &LinkedAccount) -> NewEvent {
    instance_event(instance, EventKind::SessionConnected, json!({ "me": me }))
}

pub fn session_logged_out(instance: &InstanceRecord, reason: &str) -> NewEvent {
    instance_event(
        instance,
        EventKind::SessionLoggedOut,
        json!({ "reason": reason }),
    )
}

pub fn session_paused(
    instance: &InstanceRecord,
    failures: i64,
    until: DateTime<Utc>,
    last_error: &str,
) -> NewEvent {
    instance_event(
        instance,
        EventKind::SessionPaused,
        json!({
            "reason": format!("{failures} engine failures in a row; the last: {last_error}"),
            "failures": failures,
            "pausedUntil": rfc3339(until),
        }),
    )
}

pub fn session_resumed(instance: &InstanceRecord) -> NewEvent {
    instance_event(
        instance,
        EventKind::SessionResumed,
        json!({ "reason": "a probe send succeeded" }),
    )
}

/// Seed 004's `message.status_updated` data, shared by every message event.
pub fn message_data(message: &MessageRecord) -> Value {
    json!({
        "messageId": message.id,
        "status": message.status,
        "to": message.recipient,
        "type": message.content.type_name(),
        "sentAt": message.sent_at.map(rfc3339),
        "deliveredAt": message.delivered_at.map(rfc3339),
        "readAt": message.read_at.map(rfc3339),
        "failedAt": message.failed_at.map(rfc3339),
        "errorCode": message.error_code,
        "errorMessage": message.error_message,
        "metadata": message.metadata,
    })
}

pub fn message_event(kind: EventKind, message: &MessageRecord) -> NewEvent {
    NewEvent {
        account_id: message.account_id.clone(),
        instance_id: Some(message.instance_id.clone()),
        instance_name: None,
        kind,
        data: message_data(message),
    }
}

/// The public id of an event: `evt_` and its UUID without dashes.
pub fn public_event_id(event: &wagate_store::EventRecord) -> String {
    format!("evt_{}", event.id.replace('-', ""))
}

/// An event as webhooks, streams and brokers send it.
pub fn envelope(event: &wagate_store::EventRecord) -> Value {
    json!({
        "id": public_event_id(event),
        "event": event.kind.as_str(),
        "instanceId": event.instance_id,
        "instance": event.instance_name,
        "timestamp": rfc3339(event.created_at),
        "data": event.data,
    })
}
