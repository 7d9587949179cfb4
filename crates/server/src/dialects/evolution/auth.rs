//! Who calls an Evolution route: the `apikey` header (any header the native API reads works
//! too). An account key plays Evolution's global key, an instance key plays an instance's
//! token, and the admin key acts on the operator's `default` account.

use super::error::EvoError;
use crate::services::{Caller, Gateway};
use axum::extract::{FromRef, FromRequestParts};
use axum::http::request::Parts;
use std::sync::Arc;

/// The caller of an Evolution route, as the services know it.
pub struct EvoCaller(pub crate::services::Principal);

impl<S> FromRequestParts<S> for EvoCaller
where
    S: Send + Sync,
    Arc<Gateway>: FromRef<S>,
{
    type Rejection = EvoError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        // The rate limiter in front of every route authenticates the request, from whichever
        // header holds the key (with the admin key's `X-Account-Id`, when it names an
        // account); a request it found no caller for holds no valid key.
        let caller = parts
            .extensions
            .get::<Caller>()
            .ok_or_else(EvoError::unauthorized)?;
        let gateway = Arc::<Gateway>::from_ref(state);
        Ok(Self(
            gateway.dialect_principal(caller.principal.clone()).await?,
        ))
    }
}
