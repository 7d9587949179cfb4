//! `GET /`: the welcome answer Evolution's clients probe to see the server is up.

use super::TAG;
use crate::services::Gateway;
use axum::Json;
use axum::extract::FromRef;
use serde_json::{Value, json};
use std::sync::Arc;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// The Evolution API release whose routes and shapes this dialect serves.
pub const EVOLUTION_VERSION: &str = "2.3.6";

pub fn routes<S>() -> OpenApiRouter<S>
where
    S: Clone + Send + Sync + 'static,
    Arc<Gateway>: FromRef<S>,
{
    OpenApiRouter::new().routes(routes!(welcome))
}

/// Evolution's welcome: clients read `status` and `version` from it. No key needed.
#[utoipa::path(
    get, path = "/", tag = TAG, security(()),
    responses((status = 200, description = "The server is up", body = Object, example = json!({
        "status": 200,
        "message": "Welcome to the Evolution API, it is working!",
        "version": "2.3.6",
        "clientName": "wagate",
        "manager": null,
        "documentation": "/docs",
        "wagate": "0.1.0"
    })))
)]
pub async fn welcome() -> Json<Value> {
    Json(json!({
        "status": 200,
        "message": "Welcome to the Evolution API, it is working!",
        "version": EVOLUTION_VERSION,
        "clientName": "wagate",
        "manager": null,
        "documentation": "/docs",
        "wagate": env!("CARGO_PKG_VERSION"),
    }))
}
