//! `/chat/<op>/{instance}`: Evolution's chat routes. This file registers them all and holds
//! those that act on a chat or a number (checking numbers, marking read, archiving, presence,
//! blocking); messages, listings and the profile have files of their own.

use super::auth::EvoCaller;
use super::body;
use super::error::{EvoError, EvoErrorBody, EvoResult};
use super::route::{created, jid_of, missing, ok, on, phone_of, required};
use super::{TAG, chat_lists, chat_messages, profile};
use crate::services::Gateway;
use axum::body::Bytes;
use axum::extract::{FromRef, Path, State};
use axum::response::Response;
use serde::Deserialize;
use serde_json::{Value, json};
use std::sync::Arc;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use wagate_core::{Jid, JidKind, Recipient};

pub fn routes<S>() -> OpenApiRouter<S>
where
    S: Clone + Send + Sync + 'static,
    Arc<Gateway>: FromRef<S>,
{
    OpenApiRouter::new()
        .routes(routes!(whatsapp_numbers))
        .routes(routes!(mark_message_as_read))
        .routes(routes!(archive_chat))
        .routes(routes!(mark_chat_unread))
        .routes(routes!(send_presence))
        .routes(routes!(update_block_status))
        .routes(routes!(chat_messages::delete_message_for_everyone))
        .routes(routes!(chat_messages::update_message))
        .routes(routes!(chat_messages::get_base64_from_media_message))
        .routes(routes!(chat_messages::find_messages))
        .routes(routes!(chat_messages::find_status_message))
        .routes(routes!(chat_lists::find_contacts))
        .routes(routes!(chat_lists::find_chats))
        .routes(routes!(chat_lists::find_chat_by_remote_jid))
        .routes(routes!(profile::fetch_profile_picture_url))
        .routes(routes!(profile::fetch_profile))
        .routes(routes!(profile::fetch_business_profile))
        .routes(routes!(profile::update_profile_name))
        .routes(routes!(profile::update_profile_status))
        .routes(routes!(profile::remove_profile_picture))
        .routes(routes!(profile::fetch_privacy_settings))
        .routes(routes!(profile::update_privacy_settings))
}

/// The chat routes whose body may carry an image inline (base64): they take the larger
/// limit of sends.
pub fn picture_routes<S>() -> OpenApiRouter<S>
where
    S: Clone + Send + Sync + 'static,
    Arc<Gateway>: FromRef<S>,
{
    OpenApiRouter::new().routes(routes!(profile::update_profile_picture))
}

#[derive(Debug, Default, Deserialize)]
struct NumbersRequest {
    numbers: Option<Vec<String>>,
}

