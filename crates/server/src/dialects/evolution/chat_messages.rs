//! Evolution's chat routes on messages already in a chat, named by WhatsApp's id for them
//! (`key.id`): delete for everyone, edit, a media message's file inline, and finding messages.

use super::auth::EvoCaller;
use super::body;
use super::error::{EvoError, EvoErrorBody, EvoResult};
use super::route::{created, integer, jid_of, missing, ok, on, required};
use super::{TAG, message_types, shapes};
use crate::services::{
    Direction, EditRequest, Gateway, InstanceRecord, MessageQuery, MessageRecord,
};
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::response::Response;
use base64::Engine as _;
use chrono::{DateTime, NaiveDate, Utc};
use serde::Deserialize;
use serde_json::{Value, json};
use std::sync::Arc;
use wagate_core::MessageContent;

/// Evolution's page size of `findMessages` when the request gives none.
const DEFAULT_PAGE_SIZE: i64 = 50;

/// The key Evolution names the message by in its answers: WhatsApp's id (for a message not
/// sent yet, the one it will carry), else wagate's.
pub fn key_id(gateway: &Gateway, instance: &InstanceRecord, message: &MessageRecord) -> String {
    gateway
        .whatsapp_id(instance.engine, message)
        .unwrap_or_else(|| message.id.to_string())
}

/// A stored message as Evolution's message records show it (`findMessages`, `findChats`).
pub fn record(gateway: &Gateway, instance: &InstanceRecord, message: &MessageRecord) -> Value {
    let mut object = shapes::message_object(message, &key_id(gateway, instance, message), instance);
    object["id"] = json!(message.id.to_string());
    object["MessageUpdate"] = json!([{ "status": object["status"].clone() }]);
    object
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct DeleteRequest {
    id: Option<String>,
    from_me: Option<bool>,
    remote_jid: Option<String>,
}

/// The protocol message Evolution answers with after acting on a message.
fn protocol_answer(remote_jid: &str, id: &str, kind: &str, extra: Value) -> Value {
    let key = json!({ "remoteJid": remote_jid, "fromMe": true, "id": id });
    let mut protocol = json!({ "key": key, "type": kind });
    if let (Some(protocol), Some(extra)) = (protocol.as_object_mut(), extra.as_object()) {
        protocol.extend(extra.clone());
    }
    json!({
        "key": key,
        "message": { "protocolMessage": protocol },
        "messageTimestamp": Utc::now().timestamp(),
        "status": "PENDING",
    })
}

/// Delete one of your own messages for everyone (within WhatsApp's 60 hours).
#[utoipa::path(
    delete, path = "/chat/deleteMessageForEveryone/{instance}", tag = TAG,
    params(("instance" = String, Path, description = "The instance's name")),
    request_body(content = Object, example = json!({ "id": "3EB0A0C1D2E3F4A5B6C7", "fromMe": true, "remoteJid": "5511999999999@s.whatsapp.net" })),
    responses(
        (status = 201, description = "Deleted for everyone", body = Object, example = json!({
            "key": { "remoteJid": "5511999999999@s.whatsapp.net", "fromMe": true, "id": "3EB0A0C1D2E3F4A5B6C7" },
            "message": { "protocolMessage": { "key": { "remoteJid": "5511999999999@s.whatsapp.net", "fromMe": true, "id": "3EB0A0C1D2E3F4A5B6C7" }, "type": "REVOKE" } },
            "messageTimestamp": 1709312400,
            "status": "PENDING"
        })),
        (status = 400, body = EvoErrorBody), (status = 401, body = EvoErrorBody),
        (status = 403, description = "Not your message, already deleted, or too late", body = EvoErrorBody),
        (status = 404, description = "No such instance, or no such message in the chat", body = EvoErrorBody),
        (status = 501, body = EvoErrorBody),
    )
)]
pub async fn delete_message_for_everyone(
    State(gateway): State<Arc<Gateway>>,
    EvoCaller(caller): EvoCaller,
    Path(instance): Path<String>,
    body: Bytes,
) -> EvoResult<Response> {
    let request: DeleteRequest = body::json(&body)?;
    let id = required(&request.id, "id")?;
    let chat = jid_of(required(&request.remote_jid, "remoteJid")?);
    request.from_me.ok_or_else(|| missing("fromMe"))?;
    let (_, message) = gateway
        .find_instance_message(&caller, &instance, id, Some(&chat))
        .await
        .map_err(on(&instance))?;
    gateway
        .revoke_message(&caller, &message.id.to_string())
        .await
        .map_err(on(&instance))?;
    created(protocol_answer(&chat, id, "REVOKE", json!({})))
}

