//! Getting a key: `POST /auth/register` (no key; the operator may turn it off) and
//! `POST /auth/me/rotate-key` (the calling key is replaced by a new one).

use super::TAG;
use super::auth::WaCaller;
use super::body;
use super::error::{WaError, WaErrorBody, WaResult};
use crate::services::{Gateway, RateDecision};
use axum::Json;
use axum::body::Bytes;
use axum::extract::{ConnectInfo, FromRef, State};
use axum::http::{Extensions, HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::json;
use std::net::SocketAddr;
use std::sync::Arc;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use wagate_core::ErrorCode;

pub fn routes<S>() -> OpenApiRouter<S>
where
    S: Clone + Send + Sync + 'static,
    Arc<Gateway>: FromRef<S>,
{
    OpenApiRouter::new()
        .routes(routes!(register))
        .routes(routes!(rotate_key))
}

/// `POST /auth/register`.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
pub struct RegisterRequest {
    /// Your name or company name.
    #[schema(example = "Your Name")]
    pub name: Option<String>,
    /// The email address of the account.
    #[schema(example = "you@example.com")]
    pub email: Option<String>,
}

fn limit_headers(headers: &mut HeaderMap, decision: &RateDecision) {
    headers.insert("x-ratelimit-limit", HeaderValue::from(decision.limit));
    headers.insert(
        "x-ratelimit-remaining",
        HeaderValue::from(decision.remaining),
    );
    headers.insert("x-ratelimit-reset", HeaderValue::from(decision.reset_at));
}

/// Create an account and get its API key (shown only in this answer). No key needed; at most
/// 5 a minute from one address. The operator may turn registration off (then 403).
#[utoipa::path(
    post, path = "/auth/register", tag = TAG, security(()),
    request_body(content = RegisterRequest, example = json!({ "name": "Your Name", "email": "you@example.com" })),
    responses(
        (status = 201, description = "The account's key, shown once", body = Object, example = json!({ "success": true, "data": { "apiKey": "sk_live_a1b2c3…", "plan": "free" } })),
        (status = 400, description = "Validation failed (see details)", body = WaErrorBody),
        (status = 403, description = "Registration is turned off on this server", body = WaErrorBody),
        (status = 429, description = "More than 5 sign-ups a minute from this address (see Retry-After)", body = WaErrorBody),
    )
)]
pub async fn register(
    State(gateway): State<Arc<Gateway>>,
    extensions: Extensions,
    bytes: Bytes,
) -> WaResult<Response> {
    let address = extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|info| info.0.ip());
    let decision = gateway.count_registration(address);
    if let Some(decision) = decision.filter(|decision| !decision.allowed) {
        let mut refused = WaError::new(
            StatusCode::TOO_MANY_REQUESTS,
            ErrorCode::RateLimited,
            format!(
                "Too many sign-ups from this address: at most {} a minute; try again in {} s.",
                decision.limit,
                decision.retry_after_secs()
            ),
        );
        refused.retry_after_secs = Some(decision.retry_after_secs());
        let mut response = refused.into_response();
        limit_headers(response.headers_mut(), &decision);
        return Ok(response);
    }
    let request: RegisterRequest = body::json(&bytes)?;
    let (account, api_key) = gateway
        .register_account(request.name.as_deref(), request.email.as_deref())
        .await?;
    let mut response = (
        StatusCode::CREATED,
        Json(json!({ "success": true, "data": { "apiKey": api_key, "plan": account.plan } })),
    )
        .into_response();
    if let Some(decision) = decision {
        limit_headers(response.headers_mut(), &decision);
    }
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(response)
}

/// Replace the calling key with a new one, shown only in this answer; the old key stops
/// working at once.
#[utoipa::path(
    post, path = "/auth/me/rotate-key", tag = TAG,
    responses(
        (status = 200, description = "The new key, shown once", body = Object, example = json!({ "success": true, "data": { "apiKey": "sk_live_new_key_here…" } })),
        (status = 401, body = WaErrorBody),
        (status = 403, description = "The admin key is configured, not rotated", body = WaErrorBody),
    )
)]
pub async fn rotate_key(
    State(gateway): State<Arc<Gateway>>,
    caller: WaCaller,
) -> WaResult<Response> {
    let api_key = gateway.rotate_key(&caller.0).await?;
    let mut response =
        Json(json!({ "success": true, "data": { "apiKey": api_key } })).into_response();
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(response)
}
