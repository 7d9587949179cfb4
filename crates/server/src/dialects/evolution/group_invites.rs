//! Evolution's group invite routes: a group's invite link, voiding it, sending it to people
//! (as a text through the send queue), what a code leads to, and joining by code.

use super::TAG;
use super::auth::EvoCaller;
use super::body;
use super::error::{EvoError, EvoErrorBody, EvoResult};
use super::group_shapes::{self, metadata};
use super::route::{created, group_jid, missing, ok, on, param};
use crate::services::Gateway;
use crate::services::groups::{JoinAnswer, invite_link};
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;
use serde_json::json;
use std::collections::HashMap;
use std::sync::Arc;

/// The invite code of `?inviteCode=`, or Evolution's 400 without one.
fn code_of(query: &HashMap<String, String>) -> EvoResult<&str> {
    param(query, "inviteCode").ok_or_else(|| EvoError {
        status: StatusCode::BAD_REQUEST,
        messages: vec![
            "The group invite code id needs to be informed in the query".to_owned(),
            "ex: \"inviteCode=F1EX5QZxO181L3TMVP31gY\" (Obtained from group join link)".to_owned(),
        ],
    })
}

/// The group's invite link and code (admins only).
#[utoipa::path(
    get, path = "/group/inviteCode/{instance}", tag = TAG,
    params(
        ("instance" = String, Path, description = "The instance's name"),
        ("groupJid" = String, Query, description = "The group", example = "120363012345678901@g.us"),
    ),
    responses(
        (status = 200, description = "The invite", body = Object, example = json!({
            "inviteUrl": "https://chat.whatsapp.com/F1EX5QZxO181L3TMVP31gY",
            "inviteCode": "F1EX5QZxO181L3TMVP31gY"
        })),
        (status = 400, body = EvoErrorBody), (status = 401, body = EvoErrorBody),
        (status = 403, body = EvoErrorBody), (status = 404, body = EvoErrorBody),
        (status = 501, body = EvoErrorBody),
    )
)]
pub async fn invite_code(
    State(gateway): State<Arc<Gateway>>,
    EvoCaller(caller): EvoCaller,
    Path(instance): Path<String>,
    Query(query): Query<HashMap<String, String>>,
) -> EvoResult<Response> {
    let group = group_jid(None, &query)?;
    let code = gateway
        .group_invite(&caller, &instance, &group, false)
        .await
        .map_err(on(&instance))?;
    ok(json!({ "inviteUrl": invite_link(&code), "inviteCode": code }))
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct InviteRequest {
    group_jid: Option<String>,
    description: Option<String>,
    numbers: Option<Vec<String>>,
}

/// Void the group's invite link and make a new one (admins only).
#[utoipa::path(
    post, path = "/group/revokeInviteCode/{instance}", tag = TAG,
    params(
        ("instance" = String, Path, description = "The instance's name"),
        ("groupJid" = Option<String>, Query, description = "The group, when not in the body"),
    ),
    request_body(content = Object, example = json!({ "groupJid": "120363012345678901@g.us" })),
    responses(
        (status = 201, description = "The new code", body = Object, example = json!({ "revoked": true, "inviteCode": "G2FY6RAyP292M4UNWQ42hZ" })),
        (status = 400, body = EvoErrorBody), (status = 401, body = EvoErrorBody),
        (status = 403, body = EvoErrorBody), (status = 404, body = EvoErrorBody),
        (status = 501, body = EvoErrorBody),
    )
)]
pub async fn revoke_invite_code(
    State(gateway): State<Arc<Gateway>>,
    EvoCaller(caller): EvoCaller,
    Path(instance): Path<String>,
    Query(query): Query<HashMap<String, String>>,
    body: Bytes,
) -> EvoResult<Response> {
    let request: InviteRequest = body::json(&body)?;
    let group = group_jid(request.group_jid.as_deref(), &query)?;
    let code = gateway
        .group_invite(&caller, &instance, &group, true)
        .await
        .map_err(on(&instance))?;
    created(json!({ "revoked": true, "inviteCode": code }))
}

