//! `/webhooks/meta/{instanceId}`: where Meta delivers a cloud number's webhooks. Not under
//! `/api/v1` and without an API key: Meta proves itself with the verify token (handshake) and
//! the `X-Hub-Signature-256` of each delivery.

use super::AppState;
use super::envelope::{self, Envelope};
use super::error::{ApiResult, ErrorBody};
use crate::services::MetaHandshake;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use serde::Serialize;

/// What a delivery did.
#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct DeliveryView {
    #[schema(example = 1)]
    pub messages: usize,
    pub statuses: usize,
    /// Updates for numbers this account does not have.
    pub ignored: usize,
}

/// Meta's webhook verification: answers `hub.challenge` as plain text when `hub.verify_token`
/// is the instance's (see `GET /api/v1/instances/{id}/cloud`), 403 otherwise.
#[utoipa::path(
    get, path = "/webhooks/meta/{id}", tag = "cloud", security(()),
    params(("id" = String, Path, description = "Instance id"), MetaHandshake),
    responses(
        (status = 200, description = "The challenge", body = String, content_type = "text/plain"),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
    )
)]
pub async fn handshake(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Query(query): Query<MetaHandshake>,
) -> ApiResult<Response> {
    let challenge = state
        .gateway
        .meta_handshake(
            &id,
            query.mode.as_deref(),
            query.verify_token.as_deref(),
            query.challenge.as_deref(),
        )
        .await?;
    Ok(challenge.into_response())
}

/// A delivery of Meta's webhooks: received messages and the statuses of sent ones. Only
/// bodies signed with the instance's app secret are accepted (401 otherwise). Answered after
/// everything in it is stored; a repeated delivery changes nothing.
#[utoipa::path(
    post, path = "/webhooks/meta/{id}", tag = "cloud", security(()),
    params(
        ("id" = String, Path, description = "Instance id"),
        ("X-Hub-Signature-256" = String, Header, description = "sha256=<hex HMAC-SHA256 of the body under the app secret>"),
    ),
    request_body(content = Object, description = "Meta's `whatsapp_business_account` webhook payload",
        example = json!({ "object": "whatsapp_business_account", "entry": [{ "id": "102290129340398", "changes": [{ "field": "messages", "value": { "messaging_product": "whatsapp", "metadata": { "display_phone_number": "15550001111", "phone_number_id": "106540352242922" }, "statuses": [{ "id": "wamid.HBgL…", "status": "delivered", "timestamp": "1764400000", "recipient_id": "15550002222" }] } }] }] })),
    responses(
        (status = 200, body = Envelope<DeliveryView>),
        (status = 401, description = "Missing or wrong signature", body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 422, body = ErrorBody),
        (status = 503, description = "A file could not be fetched from Meta; Meta delivers again", body = ErrorBody),
    )
)]
pub async fn receive(
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Response> {
    let signature = headers
        .get("x-hub-signature-256")
        .and_then(|value| value.to_str().ok());
    let delivery = state
        .gateway
        .receive_meta_webhook(&id, signature, &body)
        .await?;
    Ok(envelope::ok(DeliveryView {
        messages: delivery.messages,
        statuses: delivery.statuses,
        ignored: delivery.ignored,
    }))
}