/// Whether numbers are on WhatsApp (or, for group ids, whether the number is in the group),
/// one answer per number in the order given. Numbers not yet known are asked in spaced
/// batches and the answers kept a while, so checking many numbers does not risk a ban.
#[utoipa::path(
    post, path = "/chat/whatsappNumbers/{instance}", tag = TAG,
    params(("instance" = String, Path, description = "The instance's name")),
    request_body(content = Object, example = json!({ "numbers": ["5511999999999", "15550000000"] })),
    responses(
        (status = 200, description = "One answer per number", body = [Object], example = json!([
            { "exists": true, "jid": "5511999999999@s.whatsapp.net", "number": "5511999999999", "name": "Ann", "lid": "100000012345678@lid" },
            { "exists": false, "jid": "15550000000@s.whatsapp.net", "number": "15550000000" }
        ])),
        (status = 400, body = EvoErrorBody), (status = 401, body = EvoErrorBody),
        (status = 404, body = EvoErrorBody), (status = 501, body = EvoErrorBody),
    )
)]
pub async fn whatsapp_numbers(
    State(gateway): State<Arc<Gateway>>,
    EvoCaller(caller): EvoCaller,
    Path(instance): Path<String>,
    body: Bytes,
) -> EvoResult<Response> {
    let request: NumbersRequest = body::json(&body)?;
    let numbers = request.numbers.ok_or_else(|| missing("numbers"))?;
    if numbers.is_empty() {
        return Err(EvoError::bad_request(
            "numbers does not meet minimum length of 1",
        ));
    }
    let mut answers: Vec<Option<Value>> = vec![None; numbers.len()];
    // Phone numbers are checked in one call; groups, LIDs and the rest answered on their own.
    let mut phones = Vec::new();
    for (at, number) in numbers.iter().enumerate() {
        let jid = jid_of(number);
        match Jid::parse(&jid) {
            Ok(parsed) if parsed.kind() == JidKind::User => phones.push((at, parsed)),
            Ok(parsed) if parsed.kind() == JidKind::Group => {
                let group = gateway
                    .group(&caller, &instance, &jid)
                    .await
                    .map(Some)
                    .or_else(|error| match error {
                        crate::services::ServiceError::NotFound("instance") => Err(error),
                        crate::services::ServiceError::NotFound(_) => Ok(None),
                        other => Err(other),
                    })
                    .map_err(on(&instance))?;
                answers[at] = Some(match group {
                    Some(group) => json!({
                        "exists": true, "jid": group.jid.to_string(), "number": number, "name": group.subject,
                    }),
                    None => json!({ "exists": false, "jid": jid, "number": number }),
                });
            }
            // WhatsApp answers for LIDs only through messages; Evolution takes them as they are.
            Ok(parsed) if parsed.kind() == JidKind::Lid => {
                answers[at] =
                    Some(json!({ "exists": true, "jid": jid, "number": number, "lid": "lid" }));
            }
            _ => answers[at] = Some(json!({ "exists": false, "jid": jid, "number": number })),
        }
    }
    if !phones.is_empty() {
        let asked: Vec<String> = phones
            .iter()
            .map(|(_, jid)| jid.user().to_owned())
            .collect();
        let checks = gateway
            .check_numbers(&caller, &instance, &asked)
            .await
            .map_err(on(&instance))?;
        for ((at, jid), check) in phones.into_iter().zip(checks) {
            let jid = check
                .jid
                .map_or_else(|| jid.to_string(), |jid| jid.to_string());
            let mut answer = json!({ "exists": check.exists, "jid": jid, "number": numbers[at] });
            if check.exists {
                let known = gateway
                    .find_contact(&caller, &instance, check.number.as_str())
                    .await
                    .map_err(on(&instance))?;
                if let Some(name) = known.and_then(|contact| contact.push_name.or(contact.name)) {
                    answer["name"] = json!(name);
                }
                if let Some(lid) = check.lid {
                    answer["lid"] = json!(lid);
                }
            }
            answers[at] = Some(answer);
        }
    }
    ok(Value::Array(answers.into_iter().flatten().collect()))
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct MessageKey {
    id: Option<String>,
    from_me: Option<bool>,
    remote_jid: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct ReadRequest {
    read_messages: Option<Vec<MessageKey>>,
}

/// Mark received messages read (blue ticks on the sender's phone). Keys of your own messages
/// (`fromMe: true`) are passed over: there is nothing to mark.
#[utoipa::path(
    post, path = "/chat/markMessageAsRead/{instance}", tag = TAG,
    params(("instance" = String, Path, description = "The instance's name")),
    request_body(content = Object, example = json!({ "readMessages": [
        { "id": "3EB0A0C1D2E3F4A5B6C7", "fromMe": false, "remoteJid": "5511999999999@s.whatsapp.net" }
    ] })),
    responses(
        (status = 201, description = "Marked read", body = Object, example = json!({ "message": "Read messages", "read": "success" })),
        (status = 400, body = EvoErrorBody), (status = 401, body = EvoErrorBody),
        (status = 404, description = "No such instance, or no such message in the chat", body = EvoErrorBody),
    )
)]
pub async fn mark_message_as_read(
    State(gateway): State<Arc<Gateway>>,
    EvoCaller(caller): EvoCaller,
    Path(instance): Path<String>,
    body: Bytes,
) -> EvoResult<Response> {
    let request: ReadRequest = body::json(&body)?;
    let keys = request
        .read_messages
        .ok_or_else(|| missing("readMessages"))?;
    if keys.is_empty() {
        return Err(EvoError::bad_request(
            "readMessages does not meet minimum length of 1",
        ));
    }
    // Every key is found before any is marked, so an unknown one changes nothing.
    let mut received = Vec::new();
    for key in &keys {
        let id = required(&key.id, "id")?;
        let chat = required(&key.remote_jid, "remoteJid")?;
        if key.from_me.ok_or_else(|| missing("fromMe"))? {
            continue;
        }
        let (_, message) = gateway
            .find_instance_message(&caller, &instance, id, Some(&jid_of(chat)))
            .await
            .map_err(on(&instance))?;
        received.push(message.id.to_string());
    }
    for id in received {
        gateway
            .mark_read(&caller, &id)
            .await
            .map_err(on(&instance))?;
    }
    created(json!({ "message": "Read messages", "read": "success" }))
}

