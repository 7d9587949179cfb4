//! `/api/v1/whatsapp-sessions`: a session is a wagate instance, shown with the seed's states
//! and, on creation only, its session key (the instance key).

use super::TAG;
use super::auth::SessionsCaller;
use super::body;
use super::error::{SessionsError, SessionsErrorBody, SessionsResult};
use super::reply;
use crate::services::{
    ConnectRequest, Gateway, InstanceRecord, InstanceWebhookRequest, NewInstanceRequest, Principal,
    WebhookRecord, qr_image,
};
use axum::body::Bytes;
use axum::extract::{FromRef, Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;
use serde_json::{Value, json};
use std::sync::Arc;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use wagate_core::{ErrorCode, InstanceStatus, WebhookFormat};

pub fn routes<S>() -> OpenApiRouter<S>
where
    S: Clone + Send + Sync + 'static,
    Arc<Gateway>: FromRef<S>,
{
    OpenApiRouter::new()
        .routes(routes!(list_sessions, create_session))
        .routes(routes!(get_session, delete_session))
        .routes(routes!(connect_session))
        .routes(routes!(disconnect_session))
        .routes(routes!(session_qrcode))
        .routes(routes!(set_session_webhook))
}

/// The seed's state of a session, from the instance's status.
pub fn state(status: InstanceStatus) -> &'static str {
    match status {
        InstanceStatus::Open => "CONNECTED",
        InstanceStatus::Connecting | InstanceStatus::Qr | InstanceStatus::Pairing => "CONNECTING",
        InstanceStatus::Disconnected => "DISCONNECTED",
        InstanceStatus::LoggedOut => "LOGGED_OUT",
        InstanceStatus::Failed | InstanceStatus::CredentialsInvalid => "FAILED",
    }
}

/// A session as every route shows it.
fn session_view(instance: &InstanceRecord) -> Value {
    json!({
        "id": instance.id,
        "name": instance.name.as_str(),
        "status": state(instance.status),
        "statusReason": instance.status_reason,
        "engine": instance.engine.as_str(),
        "phoneNumber": instance.me.as_ref().map(|me| me.phone.as_str().to_owned()),
        "pushName": instance.me.as_ref().and_then(|me| me.push_name.clone()),
        "createdAt": reply::time(instance.created_at),
        "updatedAt": reply::time(instance.updated_at),
    })
}

/// The QR code a connecting session shows, as the seed's dashboard would: the encoded text
/// and a PNG data URL of it.
fn qr_view(instance: &InstanceRecord) -> SessionsResult<Option<Value>> {
    match (instance.status, &instance.qr_code, instance.qr_expires_at) {
        (InstanceStatus::Qr, Some(code), Some(expires_at)) => {
            let image = qr_image::data_url(code).map_err(|message| {
                tracing::error!(%message, "a QR code could not be drawn");
                SessionsError::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    ErrorCode::InternalError.as_str(),
                    "internal error; the server log has the details",
                )
            })?;
            Ok(Some(json!({
                "qr": code,
                "image": image,
                "expiresAt": reply::time(expires_at),
            })))
        }
        _ => Ok(None),
    }
}

/// `POST /api/v1/whatsapp-sessions`: everything optional.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CreateSessionRequest {
    /// Unique within the account (letters, digits, '.', '_' and '-'); one is made up without it.
    #[schema(example = "support")]
    pub name: Option<String>,
    /// wagate's engine: `sandbox` (the default, as in the native API), `web` or `cloud`.
    #[schema(example = "web")]
    pub engine: Option<String>,
    /// Where this session's events are posted, in the seed's webhook envelope.
    #[schema(example = "https://example.com/hooks/whatsapp")]
    pub webhook_url: Option<String>,
}

/// A name for a session created without one.
fn made_up_name() -> String {
    format!("session-{:08x}", rand::random::<u32>())
}

/// List all sessions (personal access token; a session key sees its own).
#[utoipa::path(
    get, path = "/api/v1/whatsapp-sessions", tag = TAG,
    responses(
        (status = 200, description = "The sessions", body = Object, example = json!({ "success": true, "data": [{
            "id": "0192f0c5-6a4f-7d0e-9a51-3d2f8b1c9e77", "name": "support", "status": "CONNECTED", "statusReason": null,
            "engine": "web", "phoneNumber": "15550001111", "pushName": "Acme Support",
            "createdAt": "2026-03-28T10:00:00.000Z", "updatedAt": "2026-03-28T10:02:00.000Z"
        }] })),
        (status = 401, body = SessionsErrorBody), (status = 429, body = SessionsErrorBody),
    )
)]
pub async fn list_sessions(
    State(gateway): State<Arc<Gateway>>,
    SessionsCaller(principal): SessionsCaller,
) -> SessionsResult<Response> {
    let instances = gateway.list_instances(&principal).await?;
    reply::ok(instances.iter().map(session_view).collect())
}

