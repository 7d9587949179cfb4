//! The compatibility dialects: other gateways' APIs, served so that code written for them runs
//! against wagate with only the base URL and the key changed.
//!
//! Each dialect is a router that translates its vendor's shapes into the same service calls
//! the native API makes, and the services' answers back into its vendor's shapes; it holds no
//! rule of its own. A dialect imports only `crate::services` and `wagate_core` (a test reads
//! the sources to hold that), so every rule stays where the native API finds it too.

pub mod evolution;

use crate::services::Gateway;
use axum::extract::FromRef;
use std::sync::Arc;
use utoipa_axum::router::OpenApiRouter;

/// What a dialect needs from the server around it.
#[derive(Clone, Copy, Debug)]
pub struct DialectLimits {
    /// The largest JSON send (media may come inline as base64).
    pub send_json: usize,
    /// The largest multipart send: the largest media file plus the form.
    pub upload: usize,
}

/// How the dialects are set up (from the configuration).
#[derive(Clone, Debug)]
pub struct DialectSettings {
    pub evolution: evolution::EvolutionSettings,
}

/// Every dialect's routes, for any router state that holds the gateway.
pub fn routes<S>(limits: DialectLimits, settings: DialectSettings) -> OpenApiRouter<S>
where
    S: Clone + Send + Sync + 'static,
    Arc<Gateway>: FromRef<S>,
{
    evolution::routes(limits).layer(axum::Extension(settings.evolution))
}
