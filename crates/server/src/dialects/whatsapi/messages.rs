//! The message routes at the root: `POST /send-message`, `POST /messages/bulk`,
//! `GET /messages`, `GET /messages/{id}`, `POST /messages/{id}/retry`.
//!
//! A send names no instance: it goes out from the account's number (the services decide
//! which: its own Cloud API number once credentials are saved, else its only one), or from
//! the one `instance` names when the account has several — without it, 422 names the choices.

use super::TAG;
use super::auth::WaCaller;
use super::body;
use super::error::{WaError, WaErrorBody, WaResult};
use super::reply;
use crate::services::{
    BulkRequest, Gateway, MessageListQuery, MessageRecord, MessageView, SendRequest,
};
use axum::body::Bytes;
use axum::extract::{FromRef, Path, Query, State};
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value, json};
use std::sync::Arc;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use wagate_core::MessageStatus;

/// The sends, whose bodies may carry media inline (the caller sets their limit).
pub fn send_routes<S>() -> OpenApiRouter<S>
where
    S: Clone + Send + Sync + 'static,
    Arc<Gateway>: FromRef<S>,
{
    OpenApiRouter::new()
        .routes(routes!(send_message))
        .routes(routes!(send_bulk))
}

pub fn routes<S>() -> OpenApiRouter<S>
where
    S: Clone + Send + Sync + 'static,
    Arc<Gateway>: FromRef<S>,
{
    OpenApiRouter::new()
        .routes(routes!(list_messages))
        .routes(routes!(get_message))
        .routes(routes!(retry_message))
}

/// What a send's body holds besides the message itself.
struct SendOptions {
    /// The instance to send from (an id or a name), when the account has several.
    instance: Option<String>,
}

/// Takes the dialect's own field out of a send's body: `instance`. `dry_run` stays, for the
/// native send reads it too.
fn take_options(body: &mut Map<String, Value>, at: &str) -> WaResult<SendOptions> {
    let instance = match body.remove("instance") {
        None | Some(Value::Null) => None,
        Some(Value::String(instance)) => Some(instance),
        Some(_) => {
            return Err(WaError::field(
                &format!("{at}instance"),
                "must be an instance id or name",
            ));
        }
    };
    Ok(SendOptions { instance })
}

fn object(value: Value) -> WaResult<Map<String, Value>> {
    match value {
        Value::Object(map) => Ok(map),
        _ => Err(WaError::bad_body("expected a JSON object")),
    }
}

/// When a message waiting for its time (scheduled, or retrying later) will be tried.
fn scheduled_for(message: &MessageRecord) -> Option<String> {
    matches!(
        message.status,
        MessageStatus::Scheduled | MessageStatus::Retrying
    )
    .then(|| reply::time(message.run_at))
}

fn accepted_view(message: &MessageRecord) -> Value {
    json!({
        "id": message.id,
        "status": message.status,
        "scheduledFor": scheduled_for(message),
    })
}

/// A message as `GET /messages/:id` shows it (the timeline only there).
fn message_view(message: &MessageRecord) -> Value {
    json!({
        "id": message.id,
        "to": message.recipient,
        "type": message.content.type_name(),
        "body": message.content.summary(),
        "status": message.status,
        "scheduledFor": scheduled_for(message),
        "sentAt": message.sent_at.map(reply::time),
        "deliveredAt": message.delivered_at.map(reply::time),
        "readAt": message.read_at.map(reply::time),
        "failedAt": message.failed_at.map(reply::time),
        "errorMessage": message.error_message,
        "metadata": message.metadata,
        "createdAt": reply::time(message.created_at),
    })
}

fn detailed_view(details: &MessageView) -> Value {
    let mut view = message_view(&details.message);
    view["timeline"] = details
        .timeline
        .iter()
        .map(|entry| json!({ "status": entry.status, "at": reply::time(entry.at) }))
        .collect();
    view
}

