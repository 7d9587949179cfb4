//! Chats: list them (last message, unread count), read a chat's messages, mark it read or
//! unread, archive, pin, mute, delete.

use super::AppState;
use super::envelope::{self, Envelope, Pagination};
use super::error::{ApiResult, ErrorBody};
use super::views::MessageJson;
use crate::services::Principal;
use crate::services::chats::muted_for_good;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use wagate_store::ChatSummary;

/// Paging of `GET …/chats` and `GET …/chats/{jid}/messages`.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ChatPageQuery {
    /// Page size, 1 to 200 (default 20).
    pub limit: Option<i64>,
    /// Page number from 1 (default 1).
    pub page: Option<i64>,
}

#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ChatView {
    #[schema(example = "15550002222@s.whatsapp.net")]
    pub jid: String,
    pub is_group: bool,
    /// Messages sent and received in the chat through the gateway.
    pub messages: i64,
    /// Received messages not marked read.
    pub unread_count: i64,
    pub archived: bool,
    pub pinned: bool,
    #[serde(flatten)]
    pub mute: MuteView,
    /// Disappearing messages, in seconds; 0 is off.
    pub disappearing_seconds: u32,
    /// The number marked the chat unread and has not read it since.
    pub marked_unread: bool,
    pub last_message: MessageJson,
}

/// Whether the chat is muted, and until when (`null`: not muted, or muted for good).
#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct MuteView {
    pub muted: bool,
    pub muted_until: Option<DateTime<Utc>>,
}

impl MuteView {
    fn new(until: Option<DateTime<Utc>>, now: DateTime<Utc>) -> Self {
        match until {
            Some(at) if at > now => Self {
                muted: true,
                muted_until: (at != muted_for_good()).then_some(at),
            },
            _ => Self {
                muted: false,
                muted_until: None,
            },
        }
    }
}

/// A chat's state after an action.
#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ChatStateView {
    #[schema(example = "15550002222@s.whatsapp.net")]
    pub jid: String,
    pub archived: bool,
    pub pinned: bool,
    #[serde(flatten)]
    pub mute: MuteView,
    pub disappearing_seconds: u32,
    pub marked_unread: bool,
}

/// A deleted chat.
#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ChatDeletedView {
    #[schema(example = "15550002222@s.whatsapp.net")]
    pub jid: String,
    pub deleted: bool,
}

/// The body of a chat action: `mute` takes `until` (without it, for good), `disappearing`
/// takes `seconds`; the others take none.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ChatActionRequest {
    #[schema(example = "2026-12-24T09:00:00Z")]
    pub until: Option<String>,
    /// 0 (off), 86400, 604800 or 7776000.
    #[schema(example = 604800)]
    pub seconds: Option<u32>,
}

impl ChatView {
    fn new(chat: &ChatSummary, now: DateTime<Utc>) -> Self {
        Self {
            jid: chat.chat_jid.clone(),
            is_group: chat.chat_jid.ends_with("@g.us"),
            messages: chat.messages,
            unread_count: chat.unread,
            archived: chat.state.archived,
            pinned: chat.state.pinned,
            mute: MuteView::new(chat.state.muted_until, now),
            disappearing_seconds: chat.state.disappearing_seconds,
            marked_unread: chat.state.marked_unread,
            last_message: MessageJson::summary(&chat.last_message),
        }
    }
}

#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ChatReadView {
    #[schema(example = "15550002222@s.whatsapp.net")]
    pub jid: String,
    /// How many messages were marked read.
    pub marked: usize,
}

/// The instance's chats, the most recently active first, with their last message and unread
/// count (as the gateway saw them: chats with a message sent or received through it).
#[utoipa::path(
    get, path = "/api/v1/instances/{id}/chats", tag = "chats",
    params(("id" = String, Path, description = "Instance id or name"), ChatPageQuery),
    responses(
        (status = 200, body = Envelope<Vec<ChatView>>),
        (status = 401, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody),
    )
)]
pub async fn list_chats(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<String>,
    Query(query): Query<ChatPageQuery>,
) -> ApiResult<Response> {
    let (chats, page, limit) = state
        .gateway
        .list_chats(&principal, &id, query.limit, query.page)
        .await?;
    Ok(envelope::page(
        chats
            .items
            .iter()
            .map(|chat| ChatView::new(chat, state.gateway.now()))
            .collect::<Vec<_>>(),
        Pagination {
            page,
            limit,
            total: chats.total,
        },
    ))
}

/// A chat's messages, newest first.
#[utoipa::path(
    get, path = "/api/v1/instances/{id}/chats/{jid}/messages", tag = "chats",
    params(
        ("id" = String, Path, description = "Instance id or name"),
        ("jid" = String, Path, description = "The chat: a phone number, or a user or group JID", example = "15550002222"),
        ChatPageQuery,
    ),
    responses(
        (status = 200, body = Envelope<Vec<MessageJson>>),
        (status = 401, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody),
    )
)]
pub async fn chat_messages(
    State(state): State<AppState>,
    principal: Principal,
    Path((id, jid)): Path<(String, String)>,
    Query(query): Query<ChatPageQuery>,
) -> ApiResult<Response> {
    let (messages, page, limit) = state
        .gateway
        .chat_messages(&principal, &id, &jid, query.limit, query.page)
        .await?;
    Ok(envelope::page(
        messages
            .items
            .iter()
            .map(MessageJson::summary)
            .collect::<Vec<_>>(),
        Pagination {
            page,
            limit,
            total: messages.total,
        },
    ))
}

