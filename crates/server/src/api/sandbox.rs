//! `/api/v1/sandbox`: the simulated phone of the sandbox engine.

use super::AppState;
use super::envelope::{self, Envelope};
use super::error::{ApiResult, ErrorBody};
use super::json::ApiJson;
use super::views::SandboxLinkView;
use crate::services::{
    Principal, SandboxCallRequest, SandboxFaultRequest, SandboxInboundRequest, SandboxLinkRequest,
    SandboxNetworkChange, SandboxPresenceRequest,
};
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};

/// Play the phone: link the sandbox instance that shows this QR code or pairing code.
#[utoipa::path(
    post, path = "/api/v1/sandbox/link", tag = "sandbox", request_body = SandboxLinkRequest,
    responses(
        (status = 200, body = Envelope<SandboxLinkView>),
        (status = 401, body = ErrorBody),
        (status = 404, description = "No sandbox instance of the account shows this code", body = ErrorBody),
        (status = 409, description = "The code expired", body = ErrorBody),
        (status = 422, body = ErrorBody),
    )
)]
pub async fn link(
    State(state): State<AppState>,
    principal: Principal,
    ApiJson(request): ApiJson<SandboxLinkRequest>,
) -> ApiResult<Response> {
    let instance = state.gateway.sandbox_link(&principal, request).await?;
    Ok(envelope::ok(SandboxLinkView {
        instance_id: instance.id.to_string(),
        instance: instance.name.as_str().to_owned(),
        status: instance.status,
        me: instance.me,
    }))
}

/// The simulated network drops the instance's connection: its status turns `connecting` and
/// messages wait in the queue until the connection is restored. For testing integrations.
#[utoipa::path(
    post, path = "/api/v1/sandbox/instances/{id}/disconnect", tag = "sandbox",
    params(("id" = String, Path, description = "Instance id or name")),
    responses(
        (status = 202, description = "The drop is reported as a session event", body = Envelope<SandboxNetworkView>),
        (status = 401, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, description = "Not connected", body = ErrorBody),
        (status = 501, description = "Not a sandbox instance", body = ErrorBody),
    )
)]
pub async fn disconnect(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    network_change(state, principal, id, SandboxNetworkChange::Drop).await
}

/// The simulated network is back: the instance reconnects and queued messages go out.
#[utoipa::path(
    post, path = "/api/v1/sandbox/instances/{id}/reconnect", tag = "sandbox",
    params(("id" = String, Path, description = "Instance id or name")),
    responses(
        (status = 202, description = "The reconnection is reported as a session event", body = Envelope<SandboxNetworkView>),
        (status = 401, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, description = "The connection was not dropped", body = ErrorBody),
        (status = 501, description = "Not a sandbox instance", body = ErrorBody),
    )
)]
pub async fn reconnect(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    network_change(state, principal, id, SandboxNetworkChange::Restore).await
}

/// A change the simulated network made; the instance's status follows once the session event
/// is applied (watch `session.status`).
#[derive(serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SandboxNetworkView {
    #[schema(example = "ins_0192f0c5e2b47a39b1d2c3e4f5a6b7c8")]
    pub instance_id: String,
    pub network: &'static str,
}

async fn network_change(
    state: AppState,
    principal: Principal,
    id: String,
    change: SandboxNetworkChange,
) -> ApiResult<Response> {
    let instance = state
        .gateway
        .sandbox_network(&principal, &id, change)
        .await?;
    Ok(envelope::accepted(SandboxNetworkView {
        instance_id: instance.id.to_string(),
        network: match change {
            SandboxNetworkChange::Drop => "dropped",
            SandboxNetworkChange::Restore => "restored",
        },
    }))
}

/// Play someone else on WhatsApp: deliver a message (any content, as for sends), a reaction,
/// an edit, a revoke or a poll vote to a sandbox instance. It arrives as `message.received`
/// (or `message.reaction`, `message.edited`, …) like real traffic.
#[utoipa::path(
    post, path = "/api/v1/sandbox/instances/{id}/inbound", tag = "sandbox",
    params(("id" = String, Path, description = "Instance id or name")), request_body = SandboxInboundRequest,
    responses(
        (status = 202, body = Envelope<SandboxInboundView>),
        (status = 401, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, description = "The instance is not connected", body = ErrorBody),
        (status = 413, body = ErrorBody), (status = 415, body = ErrorBody), (status = 422, body = ErrorBody),
        (status = 501, description = "Not a sandbox instance", body = ErrorBody),
    )
)]
pub async fn inbound(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<String>,
    ApiJson(request): ApiJson<SandboxInboundRequest>,
) -> ApiResult<Response> {
    let provider_message_id = state
        .gateway
        .sandbox_inbound(&principal, &id, request)
        .await?;
    Ok(envelope::accepted(SandboxInboundView {
        provider_message_id,
    }))
}