/// Create a session (personal access token). The answer holds its session key, shown only
/// this once; connect it to link a phone.
#[utoipa::path(
    post, path = "/api/v1/whatsapp-sessions", tag = TAG,
    request_body(content = CreateSessionRequest, description = "Optional", example = json!({ "name": "support" })),
    responses(
        (status = 201, description = "The session and its key, shown once", body = Object, example = json!({ "success": true, "data": {
            "id": "0192f0c5-6a4f-7d0e-9a51-3d2f8b1c9e77", "name": "support", "status": "DISCONNECTED", "statusReason": null,
            "engine": "sandbox", "phoneNumber": null, "pushName": null,
            "createdAt": "2026-03-28T10:00:00.000Z", "updatedAt": "2026-03-28T10:00:00.000Z",
            "apiKey": "wgi_3f2a…"
        } })),
        (status = 401, body = SessionsErrorBody), (status = 403, description = "A session key cannot create sessions", body = SessionsErrorBody),
        (status = 409, description = "A session with this name exists", body = SessionsErrorBody),
        (status = 422, body = SessionsErrorBody),
    )
)]
pub async fn create_session(
    State(gateway): State<Arc<Gateway>>,
    SessionsCaller(principal): SessionsCaller,
    bytes: Bytes,
) -> SessionsResult<Response> {
    let request: CreateSessionRequest = body::json(&bytes)?;
    let created = gateway
        .create_instance(
            &principal,
            NewInstanceRequest {
                name: Some(request.name.unwrap_or_else(made_up_name)),
                engine: request.engine,
                ..NewInstanceRequest::default()
            },
        )
        .await?;
    let mut view = session_view(&created.instance);
    if let Some(url) = request.webhook_url {
        let id = created.instance.id.as_str();
        match set_webhook(&gateway, &principal, id, url, true).await {
            Ok(webhook) => view["webhook"] = webhook_view(&webhook),
            Err(error) => {
                // A session is created with its webhook or not at all.
                gateway.delete_instance(&principal, id).await?;
                return Err(error);
            }
        }
    }
    view["apiKey"] = json!(created.api_key);
    reply::created(view)
}

async fn session(
    gateway: &Gateway,
    principal: &Principal,
    id: &str,
) -> SessionsResult<InstanceRecord> {
    Ok(gateway.resolve_instance(principal, id).await?)
}

/// Show a session (its session key or a personal access token).
#[utoipa::path(
    get, path = "/api/v1/whatsapp-sessions/{id}", tag = TAG,
    params(("id" = String, Path, description = "The session's id (or name)")),
    responses(
        (status = 200, description = "The session", body = Object, example = json!({ "success": true, "data": {
            "id": "0192f0c5-6a4f-7d0e-9a51-3d2f8b1c9e77", "name": "support", "status": "CONNECTING", "statusReason": null,
            "engine": "web", "phoneNumber": null, "pushName": null,
            "createdAt": "2026-03-28T10:00:00.000Z", "updatedAt": "2026-03-28T10:01:00.000Z"
        } })),
        (status = 401, body = SessionsErrorBody), (status = 404, body = SessionsErrorBody),
    )
)]
pub async fn get_session(
    State(gateway): State<Arc<Gateway>>,
    SessionsCaller(principal): SessionsCaller,
    Path(id): Path<String>,
) -> SessionsResult<Response> {
    reply::ok(session_view(&session(&gateway, &principal, &id).await?))
}

/// Delete a session: its connection is closed, its messages and keys go with it.
#[utoipa::path(
    delete, path = "/api/v1/whatsapp-sessions/{id}", tag = TAG,
    params(("id" = String, Path, description = "The session's id (or name)")),
    responses(
        (status = 200, description = "Deleted", body = Object, example = json!({ "success": true, "data": { "id": "0192f0c5-6a4f-7d0e-9a51-3d2f8b1c9e77", "deleted": true } })),
        (status = 401, body = SessionsErrorBody), (status = 403, description = "A session key cannot delete its session", body = SessionsErrorBody),
        (status = 404, body = SessionsErrorBody),
    )
)]
pub async fn delete_session(
    State(gateway): State<Arc<Gateway>>,
    SessionsCaller(principal): SessionsCaller,
    Path(id): Path<String>,
) -> SessionsResult<Response> {
    let instance = session(&gateway, &principal, &id).await?;
    gateway
        .delete_instance(&principal, instance.id.as_str())
        .await?;
    reply::ok(json!({ "id": instance.id, "deleted": true }))
}

