//! Groups: list, create, read, change subject, description, settings and members, invite
//! links, join and leave.

use super::AppState;
use super::envelope::{self, Envelope};
use super::error::{ApiResult, ErrorBody};
use super::json::ApiJson;
use crate::services::Principal;
use crate::services::ServiceError;
use crate::services::groups::{
    JoinAnswer, parse_description, parse_ephemeral, parse_members, parse_subject,
};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use wagate_engine::{
    GroupChange, GroupInfo, GroupSettingsChange, MemberAction, MemberOutcome, MemberResult,
    MemberRole, NewGroup,
};

/// `POST /api/v1/instances/{id}/groups`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CreateGroupRequest {
    /// 1 to 100 characters.
    #[schema(example = "Launch team")]
    pub subject: String,
    /// Phone numbers (or user JIDs) to add, at most 256; numbers without WhatsApp are left
    /// out. Empty: the number alone.
    #[schema(example = json!(["15550002222", "15550003333"]))]
    #[serde(default)]
    pub participants: Vec<String>,
    /// Up to 2048 characters.
    #[schema(example = "Everything about the launch")]
    pub description: Option<String>,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SubjectRequest {
    #[schema(example = "Launch team (Q3)")]
    pub subject: String,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct DescriptionRequest {
    /// Empty or `null` removes the description.
    #[schema(example = "Launch on the 1st; questions here")]
    pub description: Option<String>,
}

/// Settings to change; those left out stay as they are.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SettingsRequest {
    /// Only admins may send messages.
    pub announce: Option<bool>,
    /// Only admins may change the subject, description and picture.
    pub locked: Option<bool>,
    /// Joining by invite link needs an admin's approval.
    pub approval: Option<bool>,
    /// Disappearing messages: 0 (off), 86400, 604800 or 7776000 seconds.
    #[schema(example = 604800)]
    pub ephemeral: Option<u32>,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ParticipantsRequest {
    /// Phone numbers (or user JIDs), at most 256.
    #[schema(example = json!(["15550002222"]))]
    pub participants: Vec<String>,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct JoinRequest {
    /// An invite code or link.
    #[schema(example = "https://chat.whatsapp.com/AbCdEfGhIjK1234567890")]
    pub invite: String,
}

#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct GroupMemberView {
    #[schema(example = "15550002222@s.whatsapp.net")]
    pub jid: String,
    #[schema(example = "15550002222")]
    pub phone: Option<String>,
    /// `member`, `admin` or `super_admin` (the owner).
    #[schema(value_type = String, example = "admin")]
    pub role: MemberRole,
}

#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct GroupSettingsView {
    pub announce: bool,
    pub locked: bool,
    pub approval: bool,
    /// Seconds; 0 is off.
    pub ephemeral: u32,
}

#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct GroupView {
    #[schema(example = "120363012345678901@g.us")]
    pub jid: String,
    #[schema(example = "Launch team")]
    pub subject: String,
    pub description: Option<String>,
    #[schema(example = "15550001111@s.whatsapp.net")]
    pub owner: Option<String>,
    pub created_at: Option<DateTime<Utc>>,
    pub size: usize,
    pub participants: Vec<GroupMemberView>,
    pub settings: GroupSettingsView,
}

impl From<GroupInfo> for GroupView {
    fn from(group: GroupInfo) -> Self {
        Self {
            jid: group.jid.to_string(),
            subject: group.subject,
            description: group.description,
            owner: group.owner.map(|owner| owner.to_string()),
            created_at: group.created_at,
            size: group.members.len(),
            participants: group
                .members
                .into_iter()
                .map(|member| GroupMemberView {
                    jid: member.jid.to_string(),
                    phone: member.phone.map(|phone| phone.as_str().to_owned()),
                    role: member.role,
                })
                .collect(),
            settings: GroupSettingsView {
                announce: group.settings.announce,
                locked: group.settings.locked,
                approval: group.settings.approval,
                ephemeral: group.settings.ephemeral_seconds,
            },
        }
    }
}

/// How one participant fared.
#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ParticipantResultView {
    #[schema(example = "15550002222@s.whatsapp.net")]
    pub jid: String,
    #[schema(example = "15550002222")]
    pub phone: Option<String>,
    /// `done`, `not_on_whatsapp`, `already_member`, `not_member` or `refused`.
    #[schema(example = "done")]
    pub status: String,
    /// WhatsApp's code when `refused` (403: the person's privacy settings; the owner cannot
    /// be removed or demoted).
    pub code: Option<u16>,
}

