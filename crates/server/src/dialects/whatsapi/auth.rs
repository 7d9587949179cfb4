//! Who calls a whatsapi.cc route: `Authorization: Bearer <key>` as the seed writes it (any
//! header the native API reads works too). An account key is the seed's account key; an
//! instance key reaches its one number; the admin key acts for the account `X-Account-Id`
//! names.

use super::error::WaError;
use crate::services::{Caller, Gateway, Principal};
use axum::extract::{FromRef, FromRequestParts};
use axum::http::request::Parts;
use std::sync::Arc;

/// The caller of a whatsapi.cc route: its key and what the key reaches.
pub struct WaCaller(pub Caller);

impl WaCaller {
    pub fn principal(&self) -> &Principal {
        &self.0.principal
    }
}

impl<S> FromRequestParts<S> for WaCaller
where
    S: Send + Sync,
    Arc<Gateway>: FromRef<S>,
{
    type Rejection = WaError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        // The rate limiter in front of every route authenticates the request; a request it
        // found no caller for holds no valid key.
        parts
            .extensions
            .get::<Caller>()
            .cloned()
            .map(Self)
            .ok_or_else(WaError::unauthorized)
    }
}
