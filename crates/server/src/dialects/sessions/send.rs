//! `POST /api/v1/send-message`: one message, its type read from the payload (`text`, `image`,
//! `video`, `audio`, `document`, `sticker`, `location`, `contact`, `poll`, with `quoted`,
//! `viewOnce` and `mentions`), sent from the session whose key calls it. The body is the
//! native send's (`SendRequest`) but for what the seed writes differently: `viewOnce` beside
//! the media rather than in it, `quoted` as an object, `sessionId` for a personal access
//! token. The answer carries `messageId` at the top level, as the seed's JavaScript reads it.

use super::TAG;
use super::auth::SessionsCaller;
use super::body;
use super::error::{SessionsError, SessionsErrorBody, SessionsResult};
use super::reply;
use crate::services::{Gateway, MessageRecord, SendRequest, ServiceError};
use axum::Json;
use axum::body::Bytes;
use axum::extract::{FromRef, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value, json};
use std::sync::Arc;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use wagate_core::ErrorCode;

pub fn routes<S>() -> OpenApiRouter<S>
where
    S: Clone + Send + Sync + 'static,
    Arc<Gateway>: FromRef<S>,
{
    OpenApiRouter::new().routes(routes!(send_message))
}

/// The media kinds a `viewOnce` beside them applies to.
const VIEW_ONCE_KINDS: [&str; 3] = ["image", "video", "audio"];

/// The seed's body made the native send's; answers the session it names (`sessionId`).
fn translate(body: &mut Map<String, Value>) -> SessionsResult<Option<String>> {
    let session = match body.remove("sessionId") {
        None | Some(Value::Null) => None,
        Some(Value::String(id)) => Some(id),
        Some(_) => return Err(SessionsError::field("sessionId", "must be a session id")),
    };
    // The seed reads the type from the payload; a `type` beside it says nothing more.
    body.remove("type");
    match body.remove("viewOnce") {
        None | Some(Value::Null) | Some(Value::Bool(false)) => {}
        Some(Value::Bool(true)) => {
            let kind = VIEW_ONCE_KINDS
                .into_iter()
                .find(|kind| body.get(*kind).is_some_and(Value::is_object))
                .ok_or_else(|| {
                    SessionsError::field("viewOnce", "applies to an image, a video or an audio")
                })?;
            body[kind]["viewOnce"] = Value::Bool(true);
        }
        Some(_) => return Err(SessionsError::field("viewOnce", "must be a boolean")),
    }
    if let Some(quoted) = body.remove("quoted") {
        let id = match &quoted {
            Value::String(id) => Some(id.clone()),
            Value::Object(quoted) => ["messageId", "id"]
                .into_iter()
                .find_map(|name| quoted.get(name).and_then(Value::as_str))
                .or_else(|| quoted.get("key")?.get("id")?.as_str())
                .map(str::to_owned),
            _ => None,
        }
        .ok_or_else(|| {
            SessionsError::field(
                "quoted",
                "must be the id of the quoted message (or an object with its messageId)",
            )
        })?;
        body.insert("replyTo".to_owned(), Value::String(id));
    }
    Ok(session)
}

fn accepted_view(message: &MessageRecord) -> Value {
    json!({
        "id": message.id,
        "messageId": message.id,
        "status": message.status,
        "to": message.recipient,
        "type": message.content.type_name(),
        "createdAt": reply::time(message.created_at),
    })
}