impl From<MemberResult> for ParticipantResultView {
    fn from(result: MemberResult) -> Self {
        let (status, code) = match result.outcome {
            MemberOutcome::Done => ("done", None),
            MemberOutcome::NotOnWhatsApp => ("not_on_whatsapp", None),
            MemberOutcome::AlreadyMember => ("already_member", None),
            MemberOutcome::NotMember => ("not_member", None),
            MemberOutcome::Refused(code) => ("refused", Some(code)),
        };
        Self {
            phone: result.jid.phone().map(|phone| phone.as_str().to_owned()),
            jid: result.jid.to_string(),
            status: status.to_owned(),
            code,
        }
    }
}

#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct InviteView {
    #[schema(example = "AbCdEfGhIjK1234567890")]
    pub code: String,
    #[schema(example = "https://chat.whatsapp.com/AbCdEfGhIjK1234567890")]
    pub link: String,
}

impl InviteView {
    fn new(code: String) -> Self {
        Self {
            link: format!("https://chat.whatsapp.com/{code}"),
            code,
        }
    }
}

#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct LeftView {
    #[schema(example = "120363012345678901@g.us")]
    pub jid: String,
    pub left: bool,
}

/// The groups the number is a member of.
#[utoipa::path(
    get, path = "/api/v1/instances/{id}/groups", tag = "groups",
    params(("id" = String, Path, description = "Instance id or name")),
    responses(
        (status = 200, body = Envelope<Vec<GroupView>>),
        (status = 401, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, description = "The number is not open", body = ErrorBody),
        (status = 501, description = "The instance's engine has no groups", body = ErrorBody),
        (status = 503, body = ErrorBody),
    )
)]
pub async fn list_groups(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let groups = state.gateway.list_groups(&principal, &id).await?;
    Ok(envelope::ok(
        groups.into_iter().map(GroupView::from).collect::<Vec<_>>(),
    ))
}

/// Create a group with the number as its owner. Numbers without WhatsApp are left out;
/// the answer shows who is in.
#[utoipa::path(
    post, path = "/api/v1/instances/{id}/groups", tag = "groups",
    request_body = CreateGroupRequest,
    params(("id" = String, Path, description = "Instance id or name")),
    responses(
        (status = 201, body = Envelope<GroupView>),
        (status = 401, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, description = "The number is not open", body = ErrorBody),
        (status = 422, description = "No subject, too long, or a participant that is not a phone number", body = ErrorBody),
        (status = 501, body = ErrorBody), (status = 503, body = ErrorBody),
    )
)]
pub async fn create_group(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<String>,
    ApiJson(request): ApiJson<CreateGroupRequest>,
) -> ApiResult<Response> {
    let group = NewGroup {
        subject: parse_subject(&request.subject)?,
        // A group may start with its owner alone.
        members: if request.participants.is_empty() {
            Vec::new()
        } else {
            parse_members("participants", &request.participants)?
        },
        description: parse_description(request.description.as_deref())?,
    };
    let created = state.gateway.create_group(&principal, &id, group).await?;
    Ok((StatusCode::CREATED, envelope::ok(GroupView::from(created))).into_response())
}

/// A group's metadata, with its participants and admins.
#[utoipa::path(
    get, path = "/api/v1/instances/{id}/groups/{jid}", tag = "groups",
    params(
        ("id" = String, Path, description = "Instance id or name"),
        ("jid" = String, Path, description = "The group's JID (or its digits)", example = "120363012345678901@g.us"),
    ),
    responses(
        (status = 200, body = Envelope<GroupView>),
        (status = 401, body = ErrorBody),
        (status = 404, description = "No such instance, or a group the number is not in", body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody),
        (status = 501, body = ErrorBody), (status = 503, body = ErrorBody),
    )
)]
pub async fn get_group(
    State(state): State<AppState>,
    principal: Principal,
    Path((id, jid)): Path<(String, String)>,
) -> ApiResult<Response> {
    let group = state.gateway.group(&principal, &id, &jid).await?;
    Ok(envelope::ok(GroupView::from(group)))
}

