//! Evolution's listings of what the instance knows: its contacts (`findContacts`) and its
//! chats with their last message and unread count (`findChats`, `findChatByRemoteJid`), as
//! the gateway saw them.

use super::TAG;
use super::auth::EvoCaller;
use super::body;
use super::chat_messages::record;
use super::error::{EvoError, EvoErrorBody, EvoResult};
use super::route::{integer, jid_of, ok, on, param, phone_of};
use crate::services::{ChatSummary, ContactRecord, Gateway, InstanceRecord, Principal};
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use chrono::{DateTime, SecondsFormat, Utc};
use serde::Deserialize;
use serde_json::{Value, json};
use std::collections::HashMap;
use std::sync::Arc;
use wagate_core::{Jid, JidKind};

/// The pages read when a listing asks for everything: the services' largest.
const CONTACTS_PAGE: i64 = 500;
const CHATS_PAGE: i64 = 200;

fn iso(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Millis, true)
}

fn contact(instance: &InstanceRecord, contact: &ContactRecord) -> Value {
    let jid = format!("{}@s.whatsapp.net", contact.phone);
    json!({
        "id": jid,
        "remoteJid": jid,
        "pushName": contact.push_name.clone().or_else(|| contact.name.clone()),
        "profilePicUrl": null,
        "createdAt": iso(contact.updated_at),
        "updatedAt": iso(contact.updated_at),
        "instanceId": instance.id.as_str(),
        "isGroup": false,
        "isSaved": contact.name.is_some(),
        "type": "contact",
    })
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct ContactFilter {
    id: Option<String>,
    remote_jid: Option<String>,
    push_name: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
struct FindContactsRequest {
    #[serde(rename = "where")]
    filter: Option<ContactFilter>,
    page: Option<Value>,
    offset: Option<Value>,
}

/// Every contact matching `search`, or one page of them when `size` is given.
async fn contacts(
    gateway: &Gateway,
    caller: &Principal,
    instance: &str,
    search: Option<&str>,
    size: Option<i64>,
    page: Option<i64>,
) -> EvoResult<Vec<ContactRecord>> {
    if let Some(size) = size {
        let (found, _, _) = gateway
            .list_contacts(caller, instance, search, Some(size), page)
            .await
            .map_err(on(instance))?;
        return Ok(found.items);
    }
    let mut all = Vec::new();
    for page in 1.. {
        let (found, _, _) = gateway
            .list_contacts(caller, instance, search, Some(CONTACTS_PAGE), Some(page))
            .await
            .map_err(on(instance))?;
        let last = found.items.len() < CONTACTS_PAGE as usize;
        all.extend(found.items);
        if last || all.len() as i64 >= found.total {
            break;
        }
    }
    Ok(all)
}

/// The instance's contacts: the names the number saved and those people show, as the
/// gateway learned them. `where.remoteJid` (or `where.id`) finds one; `where.pushName`
/// matches part of a name; `offset` is the page size and `page` the page (without them,
/// every contact).
#[utoipa::path(
    post, path = "/chat/findContacts/{instance}", tag = TAG,
    params(("instance" = String, Path, description = "The instance's name")),
    request_body(content = Object, example = json!({ "where": { "remoteJid": "5511999999999@s.whatsapp.net" } })),
    responses(
        (status = 200, description = "The contacts", body = [Object], example = json!([{
            "id": "5511999999999@s.whatsapp.net",
            "remoteJid": "5511999999999@s.whatsapp.net",
            "pushName": "Ann",
            "profilePicUrl": null,
            "createdAt": "2024-03-01T17:00:00.000Z",
            "updatedAt": "2024-03-01T17:00:00.000Z",
            "instanceId": "ins_0190f5a27c4e7b1a",
            "isGroup": false,
            "isSaved": true,
            "type": "contact"
        }])),
        (status = 400, body = EvoErrorBody), (status = 401, body = EvoErrorBody),
        (status = 404, body = EvoErrorBody),
    )
)]
pub async fn find_contacts(
    State(gateway): State<Arc<Gateway>>,
    EvoCaller(caller): EvoCaller,
    Path(instance): Path<String>,
    body: Bytes,
) -> EvoResult<Response> {
    let request: FindContactsRequest = body::json(&body)?;
    let filter = request.filter.unwrap_or_default();
    let record = gateway
        .resolve_instance(&caller, &instance)
        .await
        .map_err(on(&instance))?;
    let one = filter
        .remote_jid
        .or(filter.id)
        .filter(|jid| !jid.trim().is_empty());
    if let Some(jid) = one {
        // Only people are contacts; a group or a LID has no entry.
        let phone = phone_of(&jid);
        let found = match Jid::parse(&jid_of(&jid)) {
            Ok(parsed) if parsed.kind() == JidKind::User => gateway
                .find_contact(&caller, &instance, &phone)
                .await
                .map_err(on(&instance))?,
            _ => None,
        };
        return ok(Value::Array(
            found.iter().map(|found| contact(&record, found)).collect(),
        ));
    }
    let size = integer(request.offset.as_ref(), "offset")?;
    let page = integer(request.page.as_ref(), "page")?;
    let search = filter.push_name.as_deref().map(str::trim);
    let found = contacts(&gateway, &caller, &instance, search, size, page).await?;
    ok(Value::Array(
        found.iter().map(|found| contact(&record, found)).collect(),
    ))
}