#[derive(Debug, Default, Deserialize)]
struct LastMessage {
    key: Option<MessageKey>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct ChatRequest {
    last_message: Option<LastMessage>,
    chat: Option<String>,
    archive: Option<bool>,
}

impl ChatRequest {
    /// The chat: `chat`, else the last message's `remoteJid`.
    fn chat(&self) -> EvoResult<String> {
        self.chat
            .as_deref()
            .or_else(|| {
                self.last_message
                    .as_ref()
                    .and_then(|last| last.key.as_ref())
                    .and_then(|key| key.remote_jid.as_deref())
            })
            .map(str::trim)
            .filter(|chat| !chat.is_empty())
            .map(str::to_owned)
            .ok_or_else(|| missing("chat"))
    }
}

/// Archive (`archive: true`) or unarchive a chat, on the number's phone too. The chat comes
/// from `chat`, or from `lastMessage.key.remoteJid`.
#[utoipa::path(
    post, path = "/chat/archiveChat/{instance}", tag = TAG,
    params(("instance" = String, Path, description = "The instance's name")),
    request_body(content = Object, example = json!({ "chat": "5511999999999@s.whatsapp.net", "archive": true })),
    responses(
        (status = 201, description = "Done (`archived` is true for unarchiving too, as Evolution answers)", body = Object, example = json!({ "chatId": "5511999999999@s.whatsapp.net", "archived": true })),
        (status = 400, body = EvoErrorBody), (status = 401, body = EvoErrorBody),
        (status = 404, body = EvoErrorBody), (status = 501, body = EvoErrorBody),
    )
)]
pub async fn archive_chat(
    State(gateway): State<Arc<Gateway>>,
    EvoCaller(caller): EvoCaller,
    Path(instance): Path<String>,
    body: Bytes,
) -> EvoResult<Response> {
    let request: ChatRequest = body::json(&body)?;
    let archive = request.archive.ok_or_else(|| missing("archive"))?;
    let chat = request.chat()?;
    let action = if archive { "archive" } else { "unarchive" };
    gateway
        .chat_action(&caller, &instance, &jid_of(&chat), action, None, None)
        .await
        .map_err(on(&instance))?;
    created(json!({ "chatId": chat, "archived": true }))
}

/// Mark a chat unread on the number's phone (it stays so until it is read). The chat comes
/// from `chat`, or from `lastMessage.key.remoteJid`.
#[utoipa::path(
    post, path = "/chat/markChatUnread/{instance}", tag = TAG,
    params(("instance" = String, Path, description = "The instance's name")),
    request_body(content = Object, example = json!({ "lastMessage": { "key": { "id": "3EB0A0C1D2E3F4A5B6C7", "fromMe": false, "remoteJid": "5511999999999@s.whatsapp.net" } } })),
    responses(
        (status = 201, description = "Marked unread", body = Object, example = json!({ "chatId": "5511999999999@s.whatsapp.net", "markedChatUnread": true })),
        (status = 400, body = EvoErrorBody), (status = 401, body = EvoErrorBody),
        (status = 404, body = EvoErrorBody), (status = 501, body = EvoErrorBody),
    )
)]
pub async fn mark_chat_unread(
    State(gateway): State<Arc<Gateway>>,
    EvoCaller(caller): EvoCaller,
    Path(instance): Path<String>,
    body: Bytes,
) -> EvoResult<Response> {
    let request: ChatRequest = body::json(&body)?;
    let chat = request.chat()?;
    gateway
        .chat_action(&caller, &instance, &jid_of(&chat), "unread", None, None)
        .await
        .map_err(on(&instance))?;
    created(json!({ "chatId": chat, "markedChatUnread": true }))
}

