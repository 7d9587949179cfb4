//! The answers of seed 003's routes: `{success: true, message, data}`. A sent message shows
//! `messageId` (wagate's id, to follow it on the native API) and `messageKey` (the id WhatsApp
//! knows it by, once the engine has one); either may be given back as a reaction's or a
//! deletion's `messageKey`.

use crate::services::{Gateway, GroupInfo, InstanceRecord, MessageRecord};
use axum::Json;
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

/// A 200 answer.
pub fn ok(message: impl Into<String>, data: Value) -> Response {
    Json(json!({ "success": true, "message": message.into(), "data": data })).into_response()
}

/// One queued message.
pub fn message(gateway: &Gateway, instance: &InstanceRecord, message: &MessageRecord) -> Value {
    let key = gateway
        .whatsapp_id(instance.engine, message)
        .unwrap_or_else(|| message.id.to_string());
    json!({
        "messageId": message.id.to_string(),
        "messageKey": key,
        "status": message.status.as_str(),
        "to": message.recipient,
    })
}

/// The messages one file send queued, one per file, each with its file's name.
pub fn file_messages(
    gateway: &Gateway,
    instance: &InstanceRecord,
    messages: &[MessageRecord],
    names: &[Option<String>],
) -> Value {
    let messages: Vec<Value> = messages
        .iter()
        .zip(names)
        .map(|(record, name)| {
            let mut shown = message(gateway, instance, record);
            shown["fileName"] = json!(name);
            shown
        })
        .collect();
    json!({ "count": messages.len(), "messages": messages })
}

/// A group as `GET /api/whatsapp/groups` lists it.
pub fn group(group: &GroupInfo) -> Value {
    let participants: Vec<Value> = group
        .members
        .iter()
        .map(|member| {
            json!({
                "id": member.jid.to_string(),
                "phone": member.phone.as_ref().map(ToString::to_string),
                "admin": member.role.is_admin(),
            })
        })
        .collect();
    json!({
        "id": group.jid.to_string(),
        "subject": group.subject,
        "description": group.description,
        "owner": group.owner.as_ref().map(ToString::to_string),
        "createdAt": group.created_at.map(|at| at.to_rfc3339()),
        "size": participants.len(),
        "participants": participants,
    })
}
