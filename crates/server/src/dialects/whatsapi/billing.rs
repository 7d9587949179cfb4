//! `POST /billing/checkout` and `GET /billing/portal`: whatsapi.cc sells its plans through
//! Stripe. wagate has no Stripe integration — plans are set by the operator
//! (`PATCH /api/v1/accounts/{id}` with the admin key) — so both answer 501 saying so.

use super::TAG;
use super::auth::WaCaller;
use super::error::{WaError, WaErrorBody, WaResult};
use crate::services::Gateway;
use axum::extract::FromRef;
use axum::response::Response;
use std::sync::Arc;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn routes<S>() -> OpenApiRouter<S>
where
    S: Clone + Send + Sync + 'static,
    Arc<Gateway>: FromRef<S>,
{
    OpenApiRouter::new()
        .routes(routes!(checkout))
        .routes(routes!(portal))
}

fn no_billing(what: &str) -> WaError {
    WaError::not_implemented(format!(
        "{what} is not available: this server has no Stripe billing. Plans are set by the \
         server's operator; ask them to change yours"
    ))
}

/// Not available: there is no Stripe checkout on a self-hosted server.
#[utoipa::path(
    post, path = "/billing/checkout", tag = TAG,
    request_body(content = Object, example = json!({ "plan": "pro" })),
    responses(
        (status = 501, description = "No Stripe billing on this server; the operator sets plans", body = WaErrorBody),
        (status = 401, body = WaErrorBody),
    )
)]
pub async fn checkout(_caller: WaCaller) -> WaResult<Response> {
    Err(no_billing("Checkout"))
}

/// Not available: there is no Stripe billing portal on a self-hosted server.
#[utoipa::path(
    get, path = "/billing/portal", tag = TAG,
    responses(
        (status = 501, description = "No Stripe billing on this server; the operator sets plans", body = WaErrorBody),
        (status = 401, body = WaErrorBody),
    )
)]
pub async fn portal(_caller: WaCaller) -> WaResult<Response> {
    Err(no_billing("The billing portal"))
}