/// `POST …/connect`: optional.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ConnectSessionRequest {
    /// Link with a pairing code for this number instead of a QR code.
    #[schema(example = "15550001111")]
    pub phone_number: Option<String>,
}

/// Start the connection: the session turns `CONNECTING` and shows a QR code (`qrcode`), or
/// with `phoneNumber` a pairing code; a linked session reconnects without a code.
#[utoipa::path(
    post, path = "/api/v1/whatsapp-sessions/{id}/connect", tag = TAG,
    params(("id" = String, Path, description = "The session's id (or name)")),
    request_body(content = ConnectSessionRequest, description = "Optional", example = json!({})),
    responses(
        (status = 200, description = "The session after the call, with its QR code while connecting", body = Object, example = json!({ "success": true, "data": {
            "id": "0192f0c5-6a4f-7d0e-9a51-3d2f8b1c9e77", "name": "support", "status": "CONNECTING", "statusReason": null,
            "engine": "web", "phoneNumber": null, "pushName": null,
            "createdAt": "2026-03-28T10:00:00.000Z", "updatedAt": "2026-03-28T10:01:00.000Z",
            "qrcode": { "qr": "2@AbCd…", "image": "data:image/png;base64,iVBORw0…", "expiresAt": "2026-03-28T10:01:20.000Z" },
            "pairingCode": null
        } })),
        (status = 401, body = SessionsErrorBody), (status = 404, body = SessionsErrorBody),
        (status = 409, description = "Already connected", body = SessionsErrorBody),
        (status = 422, body = SessionsErrorBody),
    )
)]
pub async fn connect_session(
    State(gateway): State<Arc<Gateway>>,
    SessionsCaller(principal): SessionsCaller,
    Path(id): Path<String>,
    bytes: Bytes,
) -> SessionsResult<Response> {
    let request: ConnectSessionRequest = body::json(&bytes)?;
    let instance = gateway
        .connect(
            &principal,
            &id,
            ConnectRequest {
                phone_number: request.phone_number,
            },
        )
        .await?;
    let mut view = session_view(&instance);
    view["qrcode"] = qr_view(&instance)?.unwrap_or(Value::Null);
    view["pairingCode"] = json!(
        instance
            .pairing_code
            .clone()
            .filter(|_| instance.status == InstanceStatus::Pairing)
    );
    reply::ok(view)
}

/// Disconnect: the linked device is logged out and the session is `DISCONNECTED`; connect
/// it again to link a phone.
#[utoipa::path(
    post, path = "/api/v1/whatsapp-sessions/{id}/disconnect", tag = TAG,
    params(("id" = String, Path, description = "The session's id (or name)")),
    responses(
        (status = 200, description = "The session after the call", body = Object, example = json!({ "success": true, "data": {
            "id": "0192f0c5-6a4f-7d0e-9a51-3d2f8b1c9e77", "name": "support", "status": "DISCONNECTED", "statusReason": "logged out through the API",
            "engine": "web", "phoneNumber": null, "pushName": null,
            "createdAt": "2026-03-28T10:00:00.000Z", "updatedAt": "2026-03-28T10:05:00.000Z"
        } })),
        (status = 401, body = SessionsErrorBody), (status = 404, body = SessionsErrorBody),
        (status = 409, description = "The session is not connected (SESSION_DISCONNECTED)", body = SessionsErrorBody),
    )
)]
pub async fn disconnect_session(
    State(gateway): State<Arc<Gateway>>,
    SessionsCaller(principal): SessionsCaller,
    Path(id): Path<String>,
) -> SessionsResult<Response> {
    let instance = session(&gateway, &principal, &id).await?;
    if state(instance.status) != "CONNECTED" && state(instance.status) != "CONNECTING" {
        return Err(SessionsError::session_disconnected(format!(
            "Session not connected (status: {})",
            state(instance.status)
        )));
    }
    let instance = gateway.logout(&principal, instance.id.as_str()).await?;
    reply::ok(session_view(&instance))
}

