//! `/group/<op>/{instance}`: Evolution's group routes. This file registers them all and holds
//! those that create, read and change groups; members and invites have files of their own.
//! The group comes as `groupJid` in the body or the query, `@g.us` added when missing.

use super::auth::EvoCaller;
use super::body;
use super::error::{EvoError, EvoErrorBody, EvoResult};
use super::group_shapes::{self, metadata};
use super::profile::picture_request;
use super::route::{created, group_jid, missing, ok, on, param, required};
use super::{TAG, group_invites, group_members};
use crate::services::groups::{parse_description, parse_ephemeral, parse_members, parse_subject};
use crate::services::{
    Gateway, GroupChange, GroupSettingsChange, MemberAction, NewGroup, ServiceError,
};
use axum::body::Bytes;
use axum::extract::{FromRef, Path, Query, State};
use axum::response::Response;
use serde::Deserialize;
use serde_json::{Value, json};
use std::collections::HashMap;
use std::sync::Arc;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn routes<S>() -> OpenApiRouter<S>
where
    S: Clone + Send + Sync + 'static,
    Arc<Gateway>: FromRef<S>,
{
    OpenApiRouter::new()
        .routes(routes!(create))
        .routes(routes!(update_group_subject))
        .routes(routes!(update_group_description))
        .routes(routes!(find_group_infos))
        .routes(routes!(fetch_all_groups))
        .routes(routes!(update_setting))
        .routes(routes!(toggle_ephemeral))
        .routes(routes!(leave_group))
        .routes(routes!(group_members::participants))
        .routes(routes!(group_members::update_participant))
        .routes(routes!(group_invites::invite_code))
        .routes(routes!(group_invites::revoke_invite_code))
        .routes(routes!(group_invites::send_invite))
        .routes(routes!(group_invites::invite_info))
        .routes(routes!(group_invites::accept_invite_code))
}

/// The group routes whose body may carry an image inline (base64): they take the larger
/// limit of sends.
pub fn picture_routes<S>() -> OpenApiRouter<S>
where
    S: Clone + Send + Sync + 'static,
    Arc<Gateway>: FromRef<S>,
{
    OpenApiRouter::new().routes(routes!(update_group_picture))
}

/// Evolution's answer to a change it has nothing more to say about.
fn updated() -> EvoResult<Response> {
    created(json!({ "update": "success" }))
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct CreateRequest {
    subject: Option<String>,
    participants: Option<Vec<String>>,
    description: Option<String>,
    promote_participants: Option<bool>,
}

/// Create a group with the number as its owner and the `participants` given (numbers
/// without WhatsApp are left out); `promoteParticipants` makes them admins. Answers the
/// group as it is then.
#[utoipa::path(
    post, path = "/group/create/{instance}", tag = TAG,
    params(("instance" = String, Path, description = "The instance's name")),
    request_body(content = Object, example = json!({
        "subject": "Launch team",
        "participants": ["5511888888888"],
        "description": "Everything about the launch",
        "promoteParticipants": false
    })),
    responses(
        (status = 201, description = "Created", body = Object, example = json!(group_shapes::example())),
        (status = 400, body = EvoErrorBody), (status = 401, body = EvoErrorBody),
        (status = 404, body = EvoErrorBody), (status = 501, body = EvoErrorBody),
    )
)]
pub async fn create(
    State(gateway): State<Arc<Gateway>>,
    EvoCaller(caller): EvoCaller,
    Path(instance): Path<String>,
    body: Bytes,
) -> EvoResult<Response> {
    let request: CreateRequest = body::json(&body)?;
    let subject = parse_subject(required(&request.subject, "subject")?)?;
    let participants = request
        .participants
        .ok_or_else(|| missing("participants"))?;
    let group = NewGroup {
        subject,
        members: parse_members("participants", &participants)?,
        description: parse_description(request.description.as_deref())?,
    };
    let mut group = gateway
        .create_group(&caller, &instance, group)
        .await
        .map_err(on(&instance))?;
    if request.promote_participants == Some(true) {
        let jid = group.jid.to_string();
        gateway
            .change_group_members(
                &caller,
                &instance,
                &jid,
                MemberAction::Promote,
                &participants,
            )
            .await
            .map_err(on(&instance))?;
        group = gateway
            .group(&caller, &instance, &jid)
            .await
            .map_err(on(&instance))?;
    }
    created(metadata(&group, true))
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct GroupRequest {
    group_jid: Option<String>,
    subject: Option<String>,
    description: Option<String>,
    image: Option<String>,
    action: Option<String>,
    expiration: Option<Value>,
}

async fn change(
    gateway: &Gateway,
    caller: &crate::services::Principal,
    instance: &str,
    group: &str,
    change: GroupChange,
) -> EvoResult<()> {
    gateway
        .change_group(caller, instance, group, change)
        .await
        .map_err(on(instance))?;
    Ok(())
}

/// Change the group's subject (admins only once the group is locked).
#[utoipa::path(
    post, path = "/group/updateGroupSubject/{instance}", tag = TAG,
    params(
        ("instance" = String, Path, description = "The instance's name"),
        ("groupJid" = Option<String>, Query, description = "The group, when not in the body"),
    ),
    request_body(content = Object, example = json!({ "groupJid": "120363012345678901@g.us", "subject": "Launch team (Q3)" })),
    responses(
        (status = 201, description = "Changed", body = Object, example = json!({ "update": "success" })),
        (status = 400, body = EvoErrorBody), (status = 401, body = EvoErrorBody),
        (status = 403, description = "The group is locked and the number is not an admin", body = EvoErrorBody),
        (status = 404, body = EvoErrorBody), (status = 501, body = EvoErrorBody),
    )
)]
pub async fn update_group_subject(
    State(gateway): State<Arc<Gateway>>,
    EvoCaller(caller): EvoCaller,
    Path(instance): Path<String>,
    Query(query): Query<HashMap<String, String>>,
    body: Bytes,
) -> EvoResult<Response> {
    let request: GroupRequest = body::json(&body)?;
    let group = group_jid(request.group_jid.as_deref(), &query)?;
    let subject = parse_subject(required(&request.subject, "subject")?)?;
    change(
        &gateway,
        &caller,
        &instance,
        &group,
        GroupChange::Subject(subject),
    )
    .await?;
    updated()
}

