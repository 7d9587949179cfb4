//! Calls: rejecting a call that rings (it arrived as `call.received`).

use super::AppState;
use super::envelope::{self, Envelope};
use super::error::{ApiResult, ErrorBody};
use super::json::ApiJson;
use crate::services::Principal;
use axum::extract::{Path, State};
use axum::response::Response;
use serde::{Deserialize, Serialize};

#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RejectCallRequest {
    /// The caller, as `call.received` gave them (`from` or `fromJid`).
    #[schema(example = "15550002222")]
    #[serde(default)]
    pub from: String,
}

#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct RejectedCallView {
    #[schema(example = "B1A2C3D4E5F6A7B8C9D0")]
    pub call_id: String,
    pub rejected: bool,
}

/// Reject a call that is ringing.
#[utoipa::path(
    post, path = "/api/v1/instances/{id}/calls/{callId}/reject", tag = "calls",
    request_body = RejectCallRequest,
    params(
        ("id" = String, Path, description = "Instance id or name"),
        ("callId" = String, Path, description = "The call's id from `call.received`"),
    ),
    responses(
        (status = 200, body = Envelope<RejectedCallView>),
        (status = 401, body = ErrorBody),
        (status = 404, description = "No such instance, or no such call ringing", body = ErrorBody),
        (status = 409, description = "The number is not open", body = ErrorBody),
        (status = 422, body = ErrorBody), (status = 501, body = ErrorBody),
        (status = 503, body = ErrorBody),
    )
)]
pub async fn reject(
    State(state): State<AppState>,
    principal: Principal,
    Path((id, call_id)): Path<(String, String)>,
    ApiJson(request): ApiJson<RejectCallRequest>,
) -> ApiResult<Response> {
    state
        .gateway
        .reject_call(&principal, &id, &call_id, &request.from)
        .await?;
    Ok(envelope::ok(RejectedCallView {
        call_id,
        rejected: true,
    }))
}
