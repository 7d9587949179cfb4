//! Whose session a seed 003 request acts on. The seed's key is "a valid API key associated
//! with an active WhatsApp session": here an instance key. An account key (or the admin key,
//! acting on the operator's `default` account) may name the session in `X-Instance-Id`.

use super::error::Refusal;
use crate::services::{Caller, Gateway, InstanceRecord, Principal};
use axum::extract::{FromRef, FromRequestParts};
use axum::http::request::Parts;
use std::sync::Arc;

/// The header an account key names its session in.
const INSTANCE_HEADER: &str = "x-instance-id";

/// The caller and the session (instance) its key is for.
pub struct Session {
    pub caller: Principal,
    pub instance: InstanceRecord,
}

impl Session {
    /// The instance as the services take it.
    pub fn id(&self) -> String {
        self.instance.id.to_string()
    }
}

impl<S> FromRequestParts<S> for Session
where
    S: Send + Sync,
    Arc<Gateway>: FromRef<S>,
{
    type Rejection = Refusal;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        // The rate limiter in front of every route authenticated the key, if it is valid.
        let caller = parts
            .extensions
            .get::<Caller>()
            .ok_or_else(Refusal::unauthorized)?;
        let gateway = Arc::<Gateway>::from_ref(state);
        let caller = gateway.dialect_principal(caller.principal.clone()).await?;
        let named = parts
            .headers
            .get(INSTANCE_HEADER)
            .map(|value| value.to_str().map_err(|_| Refusal::no_session()))
            .transpose()?;
        let implied = Gateway::implied_instance(&caller, named).ok_or_else(Refusal::no_session)?;
        let instance = gateway.resolve_instance(&caller, &implied).await?;
        Ok(Self { caller, instance })
    }
}