/// Send a message from the session whose key calls it (`Authorization: Bearer <session key>`;
/// a personal access token names the session in `sessionId`). The type is read from the
/// payload. Answers 202 at once with `messageId`; delivery is asynchronous (webhooks
/// `message.sent`). On the `sessions` plan, 10 sends a minute per session (429 with
/// `Retry-After` past it).
#[utoipa::path(
    post, path = "/api/v1/send-message", tag = TAG,
    request_body(content = SendRequest, examples(
        ("text" = (value = json!({ "to": "1234567890", "text": "Hello from the API!" }))),
        ("image" = (value = json!({ "to": "1234567890", "image": { "url": "https://example.com/photo.jpg", "caption": "Optional" } }))),
        ("video" = (value = json!({ "to": "1234567890", "video": { "url": "https://example.com/clip.mp4", "caption": "Optional" } }))),
        ("audio" = (value = json!({ "to": "1234567890", "audio": { "url": "https://example.com/note.ogg", "voice": true } }))),
        ("document" = (value = json!({ "to": "1234567890", "document": { "url": "https://example.com/invoice.pdf", "fileName": "invoice.pdf" } }))),
        ("sticker" = (value = json!({ "to": "1234567890", "sticker": { "url": "https://example.com/sticker.webp" } }))),
        ("location" = (value = json!({ "to": "1234567890", "location": { "latitude": 37.7749, "longitude": -122.4194, "name": "San Francisco" } }))),
        ("contact" = (value = json!({ "to": "1234567890", "contact": { "fullName": "John Doe", "phoneNumber": "+1234567890" } }))),
        ("poll" = (value = json!({ "to": "1234567890", "poll": { "name": "Lunch?", "values": ["Pizza", "Sushi"], "selectableCount": 1 } }))),
        ("quoted" = (value = json!({ "to": "1234567890", "text": "Replying to you", "quoted": { "messageId": "0192f0c5-6a4f-7d0e-9a51-3d2f8b1c9e77" } }))),
        ("viewOnce" = (value = json!({ "to": "1234567890", "image": { "url": "https://example.com/photo.jpg" }, "viewOnce": true }))),
        ("mentions" = (value = json!({ "to": "120363025246125244@g.us", "text": "Hi @1234567890", "mentions": ["1234567890"] }))),
    )),
    responses(
        (status = 202, description = "Queued", body = Object, example = json!({
            "success": true, "messageId": "0192f0c5-6a4f-7d0e-9a51-3d2f8b1c9e77",
            "data": { "id": "0192f0c5-6a4f-7d0e-9a51-3d2f8b1c9e77", "messageId": "0192f0c5-6a4f-7d0e-9a51-3d2f8b1c9e77", "status": "queued", "to": "1234567890", "type": "text", "createdAt": "2026-03-28T10:00:00.000Z" }
        })),
        (status = 401, body = SessionsErrorBody), (status = 404, description = "SESSION_NOT_FOUND", body = SessionsErrorBody),
        (status = 409, description = "SESSION_DISCONNECTED: the session was never linked", body = SessionsErrorBody),
        (status = 422, description = "VALIDATION_ERROR (see details)", body = SessionsErrorBody),
        (status = 429, description = "RATE_LIMITED (see Retry-After)", body = SessionsErrorBody),
    )
)]
pub async fn send_message(
    State(gateway): State<Arc<Gateway>>,
    SessionsCaller(principal): SessionsCaller,
    bytes: Bytes,
) -> SessionsResult<Response> {
    let mut fields = match body::json(&bytes)? {
        Value::Object(fields) => fields,
        _ => return Err(SessionsError::bad_body("expected a JSON object")),
    };
    let session = translate(&mut fields)?;
    let request: SendRequest =
        serde_json::from_value(Value::Object(fields)).map_err(SessionsError::bad_body)?;
    let sender = gateway
        .account_sender(&principal, session.as_deref())
        .await
        .map_err(|error| match error {
            // Without a session key or `sessionId`, the account must say which session.
            ServiceError::Validation(mut errors) => {
                for error in &mut errors.0 {
                    if error.field == "instance" {
                        error.field = "sessionId".to_owned();
                        error.message = error.message.replace("'instance'", "'sessionId'");
                    }
                }
                SessionsError::from(ServiceError::Validation(errors))
            }
            other => SessionsError::from(other),
        })?;
    let limited = gateway.count_session_send(&principal, &sender.id).await;
    if let Some(decision) = limited.filter(|decision| !decision.allowed) {
        let mut refused = SessionsError::new(
            StatusCode::TOO_MANY_REQUESTS,
            ErrorCode::RateLimited.as_str(),
            format!(
                "Too many requests: at most {} messages a minute from one session; try again in {} s.",
                decision.limit,
                decision.retry_after_secs()
            ),
        );
        refused.retry_after_secs = Some(decision.retry_after_secs());
        return Err(refused);
    }
    let message = gateway.send_from(&principal, &sender, request).await?;
    Ok((
        StatusCode::ACCEPTED,
        Json(json!({
            "success": true,
            "messageId": message.id,
            "data": accepted_view(&message),
        })),
    )
        .into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn translated(body: Value) -> (Value, Option<String>) {
        let Value::Object(mut map) = body else {
            unreachable!()
        };
        let session = translate(&mut map).unwrap();
        (Value::Object(map), session)
    }

    #[test]
    fn the_seeds_shapes_become_the_native_send() {
        let (body, session) = translated(
            json!({ "to": "1", "image": { "url": "https://e.x/a.jpg" }, "viewOnce": true, "sessionId": "s1" }),
        );
        assert_eq!(session.as_deref(), Some("s1"));
        assert_eq!(body["image"]["viewOnce"], true);
        assert!(body.get("viewOnce").is_none() && body.get("sessionId").is_none());
        let (body, _) =
            translated(json!({ "to": "1", "text": "hi", "quoted": { "messageId": "m1" } }));
        assert_eq!(body["replyTo"], "m1");
        let (body, _) = translated(json!({ "to": "1", "text": "hi", "quoted": "m2" }));
        assert_eq!(body["replyTo"], "m2");
        let Value::Object(mut text) = json!({ "to": "1", "text": "hi", "viewOnce": true }) else {
            unreachable!()
        };
        assert_eq!(
            translate(&mut text).unwrap_err().details[0].field,
            "viewOnce"
        );
        let request: SendRequest = serde_json::from_value(
            json!({ "to": "1", "contact": { "fullName": "John Doe", "phoneNumber": "+1234567890" } }),
        )
        .unwrap();
        assert!(request.contact.is_some());
    }
}