/// Change the group's description (admins only once the group is locked); an empty one
/// removes it.
#[utoipa::path(
    post, path = "/group/updateGroupDescription/{instance}", tag = TAG,
    params(
        ("instance" = String, Path, description = "The instance's name"),
        ("groupJid" = Option<String>, Query, description = "The group, when not in the body"),
    ),
    request_body(content = Object, example = json!({ "groupJid": "120363012345678901@g.us", "description": "Launch on the 1st; questions here" })),
    responses(
        (status = 201, description = "Changed", body = Object, example = json!({ "update": "success" })),
        (status = 400, body = EvoErrorBody), (status = 401, body = EvoErrorBody),
        (status = 403, body = EvoErrorBody), (status = 404, body = EvoErrorBody),
        (status = 501, body = EvoErrorBody),
    )
)]
pub async fn update_group_description(
    State(gateway): State<Arc<Gateway>>,
    EvoCaller(caller): EvoCaller,
    Path(instance): Path<String>,
    Query(query): Query<HashMap<String, String>>,
    body: Bytes,
) -> EvoResult<Response> {
    let request: GroupRequest = body::json(&body)?;
    let group = group_jid(request.group_jid.as_deref(), &query)?;
    let description = request.description.ok_or_else(|| missing("description"))?;
    let description = parse_description(Some(&description))?;
    change(
        &gateway,
        &caller,
        &instance,
        &group,
        GroupChange::Description(description),
    )
    .await?;
    updated()
}

/// Set the group's picture from a JPEG, PNG or WebP image, given as a URL or as base64
/// (admins only once the group is locked).
#[utoipa::path(
    post, path = "/group/updateGroupPicture/{instance}", tag = TAG,
    params(
        ("instance" = String, Path, description = "The instance's name"),
        ("groupJid" = Option<String>, Query, description = "The group, when not in the body"),
    ),
    request_body(content = Object, example = json!({ "groupJid": "120363012345678901@g.us", "image": "https://example.com/team.jpg" })),
    responses(
        (status = 201, description = "Changed", body = Object, example = json!({ "update": "success" })),
        (status = 400, body = EvoErrorBody), (status = 401, body = EvoErrorBody),
        (status = 403, body = EvoErrorBody), (status = 404, body = EvoErrorBody),
        (status = 413, body = EvoErrorBody), (status = 415, body = EvoErrorBody),
        (status = 501, body = EvoErrorBody),
    )
)]
pub async fn update_group_picture(
    State(gateway): State<Arc<Gateway>>,
    EvoCaller(caller): EvoCaller,
    Path(instance): Path<String>,
    Query(query): Query<HashMap<String, String>>,
    body: Bytes,
) -> EvoResult<Response> {
    let request: GroupRequest = body::json(&body)?;
    let group = group_jid(request.group_jid.as_deref(), &query)?;
    let image = required(&request.image, "image")?;
    gateway
        .set_group_picture(&caller, &instance, &group, Some(picture_request(image)))
        .await
        .map_err(on(&instance))?;
    updated()
}

