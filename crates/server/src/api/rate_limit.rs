//! Request limits on the way in: authenticates the caller once (handlers reuse the result),
//! counts the request against its account's plan or its address, and answers 429 with
//! `Retry-After` past the limit. Limited responses carry `X-RateLimit-Limit`,
//! `X-RateLimit-Remaining` and `X-RateLimit-Reset` (unix seconds). A valid key also takes its
//! connection out of the per-address count of unauthenticated connections.

use super::AppState;
use super::error::ApiError;
use crate::http::connections::ConnectionAuth;
use crate::services::{Caller, RateDecision};
use axum::extract::{ConnectInfo, FromRequestParts, Request, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::net::SocketAddr;
use wagate_core::ErrorCode;

/// Probes are for monitors, which must not be throttled.
const UNLIMITED_PATHS: [&str; 2] = ["/healthz", "/readyz"];

/// Meta's webhooks prove themselves by their signature and come as fast as a number's
/// traffic: throttling them would only make Meta retry and finally drop them.
const META_WEBHOOKS: &str = "/webhooks/meta/";
/// The same, at the callback URL seed 004 documents (its number found from the body).
const META_WEBHOOK_ROOT: &str = "/webhooks/whatsapp";

pub async fn layer(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let path = request.uri().path();
    if UNLIMITED_PATHS.contains(&path)
        || path.starts_with(META_WEBHOOKS)
        || path == META_WEBHOOK_ROOT
    {
        return next.run(request).await;
    }
    let (mut parts, body) = request.into_parts();
    let caller = Caller::from_request_parts(&mut parts, &state).await.ok();
    let address = parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|info| info.0.ip());
    let decision = state
        .gateway
        .count_request(caller.as_ref().map(|caller| &caller.principal), address)
        .await;
    if let Some(caller) = caller {
        if let Some(connection) = parts.extensions.get::<ConnectionAuth>() {
            connection.authenticated();
        }
        parts.extensions.insert(caller);
    }
    let request = Request::from_parts(parts, body);
    let Some(decision) = decision else {
        return next.run(request).await;
    };
    let mut response = if decision.allowed {
        next.run(request).await
    } else {
        let mut refused = ApiError::new(
            ErrorCode::RateLimited,
            format!(
                "rate limit of {} requests a minute reached; try again in {} s",
                decision.limit,
                decision.retry_after_secs()
            ),
        )
        .into_response();
        refused
            .headers_mut()
            .insert(header::RETRY_AFTER, decision.retry_after_secs().into());
        refused
    };
    add_headers(response.headers_mut(), &decision);
    response
}

fn add_headers(headers: &mut HeaderMap, decision: &RateDecision) {
    headers.insert("x-ratelimit-limit", HeaderValue::from(decision.limit));
    headers.insert(
        "x-ratelimit-remaining",
        HeaderValue::from(decision.remaining),
    );
    headers.insert("x-ratelimit-reset", HeaderValue::from(decision.reset_at));
}
