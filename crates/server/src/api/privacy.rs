//! The number's privacy settings (`GET`/`PUT …/profile/privacy`), with WhatsApp's names for
//! the values.

use super::AppState;
use super::envelope::{self, Envelope};
use super::error::{ApiResult, ErrorBody};
use super::json::ApiJson;
use crate::services::Principal;
use axum::extract::{Path, State};
use axum::response::Response;
use serde::{Deserialize, Serialize};
use wagate_engine::{PrivacySetting, PrivacyValue};

/// Every privacy setting WhatsApp reported; `null` for one it did not.
#[derive(Default, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PrivacyView {
    /// `all`, `contacts`, `contact_blacklist` or `none`.
    #[schema(example = "contacts")]
    pub last_seen: Option<&'static str>,
    /// `all` or `match_last_seen`.
    #[schema(example = "all")]
    pub online: Option<&'static str>,
    /// `all`, `contacts`, `contact_blacklist` or `none`.
    pub profile_picture: Option<&'static str>,
    /// `all`, `contacts`, `contact_blacklist` or `none`.
    pub about: Option<&'static str>,
    /// `all`, `contacts`, `contact_blacklist` or `none`.
    pub group_add: Option<&'static str>,
    /// `all` or `none`.
    pub read_receipts: Option<&'static str>,
    /// `all`, `known` or `contacts`.
    pub call_add: Option<&'static str>,
    /// `all` or `contacts`.
    pub messages: Option<&'static str>,
}

impl PrivacyView {
    fn new(settings: &[(PrivacySetting, PrivacyValue)]) -> Self {
        let mut view = Self::default();
        for (setting, value) in settings {
            let slot = match setting {
                PrivacySetting::LastSeen => &mut view.last_seen,
                PrivacySetting::Online => &mut view.online,
                PrivacySetting::ProfilePicture => &mut view.profile_picture,
                PrivacySetting::About => &mut view.about,
                PrivacySetting::GroupAdd => &mut view.group_add,
                PrivacySetting::ReadReceipts => &mut view.read_receipts,
                PrivacySetting::CallAdd => &mut view.call_add,
                PrivacySetting::Messages => &mut view.messages,
            };
            *slot = Some(value.as_str());
        }
        view
    }
}

/// `PUT …/profile/privacy`: the settings to change, each with a value it takes.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PrivacyRequest {
    #[schema(example = "contacts")]
    pub last_seen: Option<String>,
    pub online: Option<String>,
    pub profile_picture: Option<String>,
    pub about: Option<String>,
    pub group_add: Option<String>,
    #[schema(example = "none")]
    pub read_receipts: Option<String>,
    pub call_add: Option<String>,
    pub messages: Option<String>,
}

impl PrivacyRequest {
    fn changes(self) -> Vec<(PrivacySetting, String)> {
        [
            (PrivacySetting::LastSeen, self.last_seen),
            (PrivacySetting::Online, self.online),
            (PrivacySetting::ProfilePicture, self.profile_picture),
            (PrivacySetting::About, self.about),
            (PrivacySetting::GroupAdd, self.group_add),
            (PrivacySetting::ReadReceipts, self.read_receipts),
            (PrivacySetting::CallAdd, self.call_add),
            (PrivacySetting::Messages, self.messages),
        ]
        .into_iter()
        .filter_map(|(setting, value)| Some((setting, value?)))
        .collect()
    }
}

/// The number's privacy settings.
#[utoipa::path(
    get, path = "/api/v1/instances/{id}/profile/privacy", tag = "profile",
    params(("id" = String, Path, description = "Instance id or name")),
    responses(
        (status = 200, body = Envelope<PrivacyView>),
        (status = 401, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, description = "The number is not open", body = ErrorBody),
        (status = 501, body = ErrorBody), (status = 503, body = ErrorBody),
    )
)]
pub async fn get_privacy(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let settings = state.gateway.privacy(&principal, &id).await?;
    Ok(envelope::ok(PrivacyView::new(&settings)))
}

/// Change privacy settings; those left out stay as they are. Answers them all.
#[utoipa::path(
    put, path = "/api/v1/instances/{id}/profile/privacy", tag = "profile",
    request_body = PrivacyRequest,
    params(("id" = String, Path, description = "Instance id or name")),
    responses(
        (status = 200, body = Envelope<PrivacyView>),
        (status = 401, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody),
        (status = 501, body = ErrorBody), (status = 503, body = ErrorBody),
    )
)]
pub async fn put_privacy(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<String>,
    ApiJson(request): ApiJson<PrivacyRequest>,
) -> ApiResult<Response> {
    let settings = state
        .gateway
        .set_privacy(&principal, &id, &request.changes())
        .await?;
    Ok(envelope::ok(PrivacyView::new(&settings)))
}