/// Send the group's invite link to each of `numbers` as a text (after `description`),
/// queued like any send: paced, retried and tracked, each with its own delivery events.
#[utoipa::path(
    post, path = "/group/sendInvite/{instance}", tag = TAG,
    params(
        ("instance" = String, Path, description = "The instance's name"),
        ("groupJid" = Option<String>, Query, description = "The group, when not in the body"),
    ),
    request_body(content = Object, example = json!({
        "groupJid": "120363012345678901@g.us",
        "description": "Join the launch team:",
        "numbers": ["5511888888888"]
    })),
    responses(
        (status = 200, description = "Queued", body = Object, example = json!({
            "send": true, "inviteUrl": "https://chat.whatsapp.com/F1EX5QZxO181L3TMVP31gY"
        })),
        (status = 400, body = EvoErrorBody), (status = 401, body = EvoErrorBody),
        (status = 403, body = EvoErrorBody), (status = 404, body = EvoErrorBody),
        (status = 501, body = EvoErrorBody),
    )
)]
pub async fn send_invite(
    State(gateway): State<Arc<Gateway>>,
    EvoCaller(caller): EvoCaller,
    Path(instance): Path<String>,
    Query(query): Query<HashMap<String, String>>,
    body: Bytes,
) -> EvoResult<Response> {
    let request: InviteRequest = body::json(&body)?;
    let group = group_jid(request.group_jid.as_deref(), &query)?;
    let numbers = request.numbers.ok_or_else(|| missing("numbers"))?;
    let (link, _) = gateway
        .send_group_invite(
            &caller,
            &instance,
            &group,
            &numbers,
            request.description.as_deref(),
        )
        .await
        .map_err(on(&instance))?;
    ok(json!({ "send": true, "inviteUrl": link }))
}

/// What an invite code leads to, without joining: the group's metadata.
#[utoipa::path(
    get, path = "/group/inviteInfo/{instance}", tag = TAG,
    params(
        ("instance" = String, Path, description = "The instance's name"),
        ("inviteCode" = String, Query, description = "The code (the end of the invite link)", example = "F1EX5QZxO181L3TMVP31gY"),
    ),
    responses(
        (status = 200, description = "The group", body = Object, example = json!(group_shapes::example())),
        (status = 400, body = EvoErrorBody), (status = 401, body = EvoErrorBody),
        (status = 404, description = "No group has this code", body = EvoErrorBody),
        (status = 501, body = EvoErrorBody),
    )
)]
pub async fn invite_info(
    State(gateway): State<Arc<Gateway>>,
    EvoCaller(caller): EvoCaller,
    Path(instance): Path<String>,
    Query(query): Query<HashMap<String, String>>,
) -> EvoResult<Response> {
    let code = code_of(&query)?;
    let group = gateway
        .group_invite_info(&caller, &instance, code)
        .await
        .map_err(on(&instance))?;
    ok(metadata(&group, true))
}

/// Join a group by its invite code. A group that needs an admin's approval gets a request
/// instead: `accepted` is then `false` and `pendingApproval` `true`.
#[utoipa::path(
    get, path = "/group/acceptInviteCode/{instance}", tag = TAG,
    params(
        ("instance" = String, Path, description = "The instance's name"),
        ("inviteCode" = String, Query, description = "The code (the end of the invite link)", example = "F1EX5QZxO181L3TMVP31gY"),
    ),
    responses(
        (status = 200, description = "Joined, or asked to", body = Object, example = json!({ "accepted": true, "groupJid": "120363012345678901@g.us" })),
        (status = 400, body = EvoErrorBody), (status = 401, body = EvoErrorBody),
        (status = 404, description = "No group has this code", body = EvoErrorBody),
        (status = 501, body = EvoErrorBody),
    )
)]
pub async fn accept_invite_code(
    State(gateway): State<Arc<Gateway>>,
    EvoCaller(caller): EvoCaller,
    Path(instance): Path<String>,
    Query(query): Query<HashMap<String, String>>,
) -> EvoResult<Response> {
    let code = code_of(&query)?;
    match gateway
        .join_group(&caller, &instance, code)
        .await
        .map_err(on(&instance))?
    {
        JoinAnswer::Joined(group) => {
            ok(json!({ "accepted": true, "groupJid": group.jid.to_string() }))
        }
        JoinAnswer::Pending(group) => ok(json!({
            "accepted": false, "groupJid": group.to_string(), "pendingApproval": true,
        })),
    }
}
