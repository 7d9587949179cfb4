//! `/api/v1/instances/{id}/messages` and `/api/v1/messages`.

use super::AppState;
use super::envelope::{self, Envelope, Pagination};
use super::error::ApiError;
use super::error::{ApiResult, ErrorBody};
use super::json;
use super::media::multipart_error;
use super::views::{AcceptedMessageView, BulkView, MessageJson};
use crate::dialects::multipart::{FormError, read_file_form};
use crate::services::{BulkRequest, MessageListQuery, Principal, SendRequest};
use axum::extract::{FromRequest, Multipart, Path, Query, Request, State};
use axum::http::header;
use axum::response::Response;
use wagate_core::ErrorCode;

/// Send a message. JSON: one message of any type (`to` and one content field). Multipart
/// (`multipart/form-data`, as seed 003): files in `photos` (up to 10), `videos` (5), `audios`
/// (5) or `files` (5) with `number` or `group`, `caption`, `viewOnce`, `gif`, `voice`; one
/// message per file. Messages are stored and queued before this answers 202 with their ids.
#[utoipa::path(
    post, path = "/api/v1/instances/{id}/messages", tag = "messages",
    params(
        ("id" = String, Path, description = "Instance id or name"),
        ("Idempotency-Key" = Option<String>, Header, description = "Any POST: the same key with the same request within 24 hours answers the first response again (with `Idempotency-Replayed: true`) instead of sending twice; with a different request it is 409 IDEMPOTENCY_CONFLICT. Keys are per account."),
    ),
    request_body(content(
        (SendRequest = "application/json", examples(
            ("text" = (value = json!({ "to": "+1 (555) 000-2222", "text": "Hello", "metadata": { "orderId": "1234" } }))),
            ("image" = (value = json!({ "to": "15550002222", "image": { "url": "https://example.com/photo.jpg", "caption": "Look" } }))),
            ("document" = (value = json!({ "to": "15550002222", "document": { "mediaId": "med_…", "fileName": "invoice.pdf" } }))),
            ("voice note" = (value = json!({ "to": "15550002222", "audio": { "base64": "T2dnUw…", "voice": true } }))),
            ("location" = (value = json!({ "to": "15550002222", "location": { "latitude": 37.7749, "longitude": -122.4194, "name": "San Francisco" } }))),
            ("contact" = (value = json!({ "to": "15550002222", "contact": { "fullName": "John Doe", "phoneNumber": "+1 555 000 3333" } }))),
            ("poll" = (value = json!({ "group": "120363012345678901", "poll": { "name": "Lunch?", "values": ["Pizza", "Sushi"], "selectableCount": 1 } }))),
            ("reaction" = (value = json!({ "reaction": { "messageId": "0192f0c5-…", "emoji": "👍" } }))),
            ("reply with mentions" = (value = json!({ "to": "120363012345678901@g.us", "text": "Agreed", "replyTo": "0192f0c5-…", "mentions": ["15550002222"] }))),
            ("template" = (value = json!({ "to": "15550002222", "template": { "name": "order_ready", "language": "en_US", "components": [{ "type": "body", "parameters": [{ "type": "text", "text": "Sarah" }] }] } }))),
            ("buttons" = (value = json!({ "to": "15550002222", "interactive": { "body": "Confirm?", "buttons": [{ "id": "yes", "title": "Yes" }, { "id": "no", "title": "No" }] } }))),
            ("list" = (value = json!({ "to": "15550002222", "interactive": { "body": "Menu", "list": { "button": "Open", "sections": [{ "title": "Food", "rows": [{ "id": "p", "title": "Pizza" }] }] } } }))),
            ("call to action" = (value = json!({ "to": "15550002222", "interactive": { "body": "Track it", "cta": { "displayText": "Track", "url": "https://example.com/t/1" } } }))),
        )),
        (FileSendForm = "multipart/form-data"),
    )),
    responses(
        (status = 202, description = "Queued: one message (JSON) or one per file (multipart)", body = Envelope<AcceptedMessageView>),
        (status = 400, description = "Malformed JSON or form", body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, description = "The instance was never linked (INSTANCE_NOT_CONNECTED)", body = ErrorBody),
        (status = 413, body = ErrorBody), (status = 415, body = ErrorBody), (status = 422, body = ErrorBody),
        (status = 501, description = "The engine cannot send this type", body = ErrorBody),
    )
)]
pub async fn send_message(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<String>,
    request: Request,
) -> ApiResult<Response> {
    let multipart = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("multipart/form-data"));
    if multipart {
        let form = Multipart::from_request(request, &state)
            .await
            .map_err(|e| {
                ApiError::new(
                    ErrorCode::BadRequest,
                    format!("the multipart body is malformed: {}", e.body_text()),
                )
            })?;
        return send_files(state, principal, id, form).await;
    }
    let bytes = axum::body::to_bytes(request.into_body(), state.limits.send_json)
        .await
        .map_err(|_| ApiError::new(ErrorCode::PayloadTooLarge, "the request body is larger than this server accepts for a send; upload large files with POST /api/v1/media or a multipart send"))?;
    let body: SendRequest = json::parse(&bytes)?;
    let message = state.gateway.send_message(&principal, &id, body).await?;
    Ok(envelope::accepted(AcceptedMessageView::from(&message)))
}

