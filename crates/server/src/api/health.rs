//! Liveness and readiness probes.

use super::AppState;
use super::error::{ApiError, ApiResult};
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use serde_json::json;
use wagate_core::ErrorCode;

/// The process is up.
#[utoipa::path(get, path = "/healthz", tag = "health", security(()), responses((status = 200, description = "Alive")))]
pub async fn healthz() -> Response {
    axum::Json(json!({ "success": true, "data": { "status": "ok" } })).into_response()
}

/// The process can serve: its database answers.
#[utoipa::path(
    get, path = "/readyz", tag = "health", security(()),
    responses((status = 200, description = "Ready"), (status = 503, description = "The database does not answer"))
)]
pub async fn readyz(State(state): State<AppState>) -> ApiResult<Response> {
    state.gateway.store().ping().await.map_err(|error| {
        tracing::warn!(%error, "readiness check failed");
        ApiError::new(ErrorCode::EngineUnavailable, "the database does not answer")
    })?;
    Ok(
        axum::Json(json!({ "success": true, "data": { "status": "ready", "database": "ok" } }))
            .into_response(),
    )
}