/// Mark the chat's unread received messages read (blue ticks on the sender's phone).
#[utoipa::path(
    post, path = "/api/v1/instances/{id}/chats/{jid}/read", tag = "chats",
    params(
        ("id" = String, Path, description = "Instance id or name"),
        ("jid" = String, Path, description = "The chat: a phone number, or a user or group JID", example = "15550002222"),
    ),
    responses(
        (status = 200, body = Envelope<ChatReadView>),
        (status = 401, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, description = "The number is not open", body = ErrorBody),
        (status = 422, body = ErrorBody), (status = 501, body = ErrorBody),
        (status = 503, body = ErrorBody),
    )
)]
pub async fn mark_read(
    State(state): State<AppState>,
    principal: Principal,
    Path((id, jid)): Path<(String, String)>,
) -> ApiResult<Response> {
    let marked = state.gateway.mark_chat_read(&principal, &id, &jid).await?;
    let chat = crate::services::chats::parse_chat(&jid)?;
    Ok(envelope::ok(ChatReadView {
        jid: chat.to_string(),
        marked,
    }))
}

/// Archive, unarchive, pin, unpin, mute, unmute or mark unread a chat, or set its
/// disappearing messages, on the number's WhatsApp too (`read` clears a mark unread). `mute` takes `{"until": "<RFC 3339>"}` (without it, for
/// good); `disappearing` takes `{"seconds": 0 | 86400 | 604800 | 7776000}`.
#[utoipa::path(
    post, path = "/api/v1/instances/{id}/chats/{jid}/{action}", tag = "chats",
    request_body(content = Option<ChatActionRequest>, description = "With `mute` and `disappearing`"),
    params(
        ("id" = String, Path, description = "Instance id or name"),
        ("jid" = String, Path, description = "The chat: a phone number, or a user or group JID", example = "15550002222"),
        ("action" = String, Path, description = "`archive`, `unarchive`, `pin`, `unpin`, `mute`, `unmute`, `unread` or `disappearing`", example = "archive"),
    ),
    responses(
        (status = 200, body = Envelope<ChatStateView>),
        (status = 401, body = ErrorBody),
        (status = 404, description = "No such instance or action", body = ErrorBody),
        (status = 409, description = "The number is not open", body = ErrorBody),
        (status = 422, body = ErrorBody), (status = 501, body = ErrorBody),
        (status = 503, body = ErrorBody),
    )
)]
pub async fn chat_action(
    State(state): State<AppState>,
    principal: Principal,
    Path((id, jid, action)): Path<(String, String, String)>,
    body: Bytes,
) -> ApiResult<Response> {
    let request: ChatActionRequest = if body.iter().all(u8::is_ascii_whitespace) {
        ChatActionRequest::default()
    } else {
        serde_json::from_slice(&body).map_err(|e| {
            crate::services::ServiceError::field("body", format!("not the JSON expected: {e}"))
        })?
    };
    let (chat, chat_state) = state
        .gateway
        .chat_action(
            &principal,
            &id,
            &jid,
            &action,
            request.until.as_deref(),
            request.seconds,
        )
        .await?;
    Ok(envelope::ok(ChatStateView {
        jid: chat.to_string(),
        archived: chat_state.archived,
        pinned: chat_state.pinned,
        mute: MuteView::new(chat_state.muted_until, state.gateway.now()),
        disappearing_seconds: chat_state.disappearing_seconds,
        marked_unread: chat_state.marked_unread,
    }))
}

/// Delete a chat on the number's WhatsApp (its phone and linked devices). Its messages so far
/// leave the chat list and the chat's messages; their delivery records stay in
/// `GET /api/v1/messages`. The chat shows again with the next message sent or received.
#[utoipa::path(
    delete, path = "/api/v1/instances/{id}/chats/{jid}", tag = "chats",
    params(
        ("id" = String, Path, description = "Instance id or name"),
        ("jid" = String, Path, description = "The chat: a phone number, or a user or group JID", example = "15550002222"),
    ),
    responses(
        (status = 200, body = Envelope<ChatDeletedView>),
        (status = 401, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, description = "The number is not open", body = ErrorBody),
        (status = 422, body = ErrorBody), (status = 501, body = ErrorBody),
        (status = 503, body = ErrorBody),
    )
)]
pub async fn delete_chat(
    State(state): State<AppState>,
    principal: Principal,
    Path((id, jid)): Path<(String, String)>,
) -> ApiResult<Response> {
    let chat = state.gateway.delete_chat(&principal, &id, &jid).await?;
    Ok(envelope::ok(ChatDeletedView {
        jid: chat.to_string(),
        deleted: true,
    }))
}