/// A group's participants, with their roles.
#[utoipa::path(
    get, path = "/api/v1/instances/{id}/groups/{jid}/participants", tag = "groups",
    params(
        ("id" = String, Path, description = "Instance id or name"),
        ("jid" = String, Path, description = "The group's JID (or its digits)", example = "120363012345678901@g.us"),
    ),
    responses(
        (status = 200, body = Envelope<Vec<GroupMemberView>>),
        (status = 401, body = ErrorBody),
        (status = 404, description = "No such instance, or a group the number is not in", body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody),
        (status = 501, body = ErrorBody), (status = 503, body = ErrorBody),
    )
)]
pub async fn group_participants(
    State(state): State<AppState>,
    principal: Principal,
    Path((id, jid)): Path<(String, String)>,
) -> ApiResult<Response> {
    let group = state.gateway.group(&principal, &id, &jid).await?;
    Ok(envelope::ok(GroupView::from(group).participants))
}

async fn changed(
    state: &AppState,
    principal: &Principal,
    id: &str,
    jid: &str,
    change: GroupChange,
) -> ApiResult<Response> {
    let group = state
        .gateway
        .change_group(principal, id, jid, change)
        .await?;
    Ok(envelope::ok(GroupView::from(group)))
}

/// Change the group's subject (admins only once the group is locked).
#[utoipa::path(
    put, path = "/api/v1/instances/{id}/groups/{jid}/subject", tag = "groups",
    request_body = SubjectRequest,
    params(
        ("id" = String, Path, description = "Instance id or name"),
        ("jid" = String, Path, description = "The group's JID", example = "120363012345678901@g.us"),
    ),
    responses(
        (status = 200, body = Envelope<GroupView>),
        (status = 401, body = ErrorBody),
        (status = 403, description = "The group is locked and the number is not an admin", body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody), (status = 501, body = ErrorBody),
        (status = 503, body = ErrorBody),
    )
)]
pub async fn set_subject(
    State(state): State<AppState>,
    principal: Principal,
    Path((id, jid)): Path<(String, String)>,
    ApiJson(request): ApiJson<SubjectRequest>,
) -> ApiResult<Response> {
    let subject = parse_subject(&request.subject)?;
    changed(&state, &principal, &id, &jid, GroupChange::Subject(subject)).await
}

/// Change or remove the group's description (admins only once the group is locked).
#[utoipa::path(
    put, path = "/api/v1/instances/{id}/groups/{jid}/description", tag = "groups",
    request_body = DescriptionRequest,
    params(
        ("id" = String, Path, description = "Instance id or name"),
        ("jid" = String, Path, description = "The group's JID", example = "120363012345678901@g.us"),
    ),
    responses(
        (status = 200, body = Envelope<GroupView>),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody), (status = 501, body = ErrorBody),
        (status = 503, body = ErrorBody),
    )
)]
pub async fn set_description(
    State(state): State<AppState>,
    principal: Principal,
    Path((id, jid)): Path<(String, String)>,
    ApiJson(request): ApiJson<DescriptionRequest>,
) -> ApiResult<Response> {
    let description = parse_description(request.description.as_deref())?;
    changed(
        &state,
        &principal,
        &id,
        &jid,
        GroupChange::Description(description),
    )
    .await
}

/// Change who may send, who may edit the group's info, whether joining needs approval, and
/// disappearing messages (admins only).
#[utoipa::path(
    put, path = "/api/v1/instances/{id}/groups/{jid}/settings", tag = "groups",
    request_body = SettingsRequest,
    params(
        ("id" = String, Path, description = "Instance id or name"),
        ("jid" = String, Path, description = "The group's JID", example = "120363012345678901@g.us"),
    ),
    responses(
        (status = 200, body = Envelope<GroupView>),
        (status = 401, body = ErrorBody),
        (status = 403, description = "The number is not an admin", body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody), (status = 501, body = ErrorBody),
        (status = 503, body = ErrorBody),
    )
)]
pub async fn set_settings(
    State(state): State<AppState>,
    principal: Principal,
    Path((id, jid)): Path<(String, String)>,
    ApiJson(request): ApiJson<SettingsRequest>,
) -> ApiResult<Response> {
    let settings = GroupSettingsChange {
        announce: request.announce,
        locked: request.locked,
        approval: request.approval,
        ephemeral_seconds: request
            .ephemeral
            .map(|seconds| parse_ephemeral("ephemeral", seconds))
            .transpose()?,
    };
    changed(
        &state,
        &principal,
        &id,
        &jid,
        GroupChange::Settings(settings),
    )
    .await
}