#[derive(Debug, Default, Deserialize)]
struct PresenceRequest {
    number: Option<String>,
    presence: Option<String>,
    delay: Option<f64>,
}

/// Show "typing…" (`composing`) or "recording…" (`recording`) in a chat for `delay`
/// milliseconds, then `paused`; or `paused` at once; or the number `available` or
/// `unavailable` to all its contacts. The request does not wait for the delay: it answers at
/// once, and a later call on the chat replaces what this one showed.
#[utoipa::path(
    post, path = "/chat/sendPresence/{instance}", tag = TAG,
    params(("instance" = String, Path, description = "The instance's name")),
    request_body(content = Object, example = json!({ "number": "5511999999999", "presence": "composing", "delay": 1200 })),
    responses(
        (status = 201, description = "Shown", body = Object, example = json!({ "presence": "composing" })),
        (status = 400, body = EvoErrorBody), (status = 401, body = EvoErrorBody),
        (status = 404, body = EvoErrorBody), (status = 501, body = EvoErrorBody),
    )
)]
pub async fn send_presence(
    State(gateway): State<Arc<Gateway>>,
    EvoCaller(caller): EvoCaller,
    Path(instance): Path<String>,
    body: Bytes,
) -> EvoResult<Response> {
    let request: PresenceRequest = body::json(&body)?;
    let number = required(&request.number, "number")?;
    let presence = required(&request.presence, "presence")?;
    let delay = match request.delay {
        Some(ms) if ms < 0.0 || !ms.is_finite() => {
            return Err(EvoError::bad_request(
                "delay must be 0 or more milliseconds",
            ));
        }
        Some(ms) => Some(ms.round() as u64),
        None => None,
    };
    let chat = jid_of(number);
    if Recipient::parse(&chat).is_err() {
        return Err(EvoError::bad_request(format!(
            "\"{number}\" is not a phone number, a JID or a group id"
        )));
    }
    match presence {
        "available" | "unavailable" => gateway
            .set_presence(&caller, &instance, presence)
            .await
            .map_err(on(&instance))?,
        "composing" | "recording" | "paused" => {
            match delay {
                Some(ms) => gateway
                    .show_chat_presence_for(&caller, &instance, &chat, presence, ms)
                    .await
                    .map_err(on(&instance))?,
                None => gateway
                    .set_chat_presence(&caller, &instance, &chat, presence)
                    .await
                    .map_err(on(&instance))?,
            };
        }
        _ => {
            return Err(EvoError::bad_request(
                "presence is not one of enum values: unavailable,available,composing,recording,paused",
            ));
        }
    }
    created(json!({ "presence": presence }))
}

#[derive(Debug, Default, Deserialize)]
struct BlockRequest {
    number: Option<String>,
    status: Option<String>,
}

/// Block (`status: block`) or unblock a contact: a blocked contact can no longer write to or
/// call the number.
#[utoipa::path(
    post, path = "/chat/updateBlockStatus/{instance}", tag = TAG,
    params(("instance" = String, Path, description = "The instance's name")),
    request_body(content = Object, example = json!({ "number": "5511999999999", "status": "block" })),
    responses(
        (status = 201, description = "Done", body = Object, example = json!({ "block": "success" })),
        (status = 400, body = EvoErrorBody), (status = 401, body = EvoErrorBody),
        (status = 404, body = EvoErrorBody), (status = 501, body = EvoErrorBody),
    )
)]
pub async fn update_block_status(
    State(gateway): State<Arc<Gateway>>,
    EvoCaller(caller): EvoCaller,
    Path(instance): Path<String>,
    body: Bytes,
) -> EvoResult<Response> {
    let request: BlockRequest = body::json(&body)?;
    let number = required(&request.number, "number")?;
    let blocked = match required(&request.status, "status")? {
        "block" => true,
        "unblock" => false,
        _ => {
            return Err(EvoError::bad_request(
                "status is not one of enum values: block,unblock",
            ));
        }
    };
    gateway
        .set_contact_blocked(&caller, &instance, &phone_of(number), blocked)
        .await
        .map_err(on(&instance))?;
    created(json!({ "block": "success" }))
}