/// The multipart form of a file send (seed 003).
#[derive(utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
#[allow(dead_code)]
pub struct FileSendForm {
    /// Up to 10 images.
    #[schema(value_type = Option<Vec<String>>, format = Binary)]
    photos: Option<Vec<Vec<u8>>>,
    /// Up to 5 videos.
    #[schema(value_type = Option<Vec<String>>, format = Binary)]
    videos: Option<Vec<Vec<u8>>>,
    /// Up to 5 audio files.
    #[schema(value_type = Option<Vec<String>>, format = Binary)]
    audios: Option<Vec<Vec<u8>>>,
    /// Up to 5 documents.
    #[schema(value_type = Option<Vec<String>>, format = Binary)]
    files: Option<Vec<Vec<u8>>>,
    /// The recipient's number (or `group`).
    number: Option<String>,
    group: Option<String>,
    caption: Option<String>,
    view_once: Option<bool>,
    gif: Option<bool>,
    voice: Option<bool>,
}

async fn send_files(
    state: AppState,
    principal: Principal,
    id: String,
    form: Multipart,
) -> ApiResult<Response> {
    let form = read_file_form(&state.gateway, &principal, form, None)
        .await
        .map_err(|error| match error {
            FormError::Read(error) => multipart_error(error),
            FormError::Media(error) => error.into(),
            wrong @ FormError::WrongField { .. } => {
                ApiError::new(ErrorCode::BadRequest, wrong.to_string())
            }
        })?;
    let messages = state
        .gateway
        .send_uploaded_files(&principal, &id, form.options, form.files)
        .await?;
    Ok(envelope::accepted(
        messages
            .iter()
            .map(AcceptedMessageView::from)
            .collect::<Vec<_>>(),
    ))
}

/// List messages, newest first.
#[utoipa::path(
    get, path = "/api/v1/messages", tag = "messages", params(MessageListQuery),
    responses((status = 200, body = Envelope<Vec<MessageJson>>), (status = 401, body = ErrorBody), (status = 422, body = ErrorBody))
)]
pub async fn list_messages(
    State(state): State<AppState>,
    principal: Principal,
    Query(query): Query<MessageListQuery>,
) -> ApiResult<Response> {
    let (page, number, limit) = state.gateway.list_messages(&principal, query).await?;
    let items: Vec<_> = page.items.iter().map(MessageJson::summary).collect();
    Ok(envelope::page(
        items,
        Pagination {
            page: number,
            limit,
            total: page.total,
        },
    ))
}

/// A message with its status timeline.
#[utoipa::path(
    get, path = "/api/v1/messages/{id}", tag = "messages",
    params(("id" = String, Path, description = "Message id")),
    responses((status = 200, body = Envelope<MessageJson>), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody))
)]
pub async fn get_message(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let details = state.gateway.get_message(&principal, &id).await?;
    Ok(envelope::ok(MessageJson::detailed(&details)))
}

/// Send many messages in one request (at most `messages.max_bulk`, 1000 by default). Each item
/// takes the fields of a single send; invalid items are reported by index in `errors` and the
/// valid ones are queued together under one `batchId`.
#[utoipa::path(
    post, path = "/api/v1/instances/{id}/messages/bulk", tag = "messages",
    params(("id" = String, Path, description = "Instance id or name")),
    request_body(content = BulkRequest, example = json!({ "messages": [
        { "to": "14155552671", "text": "Hi Alice, your code is 1234" },
        { "to": "14155552672", "text": "Hi Bob, your code is 5678", "sendAt": "2026-12-24T09:00:00Z" },
    ] })),
    responses(
        (status = 202, description = "The valid messages are queued", body = Envelope<BulkView>),
        (status = 401, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, description = "The instance is not linked", body = ErrorBody),
        (status = 413, body = ErrorBody), (status = 422, description = "No messages, or more than allowed", body = ErrorBody),
    )
)]
pub async fn send_bulk(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<String>,
    request: Request,
) -> ApiResult<Response> {
    let bytes = axum::body::to_bytes(request.into_body(), state.limits.send_json)
        .await
        .map_err(|_| {
            ApiError::new(
                ErrorCode::PayloadTooLarge,
                "the request body is larger than this server accepts for a send",
            )
        })?;
    let body: BulkRequest = json::parse(&bytes)?;
    let outcome = state.gateway.send_bulk(&principal, &id, body).await?;
    Ok(envelope::accepted(BulkView::from(outcome)))
}
