//! Evolution's group member routes: who is in a group, and adding, removing, promoting and
//! demoting participants.

use super::TAG;
use super::auth::EvoCaller;
use super::body;
use super::error::{EvoError, EvoErrorBody, EvoResult};
use super::group_shapes::participant;
use super::route::{created, group_jid, missing, ok, on, required};
use crate::services::{Gateway, MemberAction, MemberOutcome, MemberResult};
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use serde::Deserialize;
use serde_json::{Value, json};
use std::collections::HashMap;
use std::sync::Arc;

/// A group's participants with their role (`admin`: `superadmin`, `admin` or `null`) and the
/// name the gateway knows for them (members only).
#[utoipa::path(
    get, path = "/group/participants/{instance}", tag = TAG,
    params(
        ("instance" = String, Path, description = "The instance's name"),
        ("groupJid" = String, Query, description = "The group", example = "120363012345678901@g.us"),
    ),
    responses(
        (status = 200, description = "The participants", body = Object, example = json!({ "participants": [
            { "id": "5511999999999@s.whatsapp.net", "admin": "superadmin", "name": "Acme Support", "imgUrl": null },
            { "id": "5511888888888@s.whatsapp.net", "admin": null, "name": "Ann", "imgUrl": null }
        ] })),
        (status = 400, body = EvoErrorBody), (status = 401, body = EvoErrorBody),
        (status = 404, body = EvoErrorBody), (status = 501, body = EvoErrorBody),
    )
)]
pub async fn participants(
    State(gateway): State<Arc<Gateway>>,
    EvoCaller(caller): EvoCaller,
    Path(instance): Path<String>,
    Query(query): Query<HashMap<String, String>>,
) -> EvoResult<Response> {
    let group = group_jid(None, &query)?;
    let info = gateway
        .group(&caller, &instance, &group)
        .await
        .map_err(on(&instance))?;
    let mut shown = Vec::with_capacity(info.members.len());
    for member in &info.members {
        let name = match &member.phone {
            Some(phone) => gateway
                .find_contact(&caller, &instance, phone.as_str())
                .await
                .map_err(on(&instance))?
                .and_then(|contact| contact.push_name.or(contact.name)),
            None => None,
        };
        let mut one = participant(member);
        one["name"] = json!(name);
        one["imgUrl"] = Value::Null;
        shown.push(one);
    }
    ok(json!({ "participants": shown }))
}

/// How one participant fared, as WhatsApp's status codes say it.
fn result(result: &MemberResult) -> Value {
    let status = match result.outcome {
        MemberOutcome::Done => 200,
        MemberOutcome::NotOnWhatsApp => 400,
        MemberOutcome::NotMember => 404,
        MemberOutcome::AlreadyMember => 409,
        MemberOutcome::Refused(code) => code,
    };
    json!({ "status": status.to_string(), "jid": result.jid.to_string() })
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct ParticipantsRequest {
    group_jid: Option<String>,
    action: Option<String>,
    participants: Option<Vec<String>>,
}

/// Add, remove, promote or demote participants (admins only); answers each one's WhatsApp
/// status: `200` done, `400` not on WhatsApp, `403` refused by their privacy settings, `404`
/// not a member, `409` already a member.
#[utoipa::path(
    post, path = "/group/updateParticipant/{instance}", tag = TAG,
    params(
        ("instance" = String, Path, description = "The instance's name"),
        ("groupJid" = Option<String>, Query, description = "The group, when not in the body"),
    ),
    request_body(content = Object, example = json!({
        "groupJid": "120363012345678901@g.us", "action": "add", "participants": ["5511888888888"]
    })),
    responses(
        (status = 201, description = "How each participant fared", body = Object, example = json!({ "updateParticipants": [
            { "status": "200", "jid": "5511888888888@s.whatsapp.net" }
        ] })),
        (status = 400, body = EvoErrorBody), (status = 401, body = EvoErrorBody),
        (status = 403, description = "The number is not an admin", body = EvoErrorBody),
        (status = 404, body = EvoErrorBody), (status = 501, body = EvoErrorBody),
    )
)]
pub async fn update_participant(
    State(gateway): State<Arc<Gateway>>,
    EvoCaller(caller): EvoCaller,
    Path(instance): Path<String>,
    Query(query): Query<HashMap<String, String>>,
    body: Bytes,
) -> EvoResult<Response> {
    let request: ParticipantsRequest = body::json(&body)?;
    let group = group_jid(request.group_jid.as_deref(), &query)?;
    let action = match required(&request.action, "action")? {
        "add" => MemberAction::Add,
        "remove" => MemberAction::Remove,
        "promote" => MemberAction::Promote,
        "demote" => MemberAction::Demote,
        _ => {
            return Err(EvoError::bad_request(
                "action is not one of enum values: add,remove,promote,demote",
            ));
        }
    };
    let members = request
        .participants
        .ok_or_else(|| missing("participants"))?;
    let results = gateway
        .change_group_members(&caller, &instance, &group, action, &members)
        .await
        .map_err(on(&instance))?;
    created(json!({ "updateParticipants": results.iter().map(result).collect::<Vec<_>>() }))
}
