//! Who calls an Evolution route: the `apikey` header (any header the native API reads works
//! too). An account key plays Evolution's global key, an instance key plays an instance's
//! token, and the admin key acts on the operator's `default` account.

use super::error::EvoError;
use crate::services::{Caller, Gateway, Principal};
use axum::extract::{FromRef, FromRequestParts};
use axum::http::request::Parts;
use std::sync::Arc;

const KEY_HEADERS: [&str; 3] = ["apikey", "x-api-key", "x-api-token"];

/// The caller of an Evolution route, as the services know it.
pub struct EvoCaller(pub Principal);

fn presented_key(parts: &Parts) -> Option<&str> {
    KEY_HEADERS
        .iter()
        .filter_map(|name| parts.headers.get(*name))
        .chain(parts.headers.get(axum::http::header::AUTHORIZATION))
        .filter_map(|value| value.to_str().ok())
        .map(|value| value.strip_prefix("Bearer ").unwrap_or(value).trim())
        .find(|key| !key.is_empty())
}

impl<S> FromRequestParts<S> for EvoCaller
where
    S: Send + Sync,
    Arc<Gateway>: FromRef<S>,
{
    type Rejection = EvoError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let gateway = Arc::<Gateway>::from_ref(state);
        // The rate limiter in front of every route authenticated the request already (with
        // the admin key's `X-Account-Id`, when it names an account).
        let principal = match parts.extensions.get::<Caller>() {
            Some(caller) => caller.principal.clone(),
            None => {
                let key = presented_key(parts).ok_or_else(EvoError::unauthorized)?;
                gateway
                    .authenticate(key)
                    .await?
                    .ok_or_else(EvoError::unauthorized)?
                    .principal
            }
        };
        Ok(Self(gateway.dialect_principal(principal).await?))
    }
}
