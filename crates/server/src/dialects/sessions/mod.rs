//! Seed 002's sessions API under `/api/v1`: `/whatsapp-sessions` (create, list, show, delete,
//! connect, disconnect, QR code) with a personal access token (`X-API-Token`, an account key)
//! or a session key (`Authorization: Bearer`, an instance key), `POST /send-message` with
//! the type read from the payload, and `/auth/tokens` (further personal access tokens).
//! Answers keep the native envelope; errors carry the seed's codes (`SESSION_NOT_FOUND`,
//! `SESSION_DISCONNECTED`, …).
//!
//! The seed's contacts and groups routes (`/api/v1/contacts`, `/api/v1/groups/…`,
//! `/api/v1/on-whatsapp/{phone}`) are the native instance routes without their instance,
//! served by the native API's rewrite, so they are not repeated here.

mod auth;
mod body;
mod error;
mod lifecycle;
mod reply;
mod send;
mod tokens;
mod webhook;

use super::DialectLimits;
use crate::services::{Gateway, WebhookRenderer};
use axum::extract::{DefaultBodyLimit, FromRef};
use std::sync::Arc;
use utoipa_axum::router::OpenApiRouter;

pub use error::{SessionsError, SessionsErrorBody};

/// The OpenAPI tag of every route of the dialect.
pub const TAG: &str = "sessions";

/// The renderer of `sessions`-format webhooks (seed 002's envelope).
pub fn webhook_renderer() -> Arc<dyn WebhookRenderer> {
    Arc::new(webhook::SessionsWebhooks)
}

/// The dialect's routes.
pub fn routes<S>(limits: DialectLimits) -> OpenApiRouter<S>
where
    S: Clone + Send + Sync + 'static,
    Arc<Gateway>: FromRef<S>,
{
    // A send's media may come inline as base64.
    let sends = send::routes().layer(DefaultBodyLimit::max(limits.send_json));
    OpenApiRouter::new()
        .merge(sends)
        .merge(lifecycle::routes())
        .merge(tokens::routes())
}
