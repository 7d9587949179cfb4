//! `/api/v1/events`: the outbox, read in order.

use super::AppState;
use super::envelope::{EventCursor, EventPage};
use super::error::{ApiResult, ErrorBody};
use super::views::EventJson;
use crate::services::{EventsQuery, Principal};
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};

/// Events after a sequence number, oldest first: the caller's account only (an instance key:
/// its instance only). Read on with `after` = `cursor.nextAfter`.
#[utoipa::path(
    get, path = "/api/v1/events", tag = "events", params(EventsQuery),
    responses((status = 200, body = EventPage<Vec<EventJson>>), (status = 401, body = ErrorBody), (status = 422, body = ErrorBody))
)]
pub async fn list_events(
    State(state): State<AppState>,
    principal: Principal,
    Query(query): Query<EventsQuery>,
) -> ApiResult<Response> {
    let after = query.after.unwrap_or(0);
    let (page, limit) = state.gateway.list_events(&principal, query).await?;
    let data: Vec<_> = page.items.iter().map(EventJson::from).collect();
    let next_after = data.last().map_or(after, |event| event.seq);
    let remaining = page.total - data.len() as i64;
    Ok(axum::Json(EventPage {
        success: true,
        data,
        cursor: EventCursor {
            limit,
            remaining,
            next_after,
        },
    })
    .into_response())
}
