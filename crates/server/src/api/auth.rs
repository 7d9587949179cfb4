//! The caller's key, from whichever header the client uses (and, for live streams only, from
//! the query string: browsers' `EventSource` and `WebSocket` cannot set headers), and the
//! account the admin key acts for (`X-Account-Id`).

use super::AppState;
use super::error::ApiError;
use crate::http::connections::ConnectionAuth;
use crate::services::{Caller, Principal};
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use wagate_core::ErrorCode;

/// Header names clients of other gateways already send their key in.
const KEY_HEADERS: [&str; 3] = ["x-api-key", "apikey", "x-api-token"];
/// Names the account the admin key acts for.
const ACCOUNT_HEADER: &str = "x-account-id";

fn presented_key(parts: &Parts) -> Option<&str> {
    if let Some(value) = parts.headers.get(axum::http::header::AUTHORIZATION)
        && let Ok(value) = value.to_str()
        && let Some(token) = value
            .strip_prefix("Bearer ")
            .or_else(|| value.strip_prefix("bearer "))
    {
        return Some(token.trim());
    }
    KEY_HEADERS
        .iter()
        .filter_map(|name| parts.headers.get(*name))
        .find_map(|value| value.to_str().ok())
        .map(str::trim)
}

/// The caller holding `key`, acting for the account the request names, if it names one.
async fn caller(parts: &Parts, state: &AppState, key: &str) -> Result<Caller, ApiError> {
    let caller = state
        .gateway
        .authenticate(key)
        .await?
        .ok_or_else(ApiError::unauthorized)?;
    match parts.headers.get(ACCOUNT_HEADER) {
        None => Ok(caller),
        Some(account) => {
            let account = account.to_str().map_err(|_| {
                ApiError::new(ErrorCode::BadRequest, "X-Account-Id must be an account id")
            })?;
            Ok(state.gateway.acting_for(caller, account).await?)
        }
    }
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        // The rate limiter authenticated the request already.
        if let Some(caller) = parts.extensions.get::<Caller>() {
            return Ok(caller.clone());
        }
        let key = presented_key(parts)
            .filter(|key| !key.is_empty())
            .ok_or_else(ApiError::unauthorized)?
            .to_owned();
        caller(parts, state, &key).await
    }
}

impl FromRequestParts<AppState> for Principal {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        Ok(Caller::from_request_parts(parts, state).await?.principal)
    }
}

/// The caller of a live stream: a key from the headers, or else from `?apiKey=`.
pub struct StreamPrincipal(pub Principal);

fn query_key(parts: &Parts) -> Option<String> {
    url::form_urlencoded::parse(parts.uri.query()?.as_bytes())
        .find(|(name, _)| name == "apiKey")
        .map(|(_, value)| value.trim().to_owned())
}

impl FromRequestParts<AppState> for StreamPrincipal {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        if let Some(caller) = parts.extensions.get::<Caller>() {
            return Ok(StreamPrincipal(caller.principal.clone()));
        }
        let key = presented_key(parts)
            .map(str::to_owned)
            .or_else(|| query_key(parts))
            .filter(|key| !key.is_empty())
            .ok_or_else(ApiError::unauthorized)?;
        let caller = caller(parts, state, &key).await?;
        // A browser's stream authenticates by its query key, which the rate limiter does not
        // read: its connection leaves the count of unauthenticated ones here.
        if let Some(connection) = parts.extensions.get::<ConnectionAuth>() {
            connection.authenticated();
        }
        Ok(StreamPrincipal(caller.principal))
    }
}
