//! Contacts: whether numbers are on WhatsApp, and blocking.

use super::AppState;
use super::envelope::{self, Envelope};
use super::error::{ApiResult, ErrorBody};
use super::json::ApiJson;
use crate::services::Principal;
use axum::extract::{Path, State};
use axum::response::Response;
use serde::{Deserialize, Serialize};
use wagate_core::{Jid, JidKind};
use wagate_engine::NumberCheck;

/// `POST /api/v1/instances/{id}/contacts/check`.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CheckNumbersRequest {
    /// Phone numbers in international format, digits only (a leading `+` is allowed); at most
    /// `[contacts] max_check_numbers` (500 by default).
    #[schema(example = json!(["15550001111", "15550000000"]))]
    #[serde(default)]
    pub numbers: Vec<String>,
}

/// What WhatsApp answered about one number.
#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct NumberCheckView {
    #[schema(example = "15550001111")]
    pub number: String,
    pub exists: bool,
    /// The chat address to send to, when the number has an account.
    #[schema(example = "15550001111@s.whatsapp.net")]
    pub jid: Option<String>,
    /// The account's LID, when WhatsApp tells it.
    #[schema(example = "100000012345678@lid")]
    pub lid: Option<String>,
    /// A WhatsApp Business account.
    pub business: bool,
}

impl From<NumberCheck> for NumberCheckView {
    fn from(check: NumberCheck) -> Self {
        Self {
            number: check.number.as_str().to_owned(),
            exists: check.exists,
            jid: check.jid.map(|jid| jid.to_string()),
            lid: check.lid,
            business: check.business,
        }
    }
}

/// Check whether numbers are on WhatsApp, in one call for up to 500 numbers.
///
/// Answers are kept for a day (`[contacts] check_cache_ttl_secs`); numbers not yet known are
/// asked about in spaced batches, because checking many numbers at once gets numbers banned.
/// The answers come in the order of the numbers given.
#[utoipa::path(
    post, path = "/api/v1/instances/{id}/contacts/check", tag = "contacts",
    request_body = CheckNumbersRequest,
    params(("id" = String, Path, description = "Instance id or name")),
    responses(
        (status = 200, body = Envelope<Vec<NumberCheckView>>),
        (status = 401, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, description = "The number is not open", body = ErrorBody),
        (status = 422, description = "No numbers, too many, or one that is not a phone number", body = ErrorBody),
        (status = 501, description = "The instance's engine cannot check numbers", body = ErrorBody),
        (status = 503, body = ErrorBody),
    )
)]
pub async fn check_numbers(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<String>,
    ApiJson(request): ApiJson<CheckNumbersRequest>,
) -> ApiResult<Response> {
    let checks = state
        .gateway
        .check_numbers(&principal, &id, &request.numbers)
        .await?;
    Ok(envelope::ok(
        checks
            .into_iter()
            .map(NumberCheckView::from)
            .collect::<Vec<_>>(),
    ))
}

/// Check whether one number is on WhatsApp.
#[utoipa::path(
    get, path = "/api/v1/instances/{id}/on-whatsapp/{phone}", tag = "contacts",
    params(
        ("id" = String, Path, description = "Instance id or name"),
        ("phone" = String, Path, description = "Phone number in international format", example = "15550001111"),
    ),
    responses(
        (status = 200, body = Envelope<NumberCheckView>),
        (status = 401, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, description = "The number is not open", body = ErrorBody),
        (status = 422, body = ErrorBody), (status = 501, body = ErrorBody),
        (status = 503, body = ErrorBody),
    )
)]
pub async fn on_whatsapp(
    State(state): State<AppState>,
    principal: Principal,
    Path((id, phone)): Path<(String, String)>,
) -> ApiResult<Response> {
    let checks = state
        .gateway
        .check_numbers(&principal, &id, std::slice::from_ref(&phone))
        .await?;
    let check = checks
        .into_iter()
        .next()
        .map(NumberCheckView::from)
        .ok_or(crate::services::ServiceError::NotFound("answer"))?;
    Ok(envelope::ok(check))
}

/// A blocked contact.
#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct BlockedContactView {
    #[schema(example = "15550002222@s.whatsapp.net")]
    pub jid: String,
    /// Their phone number, when WhatsApp names them by it (not by LID).
    #[schema(example = "15550002222")]
    pub phone: Option<String>,
    pub blocked: bool,
}

impl BlockedContactView {
    fn new(jid: &Jid, blocked: bool) -> Self {
        Self {
            jid: jid.to_string(),
            phone: (jid.kind() == JidKind::User).then(|| jid.user().to_owned()),
            blocked,
        }
    }
}

/// Block a contact: they can no longer write to or call the number.
#[utoipa::path(
    post, path = "/api/v1/instances/{id}/contacts/{phone}/block", tag = "contacts",
    params(
        ("id" = String, Path, description = "Instance id or name"),
        ("phone" = String, Path, description = "The contact's phone number", example = "15550002222"),
    ),
    responses(
        (status = 200, body = Envelope<BlockedContactView>),
        (status = 401, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, description = "The number is not open", body = ErrorBody),
        (status = 422, body = ErrorBody), (status = 501, body = ErrorBody),
        (status = 503, body = ErrorBody),
    )
)]
pub async fn block(
    State(state): State<AppState>,
    principal: Principal,
    Path((id, phone)): Path<(String, String)>,
) -> ApiResult<Response> {
    let jid = state
        .gateway
        .set_contact_blocked(&principal, &id, &phone, true)
        .await?;
    Ok(envelope::ok(BlockedContactView::new(&jid, true)))
}

/// Unblock a contact.
#[utoipa::path(
    post, path = "/api/v1/instances/{id}/contacts/{phone}/unblock", tag = "contacts",
    params(
        ("id" = String, Path, description = "Instance id or name"),
        ("phone" = String, Path, description = "The contact's phone number", example = "15550002222"),
    ),
    responses(
        (status = 200, body = Envelope<BlockedContactView>),
        (status = 401, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, description = "The number is not open", body = ErrorBody),
        (status = 422, body = ErrorBody), (status = 501, body = ErrorBody),
        (status = 503, body = ErrorBody),
    )
)]
pub async fn unblock(
    State(state): State<AppState>,
    principal: Principal,
    Path((id, phone)): Path<(String, String)>,
) -> ApiResult<Response> {
    let jid = state
        .gateway
        .set_contact_blocked(&principal, &id, &phone, false)
        .await?;
    Ok(envelope::ok(BlockedContactView::new(&jid, false)))
}

/// The contacts the number has blocked.
#[utoipa::path(
    get, path = "/api/v1/instances/{id}/contacts/blocklist", tag = "contacts",
    params(("id" = String, Path, description = "Instance id or name")),
    responses(
        (status = 200, body = Envelope<Vec<BlockedContactView>>),
        (status = 401, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, description = "The number is not open", body = ErrorBody),
        (status = 501, body = ErrorBody), (status = 503, body = ErrorBody),
    )
)]
pub async fn blocklist(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let blocked = state.gateway.blocklist(&principal, &id).await?;
    Ok(envelope::ok(
        blocked
            .iter()
            .map(|jid| BlockedContactView::new(jid, true))
            .collect::<Vec<_>>(),
    ))
}