/// Queue a single message; answers 202 at once, delivery is asynchronous. `message` is
/// free-form text (within Meta's 24-hour customer service window on a Cloud API number),
/// `template` a Meta-approved template; any other message type of wagate's native send
/// (`image`, `document`, `location`, …) works too. `instance` picks the number when the
/// account has several. An `Idempotency-Key` header makes retries safe.
#[utoipa::path(
    post, path = "/send-message", tag = TAG,
    params(("Idempotency-Key" = Option<String>, Header, description = "The same key within 24 hours answers the first response again (with `Idempotency-Replayed: true`) instead of sending twice")),
    request_body(content = SendRequest, examples(
        ("template" = (value = json!({ "to": "14155552671", "template": { "name": "hello_world", "language": "en_US" } }))),
        ("text" = (value = json!({ "to": "14155552671", "message": "Hi Sarah! Your order #1234 has shipped.", "metadata": { "orderId": "1234" } }))),
        ("template with variables" = (value = json!({ "to": "14155552671", "template": { "name": "order_ready", "language": "en_US", "components": [{ "type": "body", "parameters": [{ "type": "text", "text": "Sarah" }, { "type": "text", "text": "#1042" }] }] } }))),
        ("scheduled" = (value = json!({ "to": "14155552671", "message": "Reminder: your appointment is tomorrow at 9am.", "sendAt": "2026-04-15T08:00:00.000Z" }))),
        ("from one of several numbers" = (value = json!({ "to": "14155552671", "message": "Hello", "instance": "sales" }))),
    )),
    responses(
        (status = 202, description = "Queued", body = Object, example = json!({ "success": true, "data": { "id": "9dd15ee1-3d3c-44e1-9dd2-8ec6547e7e20", "status": "queued", "scheduledFor": null } })),
        (status = 400, description = "Validation failed (see details)", body = WaErrorBody),
        (status = 401, body = WaErrorBody), (status = 404, description = "No such instance", body = WaErrorBody),
        (status = 409, description = "The number is not connected, or the Idempotency-Key was used for another body", body = WaErrorBody),
        (status = 422, description = "The account has several numbers and `instance` names none", body = WaErrorBody),
        (status = 429, description = "Rate limit hit (see Retry-After)", body = WaErrorBody),
        (status = 503, description = "Sending is paused after repeated WhatsApp errors (see Retry-After)", body = WaErrorBody),
    )
)]
pub async fn send_message(
    State(gateway): State<Arc<Gateway>>,
    caller: WaCaller,
    bytes: Bytes,
) -> WaResult<Response> {
    let mut fields = object(body::json(&bytes)?)?;
    let options = take_options(&mut fields, "")?;
    let request: SendRequest =
        serde_json::from_value(Value::Object(fields)).map_err(WaError::bad_body)?;
    let principal = caller.principal();
    let sender = gateway
        .account_sender(principal, options.instance.as_deref())
        .await
        .map_err(WaError::unprocessable)?;
    let message = gateway.send_from(principal, &sender, request).await?;
    reply::accepted(accepted_view(&message))
}

/// Send many messages in one request; each item takes the fields of a single send. Invalid
/// items are reported by index in `errors`; the valid ones are queued together under one
/// `batchId` (list them with `GET /messages?batchId=`).
#[utoipa::path(
    post, path = "/messages/bulk", tag = TAG,
    request_body(content = Object, example = json!({ "messages": [
        { "to": "14155552671", "message": "Hi Alice, your code is 1234" },
        { "to": "14155552672", "message": "Hi Bob, your code is 5678" },
    ] })),
    responses(
        (status = 202, description = "The valid messages are queued", body = Object, example = json!({ "success": true, "data": {
            "batchId": "a3f9c2d1-…", "totalMessages": 2, "queued": 2, "failedCount": 0, "errors": [],
            "messages": [{ "id": "9dd15ee1-…", "status": "queued", "scheduledFor": null }, { "id": "0192f0c5-…", "status": "queued", "scheduledFor": null }]
        } })),
        (status = 400, description = "No messages, or more than allowed", body = WaErrorBody),
        (status = 401, body = WaErrorBody), (status = 409, body = WaErrorBody),
        (status = 422, description = "The account has several numbers and `instance` names none", body = WaErrorBody),
        (status = 503, body = WaErrorBody),
    )
)]
pub async fn send_bulk(
    State(gateway): State<Arc<Gateway>>,
    caller: WaCaller,
    bytes: Bytes,
) -> WaResult<Response> {
    let mut fields = object(body::json(&bytes)?)?;
    let options = take_options(&mut fields, "")?;
    // A `dry_run` beside `messages` holds for every item that does not say otherwise.
    let batch_dry_run = fields.remove("dry_run").or_else(|| fields.remove("dryRun"));
    let messages = match fields.remove("messages") {
        Some(Value::Array(messages)) => messages,
        None | Some(Value::Null) => return Err(WaError::field("messages", "is required")),
        Some(_) => return Err(WaError::field("messages", "must be an array")),
    };
    let mut items = Vec::with_capacity(messages.len());
    for (index, item) in messages.into_iter().enumerate() {
        let mut item = match item {
            Value::Object(item) => item,
            _ => {
                return Err(WaError::field(
                    &format!("messages[{index}]"),
                    "must be an object",
                ));
            }
        };
        let own = take_options(&mut item, &format!("messages[{index}]."))?;
        if let Some(dry_run) = &batch_dry_run
            && !item.contains_key("dry_run")
            && !item.contains_key("dryRun")
        {
            item.insert("dry_run".to_owned(), dry_run.clone());
        }
        if own.instance.is_some() {
            return Err(WaError::field(
                &format!("messages[{index}].instance"),
                "a batch goes out from one number: name it once, beside messages",
            ));
        }
        items.push(Value::Object(item));
    }
    let principal = caller.principal();
    let sender = gateway
        .account_sender(principal, options.instance.as_deref())
        .await
        .map_err(WaError::unprocessable)?;
    let outcome = gateway
        .send_bulk_from(principal, &sender, BulkRequest { messages: items })
        .await?;
    reply::accepted(json!({
        "batchId": outcome.batch_id,
        "totalMessages": outcome.total,
        "queued": outcome.queued.len(),
        "failedCount": outcome.errors.len(),
        "errors": outcome.errors,
        "messages": outcome.queued.iter().map(accepted_view).collect::<Vec<_>>(),
    }))
}