/// A chat as Evolution's `findChats` shows it.
async fn chat(
    gateway: &Gateway,
    caller: &Principal,
    instance: &str,
    record_of: &InstanceRecord,
    chat: &ChatSummary,
) -> EvoResult<Value> {
    let known = match Jid::parse(&chat.chat_jid).ok().and_then(|jid| jid.phone()) {
        Some(phone) => gateway
            .find_contact(caller, instance, phone.as_str())
            .await
            .map_err(on(instance))?,
        None => None,
    };
    let last = &chat.last_message;
    Ok(json!({
        "id": known.as_ref().map(|_| chat.chat_jid.clone()),
        "remoteJid": chat.chat_jid,
        "pushName": known.as_ref().and_then(|contact| contact.push_name.clone().or_else(|| contact.name.clone())),
        "profilePicUrl": null,
        "updatedAt": iso(last.sent_at.unwrap_or(last.created_at)),
        "windowStart": null,
        "windowExpires": null,
        "windowActive": false,
        "lastMessage": record(gateway, record_of, last),
        "unreadCount": chat.unread,
        "isSaved": known.is_some(),
    }))
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct ChatFilter {
    remote_jid: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
struct FindChatsRequest {
    #[serde(rename = "where")]
    filter: Option<ChatFilter>,
    take: Option<Value>,
    skip: Option<Value>,
}

/// The instance's chats, the most recently active first, with their last message and unread
/// count (chats with a message sent or received through the gateway). `where.remoteJid` finds
/// one; `take` and `skip` page (without them, every chat).
#[utoipa::path(
    post, path = "/chat/findChats/{instance}", tag = TAG,
    params(("instance" = String, Path, description = "The instance's name")),
    request_body(content = Object, example = json!({ "where": {}, "take": 20, "skip": 0 })),
    responses(
        (status = 200, description = "The chats", body = [Object], example = json!([{
            "id": "5511999999999@s.whatsapp.net",
            "remoteJid": "5511999999999@s.whatsapp.net",
            "pushName": "Ann",
            "profilePicUrl": null,
            "updatedAt": "2024-03-01T17:00:00.000Z",
            "windowStart": null,
            "windowExpires": null,
            "windowActive": false,
            "lastMessage": {
                "id": "0190f5a2-7c4e-7b1a-9d3e-2f6a8b0c1d2e",
                "key": { "remoteJid": "5511999999999@s.whatsapp.net", "fromMe": false, "id": "3EB0A0C1D2E3F4A5B6C7" },
                "pushName": "Ann",
                "status": "DELIVERY_ACK",
                "message": { "conversation": "Hey, is this available?" },
                "messageType": "conversation",
                "messageTimestamp": 1709312400,
                "instanceId": "ins_0190f5a27c4e7b1a",
                "source": "unknown"
            },
            "unreadCount": 1,
            "isSaved": true
        }])),
        (status = 400, body = EvoErrorBody), (status = 401, body = EvoErrorBody),
        (status = 404, body = EvoErrorBody),
    )
)]
pub async fn find_chats(
    State(gateway): State<Arc<Gateway>>,
    EvoCaller(caller): EvoCaller,
    Path(instance): Path<String>,
    body: Bytes,
) -> EvoResult<Response> {
    let request: FindChatsRequest = body::json(&body)?;
    let record_of = gateway
        .resolve_instance(&caller, &instance)
        .await
        .map_err(on(&instance))?;
    let wanted = request
        .filter
        .and_then(|filter| filter.remote_jid)
        .filter(|jid| !jid.trim().is_empty());
    let chats: Vec<ChatSummary> = match wanted {
        Some(jid) => gateway
            .chat_summary(&caller, &instance, &jid_of(&jid))
            .await
            .map_err(on(&instance))?
            .into_iter()
            .collect(),
        None => {
            let take = integer(request.take.as_ref(), "take")?;
            let skip = integer(request.skip.as_ref(), "skip")?.unwrap_or(0).max(0) as usize;
            let mut all: Vec<ChatSummary> = Vec::new();
            for page in 1.. {
                let (found, _, _) = gateway
                    .list_chats(&caller, &instance, Some(CHATS_PAGE), Some(page))
                    .await
                    .map_err(on(&instance))?;
                let last = found.items.len() < CHATS_PAGE as usize;
                all.extend(found.items);
                let enough = take.is_some_and(|take| all.len() >= skip + take.max(0) as usize);
                if last || enough || all.len() as i64 >= found.total {
                    break;
                }
            }
            let start = skip.min(all.len());
            let end = take.map_or(all.len(), |take| {
                start.saturating_add(take.max(0) as usize).min(all.len())
            });
            all.drain(start..end).collect()
        }
    };
    let mut answer = Vec::with_capacity(chats.len());
    for summary in &chats {
        answer.push(chat(&gateway, &caller, &instance, &record_of, summary).await?);
    }
    ok(Value::Array(answer))
}

