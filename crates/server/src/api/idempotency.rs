//! The `Idempotency-Key` header on POST requests: claims the key before the handler runs and
//! records its response, or replays the recorded one with `Idempotency-Replayed: true`.
//!
//! The handler runs in a task of its own, so a client that hangs up mid-request still gets
//! its message created once and its key completed — its retry is then answered from the record.

use super::AppState;
use super::error::ApiError;
use crate::services::{Caller, IdempotentStart, ServiceError};
use axum::body::{Body, to_bytes};
use axum::extract::{FromRequestParts, Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};

const KEY_HEADER: &str = "idempotency-key";
const REPLAYED_HEADER: &str = "idempotency-replayed";
/// Responses are small JSON envelopes; this only bounds a pathological one.
const MAX_RECORDED_RESPONSE: usize = 4 * 1024 * 1024;

pub async fn layer(State(state): State<AppState>, request: Request, next: Next) -> Response {
    if request.method() != Method::POST || !request.headers().contains_key(KEY_HEADER) {
        return next.run(request).await;
    }
    let key = match request.headers()[KEY_HEADER].to_str() {
        Ok(key) => key.trim().to_owned(),
        Err(_) => {
            return ApiError::from(ServiceError::field(
                "Idempotency-Key",
                "must be printable ASCII",
            ))
            .into_response();
        }
    };
    let (mut parts, body) = request.into_parts();
    let caller = match Caller::from_request_parts(&mut parts, &state).await {
        // Records belong to a key of an account: the admin key's own requests, and
        // unauthenticated ones (which the handler refuses), run as they are.
        Ok(caller) if caller.principal.account().is_ok() => caller,
        _ => return next.run(Request::from_parts(parts, body)).await,
    };
    let content_type = parts
        .headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let mut fingerprint = Sha256::new();
    fingerprint.update(parts.method.as_str());
    fingerprint.update(b"\n");
    fingerprint.update(
        parts
            .uri
            .path_and_query()
            .map_or(parts.uri.path(), |p| p.as_str()),
    );
    fingerprint.update(b"\n");
    // A multipart body streams to storage and its boundary changes from one attempt to the
    // next, so only the target identifies it; a JSON body is part of the fingerprint.
    let body = if content_type.starts_with("multipart/") {
        body
    } else {
        match to_bytes(body, state.limits.send_json.max(state.limits.json)).await {
            Ok(bytes) => {
                fingerprint.update(&bytes);
                Body::from(bytes)
            }
            Err(_) => {
                return ApiError::from(ServiceError::PayloadTooLarge(format!(
                    "the body is over {} bytes",
                    state.limits.send_json.max(state.limits.json)
                )))
                .into_response();
            }
        }
    };
    let fingerprint = hex::encode(fingerprint.finalize());

    match state
        .gateway
        .begin_idempotent(&caller, &key, &fingerprint)
        .await
    {
        Err(error) => ApiError::from(error).into_response(),
        Ok(IdempotentStart::Replay(stored)) => {
            let mut response = (
                StatusCode::from_u16(stored.status_code).unwrap_or(StatusCode::OK),
                stored.body,
            )
                .into_response();
            if let Some(content_type) = stored
                .content_type
                .and_then(|c| HeaderValue::from_str(&c).ok())
            {
                response
                    .headers_mut()
                    .insert(header::CONTENT_TYPE, content_type);
            }
            response
                .headers_mut()
                .insert(REPLAYED_HEADER, HeaderValue::from_static("true"));
            response
        }
        Ok(IdempotentStart::Run) => {
            let request = Request::from_parts(parts, body);
            let task = tokio::spawn(run_and_record(state, caller, key, request, next));
            task.await.unwrap_or_else(|error| {
                tracing::error!(%error, "an idempotent request's task failed");
                StatusCode::INTERNAL_SERVER_ERROR.into_response()
            })
        }
    }
}

async fn run_and_record(
    state: AppState,
    caller: Caller,
    key: String,
    request: Request,
    next: Next,
) -> Response {
    let response = next.run(request).await;
    let (parts, body) = response.into_parts();
    let bytes = to_bytes(body, MAX_RECORDED_RESPONSE).await;
    let worth_keeping = !parts.status.is_server_error()
        && parts.status != StatusCode::UNAUTHORIZED
        && parts.status != StatusCode::TOO_MANY_REQUESTS;
    let recorded = match (&bytes, worth_keeping) {
        (Ok(bytes), true) => {
            let content_type = parts
                .headers
                .get(header::CONTENT_TYPE)
                .and_then(|v| v.to_str().ok());
            state
                .gateway
                .finish_idempotent(
                    &caller,
                    &key,
                    parts.status.as_u16(),
                    content_type,
                    &String::from_utf8_lossy(bytes),
                )
                .await
        }
        _ => state.gateway.abandon_idempotent(&caller, &key).await,
    };
    if let Err(error) = recorded {
        tracing::error!(%error, "could not record an idempotent response");
    }
    match bytes {
        Ok(bytes) => Response::from_parts(parts, Body::from(bytes)),
        Err(_) => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    }
}