#[derive(Debug, Default, Deserialize)]
struct UpdateRequest {
    number: Option<String>,
    key: Option<UpdateKey>,
    text: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
struct UpdateKey {
    id: Option<String>,
}

/// Edit the text of one of your own text messages in the chat `number`, within WhatsApp's
/// 15 minutes.
#[utoipa::path(
    post, path = "/chat/updateMessage/{instance}", tag = TAG,
    params(("instance" = String, Path, description = "The instance's name")),
    request_body(content = Object, example = json!({
        "number": "5511999999999",
        "key": { "id": "3EB0A0C1D2E3F4A5B6C7", "fromMe": true, "remoteJid": "5511999999999@s.whatsapp.net" },
        "text": "Hello (edited)"
    })),
    responses(
        (status = 200, description = "Edited", body = Object, example = json!({
            "key": { "remoteJid": "5511999999999@s.whatsapp.net", "fromMe": true, "id": "3EB0A0C1D2E3F4A5B6C7" },
            "message": { "protocolMessage": {
                "key": { "remoteJid": "5511999999999@s.whatsapp.net", "fromMe": true, "id": "3EB0A0C1D2E3F4A5B6C7" },
                "type": "MESSAGE_EDIT",
                "editedMessage": { "conversation": "Hello (edited)" }
            } },
            "messageTimestamp": 1709312400,
            "status": "PENDING"
        })),
        (status = 400, body = EvoErrorBody), (status = 401, body = EvoErrorBody),
        (status = 403, description = "Not your message, not text, deleted, or too late", body = EvoErrorBody),
        (status = 404, description = "No such instance, or no such message in the chat", body = EvoErrorBody),
        (status = 501, body = EvoErrorBody),
    )
)]
pub async fn update_message(
    State(gateway): State<Arc<Gateway>>,
    EvoCaller(caller): EvoCaller,
    Path(instance): Path<String>,
    body: Bytes,
) -> EvoResult<Response> {
    let request: UpdateRequest = body::json(&body)?;
    let chat = jid_of(required(&request.number, "number")?);
    let key = request.key.ok_or_else(|| missing("key"))?;
    let id = required(&key.id, "id")?;
    let text = request.text.clone().ok_or_else(|| missing("text"))?;
    let (_, message) = gateway
        .find_instance_message(&caller, &instance, id, Some(&chat))
        .await
        .map_err(on(&instance))?;
    gateway
        .edit_message(
            &caller,
            &message.id.to_string(),
            EditRequest {
                text: Some(text.clone()),
            },
        )
        .await
        .map_err(on(&instance))?;
    ok(protocol_answer(
        &chat,
        id,
        "MESSAGE_EDIT",
        json!({ "editedMessage": { "conversation": text } }),
    ))
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Base64Request {
    message: Option<Base64Message>,
    convert_to_mp4: Option<bool>,
}

#[derive(Debug, Default, Deserialize)]
struct Base64Message {
    key: Option<UpdateKey>,
}

/// A file name for an unnamed file: the message's id and the type's usual extension.
fn file_name(key_id: &str, mimetype: &str) -> String {
    let subtype = mimetype
        .split(';')
        .next()
        .unwrap_or_default()
        .rsplit('/')
        .next()
        .unwrap_or("bin")
        .trim();
    let extension = match subtype {
        "jpeg" | "jpg" => "jpeg",
        "mpeg" => "mp3",
        "quicktime" => "mov",
        "vnd.openxmlformats-officedocument.wordprocessingml.document" => "docx",
        "vnd.openxmlformats-officedocument.spreadsheetml.sheet" => "xlsx",
        "plain" => "txt",
        other if other.chars().all(|c| c.is_ascii_alphanumeric()) && !other.is_empty() => other,
        _ => "bin",
    };
    format!("{key_id}.{extension}")
}

fn caption(content: &MessageContent) -> Option<&str> {
    match content {
        MessageContent::Image { caption, .. }
        | MessageContent::Video { caption, .. }
        | MessageContent::Document { caption, .. } => caption.as_deref(),
        _ => None,
    }
}

/// The file of a media message (sent or received), inline as base64, by WhatsApp's id for the
/// message (`message.key.id`). wagate keeps every media message's file, so this works after
/// WhatsApp's CDN has dropped it too.
#[utoipa::path(
    post, path = "/chat/getBase64FromMediaMessage/{instance}", tag = TAG,
    params(("instance" = String, Path, description = "The instance's name")),
    request_body(content = Object, example = json!({ "message": { "key": { "id": "3EB0A0C1D2E3F4A5B6C7" } }, "convertToMp4": false })),
    responses(
        (status = 201, description = "The file", body = Object, example = json!({
            "mediaType": "imageMessage",
            "fileName": "3EB0A0C1D2E3F4A5B6C7.jpeg",
            "caption": "The new menu",
            "size": { "fileLength": "48213", "height": null, "width": null },
            "mimetype": "image/jpeg",
            "base64": "/9j/4AAQSkZJRgABAQAAAQABAAD...",
            "buffer": null
        })),
        (status = 400, description = "Not a media message", body = EvoErrorBody),
        (status = 401, body = EvoErrorBody),
        (status = 404, description = "No such instance or message", body = EvoErrorBody),
        (status = 501, description = "`convertToMp4` for audio", body = EvoErrorBody),
    )
)]
pub async fn get_base64_from_media_message(
    State(gateway): State<Arc<Gateway>>,
    EvoCaller(caller): EvoCaller,
    Path(instance): Path<String>,
    body: Bytes,
) -> EvoResult<Response> {
    let request: Base64Request = body::json(&body)?;
    let key = request
        .message
        .and_then(|message| message.key)
        .ok_or_else(|| missing("message.key"))?;
    let id = required(&key.id, "id")?;
    let (message, file, bytes) = gateway
        .message_file(&caller, &instance, id)
        .await
        .map_err(on(&instance))?;
    if request.convert_to_mp4 == Some(true)
        && matches!(message.content, MessageContent::Audio { .. })
    {
        return Err(EvoError::not_implemented(
            "Converting audio to MP4 (convertToMp4)",
        ));
    }
    let (media_type, _) = shapes::content(&message.content, &message.chat_jid);
    let name = message
        .content
        .media()
        .and_then(|media| media.file_name.clone())
        .or(file.file_name)
        .unwrap_or_else(|| file_name(id, &file.mimetype));
    created(json!({
        "mediaType": media_type,
        "fileName": name,
        "caption": caption(&message.content),
        "size": { "fileLength": file.size.to_string(), "height": null, "width": null },
        "mimetype": file.mimetype,
        "base64": base64::engine::general_purpose::STANDARD.encode(&bytes),
        "buffer": null,
    }))
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct FindMessagesRequest {
    #[serde(rename = "where")]
    filter: Option<MessageFilter>,
    page: Option<Value>,
    offset: Option<Value>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct MessageFilter {
    id: Option<String>,
    key: Option<MessageKeyFilter>,
    message_type: Option<String>,
    message_timestamp: Option<TimestampFilter>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct MessageKeyFilter {
    id: Option<String>,
    from_me: Option<bool>,
    remote_jid: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
struct TimestampFilter {
    gte: Option<Value>,
    lte: Option<Value>,
}

/// A time as JavaScript's `new Date(…)` takes it in Evolution: milliseconds since 1970, or a
/// date (`2024-03-01`) or date and time (RFC 3339).
fn instant(value: Option<&Value>, field: &str) -> EvoResult<Option<DateTime<Utc>>> {
    let bad = || {
        EvoError::bad_request(format!(
            "{field} must be a date (2024-03-01, 2024-03-01T10:00:00Z) or milliseconds since 1970"
        ))
    };
    match value {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Number(ms)) => ms
            .as_f64()
            .and_then(|ms| DateTime::from_timestamp_millis(ms as i64))
            .map(Some)
            .ok_or_else(bad),
        Some(Value::String(text)) => {
            let text = text.trim();
            if let Ok(at) = DateTime::parse_from_rfc3339(text) {
                return Ok(Some(at.with_timezone(&Utc)));
            }
            if let Ok(day) = NaiveDate::parse_from_str(text, "%Y-%m-%d") {
                return Ok(day.and_hms_opt(0, 0, 0).map(|at| at.and_utc()));
            }
            text.parse::<i64>()
                .ok()
                .and_then(DateTime::from_timestamp_millis)
                .map(Some)
                .ok_or_else(bad)
        }
        Some(_) => Err(bad()),
    }
}

/// Find the instance's messages, newest first: by WhatsApp's id (`where.key.id`) or
/// wagate's (`where.id`), by chat (`where.key.remoteJid`), sent or received
/// (`where.key.fromMe`), by kind (`where.messageType`: `conversation`, `imageMessage`, …) and
/// by time (`where.messageTimestamp.gte` / `lte`: a date or milliseconds). `offset` is the
/// page size (default 50, at most 500) and `page` the page from 1.
#[utoipa::path(
    post, path = "/chat/findMessages/{instance}", tag = TAG,
    params(("instance" = String, Path, description = "The instance's name")),
    request_body(content = Object, example = json!({
        "where": {
            "key": { "remoteJid": "5511999999999@s.whatsapp.net", "fromMe": false },
            "messageTimestamp": { "gte": "2024-03-01T00:00:00Z", "lte": "2024-03-31T23:59:59Z" }
        },
        "page": 1,
        "offset": 50
    })),
    responses(
        (status = 200, description = "A page of messages", body = Object, example = json!({ "messages": {
            "total": 1, "pages": 1, "currentPage": 1,
            "records": [{
                "id": "0190f5a2-7c4e-7b1a-9d3e-2f6a8b0c1d2e",
                "key": { "remoteJid": "5511999999999@s.whatsapp.net", "fromMe": false, "id": "3EB0A0C1D2E3F4A5B6C7" },
                "pushName": "Ann",
                "status": "DELIVERY_ACK",
                "message": { "conversation": "Hey, is this available?" },
                "messageType": "conversation",
                "messageTimestamp": 1709312400,
                "instanceId": "ins_0190f5a27c4e7b1a",
                "source": "unknown",
                "MessageUpdate": [{ "status": "DELIVERY_ACK" }]
            }]
        } })),
        (status = 400, body = EvoErrorBody), (status = 401, body = EvoErrorBody),
        (status = 404, body = EvoErrorBody),
    )
)]
pub async fn find_messages(
    State(gateway): State<Arc<Gateway>>,
    EvoCaller(caller): EvoCaller,
    Path(instance): Path<String>,
    body: Bytes,
) -> EvoResult<Response> {
    let request: FindMessagesRequest = body::json(&body)?;
    let filter = request.filter.unwrap_or_default();
    let key = filter.key.unwrap_or_default();
    let size = integer(request.offset.as_ref(), "offset")?.unwrap_or(DEFAULT_PAGE_SIZE);
    let page = integer(request.page.as_ref(), "page")?.unwrap_or(1);
    let message_type = match filter.message_type.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(kind) => match message_types::stored_type(kind) {
            Some(stored) => Some(stored.to_owned()),
            // No message is of a kind wagate does not keep.
            None => {
                return ok(json!({ "messages": {
                    "total": 0, "pages": 0, "currentPage": page, "records": []
                } }));
            }
        },
    };
    let timestamps = filter.message_timestamp.unwrap_or_default();
    let query = MessageQuery {
        id: key.id.or(filter.id).filter(|id| !id.trim().is_empty()),
        chat: key
            .remote_jid
            .filter(|jid| !jid.trim().is_empty())
            .map(|jid| jid_of(&jid)),
        direction: key.from_me.map(|from_me| {
            if from_me {
                Direction::Outbound
            } else {
                Direction::Inbound
            }
        }),
        message_type,
        from: instant(timestamps.gte.as_ref(), "messageTimestamp.gte")?,
        until: instant(timestamps.lte.as_ref(), "messageTimestamp.lte")?,
        limit: Some(size),
        page: Some(page),
    };
    let (record_of, found, page, size) = gateway
        .search_messages(&caller, &instance, query)
        .await
        .map_err(on(&instance))?;
    let records: Vec<Value> = found
        .items
        .iter()
        .map(|message| record(&gateway, &record_of, message))
        .collect();
    ok(json!({ "messages": {
        "total": found.total,
        "pages": (found.total + size - 1) / size,
        "currentPage": page,
        "records": records,
    } }))
}

