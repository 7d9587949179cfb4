//! Profile pictures: a contact's and a group's to read; the number's own and its groups' to
//! set or remove.

use super::AppState;
use super::envelope::{self, Envelope};
use super::error::{ApiResult, ErrorBody};
use super::json::ApiJson;
use crate::services::Principal;
use crate::services::pictures::{PictureOf, PictureRequest};
use axum::extract::{Path, State};
use axum::response::Response;
use serde::Serialize;

/// A profile picture, or none (`id` and `url` are `null` when there is no picture the number
/// may see).
#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PictureView {
    #[schema(example = "15550002222@s.whatsapp.net")]
    pub jid: String,
    /// WhatsApp's id of the picture; a new picture has a new id.
    #[schema(example = "1732870000")]
    pub id: Option<String>,
    /// Where to fetch it: a WhatsApp CDN address that expires (the sandbox answers a `data:`
    /// URL).
    pub url: Option<String>,
}

impl From<PictureOf> for PictureView {
    fn from(of: PictureOf) -> Self {
        let (id, url) = of
            .picture
            .map_or((None, None), |p| (Some(p.id), Some(p.url)));
        Self {
            jid: of.jid.to_string(),
            id,
            url,
        }
    }
}

/// A contact's profile picture.
#[utoipa::path(
    get, path = "/api/v1/instances/{id}/contacts/{phone}/picture", tag = "contacts",
    params(
        ("id" = String, Path, description = "Instance id or name"),
        ("phone" = String, Path, description = "The contact's phone number", example = "15550002222"),
    ),
    responses(
        (status = 200, body = Envelope<PictureView>),
        (status = 401, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, description = "The number is not open", body = ErrorBody),
        (status = 422, body = ErrorBody), (status = 501, body = ErrorBody),
        (status = 503, body = ErrorBody),
    )
)]
pub async fn contact_picture(
    State(state): State<AppState>,
    principal: Principal,
    Path((id, phone)): Path<(String, String)>,
) -> ApiResult<Response> {
    let picture = state
        .gateway
        .contact_picture(&principal, &id, &phone)
        .await?;
    Ok(envelope::ok(PictureView::from(picture)))
}

/// Set the number's profile picture from a JPEG, PNG or WebP image (cropped to its centre
/// square and scaled to at most 640×640).
#[utoipa::path(
    put, path = "/api/v1/instances/{id}/profile/picture", tag = "profile",
    request_body(content = PictureRequest, example = json!({ "url": "https://example.com/logo.png" })),
    params(("id" = String, Path, description = "Instance id or name")),
    responses(
        (status = 200, body = Envelope<PictureView>),
        (status = 401, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody),
        (status = 413, description = "The image is larger than 10 MiB", body = ErrorBody),
        (status = 415, description = "Not a JPEG, PNG or WebP image", body = ErrorBody),
        (status = 422, body = ErrorBody), (status = 501, body = ErrorBody),
        (status = 503, body = ErrorBody),
    )
)]
pub async fn set_profile_picture(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<String>,
    ApiJson(request): ApiJson<PictureRequest>,
) -> ApiResult<Response> {
    let picture = state
        .gateway
        .set_own_picture(&principal, &id, Some(request))
        .await?;
    Ok(envelope::ok(PictureView::from(picture)))
}

/// Remove the number's profile picture.
#[utoipa::path(
    delete, path = "/api/v1/instances/{id}/profile/picture", tag = "profile",
    params(("id" = String, Path, description = "Instance id or name")),
    responses(
        (status = 200, body = Envelope<PictureView>),
        (status = 401, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 501, body = ErrorBody),
        (status = 503, body = ErrorBody),
    )
)]
pub async fn delete_profile_picture(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let picture = state.gateway.set_own_picture(&principal, &id, None).await?;
    Ok(envelope::ok(PictureView::from(picture)))
}

/// A group's picture (members only).
#[utoipa::path(
    get, path = "/api/v1/instances/{id}/groups/{jid}/picture", tag = "groups",
    params(
        ("id" = String, Path, description = "Instance id or name"),
        ("jid" = String, Path, description = "The group's JID", example = "120363012345678901@g.us"),
    ),
    responses(
        (status = 200, body = Envelope<PictureView>),
        (status = 401, body = ErrorBody),
        (status = 404, description = "No such instance, or the number is not in the group", body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody),
        (status = 501, body = ErrorBody), (status = 503, body = ErrorBody),
    )
)]
pub async fn group_picture(
    State(state): State<AppState>,
    principal: Principal,
    Path((id, jid)): Path<(String, String)>,
) -> ApiResult<Response> {
    let picture = state.gateway.group_picture(&principal, &id, &jid).await?;
    Ok(envelope::ok(PictureView::from(picture)))
}

/// Set the group's picture from a JPEG, PNG or WebP image (admins only once the group is
/// locked); its members hear `group.updated`.
#[utoipa::path(
    put, path = "/api/v1/instances/{id}/groups/{jid}/picture", tag = "groups",
    request_body(content = PictureRequest, example = json!({ "url": "https://example.com/team.jpg" })),
    params(
        ("id" = String, Path, description = "Instance id or name"),
        ("jid" = String, Path, description = "The group's JID", example = "120363012345678901@g.us"),
    ),
    responses(
        (status = 200, body = Envelope<PictureView>),
        (status = 401, body = ErrorBody),
        (status = 403, description = "The group is locked and the number is not an admin", body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 413, body = ErrorBody), (status = 415, body = ErrorBody),
        (status = 422, body = ErrorBody), (status = 501, body = ErrorBody),
        (status = 503, body = ErrorBody),
    )
)]
pub async fn set_group_picture(
    State(state): State<AppState>,
    principal: Principal,
    Path((id, jid)): Path<(String, String)>,
    ApiJson(request): ApiJson<PictureRequest>,
) -> ApiResult<Response> {
    let picture = state
        .gateway
        .set_group_picture(&principal, &id, &jid, Some(request))
        .await?;
    Ok(envelope::ok(PictureView::from(picture)))
}

/// Remove the group's picture (admins only once the group is locked).
#[utoipa::path(
    delete, path = "/api/v1/instances/{id}/groups/{jid}/picture", tag = "groups",
    params(
        ("id" = String, Path, description = "Instance id or name"),
        ("jid" = String, Path, description = "The group's JID", example = "120363012345678901@g.us"),
    ),
    responses(
        (status = 200, body = Envelope<PictureView>),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody), (status = 501, body = ErrorBody),
        (status = 503, body = ErrorBody),
    )
)]
pub async fn delete_group_picture(
    State(state): State<AppState>,
    principal: Principal,
    Path((id, jid)): Path<(String, String)>,
) -> ApiResult<Response> {
    let picture = state
        .gateway
        .set_group_picture(&principal, &id, &jid, None)
        .await?;
    Ok(envelope::ok(PictureView::from(picture)))
}
