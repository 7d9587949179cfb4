//! Who calls a sessions route: a session key (an instance key) as `Authorization: Bearer
//! <key>`, or a personal access token (an account key) as `X-API-Token: <token>` — the native
//! API reads both headers, so any key wagate issues works in either.

use super::error::SessionsError;
use crate::services::{Caller, Principal};
use axum::extract::FromRequestParts;
use axum::http::request::Parts;

/// The caller of a sessions route.
pub struct SessionsCaller(pub Principal);

impl<S: Send + Sync> FromRequestParts<S> for SessionsCaller {
    type Rejection = SessionsError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        // The rate limiter in front of every route authenticates the request; a request it
        // found no caller for holds no valid key.
        parts
            .extensions
            .get::<Caller>()
            .map(|caller| Self(caller.principal.clone()))
            .ok_or_else(SessionsError::unauthorized)
    }
}

/// The caller with the key it came with (a token's routes need to know which key calls).
pub struct SessionsKey(pub Caller);

impl<S: Send + Sync> FromRequestParts<S> for SessionsKey {
    type Rejection = SessionsError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        parts
            .extensions
            .get::<Caller>()
            .cloned()
            .map(Self)
            .ok_or_else(SessionsError::unauthorized)
    }
}