/// Not in wagate's Evolution dialect: a message's status history as Evolution's
/// `MessageUpdate` rows. `GET /api/v1/messages/{id}` has each message's timeline.
#[utoipa::path(
    post, path = "/chat/findStatusMessage/{instance}", tag = TAG,
    params(("instance" = String, Path, description = "The instance's name")),
    request_body(content = Object, example = json!({ "where": { "id": "3EB0A0C1D2E3F4A5B6C7" } })),
    responses(
        (status = 501, description = "Not available; see GET /api/v1/messages/{id}", body = EvoErrorBody),
    )
)]
pub async fn find_status_message(
    EvoCaller(_caller): EvoCaller,
    Path(_instance): Path<String>,
) -> EvoResult<Response> {
    Err(EvoError::not_implemented(
        "Message status history (findStatusMessage; GET /api/v1/messages/{id} has each message's timeline)",
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_are_read_as_javascript_dates() {
        let at = |value: Value| instant(Some(&value), "gte").unwrap().unwrap();
        assert_eq!(at(json!(1_709_312_400_000_i64)).timestamp(), 1_709_312_400);
        assert_eq!(at(json!("2024-03-01T17:00:00Z")).timestamp(), 1_709_312_400);
        assert_eq!(at(json!("2024-03-01")).timestamp(), 1_709_251_200);
        assert_eq!(at(json!("1709312400000")).timestamp(), 1_709_312_400);
        assert!(instant(Some(&json!("last week")), "gte").is_err());
        assert!(instant(None, "gte").unwrap().is_none());
    }

    #[test]
    fn unnamed_files_get_the_id_and_the_usual_extension() {
        assert_eq!(file_name("ABC", "image/jpeg"), "ABC.jpeg");
        assert_eq!(file_name("ABC", "audio/ogg; codecs=opus"), "ABC.ogg");
        assert_eq!(file_name("ABC", "application/pdf"), "ABC.pdf");
        assert_eq!(file_name("ABC", "weird"), "ABC.weird");
    }
}
