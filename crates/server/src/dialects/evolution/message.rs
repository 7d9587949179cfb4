//! `/message/<op>/{instance}`: Evolution's sends. Each reads Evolution's body, hands the
//! services the same send the native API would (so it is stored, queued, paced and tracked
//! alike, and `Idempotency-Key` replays it), and answers 201 with the message as Evolution
//! prepares it: `PENDING`, keyed by the id WhatsApp will know it by.
//!
//! Evolution waits out `delay` inside the request; here the request answers at once and the
//! queue shows "typing…" (or "recording…" before a voice note) for that long before sending.
//! This file holds the sends without files; `message_media` those that carry one.

use super::auth::EvoCaller;
use super::body;
use super::error::{EvoErrorBody, EvoResult};
use super::message_bodies::{self as bodies, evolution_fields};
use super::message_choices as choices;
use super::route;
use super::route::{created, on};
use super::{TAG, chat_messages, message_media, shapes};
use crate::services::{Gateway, InstanceRecord, SendRequest};
use axum::body::Bytes;
use axum::extract::{FromRef, Path, State};
use axum::response::Response;
use std::sync::Arc;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// The sends whose body is small JSON.
pub fn routes<S>() -> OpenApiRouter<S>
where
    S: Clone + Send + Sync + 'static,
    Arc<Gateway>: FromRef<S>,
{
    OpenApiRouter::new()
        .routes(routes!(send_text))
        .routes(routes!(send_location))
        .routes(routes!(send_contact))
        .routes(routes!(send_reaction))
        .routes(routes!(send_poll))
        .routes(routes!(send_list))
        .routes(routes!(send_buttons))
        .routes(routes!(send_template))
}

/// The sends whose body may carry a file inline (base64) or as a form's `file`: they take
/// the larger limit of uploads.
pub fn media_routes<S>() -> OpenApiRouter<S>
where
    S: Clone + Send + Sync + 'static,
    Arc<Gateway>: FromRef<S>,
{
    OpenApiRouter::new()
        .routes(routes!(message_media::send_media))
        .routes(routes!(message_media::send_ptv))
        .routes(routes!(message_media::send_whatsapp_audio))
        .routes(routes!(message_media::send_sticker))
        .routes(routes!(message_media::send_status))
}

/// Sends `request` through `instance` (named `name` in the path) and answers Evolution's
/// 201 with the message; a refusal names the body's fields as Evolution does (`fields`
/// renames the services' names for this route's content).
pub async fn answer(
    gateway: &Gateway,
    caller: &EvoCaller,
    name: &str,
    instance: &InstanceRecord,
    request: SendRequest,
    fields: &[(&str, &str)],
) -> EvoResult<Response> {
    let record = gateway
        .send_message(&caller.0, name, request)
        .await
        .map_err(|error| on(name)(evolution_fields(error, fields)))?;
    created(shapes::message_object(
        &record,
        &chat_messages::key_id(gateway, instance, &record),
        instance,
    ))
}

