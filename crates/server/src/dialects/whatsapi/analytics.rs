//! `GET /analytics/summary`: what became of the account's messages, as seed 004 shows it.

use super::TAG;
use super::auth::WaCaller;
use super::error::{WaErrorBody, WaResult};
use super::reply;
use crate::services::{AnalyticsQuery, Gateway};
use axum::extract::{FromRef, Query, State};
use axum::response::Response;
use serde_json::json;
use std::sync::Arc;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn routes<S>() -> OpenApiRouter<S>
where
    S: Clone + Send + Sync + 'static,
    Arc<Gateway>: FromRef<S>,
{
    OpenApiRouter::new().routes(routes!(summary))
}

/// Delivery statistics: the total sent, the count per status, and the delivery and failure
/// rates (fractions, two decimals), over the last 30 days unless `from`/`to` say otherwise.
#[utoipa::path(
    get, path = "/analytics/summary", tag = TAG, params(AnalyticsQuery),
    responses(
        (status = 200, description = "The summary", body = Object, example = json!({ "success": true, "data": {
            "total": 1042, "byStatus": { "delivered": 980, "failed": 52, "sent": 10 },
            "deliveryRate": 0.94, "failureRate": 0.05,
            "from": "2026-02-26T10:00:00.000Z", "to": "2026-03-28T10:00:00.000Z"
        } })),
        (status = 400, body = WaErrorBody), (status = 401, body = WaErrorBody),
    )
)]
pub async fn summary(
    State(gateway): State<Arc<Gateway>>,
    caller: WaCaller,
    Query(query): Query<AnalyticsQuery>,
) -> WaResult<Response> {
    let summary = gateway.analytics_summary(caller.principal(), query).await?;
    let overall = &summary.overall;
    reply::ok(json!({
        "total": overall.total,
        "byStatus": overall.by_status,
        "deliveryRate": overall.delivery_rate(),
        "failureRate": overall.failure_rate(),
        "from": reply::time(summary.from),
        "to": reply::time(summary.to),
    }))
}
