//! Communities: create and list them, list their groups, link and unlink groups.

use super::AppState;
use super::envelope::{self, Envelope};
use super::error::{ApiResult, ErrorBody};
use super::json::ApiJson;
use crate::services::Principal;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use wagate_engine::{Community, LinkResult, SubGroup};

/// `POST …/communities`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CreateCommunityRequest {
    /// 1 to 100 characters.
    #[schema(example = "Acme customers")]
    pub subject: String,
    /// Up to 2048 characters.
    #[schema(example = "News and help for Acme customers")]
    pub description: Option<String>,
}

/// `POST …/communities/{jid}/groups/link` and `…/unlink`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct LinkGroupsRequest {
    /// 1 to 50 group JIDs.
    #[schema(example = json!(["120363012345678901@g.us"]))]
    pub groups: Vec<String>,
}

#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CommunityView {
    #[schema(example = "120363098765432109@g.us")]
    pub jid: String,
    #[schema(example = "Acme customers")]
    pub subject: String,
    pub description: Option<String>,
    pub created_at: Option<DateTime<Utc>>,
}

impl From<Community> for CommunityView {
    fn from(community: Community) -> Self {
        Self {
            jid: community.jid.to_string(),
            subject: community.subject,
            description: community.description,
            created_at: community.created_at,
        }
    }
}

#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SubGroupView {
    #[schema(example = "120363012345678901@g.us")]
    pub jid: String,
    #[schema(example = "Support")]
    pub subject: String,
    /// The community's announcement group: only admins write, every member reads.
    pub announcement: bool,
}

/// How linking or unlinking one group fared.
#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct LinkResultView {
    #[schema(example = "120363012345678901@g.us")]
    pub group: String,
    /// `done` or `refused`.
    #[schema(example = "done")]
    pub status: &'static str,
    /// WhatsApp's code when refused: 403 not the group's admin, 404 not in the group (or not
    /// linked here), 409 linked to a community already.
    pub code: Option<u32>,
}

impl From<LinkResult> for LinkResultView {
    fn from(result: LinkResult) -> Self {
        Self {
            group: result.group.to_string(),
            status: if result.refused.is_none() {
                "done"
            } else {
                "refused"
            },
            code: result.refused,
        }
    }
}

/// The communities the number is in.
#[utoipa::path(
    get, path = "/api/v1/instances/{id}/communities", tag = "communities",
    params(("id" = String, Path, description = "Instance id or name")),
    responses(
        (status = 200, body = Envelope<Vec<CommunityView>>),
        (status = 401, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, description = "The number is not open", body = ErrorBody),
        (status = 501, body = ErrorBody), (status = 503, body = ErrorBody),
    )
)]
pub async fn list_communities(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let communities = state.gateway.list_communities(&principal, &id).await?;
    Ok(envelope::ok(
        communities
            .into_iter()
            .map(CommunityView::from)
            .collect::<Vec<_>>(),
    ))
}

/// Create a community with the number as its owner; WhatsApp gives it an announcement group.
#[utoipa::path(
    post, path = "/api/v1/instances/{id}/communities", tag = "communities",
    request_body = CreateCommunityRequest,
    params(("id" = String, Path, description = "Instance id or name")),
    responses(
        (status = 201, body = Envelope<CommunityView>),
        (status = 401, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody),
        (status = 501, body = ErrorBody), (status = 503, body = ErrorBody),
    )
)]
pub async fn create_community(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<String>,
    ApiJson(request): ApiJson<CreateCommunityRequest>,
) -> ApiResult<Response> {
    let community = state
        .gateway
        .create_community(
            &principal,
            &id,
            &request.subject,
            request.description.as_deref(),
        )
        .await?;
    Ok((
        StatusCode::CREATED,
        envelope::ok(CommunityView::from(community)),
    )
        .into_response())
}

/// The groups linked to a community (members only), its announcement group first.
#[utoipa::path(
    get, path = "/api/v1/instances/{id}/communities/{jid}/groups", tag = "communities",
    params(
        ("id" = String, Path, description = "Instance id or name"),
        ("jid" = String, Path, description = "The community's JID", example = "120363098765432109@g.us"),
    ),
    responses(
        (status = 200, body = Envelope<Vec<SubGroupView>>),
        (status = 401, body = ErrorBody),
        (status = 404, description = "No such instance, or the number is not in the community", body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody),
        (status = 501, body = ErrorBody), (status = 503, body = ErrorBody),
    )
)]
pub async fn community_groups(
    State(state): State<AppState>,
    principal: Principal,
    Path((id, jid)): Path<(String, String)>,
) -> ApiResult<Response> {
    let (_, groups) = state
        .gateway
        .community_groups(&principal, &id, &jid)
        .await?;
    Ok(envelope::ok(
        groups
            .into_iter()
            .map(|group: SubGroup| SubGroupView {
                jid: group.jid.to_string(),
                subject: group.subject,
                announcement: group.announcement,
            })
            .collect::<Vec<_>>(),
    ))
}

async fn link(
    state: &AppState,
    principal: &Principal,
    (id, jid): (String, String),
    request: LinkGroupsRequest,
    link: bool,
) -> ApiResult<Response> {
    let results = state
        .gateway
        .link_community_groups(principal, &id, &jid, &request.groups, link)
        .await?;
    Ok(envelope::ok(
        results
            .into_iter()
            .map(LinkResultView::from)
            .collect::<Vec<_>>(),
    ))
}

/// Link groups to a community (its admins, who must be admins of the groups too); a result
/// per group.
#[utoipa::path(
    post, path = "/api/v1/instances/{id}/communities/{jid}/groups/link", tag = "communities",
    request_body = LinkGroupsRequest,
    params(
        ("id" = String, Path, description = "Instance id or name"),
        ("jid" = String, Path, description = "The community's JID", example = "120363098765432109@g.us"),
    ),
    responses(
        (status = 200, body = Envelope<Vec<LinkResultView>>),
        (status = 401, body = ErrorBody),
        (status = 403, description = "The number is not the community's admin", body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody), (status = 501, body = ErrorBody),
        (status = 503, body = ErrorBody),
    )
)]
pub async fn link_groups(
    State(state): State<AppState>,
    principal: Principal,
    Path(path): Path<(String, String)>,
    ApiJson(request): ApiJson<LinkGroupsRequest>,
) -> ApiResult<Response> {
    link(&state, &principal, path, request, true).await
}

/// Unlink groups from a community (its admins); a result per group. The announcement group
/// stays.
#[utoipa::path(
    post, path = "/api/v1/instances/{id}/communities/{jid}/groups/unlink", tag = "communities",
    request_body = LinkGroupsRequest,
    params(
        ("id" = String, Path, description = "Instance id or name"),
        ("jid" = String, Path, description = "The community's JID", example = "120363098765432109@g.us"),
    ),
    responses(
        (status = 200, body = Envelope<Vec<LinkResultView>>),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody), (status = 501, body = ErrorBody),
        (status = 503, body = ErrorBody),
    )
)]
pub async fn unlink_groups(
    State(state): State<AppState>,
    principal: Principal,
    Path(path): Path<(String, String)>,
    ApiJson(request): ApiJson<LinkGroupsRequest>,
) -> ApiResult<Response> {
    link(&state, &principal, path, request, false).await
}