/// Send a text message to a number, a group (its JID) or any JID.
#[utoipa::path(
    post, path = "/message/sendText/{instance}", tag = TAG,
    params(("instance" = String, Path, description = "The instance's name")),
    request_body(content = Object, examples(
        ("text" = (value = json!({ "number": "15550002222", "text": "Thanks for your message! We'll get back to you soon." }))),
        ("reply with mentions, after typing" = (value = json!({
            "number": "120363000000000001@g.us",
            "text": "Agreed, @15550002222",
            "delay": 1200,
            "linkPreview": false,
            "quoted": { "key": { "id": "3EB0A0C1D2E3F4A5B6C7", "remoteJid": "120363000000000001@g.us", "fromMe": false }, "message": { "conversation": "Friday?" } },
            "mentioned": ["15550002222"]
        }))),
    )),
    responses(
        (status = 201, description = "Queued; `key.id` is the id WhatsApp will know it by", body = Object, example = json!({
            "key": { "remoteJid": "15550002222@s.whatsapp.net", "fromMe": true, "id": "3EB0B430B6F8F1D0E053AC" },
            "pushName": "Acme Sales",
            "status": "PENDING",
            "message": { "conversation": "Thanks for your message! We'll get back to you soon." },
            "messageType": "conversation",
            "messageTimestamp": 1709312400,
            "instanceId": "ins_0190f5a27c4e7b1a",
            "source": "web"
        })),
        (status = 400, description = "A bad body, or an instance never linked", body = EvoErrorBody),
        (status = 401, body = EvoErrorBody), (status = 404, body = EvoErrorBody),
    )
)]
pub async fn send_text(
    State(gateway): State<Arc<Gateway>>,
    caller: EvoCaller,
    Path(name): Path<String>,
    body: Bytes,
) -> EvoResult<Response> {
    let instance = route::instance(&gateway, &caller.0, &name).await?;
    let request = bodies::text(body::json(&body)?)?;
    answer(&gateway, &caller, &name, &instance, request, &[]).await
}

/// Send a location pin.
#[utoipa::path(
    post, path = "/message/sendLocation/{instance}", tag = TAG,
    params(("instance" = String, Path, description = "The instance's name")),
    request_body(content = Object, example = json!({
        "number": "15550002222", "latitude": 37.7749, "longitude": -122.4194,
        "name": "Acme HQ", "address": "1 Market St, San Francisco"
    })),
    responses(
        (status = 201, description = "Queued", body = Object, example = json!({
            "key": { "remoteJid": "15550002222@s.whatsapp.net", "fromMe": true, "id": "3EB0B430B6F8F1D0E053AC" },
            "pushName": "Acme Sales",
            "status": "PENDING",
            "message": { "locationMessage": { "degreesLatitude": 37.7749, "degreesLongitude": -122.4194, "name": "Acme HQ", "address": "1 Market St, San Francisco" } },
            "messageType": "locationMessage",
            "messageTimestamp": 1709312400,
            "instanceId": "ins_0190f5a27c4e7b1a",
            "source": "web"
        })),
        (status = 400, body = EvoErrorBody), (status = 401, body = EvoErrorBody),
        (status = 404, body = EvoErrorBody),
    )
)]
pub async fn send_location(
    State(gateway): State<Arc<Gateway>>,
    caller: EvoCaller,
    Path(name): Path<String>,
    body: Bytes,
) -> EvoResult<Response> {
    let instance = route::instance(&gateway, &caller.0, &name).await?;
    let request = bodies::location(body::json(&body)?)?;
    answer(
        &gateway,
        &caller,
        &name,
        &instance,
        request,
        &[("location", "")],
    )
    .await
}

/// Send one or more contact cards (vCards).
#[utoipa::path(
    post, path = "/message/sendContact/{instance}", tag = TAG,
    params(("instance" = String, Path, description = "The instance's name")),
    request_body(content = Object, example = json!({
        "number": "15550002222",
        "contact": [{ "fullName": "John Doe", "wuid": "15550003333", "phoneNumber": "+1 555 000 3333", "organization": "Acme", "email": "john@example.com", "url": "https://example.com" }]
    })),
    responses(
        (status = 201, description = "Queued", body = Object, example = json!({
            "key": { "remoteJid": "15550002222@s.whatsapp.net", "fromMe": true, "id": "3EB0B430B6F8F1D0E053AC" },
            "pushName": "Acme Sales",
            "status": "PENDING",
            "message": { "contactMessage": { "displayName": "John Doe", "vcard": "BEGIN:VCARD\nVERSION:3.0\nFN:John Doe\nORG:Acme;\nTEL;type=CELL;type=VOICE;waid=15550003333:+15550003333\nEND:VCARD" } },
            "messageType": "contactMessage",
            "messageTimestamp": 1709312400,
            "instanceId": "ins_0190f5a27c4e7b1a",
            "source": "web"
        })),
        (status = 400, body = EvoErrorBody), (status = 401, body = EvoErrorBody),
        (status = 404, body = EvoErrorBody),
    )
)]
pub async fn send_contact(
    State(gateway): State<Arc<Gateway>>,
    caller: EvoCaller,
    Path(name): Path<String>,
    body: Bytes,
) -> EvoResult<Response> {
    let instance = route::instance(&gateway, &caller.0, &name).await?;
    let request = bodies::contact(body::json(&body)?)?;
    let fields = [("contacts", "contact"), ("contact", "contact")];
    answer(&gateway, &caller, &name, &instance, request, &fields).await
}

