//! whatsapi.cc (seed 004), served at the root as its docs write it: `Authorization: Bearer
//! <key>`, `POST /send-message` from the account's number, the message, analytics and
//! account routes, `{success, data}` answers and `{success: false, error, details}` errors
//! with the seed's statuses, and its status webhook as the `whatsapi` webhook format.
//!
//! The native API (`/api/v1`) was modelled on seed 004, so most routes here are the same
//! service calls under the seed's paths, in the seed's shapes. What whatsapi.cc sells and
//! wagate does not do (Stripe billing) answers 501 saying so.

mod account;
mod analytics;
mod auth;
mod billing;
mod body;
mod error;
mod keys;
mod messages;
mod meta;
mod reply;
mod webhook;

use super::DialectLimits;
use crate::services::{Gateway, WebhookRenderer};
use axum::extract::{DefaultBodyLimit, FromRef};
use std::sync::Arc;
use utoipa_axum::router::OpenApiRouter;

pub use error::{WaError, WaErrorBody};

/// The OpenAPI tag of every route of the dialect.
pub const TAG: &str = "whatsapi";

/// The renderer of `whatsapi`-format webhooks (seed 004's status webhook).
pub fn webhook_renderer() -> Arc<dyn WebhookRenderer> {
    Arc::new(webhook::WhatsapiWebhooks)
}

/// The dialect's routes.
pub fn routes<S>(limits: DialectLimits) -> OpenApiRouter<S>
where
    S: Clone + Send + Sync + 'static,
    Arc<Gateway>: FromRef<S>,
{
    // A send's media may come inline as base64.
    let sends = messages::send_routes().layer(DefaultBodyLimit::max(limits.send_json));
    OpenApiRouter::new()
        .merge(sends)
        .merge(messages::routes())
        .merge(account::routes())
        .merge(keys::routes())
        .merge(analytics::routes())
        .merge(billing::routes())
        .merge(meta::routes())
}
