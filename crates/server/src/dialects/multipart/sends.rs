//! Seed 003's JSON routes: text, location, poll, reaction, deleting a message, and the
//! session's groups. Sends go through the same durable queue, pacing, idempotency and
//! tracking as native ones, and answer as soon as the message is queued.

use super::TAG;
use super::bodies::{self, KeyedBody};
use super::error::{Answer, RefusalBody};
use super::session::Session;
use super::shapes;
use crate::services::{Gateway, SendRequest};
use axum::body::Bytes;
use axum::extract::State;
use axum::response::Response;
use serde_json::json;
use std::sync::Arc;

async fn send(gateway: &Gateway, session: &Session, request: SendRequest) -> Answer<Response> {
    let record = gateway
        .send_message(&session.caller, &session.id(), request)
        .await
        .map_err(bodies::seed_fields)?;
    Ok(shapes::ok(
        "message queued for sending",
        shapes::message(gateway, &session.instance, &record),
    ))
}

/// Send a text message to a phone number or a WhatsApp group.
#[utoipa::path(
    post, path = "/api/whatsapp/send-text", tag = TAG,
    request_body(content = Object, examples(
        ("to a number" = (value = json!({ "number": "15550002222", "message": "Hello from the API" }))),
        ("to a group" = (value = json!({ "group": "120363012345678901", "message": "Hello, group" }))),
    )),
    responses(
        (status = 200, description = "Queued", body = Object, example = json!({
            "success": true, "message": "message queued for sending",
            "data": { "messageId": "0192f0c5-e2b4-7a39-b1d2-c3e4f5a6b7c8", "messageKey": "3EB0B430B6F8F1D0E053AC", "status": "queued", "to": "15550002222" }
        })),
        (status = 400, description = "A missing or bad parameter, or a session not connected yet", body = RefusalBody),
        (status = 401, body = RefusalBody), (status = 404, description = "No session for the key", body = RefusalBody),
        (status = 429, body = RefusalBody),
    )
)]
pub async fn send_text(
    State(gateway): State<Arc<Gateway>>,
    session: Session,
    body: Bytes,
) -> Answer<Response> {
    let request = bodies::text(bodies::json(&body)?)?;
    send(&gateway, &session, request).await
}

/// Send a location (GPS coordinates).
#[utoipa::path(
    post, path = "/api/whatsapp/send-location", tag = TAG,
    request_body(content = Object, example = json!({
        "number": "15550002222", "location": { "degreesLatitude": 40.7128, "degreesLongitude": -74.0060 }
    })),
    responses(
        (status = 200, description = "Queued", body = Object, example = json!({
            "success": true, "message": "message queued for sending",
            "data": { "messageId": "0192f0c5-e2b4-7a39-b1d2-c3e4f5a6b7c8", "messageKey": "3EB0B430B6F8F1D0E053AC", "status": "queued", "to": "15550002222" }
        })),
        (status = 400, body = RefusalBody), (status = 401, body = RefusalBody),
        (status = 404, body = RefusalBody), (status = 429, body = RefusalBody),
    )
)]
pub async fn send_location(
    State(gateway): State<Arc<Gateway>>,
    session: Session,
    body: Bytes,
) -> Answer<Response> {
    let request = bodies::location(bodies::json(&body)?)?;
    send(&gateway, &session, request).await
}

/// Send a poll (2 to 12 options; `selectableCount` is how many one person may pick).
#[utoipa::path(
    post, path = "/api/whatsapp/send-poll", tag = TAG,
    request_body(content = Object, example = json!({
        "group": "120363012345678901", "name": "Lunch?", "values": ["Pizza", "Sushi", "Salad"],
        "selectableCount": 1, "toAnnouncementGroup": false
    })),
    responses(
        (status = 200, description = "Queued", body = Object, example = json!({
            "success": true, "message": "message queued for sending",
            "data": { "messageId": "0192f0c5-e2b4-7a39-b1d2-c3e4f5a6b7c8", "messageKey": "3EB0B430B6F8F1D0E053AC", "status": "queued", "to": "15550002222" }
        })),
        (status = 400, body = RefusalBody), (status = 401, body = RefusalBody),
        (status = 404, body = RefusalBody), (status = 429, body = RefusalBody),
    )
)]
pub async fn send_poll(
    State(gateway): State<Arc<Gateway>>,
    session: Session,
    body: Bytes,
) -> Answer<Response> {
    let request = bodies::poll(bodies::json(&body)?)?;
    send(&gateway, &session, request).await
}