/// One chat by its JID (`?remoteJid=`), as Evolution's chat record; `null` when the instance
/// has no message in it.
#[utoipa::path(
    get, path = "/chat/findChatByRemoteJid/{instance}", tag = TAG,
    params(
        ("instance" = String, Path, description = "The instance's name"),
        ("remoteJid" = String, Query, description = "The chat's JID or phone number", example = "5511999999999@s.whatsapp.net"),
    ),
    responses(
        (status = 200, description = "The chat, or null", body = Object, example = json!({
            "id": "5511999999999@s.whatsapp.net",
            "remoteJid": "5511999999999@s.whatsapp.net",
            "name": "Ann",
            "unreadMessages": 1,
            "updatedAt": "2024-03-01T17:00:00.000Z",
            "instanceId": "ins_0190f5a27c4e7b1a"
        })),
        (status = 400, body = EvoErrorBody), (status = 401, body = EvoErrorBody),
        (status = 404, body = EvoErrorBody),
    )
)]
pub async fn find_chat_by_remote_jid(
    State(gateway): State<Arc<Gateway>>,
    EvoCaller(caller): EvoCaller,
    Path(instance): Path<String>,
    Query(query): Query<HashMap<String, String>>,
) -> EvoResult<Response> {
    let jid = param(&query, "remoteJid")
        .ok_or_else(|| EvoError::bad_request("remoteJid is a required query parameter"))?;
    let record_of = gateway
        .resolve_instance(&caller, &instance)
        .await
        .map_err(on(&instance))?;
    let Some(summary) = gateway
        .chat_summary(&caller, &instance, &jid_of(jid))
        .await
        .map_err(on(&instance))?
    else {
        return ok(Value::Null);
    };
    let shown = chat(&gateway, &caller, &instance, &record_of, &summary).await?;
    ok(json!({
        "id": summary.chat_jid,
        "remoteJid": summary.chat_jid,
        "name": shown["pushName"],
        "unreadMessages": summary.unread,
        "updatedAt": shown["updatedAt"],
        "instanceId": record_of.id.as_str(),
    }))
}