/// React to a message with one emoji, or remove your reaction with `""`. The message is
/// named by its key (WhatsApp's id and its chat) and must have reached WhatsApp.
#[utoipa::path(
    post, path = "/message/sendReaction/{instance}", tag = TAG,
    params(("instance" = String, Path, description = "The instance's name")),
    request_body(content = Object, example = json!({
        "key": { "remoteJid": "15550002222@s.whatsapp.net", "fromMe": false, "id": "3EB0A0C1D2E3F4A5B6C7" },
        "reaction": "👍"
    })),
    responses(
        (status = 201, description = "Queued", body = Object, example = json!({
            "key": { "remoteJid": "15550002222@s.whatsapp.net", "fromMe": true, "id": "3EB0B430B6F8F1D0E053AC" },
            "pushName": "Acme Sales",
            "status": "PENDING",
            "message": { "reactionMessage": { "key": { "remoteJid": "15550002222@s.whatsapp.net", "id": "3EB0A0C1D2E3F4A5B6C7" }, "text": "👍" } },
            "messageType": "reactionMessage",
            "messageTimestamp": 1709312400,
            "instanceId": "ins_0190f5a27c4e7b1a",
            "source": "web"
        })),
        (status = 400, description = "A bad body, or not one emoji", body = EvoErrorBody),
        (status = 401, body = EvoErrorBody),
        (status = 403, description = "The message has not reached WhatsApp yet", body = EvoErrorBody),
        (status = 404, description = "No such instance, or no such message in the chat", body = EvoErrorBody),
    )
)]
pub async fn send_reaction(
    State(gateway): State<Arc<Gateway>>,
    caller: EvoCaller,
    Path(name): Path<String>,
    body: Bytes,
) -> EvoResult<Response> {
    let instance = route::instance(&gateway, &caller.0, &name).await?;
    let (target, request) = bodies::reaction(body::json(&body)?)?;
    gateway
        .find_instance_message(&caller.0, &name, &target.id, Some(&target.chat))
        .await
        .map_err(on(&name))?;
    let fields = [
        ("reaction.messageId", "key.id"),
        ("reaction.emoji", "reaction"),
    ];
    answer(&gateway, &caller, &name, &instance, request, &fields).await
}

/// Send a poll.
#[utoipa::path(
    post, path = "/message/sendPoll/{instance}", tag = TAG,
    params(("instance" = String, Path, description = "The instance's name")),
    request_body(content = Object, example = json!({
        "number": "120363000000000001@g.us", "name": "Lunch?", "selectableCount": 1,
        "values": ["Pizza", "Sushi", "Salad"]
    })),
    responses(
        (status = 201, description = "Queued", body = Object, example = json!({
            "key": { "remoteJid": "120363000000000001@g.us", "fromMe": true, "id": "3EB0B430B6F8F1D0E053AC" },
            "pushName": "Acme Sales",
            "status": "PENDING",
            "message": { "pollCreationMessage": { "name": "Lunch?", "options": [{ "optionName": "Pizza" }, { "optionName": "Sushi" }, { "optionName": "Salad" }], "selectableOptionsCount": 1 } },
            "messageType": "pollCreationMessage",
            "messageTimestamp": 1709312400,
            "instanceId": "ins_0190f5a27c4e7b1a",
            "source": "web"
        })),
        (status = 400, body = EvoErrorBody), (status = 401, body = EvoErrorBody),
        (status = 404, body = EvoErrorBody),
    )
)]
pub async fn send_poll(
    State(gateway): State<Arc<Gateway>>,
    caller: EvoCaller,
    Path(name): Path<String>,
    body: Bytes,
) -> EvoResult<Response> {
    let instance = route::instance(&gateway, &caller.0, &name).await?;
    let request = choices::poll(body::json(&body)?)?;
    answer(
        &gateway,
        &caller,
        &name,
        &instance,
        request,
        &[("poll", "")],
    )
    .await
}