/// Your sent messages, newest first, a page at a time.
#[utoipa::path(
    get, path = "/messages", tag = TAG, params(MessageListQuery),
    responses(
        (status = 200, description = "A page of messages", body = Object, example = json!({ "success": true, "data": [{
            "id": "9dd15ee1-…", "to": "14155552671", "type": "text", "body": "Hi Sarah! Your order #1234 has shipped.",
            "status": "failed", "scheduledFor": null, "sentAt": null, "deliveredAt": null, "readAt": null,
            "failedAt": "2026-03-28T10:00:02.000Z", "errorMessage": "the number is not on WhatsApp",
            "metadata": { "orderId": "1234" }, "createdAt": "2026-03-28T10:00:00.000Z"
        }], "pagination": { "page": 1, "limit": 50, "total": 1 } })),
        (status = 400, body = WaErrorBody), (status = 401, body = WaErrorBody),
    )
)]
pub async fn list_messages(
    State(gateway): State<Arc<Gateway>>,
    caller: WaCaller,
    Query(mut query): Query<MessageListQuery>,
) -> WaResult<Response> {
    // The seed lists what the account sent; `direction=inbound` shows what it received.
    query.direction.get_or_insert_with(|| "outbound".to_owned());
    let (page, number, limit) = gateway.list_messages(caller.principal(), query).await?;
    Ok(axum::Json(json!({
        "success": true,
        "data": page.items.iter().map(message_view).collect::<Vec<_>>(),
        "pagination": { "page": number, "limit": limit, "total": page.total },
    }))
    .into_response())
}

/// The current status and full delivery history of a message.
#[utoipa::path(
    get, path = "/messages/{id}", tag = TAG,
    params(("id" = String, Path, description = "The id the send answered")),
    responses(
        (status = 200, description = "The message", body = Object, example = json!({ "success": true, "data": {
            "id": "9dd15ee1-…", "to": "14155552671", "type": "text", "body": "Hi Sarah! Your order #1234 has shipped.",
            "status": "delivered", "scheduledFor": null, "sentAt": "2026-03-28T10:00:01.000Z",
            "deliveredAt": "2026-03-28T10:00:04.000Z", "readAt": null, "failedAt": null, "errorMessage": null,
            "metadata": { "orderId": "1234" }, "createdAt": "2026-03-28T10:00:00.000Z",
            "timeline": [
                { "status": "queued", "at": "2026-03-28T10:00:00.000Z" },
                { "status": "sent", "at": "2026-03-28T10:00:01.000Z" },
                { "status": "delivered", "at": "2026-03-28T10:00:04.000Z" }
            ]
        } })),
        (status = 401, body = WaErrorBody), (status = 404, body = WaErrorBody),
    )
)]
pub async fn get_message(
    State(gateway): State<Arc<Gateway>>,
    caller: WaCaller,
    Path(id): Path<String>,
) -> WaResult<Response> {
    let details = gateway.get_message(caller.principal(), &id).await?;
    reply::ok(detailed_view(&details))
}

/// Queue a failed message again. Only messages with status `failed`; others are 409.
#[utoipa::path(
    post, path = "/messages/{id}/retry", tag = TAG,
    params(("id" = String, Path, description = "The id the send answered")),
    responses(
        (status = 202, description = "Queued again", body = Object, example = json!({ "success": true, "data": { "id": "9dd15ee1-…", "status": "queued", "scheduledFor": null } })),
        (status = 401, body = WaErrorBody), (status = 404, body = WaErrorBody),
        (status = 409, description = "The message is not failed", body = WaErrorBody),
    )
)]
pub async fn retry_message(
    State(gateway): State<Arc<Gateway>>,
    caller: WaCaller,
    Path(id): Path<String>,
) -> WaResult<Response> {
    let message = gateway.retry_message(caller.principal(), &id).await?;
    reply::accepted(accepted_view(&message))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn instance_is_taken_out_and_dry_run_left_for_the_send() {
        let mut body =
            object(json!({ "to": "1", "message": "hi", "instance": "sales", "dry_run": true }))
                .unwrap();
        let options = take_options(&mut body, "").unwrap();
        assert_eq!(options.instance.as_deref(), Some("sales"));
        assert!(!body.contains_key("instance"));
        let request: SendRequest = serde_json::from_value(Value::Object(body)).unwrap();
        assert_eq!(request.dry_run, Some(true));
        let mut body = object(json!({ "instance": 3 })).unwrap();
        assert!(take_options(&mut body, "").is_err());
    }
}