/// A group's metadata with its participants and its picture's address (members only).
#[utoipa::path(
    get, path = "/group/findGroupInfos/{instance}", tag = TAG,
    params(
        ("instance" = String, Path, description = "The instance's name"),
        ("groupJid" = String, Query, description = "The group", example = "120363012345678901@g.us"),
    ),
    responses(
        (status = 200, description = "The group", body = Object, example = json!(group_shapes::example())),
        (status = 400, body = EvoErrorBody), (status = 401, body = EvoErrorBody),
        (status = 404, description = "No such instance, or a group the number is not in", body = EvoErrorBody),
        (status = 501, body = EvoErrorBody),
    )
)]
pub async fn find_group_infos(
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
    // A picture the number may not see is no picture, as Evolution answers.
    let picture = match gateway.group_picture(&caller, &instance, &group).await {
        Ok(picture) => picture.picture.map(|picture| picture.url),
        Err(ServiceError::NotFound(_) | ServiceError::Forbidden(_)) => None,
        Err(other) => return Err(on(&instance)(other)),
    };
    let mut shown = metadata(&info, true);
    shown["pictureUrl"] = json!(picture);
    ok(shown)
}

/// The groups the number is in; `getParticipants=true` lists each one's participants too
/// (the parameter is required, as in Evolution). Pictures are not looked up here (one
/// request per group): `findGroupInfos` has a group's.
#[utoipa::path(
    get, path = "/group/fetchAllGroups/{instance}", tag = TAG,
    params(
        ("instance" = String, Path, description = "The instance's name"),
        ("getParticipants" = String, Query, description = "`true` or `false`", example = "false"),
    ),
    responses(
        (status = 200, description = "The groups", body = [Object], example = json!([group_shapes::example()])),
        (status = 400, description = "No `getParticipants`", body = EvoErrorBody),
        (status = 401, body = EvoErrorBody), (status = 404, body = EvoErrorBody),
        (status = 501, body = EvoErrorBody),
    )
)]
pub async fn fetch_all_groups(
    State(gateway): State<Arc<Gateway>>,
    EvoCaller(caller): EvoCaller,
    Path(instance): Path<String>,
    Query(query): Query<HashMap<String, String>>,
) -> EvoResult<Response> {
    let with_participants = match param(&query, "getParticipants") {
        Some("true") => true,
        Some("false") => false,
        Some(_) => {
            return Err(EvoError::bad_request(
                "getParticipants is not one of enum values: true,false",
            ));
        }
        None => {
            return Err(EvoError::bad_request(
                "The getParticipants needs to be informed in the query",
            ));
        }
    };
    let groups = gateway
        .list_groups(&caller, &instance)
        .await
        .map_err(on(&instance))?;
    ok(groups
        .iter()
        .map(|group| {
            let mut shown = metadata(group, with_participants);
            shown["pictureUrl"] = Value::Null;
            shown
        })
        .collect())
}