/// Add, remove, promote or demote participants (admins only); answers how each one fared.
#[utoipa::path(
    post, path = "/api/v1/instances/{id}/groups/{jid}/participants/{action}", tag = "groups",
    request_body = ParticipantsRequest,
    params(
        ("id" = String, Path, description = "Instance id or name"),
        ("jid" = String, Path, description = "The group's JID", example = "120363012345678901@g.us"),
        ("action" = String, Path, description = "`add`, `remove`, `promote` or `demote`", example = "add"),
    ),
    responses(
        (status = 200, body = Envelope<Vec<ParticipantResultView>>),
        (status = 401, body = ErrorBody),
        (status = 403, description = "The number is not an admin", body = ErrorBody),
        (status = 404, description = "No such instance, action, or a group the number is not in", body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody),
        (status = 501, body = ErrorBody), (status = 503, body = ErrorBody),
    )
)]
pub async fn change_participants(
    State(state): State<AppState>,
    principal: Principal,
    Path((id, jid, action)): Path<(String, String, String)>,
    ApiJson(request): ApiJson<ParticipantsRequest>,
) -> ApiResult<Response> {
    let action = match action.as_str() {
        "add" => MemberAction::Add,
        "remove" => MemberAction::Remove,
        "promote" => MemberAction::Promote,
        "demote" => MemberAction::Demote,
        _ => return Err(ServiceError::NotFound("participants action").into()),
    };
    let results = state
        .gateway
        .change_group_members(&principal, &id, &jid, action, &request.participants)
        .await?;
    Ok(envelope::ok(
        results
            .into_iter()
            .map(ParticipantResultView::from)
            .collect::<Vec<_>>(),
    ))
}

/// The group's invite link (admins only).
#[utoipa::path(
    get, path = "/api/v1/instances/{id}/groups/{jid}/invite-link", tag = "groups",
    params(
        ("id" = String, Path, description = "Instance id or name"),
        ("jid" = String, Path, description = "The group's JID", example = "120363012345678901@g.us"),
    ),
    responses(
        (status = 200, body = Envelope<InviteView>),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 501, body = ErrorBody), (status = 503, body = ErrorBody),
    )
)]
pub async fn invite_link(
    State(state): State<AppState>,
    principal: Principal,
    Path((id, jid)): Path<(String, String)>,
) -> ApiResult<Response> {
    let code = state
        .gateway
        .group_invite(&principal, &id, &jid, false)
        .await?;
    Ok(envelope::ok(InviteView::new(code)))
}

/// Void the invite link and make a new one (admins only).
#[utoipa::path(
    post, path = "/api/v1/instances/{id}/groups/{jid}/invite-link/revoke", tag = "groups",
    params(
        ("id" = String, Path, description = "Instance id or name"),
        ("jid" = String, Path, description = "The group's JID", example = "120363012345678901@g.us"),
    ),
    responses(
        (status = 200, body = Envelope<InviteView>),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 501, body = ErrorBody), (status = 503, body = ErrorBody),
    )
)]
pub async fn revoke_invite_link(
    State(state): State<AppState>,
    principal: Principal,
    Path((id, jid)): Path<(String, String)>,
) -> ApiResult<Response> {
    let code = state
        .gateway
        .group_invite(&principal, &id, &jid, true)
        .await?;
    Ok(envelope::ok(InviteView::new(code)))
}

/// Join a group with an invite code or link.
#[utoipa::path(
    post, path = "/api/v1/instances/{id}/groups/join", tag = "groups",
    request_body = JoinRequest,
    params(("id" = String, Path, description = "Instance id or name")),
    responses(
        (status = 200, description = "Joined", body = Envelope<GroupView>),
        (status = 202, description = "The group needs an admin's approval: a request was sent", body = Envelope<PendingJoinView>),
        (status = 401, body = ErrorBody),
        (status = 404, description = "No group has this invite code", body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody),
        (status = 501, body = ErrorBody), (status = 503, body = ErrorBody),
    )
)]
pub async fn join_group(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<String>,
    ApiJson(request): ApiJson<JoinRequest>,
) -> ApiResult<Response> {
    match state
        .gateway
        .join_group(&principal, &id, &request.invite)
        .await?
    {
        JoinAnswer::Joined(group) => Ok(envelope::ok(GroupView::from(group))),
        JoinAnswer::Pending(group) => Ok(envelope::accepted(PendingJoinView {
            jid: group.to_string(),
            pending_approval: true,
        })),
    }
}

/// A request to join sent to a group that needs an admin's approval.
#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PendingJoinView {
    #[schema(example = "120363012345678901@g.us")]
    pub jid: String,
    pub pending_approval: bool,
}

