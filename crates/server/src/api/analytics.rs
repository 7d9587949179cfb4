//! `/api/v1/analytics`: delivery statistics of what the caller sent.

use super::AppState;
use super::envelope::{Envelope, ok};
use super::error::{ApiResult, ErrorBody};
use crate::services::{AnalyticsQuery, AnalyticsSummary, Principal, StatusCounts};
use axum::extract::{Query, State};
use axum::response::Response;
use chrono::SecondsFormat;
use serde::Serialize;
use std::collections::BTreeMap;

/// Messages in one span of time, by status.
#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct StatusCountsView {
    #[schema(example = 1042)]
    pub total: i64,
    /// Messages per status (`queued`, `sent`, `delivered`, `read`, `failed`, …); statuses with
    /// none are left out.
    #[schema(example = json!({"delivered": 980, "failed": 52, "sent": 10}))]
    pub by_status: BTreeMap<String, i64>,
    /// Delivered, read or played, as a share of the total (two decimals).
    #[schema(example = 0.94)]
    pub delivery_rate: f64,
    /// Failed, as a share of the total (two decimals).
    #[schema(example = 0.05)]
    pub failure_rate: f64,
}

impl From<&StatusCounts> for StatusCountsView {
    fn from(counts: &StatusCounts) -> Self {
        Self {
            total: counts.total,
            by_status: counts
                .by_status
                .iter()
                .map(|(status, n)| ((*status).to_owned(), *n))
                .collect(),
            delivery_rate: counts.delivery_rate(),
            failure_rate: counts.failure_rate(),
        }
    }
}

/// One UTC day of the range.
#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct DayView {
    #[schema(example = "2026-11-23")]
    pub date: String,
    #[serde(flatten)]
    pub counts: StatusCountsView,
}

#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AnalyticsSummaryView {
    #[serde(flatten)]
    pub counts: StatusCountsView,
    pub from: String,
    pub to: String,
    /// The instance counted, when one was asked for (or the key reaches only one).
    pub instance_id: Option<String>,
    /// Every UTC day the range touches, oldest first, days without messages included.
    pub series: Vec<DayView>,
}

impl From<&AnalyticsSummary> for AnalyticsSummaryView {
    fn from(summary: &AnalyticsSummary) -> Self {
        Self {
            counts: StatusCountsView::from(&summary.overall),
            from: summary.from.to_rfc3339_opts(SecondsFormat::Millis, true),
            to: summary.to.to_rfc3339_opts(SecondsFormat::Millis, true),
            instance_id: summary.instance_id.clone(),
            series: summary
                .days
                .iter()
                .map(|(day, counts)| DayView {
                    date: day.to_string(),
                    counts: StatusCountsView::from(counts),
                })
                .collect(),
        }
    }
}

/// What became of the messages sent in a time range (by creation time): the total, how many
/// are in each status, the delivery and failure rates, and the same per UTC day.
#[utoipa::path(
    get, path = "/api/v1/analytics/summary", tag = "analytics", params(AnalyticsQuery),
    responses(
        (status = 200, body = Envelope<AnalyticsSummaryView>),
        (status = 401, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody),
    )
)]
pub async fn summary(
    State(state): State<AppState>,
    principal: Principal,
    Query(query): Query<AnalyticsQuery>,
) -> ApiResult<Response> {
    let summary = state.gateway.analytics_summary(&principal, query).await?;
    Ok(ok(AnalyticsSummaryView::from(&summary)))
}