/// Play someone calling a sandbox instance: the call rings (`call.received`) until it is
/// rejected, by hand (`POST /api/v1/instances/{id}/calls/{callId}/reject`) or by the
/// instance's `rejectCalls` setting.
#[utoipa::path(
    post, path = "/api/v1/sandbox/instances/{id}/call", tag = "sandbox",
    params(("id" = String, Path, description = "Instance id or name")), request_body = SandboxCallRequest,
    responses(
        (status = 202, body = Envelope<SandboxCallView>),
        (status = 401, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, description = "The instance is not connected", body = ErrorBody),
        (status = 422, body = ErrorBody),
        (status = 501, description = "Not a sandbox instance", body = ErrorBody),
    )
)]
pub async fn call(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<String>,
    ApiJson(request): ApiJson<SandboxCallRequest>,
) -> ApiResult<Response> {
    let call_id = state.gateway.sandbox_call(&principal, &id, request).await?;
    Ok(envelope::accepted(SandboxCallView { call_id }))
}

/// Play someone's presence as a sandbox instance's number sees it: online or offline, or
/// typing, recording or stopped in their chat or a group. It arrives as `presence.updated`.
#[utoipa::path(
    post, path = "/api/v1/sandbox/instances/{id}/presence", tag = "sandbox",
    params(("id" = String, Path, description = "Instance id or name")),
    request_body(content = SandboxPresenceRequest, example = json!({ "from": "15550002222", "state": "composing" })),
    responses(
        (status = 204, description = "Shown; the event follows"),
        (status = 401, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, description = "The instance is not connected", body = ErrorBody),
        (status = 422, body = ErrorBody),
        (status = 501, description = "Not a sandbox instance", body = ErrorBody),
    )
)]
pub async fn presence(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<String>,
    ApiJson(request): ApiJson<SandboxPresenceRequest>,
) -> ApiResult<Response> {
    state
        .gateway
        .sandbox_presence(&principal, &id, request)
        .await?;
    Ok(axum::http::StatusCode::NO_CONTENT.into_response())
}

/// The simulated call: its id, to reject it by.
#[derive(serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SandboxCallView {
    #[schema(example = "SBXCALL5F2A9C")]
    pub call_id: String,
}

/// What the simulated sender's phone sent: WhatsApp's id of a new message.
#[derive(serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SandboxInboundView {
    #[schema(example = "SBX5F2A9C0E8B7D4A1F")]
    pub provider_message_id: Option<String>,
}

/// Make the instance's next sends fail on the simulated network, transiently (retried, and
/// counted by the circuit breaker) or permanently (failed at once). `count: 0` clears it.
#[utoipa::path(
    post, path = "/api/v1/sandbox/instances/{id}/faults", tag = "sandbox",
    request_body = SandboxFaultRequest,
    params(("id" = String, Path, description = "Instance id or name")),
    responses(
        (status = 200, description = "The fault is set", body = Envelope<serde_json::Value>, example = json!({ "success": true, "data": { "instanceId": "ins_0192f0c5e2b47a39b1d2c3e4f5a6b7c8" } })),
        (status = 401, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody),
        (status = 501, description = "Not a sandbox instance", body = ErrorBody),
    )
)]
pub async fn faults(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<String>,
    ApiJson(request): ApiJson<SandboxFaultRequest>,
) -> ApiResult<Response> {
    let instance = state
        .gateway
        .sandbox_fault(&principal, &id, request)
        .await?;
    Ok(envelope::ok(
        serde_json::json!({ "instanceId": instance.id }),
    ))
}

/// What the instance put on the simulated wire, oldest first: each message as WhatsApp got it
/// and each "typing…" shown, with times — pacing seen from the recipient's side.
#[utoipa::path(
    get, path = "/api/v1/sandbox/instances/{id}/activity", tag = "sandbox",
    params(("id" = String, Path, description = "Instance id or name")),
    responses(
        (status = 200, description = "`[{kind: message|status|typing|paused|…, chat, messageId?, at}]`", body = Envelope<serde_json::Value>, example = json!({ "success": true, "data": [{ "kind": "typing", "chat": "15550002222@s.whatsapp.net", "messageId": null, "at": "2026-11-29T10:00:00.000Z" }, { "kind": "message", "chat": "15550002222@s.whatsapp.net", "messageId": "0192f0c5-e2b4-7a39-b1d2-c3e4f5a6b7c8", "at": "2026-11-29T10:00:02.100Z" }] })),
        (status = 401, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 501, description = "Not a sandbox instance", body = ErrorBody),
    )
)]
pub async fn activity(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let activity = state.gateway.sandbox_activity(&principal, &id).await?;
    Ok(envelope::ok(activity))
}