/// Someone who asked to join.
#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct JoinRequestView {
    #[schema(example = "15550003333@s.whatsapp.net")]
    pub jid: String,
    #[schema(example = "15550003333")]
    pub phone: Option<String>,
    pub requested_at: Option<DateTime<Utc>>,
}

/// What an invite code or link leads to, without joining.
#[utoipa::path(
    get, path = "/api/v1/instances/{id}/groups/invite/{code}", tag = "groups",
    params(
        ("id" = String, Path, description = "Instance id or name"),
        ("code" = String, Path, description = "The invite code (the end of the link)", example = "AbCdEfGhIjK1234567890"),
    ),
    responses(
        (status = 200, body = Envelope<GroupView>),
        (status = 401, body = ErrorBody),
        (status = 404, description = "No group has this invite code", body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody),
        (status = 501, body = ErrorBody), (status = 503, body = ErrorBody),
    )
)]
pub async fn invite_info(
    State(state): State<AppState>,
    principal: Principal,
    Path((id, code)): Path<(String, String)>,
) -> ApiResult<Response> {
    let group = state
        .gateway
        .group_invite_info(&principal, &id, &code)
        .await?;
    Ok(envelope::ok(GroupView::from(group)))
}

/// Who asked to join a group that needs approval (admins only).
#[utoipa::path(
    get, path = "/api/v1/instances/{id}/groups/{jid}/requests", tag = "groups",
    params(
        ("id" = String, Path, description = "Instance id or name"),
        ("jid" = String, Path, description = "The group's JID", example = "120363012345678901@g.us"),
    ),
    responses(
        (status = 200, body = Envelope<Vec<JoinRequestView>>),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody), (status = 501, body = ErrorBody),
        (status = 503, body = ErrorBody),
    )
)]
pub async fn join_requests(
    State(state): State<AppState>,
    principal: Principal,
    Path((id, jid)): Path<(String, String)>,
) -> ApiResult<Response> {
    let requests = state.gateway.join_requests(&principal, &id, &jid).await?;
    Ok(envelope::ok(
        requests
            .into_iter()
            .map(|request| JoinRequestView {
                phone: request.jid.phone().map(|phone| phone.as_str().to_owned()),
                jid: request.jid.to_string(),
                requested_at: request.at,
            })
            .collect::<Vec<_>>(),
    ))
}

/// Approve (they become members) or reject requests to join (admins only); a result each.
#[utoipa::path(
    post, path = "/api/v1/instances/{id}/groups/{jid}/requests/{action}", tag = "groups",
    request_body = ParticipantsRequest,
    params(
        ("id" = String, Path, description = "Instance id or name"),
        ("jid" = String, Path, description = "The group's JID", example = "120363012345678901@g.us"),
        ("action" = String, Path, description = "`approve` or `reject`", example = "approve"),
    ),
    responses(
        (status = 200, body = Envelope<Vec<ParticipantResultView>>),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody), (status = 501, body = ErrorBody),
        (status = 503, body = ErrorBody),
    )
)]
pub async fn answer_join_requests(
    State(state): State<AppState>,
    principal: Principal,
    Path((id, jid, action)): Path<(String, String, String)>,
    ApiJson(request): ApiJson<ParticipantsRequest>,
) -> ApiResult<Response> {
    let results = state
        .gateway
        .answer_join_requests(&principal, &id, &jid, &action, &request.participants)
        .await?;
    Ok(envelope::ok(
        results
            .into_iter()
            .map(ParticipantResultView::from)
            .collect::<Vec<_>>(),
    ))
}

/// Leave a group.
#[utoipa::path(
    post, path = "/api/v1/instances/{id}/groups/{jid}/leave", tag = "groups",
    params(
        ("id" = String, Path, description = "Instance id or name"),
        ("jid" = String, Path, description = "The group's JID", example = "120363012345678901@g.us"),
    ),
    responses(
        (status = 200, body = Envelope<LeftView>),
        (status = 401, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody),
        (status = 501, body = ErrorBody), (status = 503, body = ErrorBody),
    )
)]
pub async fn leave_group(
    State(state): State<AppState>,
    principal: Principal,
    Path((id, jid)): Path<(String, String)>,
) -> ApiResult<Response> {
    state.gateway.leave_group(&principal, &id, &jid).await?;
    let jid = crate::services::groups::parse_group(&jid)?;
    Ok(envelope::ok(LeftView {
        jid: jid.to_string(),
        left: true,
    }))
}
