//! Profiles: what WhatsApp shows of a contact, and the number's own name and about.

use super::AppState;
use super::envelope::{self, Envelope};
use super::error::{ApiResult, ErrorBody};
use super::json::ApiJson;
use crate::services::Principal;
use crate::services::profiles::{ContactProfile, OwnProfile};
use axum::extract::{Path, State};
use axum::response::Response;
use serde::{Deserialize, Serialize};

/// A contact as WhatsApp shows them to the number.
#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ContactView {
    #[schema(example = "15550002222")]
    pub phone: String,
    #[schema(example = "15550002222@s.whatsapp.net")]
    pub jid: String,
    /// Whether the number has a WhatsApp account (nothing else is known when not).
    pub exists: bool,
    #[schema(example = "100000012345678@lid")]
    pub lid: Option<String>,
    /// Their "about" text, when they show it to this number.
    #[schema(example = "Available")]
    pub about: Option<String>,
    /// Their profile picture (a WhatsApp CDN address that expires), when there is one the
    /// number may see.
    pub picture_url: Option<String>,
    pub business: bool,
    /// The name the number saved for them.
    #[schema(example = "Ann Smith")]
    pub name: Option<String>,
    /// The name they show, as last seen on a message of theirs.
    #[schema(example = "Annie")]
    pub push_name: Option<String>,
}

impl From<ContactProfile> for ContactView {
    fn from(profile: ContactProfile) -> Self {
        let ContactProfile { jid, info, known } = profile;
        let (name, push_name) = known.map_or((None, None), |k| (k.name, k.push_name));
        Self {
            phone: jid.user().to_owned(),
            jid: jid.to_string(),
            exists: info.exists,
            lid: info.lid,
            about: info.about,
            picture_url: info.picture_url,
            business: info.business,
            name,
            push_name,
        }
    }
}

/// The number's own profile.
#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ProfileView {
    #[schema(example = "15550001111")]
    pub phone: String,
    #[schema(example = "15550001111@s.whatsapp.net")]
    pub jid: String,
    pub lid: Option<String>,
    /// The name the number shows.
    #[schema(example = "Acme Support")]
    pub push_name: Option<String>,
    #[schema(example = "We answer 9 to 5")]
    pub about: Option<String>,
    pub picture_url: Option<String>,
}

impl From<OwnProfile> for ProfileView {
    fn from(profile: OwnProfile) -> Self {
        Self {
            phone: profile.me.phone.as_str().to_owned(),
            jid: profile.me.jid,
            lid: profile.me.lid.or(profile.info.lid),
            push_name: profile.me.push_name,
            about: profile.info.about,
            picture_url: profile.info.picture_url,
        }
    }
}

#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NameRequest {
    /// 1 to 25 characters.
    #[schema(example = "Acme Support")]
    #[serde(default)]
    pub name: String,
}

#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AboutRequest {
    /// The "about" text, at most 139 characters.
    #[schema(example = "We answer 9 to 5")]
    #[serde(default)]
    pub status: String,
}

/// A contact's profile: whether they are on WhatsApp, their LID, about, picture, business,
/// and the names the gateway knows for them.
#[utoipa::path(
    get, path = "/api/v1/instances/{id}/contacts/{phone}", tag = "contacts",
    params(
        ("id" = String, Path, description = "Instance id or name"),
        ("phone" = String, Path, description = "The contact's phone number", example = "15550002222"),
    ),
    responses(
        (status = 200, body = Envelope<ContactView>),
        (status = 401, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, description = "The number is not open", body = ErrorBody),
        (status = 422, body = ErrorBody), (status = 501, body = ErrorBody),
        (status = 503, body = ErrorBody),
    )
)]
pub async fn contact(
    State(state): State<AppState>,
    principal: Principal,
    Path((id, phone)): Path<(String, String)>,
) -> ApiResult<Response> {
    let profile = state
        .gateway
        .contact_profile(&principal, &id, &phone)
        .await?;
    Ok(envelope::ok(ContactView::from(profile)))
}

/// The number's own profile: phone, JID, LID, the name it shows, its about and picture.
#[utoipa::path(
    get, path = "/api/v1/instances/{id}/profile", tag = "profile",
    params(("id" = String, Path, description = "Instance id or name")),
    responses(
        (status = 200, body = Envelope<ProfileView>),
        (status = 401, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, description = "The number is not open", body = ErrorBody),
        (status = 501, body = ErrorBody), (status = 503, body = ErrorBody),
    )
)]
pub async fn profile(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let profile = state.gateway.own_profile(&principal, &id).await?;
    Ok(envelope::ok(ProfileView::from(profile)))
}

/// Change the name the number shows to others (its push name).
#[utoipa::path(
    put, path = "/api/v1/instances/{id}/profile/name", tag = "profile",
    request_body = NameRequest,
    params(("id" = String, Path, description = "Instance id or name")),
    responses(
        (status = 200, body = Envelope<ProfileView>),
        (status = 401, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody),
        (status = 501, body = ErrorBody), (status = 503, body = ErrorBody),
    )
)]
pub async fn set_name(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<String>,
    ApiJson(request): ApiJson<NameRequest>,
) -> ApiResult<Response> {
    let profile = state
        .gateway
        .set_profile_name(&principal, &id, &request.name)
        .await?;
    Ok(envelope::ok(ProfileView::from(profile)))
}

/// Change the number's "about" text.
#[utoipa::path(
    put, path = "/api/v1/instances/{id}/profile/status", tag = "profile",
    request_body = AboutRequest,
    params(("id" = String, Path, description = "Instance id or name")),
    responses(
        (status = 200, body = Envelope<ProfileView>),
        (status = 401, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody),
        (status = 501, body = ErrorBody), (status = 503, body = ErrorBody),
    )
)]
pub async fn set_about(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<String>,
    ApiJson(request): ApiJson<AboutRequest>,
) -> ApiResult<Response> {
    let profile = state
        .gateway
        .set_about(&principal, &id, &request.status)
        .await?;
    Ok(envelope::ok(ProfileView::from(profile)))
}
