//! Evolution's routes that wagate does not serve in the dialect: each answers Evolution's
//! error shape with 501 and says what to use instead, so a client learns it at once rather
//! than from a bare 404. The README lists them.

use super::auth::EvoCaller;
use super::error::EvoError;
use crate::services::Gateway;
use axum::extract::FromRef;
use axum::routing::any;
use std::sync::Arc;
use utoipa_axum::router::OpenApiRouter;

/// Route prefixes of Evolution, and what wagate offers instead.
const UNSUPPORTED: [(&str, &str); 21] = [
    ("proxy", "A per-instance proxy"),
    (
        "websocket",
        "Evolution's websocket sink (wagate streams events at /api/v1/events/ws)",
    ),
    (
        "rabbitmq",
        "Evolution's RabbitMQ settings (wagate's brokers are set in its configuration)",
    ),
    (
        "nats",
        "Evolution's NATS settings (wagate's brokers are set in its configuration)",
    ),
    ("sqs", "Evolution's SQS sink"),
    ("kafka", "Evolution's Kafka sink"),
    ("pusher", "Evolution's Pusher sink"),
    ("chatwoot", "The Chatwoot integration"),
    ("typebot", "The Typebot integration"),
    ("evolutionBot", "The Evolution bot integration"),
    ("openai", "The OpenAI integration"),
    ("dify", "The Dify integration"),
    ("flowise", "The Flowise integration"),
    (
        "n8n",
        "The n8n bot integration (n8n flows call the dialect's routes and receive its webhooks)",
    ),
    ("evoai", "The EvoAI integration"),
    (
        "s3",
        "Evolution's S3 media listing (wagate's media is under /api/v1/media)",
    ),
    ("baileys", "Raw Baileys calls"),
    ("business", "The WhatsApp Business catalog"),
    ("call", "Offering calls"),
    (
        "template",
        "Templates in the dialect (wagate's are under /api/v1/instances/{id}/templates)",
    ),
    ("verify-creds", "Meta embedded signup"),
];

/// Answered to a caller with a valid key only, as every other route of the dialect.
async fn not_served(_: EvoCaller, what: &'static str) -> EvoError {
    EvoError::not_implemented(what)
}

pub fn routes<S>() -> OpenApiRouter<S>
where
    S: Clone + Send + Sync + 'static,
    Arc<Gateway>: FromRef<S>,
{
    UNSUPPORTED
        .iter()
        .fold(OpenApiRouter::new(), |router, &(prefix, what)| {
            let handler = any(move |caller: EvoCaller| not_served(caller, what));
            router
                .route(&format!("/{prefix}"), handler.clone())
                .route(&format!("/{prefix}/{{*rest}}"), handler)
        })
}
