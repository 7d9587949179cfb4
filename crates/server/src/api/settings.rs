//! An instance's settings on their own route (`GET`/`PUT …/settings`), as Evolution API users
//! expect them: the switches spelled out, and pacing.

use super::AppState;
use super::envelope::{self, Envelope};
use super::error::{ApiResult, ErrorBody};
use super::json::ApiJson;
use crate::services::{InstanceUpdateRequest, Principal};
use axum::extract::{Path, State};
use axum::response::Response;
use serde::Serialize;
use wagate_core::{InstanceSettings, PacingSettings};

/// Every setting, off ones included.
#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SettingsView {
    /// Group messages are not stored and raise no event.
    pub ignore_groups: bool,
    /// Contacts' status updates (`status@broadcast`) are not stored and raise no event.
    pub ignore_status: bool,
    /// Arrived messages are marked read on WhatsApp once stored.
    pub auto_read_messages: bool,
    /// Calls are rejected as they ring.
    pub reject_calls: bool,
    /// Sent to a caller whose call was rejected by `rejectCalls`.
    pub call_reject_message: Option<String>,
    /// The number shows online whenever it is connected.
    pub always_online: bool,
    /// The chat history WhatsApp hands a newly linked device is imported.
    pub sync_history: bool,
    /// This number's overrides of the server's pacing; `null` follows `[pacing]`.
    pub pacing: Option<PacingSettings>,
}

impl From<InstanceSettings> for SettingsView {
    fn from(settings: InstanceSettings) -> Self {
        Self {
            ignore_groups: settings.ignore_groups,
            ignore_status: settings.ignore_status,
            auto_read_messages: settings.auto_read_messages,
            reject_calls: settings.reject_calls,
            call_reject_message: settings.call_reject_message,
            always_online: settings.always_online,
            sync_history: settings.sync_history,
            pacing: settings.pacing,
        }
    }
}

/// The instance's settings.
#[utoipa::path(
    get, path = "/api/v1/instances/{id}/settings", tag = "instances",
    params(("id" = String, Path, description = "Instance id or name")),
    responses(
        (status = 200, body = Envelope<SettingsView>),
        (status = 401, body = ErrorBody), (status = 404, body = ErrorBody),
    )
)]
pub async fn get_settings(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let instance = state.gateway.resolve_instance(&principal, &id).await?;
    Ok(envelope::ok(SettingsView::from(instance.settings)))
}

/// Replace the instance's settings as a whole (account key); what is left out is off or
/// follows the server's defaults.
#[utoipa::path(
    put, path = "/api/v1/instances/{id}/settings", tag = "instances",
    request_body = InstanceSettings,
    params(("id" = String, Path, description = "Instance id or name")),
    responses(
        (status = 200, body = Envelope<SettingsView>),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 422, body = ErrorBody),
    )
)]
pub async fn put_settings(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<String>,
    ApiJson(settings): ApiJson<InstanceSettings>,
) -> ApiResult<Response> {
    let instance = state
        .gateway
        .update_instance(
            &principal,
            &id,
            InstanceUpdateRequest {
                settings: Some(settings),
            },
        )
        .await?;
    Ok(envelope::ok(SettingsView::from(instance.settings)))
}
