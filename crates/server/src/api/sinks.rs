//! `/api/v1/sinks`: the broker sinks this server publishes every event to, and how far
//! behind each is. Read-only; the sinks are set in the configuration.

use super::AppState;
use super::envelope::{self, Envelope};
use super::error::{ApiResult, ErrorBody};
use crate::services::{Principal, SinkStatus};
use axum::extract::State;
use axum::response::Response;
use serde::Serialize;

/// One broker sink's progress in the outbox.
#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SinkView {
    /// `nats` or `amqp`.
    #[schema(example = "nats")]
    pub name: String,
    /// The sequence number of the last event it published.
    #[schema(example = 1042)]
    pub cursor: i64,
    /// Events written since: what it has yet to publish (0 when it keeps up).
    #[schema(example = 0)]
    pub lag: i64,
}

impl From<&SinkStatus> for SinkView {
    fn from(status: &SinkStatus) -> Self {
        Self {
            name: status.name.to_owned(),
            cursor: status.cursor.0,
            lag: status.lag,
        }
    }
}

/// The enabled broker sinks (`[brokers]`), each with its cursor and lag.
#[utoipa::path(
    get, path = "/api/v1/sinks", tag = "events",
    responses((status = 200, body = Envelope<Vec<SinkView>>), (status = 401, body = ErrorBody))
)]
pub async fn list(State(state): State<AppState>, principal: Principal) -> ApiResult<Response> {
    let sinks = state.gateway.sink_status(&principal).await?;
    Ok(envelope::ok(
        sinks.iter().map(SinkView::from).collect::<Vec<_>>(),
    ))
}