/// Send a list message: a button that opens sections of rows to pick from.
#[utoipa::path(
    post, path = "/message/sendList/{instance}", tag = TAG,
    params(("instance" = String, Path, description = "The instance's name")),
    request_body(content = Object, example = json!({
        "number": "15550002222", "title": "Menu", "description": "What would you like?",
        "footerText": "Open until 10pm", "buttonText": "See the menu",
        "sections": [{ "title": "Food", "rows": [
            { "title": "Pizza", "description": "Margherita", "rowId": "pizza" },
            { "title": "Sushi", "rowId": "sushi" }
        ] }]
    })),
    responses(
        (status = 201, description = "Queued", body = Object, example = json!({
            "key": { "remoteJid": "15550002222@s.whatsapp.net", "fromMe": true, "id": "3EB0B430B6F8F1D0E053AC" },
            "pushName": "Acme Sales",
            "status": "PENDING",
            "message": { "listMessage": {
                "title": "Menu", "description": "What would you like?", "footerText": "Open until 10pm", "buttonText": "See the menu",
                "sections": [{ "title": "Food", "rows": [
                    { "rowId": "pizza", "title": "Pizza", "description": "Margherita" },
                    { "rowId": "sushi", "title": "Sushi", "description": null }
                ] }]
            } },
            "messageType": "listMessage",
            "messageTimestamp": 1709312400,
            "instanceId": "ins_0190f5a27c4e7b1a",
            "source": "web"
        })),
        (status = 400, body = EvoErrorBody), (status = 401, body = EvoErrorBody),
        (status = 404, body = EvoErrorBody),
        (status = 501, description = "The instance's engine cannot send lists", body = EvoErrorBody),
    )
)]
pub async fn send_list(
    State(gateway): State<Arc<Gateway>>,
    caller: EvoCaller,
    Path(name): Path<String>,
    body: Bytes,
) -> EvoResult<Response> {
    let instance = route::instance(&gateway, &caller.0, &name).await?;
    let request = choices::list(body::json(&body)?)?;
    let fields = [
        ("interactive.list.button", "buttonText"),
        ("interactive.list", ""),
        ("interactive.header", "title"),
        ("interactive.body", "description"),
        ("interactive.footer", "footerText"),
    ];
    answer(&gateway, &caller, &name, &instance, request, &fields).await
}