/// Change who may send (`announcement`: admins only, `not_announcement`: everyone) or who
/// may edit the group's info (`locked`: admins only, `unlocked`: everyone); admins only.
#[utoipa::path(
    post, path = "/group/updateSetting/{instance}", tag = TAG,
    params(
        ("instance" = String, Path, description = "The instance's name"),
        ("groupJid" = Option<String>, Query, description = "The group, when not in the body"),
    ),
    request_body(content = Object, example = json!({ "groupJid": "120363012345678901@g.us", "action": "announcement" })),
    responses(
        (status = 201, description = "Changed", body = Object, example = json!({ "updateSetting": true })),
        (status = 400, body = EvoErrorBody), (status = 401, body = EvoErrorBody),
        (status = 403, description = "The number is not an admin", body = EvoErrorBody),
        (status = 404, body = EvoErrorBody), (status = 501, body = EvoErrorBody),
    )
)]
pub async fn update_setting(
    State(gateway): State<Arc<Gateway>>,
    EvoCaller(caller): EvoCaller,
    Path(instance): Path<String>,
    Query(query): Query<HashMap<String, String>>,
    body: Bytes,
) -> EvoResult<Response> {
    let request: GroupRequest = body::json(&body)?;
    let group = group_jid(request.group_jid.as_deref(), &query)?;
    let mut settings = GroupSettingsChange::default();
    match required(&request.action, "action")? {
        "announcement" => settings.announce = Some(true),
        "not_announcement" => settings.announce = Some(false),
        "locked" => settings.locked = Some(true),
        "unlocked" => settings.locked = Some(false),
        _ => {
            return Err(EvoError::bad_request(
                "action is not one of enum values: announcement,not_announcement,locked,unlocked",
            ));
        }
    }
    change(
        &gateway,
        &caller,
        &instance,
        &group,
        GroupChange::Settings(settings),
    )
    .await?;
    created(json!({ "updateSetting": true }))
}

/// Turn disappearing messages off (`expiration: 0`) or on for 24 hours (86400), 7 days
/// (604800) or 90 days (7776000); admins only.
#[utoipa::path(
    post, path = "/group/toggleEphemeral/{instance}", tag = TAG,
    params(
        ("instance" = String, Path, description = "The instance's name"),
        ("groupJid" = Option<String>, Query, description = "The group, when not in the body"),
    ),
    request_body(content = Object, example = json!({ "groupJid": "120363012345678901@g.us", "expiration": 604800 })),
    responses(
        (status = 201, description = "Changed", body = Object, example = json!({ "success": true })),
        (status = 400, body = EvoErrorBody), (status = 401, body = EvoErrorBody),
        (status = 403, body = EvoErrorBody), (status = 404, body = EvoErrorBody),
        (status = 501, body = EvoErrorBody),
    )
)]
pub async fn toggle_ephemeral(
    State(gateway): State<Arc<Gateway>>,
    EvoCaller(caller): EvoCaller,
    Path(instance): Path<String>,
    Query(query): Query<HashMap<String, String>>,
    body: Bytes,
) -> EvoResult<Response> {
    let request: GroupRequest = body::json(&body)?;
    let group = group_jid(request.group_jid.as_deref(), &query)?;
    let seconds = super::route::integer(request.expiration.as_ref(), "expiration")?
        .ok_or_else(|| missing("expiration"))?;
    let seconds = u32::try_from(seconds)
        .map_err(|_| ServiceError::field("expiration", "must be 0, 86400, 604800 or 7776000"))
        .and_then(|seconds| parse_ephemeral("expiration", seconds))?;
    let settings = GroupSettingsChange {
        ephemeral_seconds: Some(seconds),
        ..Default::default()
    };
    change(
        &gateway,
        &caller,
        &instance,
        &group,
        GroupChange::Settings(settings),
    )
    .await?;
    created(json!({ "success": true }))
}

/// Leave a group.
#[utoipa::path(
    delete, path = "/group/leaveGroup/{instance}", tag = TAG,
    params(
        ("instance" = String, Path, description = "The instance's name"),
        ("groupJid" = Option<String>, Query, description = "The group, when not in the body", example = "120363012345678901@g.us"),
    ),
    request_body(content = Object, description = "Optional: the group, instead of `?groupJid=`", example = json!({ "groupJid": "120363012345678901@g.us" })),
    responses(
        (status = 200, description = "Left", body = Object, example = json!({ "groupJid": "120363012345678901@g.us", "leave": true })),
        (status = 400, body = EvoErrorBody), (status = 401, body = EvoErrorBody),
        (status = 404, body = EvoErrorBody), (status = 501, body = EvoErrorBody),
    )
)]
pub async fn leave_group(
    State(gateway): State<Arc<Gateway>>,
    EvoCaller(caller): EvoCaller,
    Path(instance): Path<String>,
    Query(query): Query<HashMap<String, String>>,
    body: Bytes,
) -> EvoResult<Response> {
    let request: GroupRequest = body::json(&body)?;
    let group = group_jid(request.group_jid.as_deref(), &query)?;
    gateway
        .leave_group(&caller, &instance, &group)
        .await
        .map_err(on(&instance))?;
    ok(json!({ "groupJid": group, "leave": true }))
}
