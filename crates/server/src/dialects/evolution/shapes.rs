//! wagate's records in the shapes Evolution answers with, shared by its routes and its
//! webhook renderer: a message as Baileys' `WebMessageInfo` the way Evolution prepares it
//! (`key`, `pushName`, `message.<type>Message`, `messageType`, `messageTimestamp`, `status`),
//! and an instance's connection state.

use crate::services::{Direction, InstanceRecord, MessageRecord};
use serde_json::{Map, Value, json};
use wagate_core::{
    ContactCard, InstanceStatus, InteractiveAction, MediaRef, MessageContent, MessageStatus,
};

/// Evolution's connection state: `open`, `connecting` or `close`.
pub fn connection_state(status: InstanceStatus) -> &'static str {
    match status {
        InstanceStatus::Open => "open",
        InstanceStatus::Connecting | InstanceStatus::Qr | InstanceStatus::Pairing => "connecting",
        _ => "close",
    }
}

/// A message status as Evolution names it (`messages.update`, a message's `status`).
pub fn message_status(status: MessageStatus) -> &'static str {
    match status {
        MessageStatus::Queued
        | MessageStatus::Scheduled
        | MessageStatus::Processing
        | MessageStatus::Retrying => "PENDING",
        MessageStatus::Sent => "SERVER_ACK",
        MessageStatus::Delivered => "DELIVERY_ACK",
        MessageStatus::Read => "READ",
        MessageStatus::Played => "PLAYED",
        MessageStatus::Failed | MessageStatus::Cancelled => "ERROR",
        MessageStatus::Simulated => "PENDING",
    }
}

/// `number@s.whatsapp.net` for a bare number; JIDs pass as they are.
pub fn jid_of(address: &str) -> String {
    if address.contains('@') {
        address.to_owned()
    } else {
        format!("{address}@s.whatsapp.net")
    }
}

/// A message as Evolution's send answers, `findMessages` and `messages.upsert` show it.
/// `key_id` is the id WhatsApp knows it by (for an outbound message not sent yet, the one
/// it will carry).
pub fn message_object(message: &MessageRecord, key_id: &str, instance: &InstanceRecord) -> Value {
    let from_me = message.direction == Direction::Outbound;
    let remote_jid = jid_of(&message.chat_jid);
    let mut key = json!({ "remoteJid": remote_jid, "fromMe": from_me, "id": key_id });
    if !from_me
        && remote_jid.ends_with("@g.us")
        && let Some(sender) = &message.sender
    {
        key["participant"] = json!(jid_of(sender));
    }
    let push_name = if from_me {
        instance.me.as_ref().and_then(|me| me.push_name.clone())
    } else {
        message.push_name.clone()
    };
    let (message_type, mut body) = content(&message.content, &remote_jid);
    if let Some(quoted) = &message.reply_to
        && let Some(inner) = body.get_mut(message_type).and_then(Value::as_object_mut)
    {
        inner.insert(
            "contextInfo".to_owned(),
            json!({ "stanzaId": quoted, "remoteJid": remote_jid }),
        );
    }
    let status = if message.revoked_at.is_some() {
        "DELETED"
    } else {
        message_status(message.status)
    };
    json!({
        "key": key,
        "pushName": push_name.unwrap_or_default(),
        "status": status,
        "message": body,
        "messageType": message_type,
        "messageTimestamp": timestamp(message),
        "instanceId": message.instance_id,
        "source": if from_me { "web" } else { "unknown" },
    })
}

/// Unix seconds: when WhatsApp sent it, else when wagate accepted it.
pub fn timestamp(message: &MessageRecord) -> i64 {
    message.sent_at.unwrap_or(message.created_at).timestamp()
}

fn media(media: &MediaRef) -> Map<String, Value> {
    let mut fields = Map::new();
    fields.insert("mimetype".to_owned(), json!(media.mimetype));
    fields.insert("fileLength".to_owned(), json!(media.size.to_string()));
    fields.insert("fileSha256".to_owned(), json!(media.sha256));
    fields.insert("mediaId".to_owned(), json!(media.media_id));
    fields
}

fn with(mut fields: Map<String, Value>, extra: &[(&str, Value)]) -> Value {
    for (name, value) in extra {
        if !value.is_null() {
            fields.insert((*name).to_owned(), value.clone());
        }
    }
    Value::Object(fields)
}

fn vcard(card: &ContactCard) -> Value {
    json!({ "displayName": card.full_name, "vcard": card.to_vcard() })
}