/// React to a message with an emoji; an empty `emoji` removes the reaction. `messageKey` is
/// the `messageId` or `messageKey` a send answered, or the id of a received message.
#[utoipa::path(
    post, path = "/api/whatsapp/send-reaction", tag = TAG,
    request_body(content = Object, example = json!({
        "number": "15550002222", "messageKey": "3EB0B430B6F8F1D0E053AC", "emoji": "👍"
    })),
    responses(
        (status = 200, description = "Queued", body = Object, example = json!({
            "success": true, "message": "message queued for sending",
            "data": { "messageId": "0192f0c5-e2b4-7a39-b1d2-c3e4f5a6b7c8", "messageKey": "3EB0B430B6F8F1D0E053AC", "status": "queued", "to": "15550002222" }
        })),
        (status = 400, body = RefusalBody), (status = 401, body = RefusalBody),
        (status = 404, description = "No session for the key, or no such message", body = RefusalBody),
        (status = 429, body = RefusalBody),
    )
)]
pub async fn send_reaction(
    State(gateway): State<Arc<Gateway>>,
    session: Session,
    body: Bytes,
) -> Answer<Response> {
    let body: KeyedBody = bodies::json(&body)?;
    let key = body.message_key()?;
    let (_, target) = gateway
        .find_instance_message(
            &session.caller,
            &session.id(),
            &key,
            body.to.chat().as_deref(),
        )
        .await?;
    let request = bodies::reaction(&body, target.id.to_string());
    send(&gateway, &session, request).await
}

/// Delete one of your messages for everyone.
#[utoipa::path(
    post, path = "/api/whatsapp/delete-message", tag = TAG,
    request_body(content = Object, example = json!({
        "number": "15550002222", "messageKey": "3EB0B430B6F8F1D0E053AC"
    })),
    responses(
        (status = 200, description = "Deleted for everyone", body = Object, example = json!({
            "success": true, "message": "message deleted for everyone",
            "data": { "messageId": "0192f0c5-e2b4-7a39-b1d2-c3e4f5a6b7c8", "messageKey": "3EB0B430B6F8F1D0E053AC", "status": "read", "to": "15550002222" }
        })),
        (status = 400, description = "Not a message of yours, or too old to delete", body = RefusalBody),
        (status = 401, body = RefusalBody),
        (status = 404, description = "No session for the key, or no such message", body = RefusalBody),
    )
)]
pub async fn delete_message(
    State(gateway): State<Arc<Gateway>>,
    session: Session,
    body: Bytes,
) -> Answer<Response> {
    let body: KeyedBody = bodies::json(&body)?;
    let key = body.message_key()?;
    let (_, target) = gateway
        .find_instance_message(
            &session.caller,
            &session.id(),
            &key,
            body.to.chat().as_deref(),
        )
        .await?;
    let revoked = gateway
        .revoke_message(&session.caller, &target.id.to_string())
        .await?;
    Ok(shapes::ok(
        "message deleted for everyone",
        shapes::message(&gateway, &session.instance, &revoked),
    ))
}

/// The WhatsApp groups of the key's session.
#[utoipa::path(
    get, path = "/api/whatsapp/groups", tag = TAG,
    responses(
        (status = 200, description = "The groups", body = Object, example = json!({
            "success": true, "message": "1 group",
            "data": { "count": 1, "groups": [{
                "id": "120363012345678901@g.us", "subject": "Team", "description": null,
                "owner": "15550001111@s.whatsapp.net", "createdAt": "2026-01-02T10:00:00+00:00", "size": 2,
                "participants": [
                    { "id": "15550001111@s.whatsapp.net", "phone": "15550001111", "admin": true },
                    { "id": "15550002222@s.whatsapp.net", "phone": "15550002222", "admin": false }
                ]
            }] }
        })),
        (status = 400, body = RefusalBody), (status = 401, body = RefusalBody),
        (status = 404, body = RefusalBody),
    )
)]
pub async fn groups(State(gateway): State<Arc<Gateway>>, session: Session) -> Answer<Response> {
    let groups = gateway.list_groups(&session.caller, &session.id()).await?;
    let count = groups.len();
    let listed: Vec<_> = groups.iter().map(shapes::group).collect();
    Ok(shapes::ok(
        format!("{count} group{}", if count == 1 { "" } else { "s" }),
        json!({ "count": count, "groups": listed }),
    ))
}
