//! Evolution API v2 (seed 000), served as Evolution serves it: `apikey` header, routes ending
//! in the instance name, its bodies, answers, error shape and webhook envelope.
//!
//! Every route translates the Evolution shape into the services' requests and their answers
//! back; sends go through the same durable queue, pacing, idempotency and tracking as native
//! ones. What Evolution has and wagate cannot do answers Evolution's error shape with 501.

mod auth;
mod body;
mod chat;
mod chat_lists;
mod chat_messages;
mod error;
mod event_names;
mod events;
mod group;
mod group_invites;
mod group_members;
mod group_shapes;
mod instance;
mod instance_shapes;
mod label;
mod message;
mod message_bodies;
mod message_choices;
mod message_media;
mod message_media_bodies;
mod message_types;
mod profile;
mod route;
mod settings;
mod shapes;
mod unsupported;
mod webhook;
mod welcome;

use super::DialectLimits;
use crate::services::{Gateway, WebhookRenderer};
use axum::extract::{DefaultBodyLimit, FromRef};
use std::sync::Arc;
use utoipa_axum::router::OpenApiRouter;

pub use error::{EvoError, EvoErrorBody};

/// How the dialect is set up.
#[derive(Clone, Debug)]
pub struct EvolutionSettings {
    /// The engine of `WHATSAPP-BAILEYS` instances.
    pub linked_device_engine: wagate_core::EngineKind,
    /// The gateway's public base URL, where a `WHATSAPP-BUSINESS` number's Meta webhooks go.
    pub server_url: Arc<str>,
}

/// The OpenAPI tag of every route of the dialect.
pub const TAG: &str = "evolution";

/// The renderer of Evolution-format webhooks; `server_url` is the gateway's public base URL
/// (what their `server_url` shows).
pub fn webhook_renderer(server_url: String) -> Arc<dyn WebhookRenderer> {
    Arc::new(events::EvolutionWebhooks::new(server_url))
}

/// The dialect's routes.
pub fn routes<S>(limits: DialectLimits) -> OpenApiRouter<S>
where
    S: Clone + Send + Sync + 'static,
    Arc<Gateway>: FromRef<S>,
{
    // A picture may come inline as base64, like a send's media.
    let pictures = chat::picture_routes()
        .merge(group::picture_routes())
        .layer(DefaultBodyLimit::max(limits.send_json));
    // A send's file may come inline as base64, or as a form's `file`.
    let media_sends =
        message::media_routes().layer(DefaultBodyLimit::max(limits.upload.max(limits.send_json)));
    OpenApiRouter::new()
        .merge(welcome::routes())
        .merge(instance::routes())
        .merge(settings::routes())
        .merge(pictures)
        .merge(media_sends)
        .merge(message::routes())
        .merge(chat::routes())
        .merge(group::routes())
        .merge(webhook::routes())
        .merge(label::routes())
        .merge(unsupported::routes())
}