/// Evolution's `messageType` and `message` of a content. Text is `conversation`, as
/// Evolution rewrites `extendedTextMessage`.
pub fn content(content: &MessageContent, remote_jid: &str) -> (&'static str, Value) {
    let (kind, inner) = match content {
        MessageContent::Text { body, .. } => {
            return ("conversation", json!({ "conversation": body.as_str() }));
        }
        MessageContent::Image {
            media: file,
            caption,
            view_once,
        } => (
            "imageMessage",
            with(
                media(file),
                &[("caption", json!(caption)), ("viewOnce", json!(view_once))],
            ),
        ),
        MessageContent::Video {
            media: file,
            caption,
            gif,
            view_once,
        } => (
            "videoMessage",
            with(
                media(file),
                &[
                    ("caption", json!(caption)),
                    ("gifPlayback", json!(gif)),
                    ("viewOnce", json!(view_once)),
                ],
            ),
        ),
        MessageContent::Audio {
            media: file, voice, ..
        } => ("audioMessage", with(media(file), &[("ptt", json!(voice))])),
        MessageContent::Document {
            media: file,
            caption,
            file_name,
        } => (
            "documentMessage",
            with(
                media(file),
                &[
                    ("caption", json!(caption)),
                    ("fileName", json!(file_name)),
                    ("title", json!(file_name)),
                ],
            ),
        ),
        MessageContent::Sticker { media: file } => ("stickerMessage", Value::Object(media(file))),
        MessageContent::Location {
            latitude,
            longitude,
            name,
            address,
        } => (
            "locationMessage",
            json!({
                "degreesLatitude": latitude,
                "degreesLongitude": longitude,
                "name": name,
                "address": address,
            }),
        ),
        MessageContent::Contacts { contacts } => match contacts.as_slice() {
            [one] => ("contactMessage", vcard(one)),
            many => (
                "contactsArrayMessage",
                json!({
                    "displayName": format!("{} contacts", many.len()),
                    "contacts": many.iter().map(vcard).collect::<Vec<_>>(),
                }),
            ),
        },
        MessageContent::Poll {
            name,
            values,
            selectable_count,
        } => (
            "pollCreationMessage",
            json!({
                "name": name,
                "options": values.iter().map(|value| json!({ "optionName": value })).collect::<Vec<_>>(),
                "selectableOptionsCount": selectable_count,
            }),
        ),
        MessageContent::Reaction { target_id, emoji } => (
            "reactionMessage",
            json!({
                "key": { "remoteJid": remote_jid, "id": target_id },
                "text": emoji,
            }),
        ),
        MessageContent::Template {
            name,
            language,
            components,
        } => (
            "templateMessage",
            json!({ "name": name, "language": language, "components": components }),
        ),
        MessageContent::Interactive {
            body,
            header,
            footer,
            action,
        } => interactive(body, header.as_deref(), footer.as_deref(), action),
    };
    (kind, json!({ kind: inner }))
}

fn interactive(
    body: &str,
    header: Option<&str>,
    footer: Option<&str>,
    action: &InteractiveAction,
) -> (&'static str, Value) {
    match action {
        InteractiveAction::Buttons { buttons } => (
            "buttonsMessage",
            json!({
                "contentText": body,
                "headerText": header,
                "footerText": footer,
                "buttons": buttons.iter().map(|button| json!({
                    "buttonId": button.id,
                    "buttonText": { "displayText": button.title },
                    "type": 1,
                })).collect::<Vec<_>>(),
            }),
        ),
        InteractiveAction::List { button, sections } => (
            "listMessage",
            json!({
                "title": header,
                "description": body,
                "footerText": footer,
                "buttonText": button,
                "sections": sections.iter().map(|section| json!({
                    "title": section.title,
                    "rows": section.rows.iter().map(|row| json!({
                        "rowId": row.id,
                        "title": row.title,
                        "description": row.description,
                    })).collect::<Vec<_>>(),
                })).collect::<Vec<_>>(),
            }),
        ),
        InteractiveAction::Cta { display_text, url } => (
            "interactiveMessage",
            json!({
                "body": { "text": body },
                "footer": { "text": footer },
                "nativeFlowMessage": { "buttons": [{
                    "name": "cta_url",
                    "buttonParamsJson": json!({ "display_text": display_text, "url": url }).to_string(),
                }] },
            }),
        ),
    }
}