/// Send up to three reply buttons, or one link (`url`) button. Copy, call and PIX buttons
/// answer 501: wagate does not send them. A `thumbnailUrl` is not shown.
#[utoipa::path(
    post, path = "/message/sendButtons/{instance}", tag = TAG,
    params(("instance" = String, Path, description = "The instance's name")),
    request_body(content = Object, examples(
        ("reply buttons" = (value = json!({
            "number": "15550002222", "title": "Your order is ready", "description": "Pick it up today?", "footer": "Acme",
            "buttons": [
                { "type": "reply", "displayText": "Yes", "id": "yes" },
                { "type": "reply", "displayText": "Tomorrow", "id": "tomorrow" }
            ]
        }))),
        ("a link" = (value = json!({
            "number": "15550002222", "title": "Your order", "description": "Follow it here",
            "buttons": [{ "type": "url", "displayText": "Track", "url": "https://example.com/t/1" }]
        }))),
    )),
    responses(
        (status = 201, description = "Queued", body = Object, example = json!({
            "key": { "remoteJid": "15550002222@s.whatsapp.net", "fromMe": true, "id": "3EB0B430B6F8F1D0E053AC" },
            "pushName": "Acme Sales",
            "status": "PENDING",
            "message": { "buttonsMessage": {
                "contentText": "Pick it up today?", "headerText": "Your order is ready", "footerText": "Acme",
                "buttons": [
                    { "buttonId": "yes", "buttonText": { "displayText": "Yes" }, "type": 1 },
                    { "buttonId": "tomorrow", "buttonText": { "displayText": "Tomorrow" }, "type": 1 }
                ]
            } },
            "messageType": "buttonsMessage",
            "messageTimestamp": 1709312400,
            "instanceId": "ins_0190f5a27c4e7b1a",
            "source": "web"
        })),
        (status = 400, description = "A bad body (reply buttons mixed with others, more than three)", body = EvoErrorBody),
        (status = 401, body = EvoErrorBody), (status = 404, body = EvoErrorBody),
        (status = 501, description = "Copy, call or PIX buttons, several links, or an engine that cannot send buttons", body = EvoErrorBody),
    )
)]
pub async fn send_buttons(
    State(gateway): State<Arc<Gateway>>,
    caller: EvoCaller,
    Path(name): Path<String>,
    body: Bytes,
) -> EvoResult<Response> {
    let instance = route::instance(&gateway, &caller.0, &name).await?;
    let request = choices::buttons(body::json(&body)?)?;
    let fields = [
        ("interactive.cta.displayText", "buttons[0].displayText"),
        ("interactive.cta", "buttons[0]"),
        ("interactive.buttons", "buttons"),
        ("interactive.header", "title"),
        ("interactive.body", "description"),
        ("interactive.footer", "footer"),
    ];
    answer(&gateway, &caller, &name, &instance, request, &fields).await
}

/// Send an approved template (cloud numbers only; other engines answer 501).
#[utoipa::path(
    post, path = "/message/sendTemplate/{instance}", tag = TAG,
    params(("instance" = String, Path, description = "The instance's name")),
    request_body(content = Object, example = json!({
        "number": "15550002222", "name": "order_ready", "language": "en_US",
        "components": [{ "type": "body", "parameters": [{ "type": "text", "text": "Sarah" }] }]
    })),
    responses(
        (status = 201, description = "Queued", body = Object, example = json!({
            "key": { "remoteJid": "15550002222@s.whatsapp.net", "fromMe": true, "id": "wamid.HBgLMTU1NTAwMDIyMjIVAgARGBI" },
            "pushName": "Acme Sales",
            "status": "PENDING",
            "message": { "templateMessage": { "name": "order_ready", "language": "en_US", "components": [{ "type": "body", "parameters": [{ "type": "text", "text": "Sarah" }] }] } },
            "messageType": "templateMessage",
            "messageTimestamp": 1709312400,
            "instanceId": "ins_0190f5a27c4e7b1a",
            "source": "web"
        })),
        (status = 400, body = EvoErrorBody), (status = 401, body = EvoErrorBody),
        (status = 404, body = EvoErrorBody),
        (status = 501, description = "Not a cloud number", body = EvoErrorBody),
    )
)]
pub async fn send_template(
    State(gateway): State<Arc<Gateway>>,
    caller: EvoCaller,
    Path(name): Path<String>,
    body: Bytes,
) -> EvoResult<Response> {
    let instance = route::instance(&gateway, &caller.0, &name).await?;
    let request = bodies::template(body::json(&body)?)?;
    answer(
        &gateway,
        &caller,
        &name,
        &instance,
        request,
        &[("template", "")],
    )
    .await
}