/// The QR code to scan, while the session is `CONNECTING` (after `connect`); 409 otherwise.
#[utoipa::path(
    get, path = "/api/v1/whatsapp-sessions/{id}/qrcode", tag = TAG,
    params(("id" = String, Path, description = "The session's id (or name)")),
    responses(
        (status = 200, description = "The QR code: its text and a PNG data URL", body = Object, example = json!({ "success": true, "data": {
            "qr": "2@AbCd…", "image": "data:image/png;base64,iVBORw0…", "expiresAt": "2026-03-28T10:01:20.000Z", "status": "CONNECTING"
        } })),
        (status = 401, body = SessionsErrorBody), (status = 404, body = SessionsErrorBody),
        (status = 409, description = "The session is not connecting (no QR code to show)", body = SessionsErrorBody),
    )
)]
pub async fn session_qrcode(
    State(gateway): State<Arc<Gateway>>,
    SessionsCaller(principal): SessionsCaller,
    Path(id): Path<String>,
) -> SessionsResult<Response> {
    let instance = session(&gateway, &principal, &id).await?;
    match qr_view(&instance)? {
        Some(mut qr) => {
            qr["status"] = json!(state(instance.status));
            reply::ok(qr)
        }
        None => {
            let current = state(instance.status);
            let message = format!(
                "The session shows no QR code (status: {current}); a QR code is shown only while CONNECTING, after connect"
            );
            Err(match current {
                "CONNECTED" | "CONNECTING" => {
                    SessionsError::new(StatusCode::CONFLICT, ErrorCode::Conflict.as_str(), message)
                }
                _ => SessionsError::session_disconnected(message),
            })
        }
    }
}

/// Makes or replaces the session's one webhook of the seed's format.
async fn set_webhook(
    gateway: &Gateway,
    principal: &Principal,
    session: &str,
    url: String,
    enabled: bool,
) -> SessionsResult<WebhookRecord> {
    let (webhook, _) = gateway
        .set_instance_webhook(
            principal,
            session,
            InstanceWebhookRequest {
                format: WebhookFormat::Sessions,
                url,
                enabled,
                events: Vec::new(),
                by_events: false,
                inline_media: false,
                headers: None,
            },
        )
        .await
        .map_err(|error| {
            let mut error = SessionsError::from(error);
            for detail in &mut error.details {
                if detail.field == "url" {
                    detail.field = "webhookUrl".to_owned();
                }
            }
            error
        })?;
    Ok(webhook)
}

fn webhook_view(webhook: &WebhookRecord) -> Value {
    json!({
        "id": webhook.id,
        "url": webhook.url,
        "enabled": webhook.enabled,
        "events": ["message.received", "message.sent", "session.connected", "session.disconnected"],
    })
}

/// `PUT …/{id}/webhook`.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SessionWebhookRequest {
    /// Where the session's events are posted.
    #[schema(example = "https://example.com/hooks/whatsapp")]
    pub webhook_url: Option<String>,
    /// `false` keeps the URL and stops the deliveries.
    #[schema(example = true)]
    pub enabled: Option<bool>,
}

/// Configure the session's webhook URL: its events are posted there as `{event, sessionId,
/// timestamp, data}` (`message.received`, `message.sent`, `session.connected`,
/// `session.disconnected`), signed like every wagate webhook.
#[utoipa::path(
    put, path = "/api/v1/whatsapp-sessions/{id}/webhook", tag = TAG,
    params(("id" = String, Path, description = "The session's id (or name)")),
    request_body(content = SessionWebhookRequest, example = json!({ "webhookUrl": "https://example.com/hooks/whatsapp" })),
    responses(
        (status = 200, description = "The session's webhook", body = Object, example = json!({ "success": true, "data": {
            "id": "whk_0192f0c5…", "url": "https://example.com/hooks/whatsapp", "enabled": true,
            "events": ["message.received", "message.sent", "session.connected", "session.disconnected"]
        } })),
        (status = 401, body = SessionsErrorBody), (status = 404, body = SessionsErrorBody),
        (status = 422, description = "No URL, or one that does not lead to a public address", body = SessionsErrorBody),
    )
)]
pub async fn set_session_webhook(
    State(gateway): State<Arc<Gateway>>,
    SessionsCaller(principal): SessionsCaller,
    Path(id): Path<String>,
    bytes: Bytes,
) -> SessionsResult<Response> {
    let request: SessionWebhookRequest = body::json(&bytes)?;
    let url = request
        .webhook_url
        .ok_or_else(|| SessionsError::field("webhookUrl", "is required"))?;
    let instance = session(&gateway, &principal, &id).await?;
    let webhook = set_webhook(
        &gateway,
        &principal,
        instance.id.as_str(),
        url,
        request.enabled.unwrap_or(true),
    )
    .await?;
    reply::ok(webhook_view(&webhook))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_status_has_a_seed_state() {
        assert_eq!(state(InstanceStatus::Open), "CONNECTED");
        assert_eq!(state(InstanceStatus::Qr), "CONNECTING");
        assert_eq!(state(InstanceStatus::Pairing), "CONNECTING");
        assert_eq!(state(InstanceStatus::Disconnected), "DISCONNECTED");
        for status in InstanceStatus::ALL {
            assert!(!state(status).is_empty());
        }
        assert!(made_up_name().starts_with("session-"));
    }
}
