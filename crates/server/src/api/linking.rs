//! Linking an instance: connect, the QR code, the status, logout.

use super::AppState;
use super::envelope::{self, Envelope};
use super::error::{ApiError, ApiResult, ErrorBody};
use super::json::ApiJson;
use super::views::{ConnectView, QrView, StatusView};
use crate::services::qr_image as qr;
use crate::services::{ConnectRequest, Principal};
use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use chrono::SecondsFormat;
use serde::Deserialize;
use wagate_core::{ErrorCode, InstanceStatus};
use wagate_store::InstanceRecord;

fn qr_view(code: &str, expires_at: chrono::DateTime<chrono::Utc>) -> ApiResult<QrView> {
    let image = qr::data_url(code).map_err(|e| ApiError::new(ErrorCode::InternalError, e))?;
    Ok(QrView {
        code: code.to_owned(),
        image,
        expires_at: expires_at.to_rfc3339_opts(SecondsFormat::Millis, true),
    })
}

fn connect_view(instance: &InstanceRecord) -> ApiResult<ConnectView> {
    let qr = match (instance.status, &instance.qr_code, instance.qr_expires_at) {
        (InstanceStatus::Qr, Some(code), Some(expires_at)) => Some(qr_view(code, expires_at)?),
        _ => None,
    };
    Ok(ConnectView {
        status: instance.status,
        qr,
        pairing_code: instance
            .pairing_code
            .clone()
            .filter(|_| instance.status == InstanceStatus::Pairing),
        me: instance
            .me
            .clone()
            .filter(|_| instance.status == InstanceStatus::Open),
    })
}

/// Start linking: answers a QR code to scan, or with `phoneNumber` a pairing code to type on
/// that phone. A linked instance that is disconnected reconnects without a new code.
#[utoipa::path(
    post, path = "/api/v1/instances/{id}/connect", tag = "instances",
    params(("id" = String, Path, description = "Instance id or name")),
    request_body(content = ConnectRequest, description = "Optional"),
    responses(
        (status = 200, body = Envelope<ConnectView>),
        (status = 401, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, description = "Already connected", body = ErrorBody), (status = 422, body = ErrorBody),
    )
)]
pub async fn connect(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<String>,
    ApiJson(request): ApiJson<ConnectRequest>,
) -> ApiResult<Response> {
    let instance = state.gateway.connect(&principal, &id, request).await?;
    Ok(envelope::ok(connect_view(&instance)?))
}

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct QrQuery {
    /// `png` (default): the image; `base64`: JSON with a PNG data URL; `raw`: the encoded text.
    pub format: Option<String>,
}

/// The QR code the instance shows now.
#[utoipa::path(
    get, path = "/api/v1/instances/{id}/qr", tag = "instances",
    params(("id" = String, Path, description = "Instance id or name"), QrQuery),
    responses(
        (status = 200, description = "PNG image (format=png), JSON (format=base64) or text (format=raw)", content(
            ("image/png"), (Envelope<QrView> = "application/json"), (String = "text/plain")
        )),
        (status = 401, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, description = "The instance shows no QR code now", body = ErrorBody),
        (status = 422, body = ErrorBody),
    )
)]
pub async fn qr_code(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<String>,
    Query(query): Query<QrQuery>,
) -> ApiResult<Response> {
    let format = query.format.as_deref().unwrap_or("png");
    if !matches!(format, "png" | "base64" | "raw") {
        let mut error = ApiError::new(
            ErrorCode::ValidationError,
            "the request has invalid fields; see details",
        );
        error.details.push(wagate_core::FieldError::new(
            "format",
            "must be png, base64 or raw",
        ));
        return Err(error);
    }
    let current = state.gateway.current_qr(&principal, &id).await?;
    Ok(match format {
        "raw" => (
            [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
            current.code,
        )
            .into_response(),
        "base64" => envelope::ok(qr_view(&current.code, current.expires_at)?),
        _ => {
            let png =
                qr::png(&current.code).map_err(|e| ApiError::new(ErrorCode::InternalError, e))?;
            (
                [
                    (header::CONTENT_TYPE, "image/png"),
                    (header::CACHE_CONTROL, "no-store"),
                ],
                png,
            )
                .into_response()
        }
    })
}

/// The connection status and the linked account.
#[utoipa::path(
    get, path = "/api/v1/instances/{id}/status", tag = "instances",
    params(("id" = String, Path, description = "Instance id or name")),
    responses((status = 200, body = Envelope<StatusView>), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody))
)]
pub async fn status(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let instance = state.gateway.resolve_instance(&principal, &id).await?;
    Ok(envelope::ok(StatusView::from(&instance)))
}

/// Unlink the device; the instance can then link another phone.
#[utoipa::path(
    post, path = "/api/v1/instances/{id}/logout", tag = "instances",
    params(("id" = String, Path, description = "Instance id or name")),
    responses(
        (status = 200, body = Envelope<StatusView>),
        (status = 401, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, description = "Not linked", body = ErrorBody),
    )
)]
pub async fn logout(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let instance = state.gateway.logout(&principal, &id).await?;
    Ok(envelope::ok(StatusView::from(&instance)))
}

/// Restart the session: close the connection and connect again with the same device, as
/// after a network change. The instance stays linked; its status shows the reconnection.
#[utoipa::path(
    post, path = "/api/v1/instances/{id}/restart", tag = "instances",
    params(("id" = String, Path, description = "Instance id or name")),
    responses(
        (status = 200, body = Envelope<StatusView>),
        (status = 401, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, description = "Not linked: connect it to link a number", body = ErrorBody),
    )
)]
pub async fn restart(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let instance = state.gateway.restart(&principal, &id).await?;
    Ok(envelope::ok(StatusView::from(&instance)))
}
