//! Where the broker sinks are in the outbox: each configured sink's cursor and how many events
//! it has yet to publish. Read-only: the sinks' workers own their cursors.

use super::{Gateway, Principal, ServiceResult};
use wagate_core::EventSeq;

/// One broker sink's progress.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SinkStatus {
    /// `nats` or `amqp`.
    pub name: &'static str,
    /// The last event it published.
    pub cursor: EventSeq,
    /// Events written after that: what it still has to publish.
    pub lag: i64,
}

impl Gateway {
    /// Sets the broker sinks this server feeds (by name), for [`Gateway::sink_status`].
    pub fn with_sinks(mut self, sinks: Vec<&'static str>) -> Self {
        self.sinks = sinks;
        self
    }

    /// The configured sinks' progress. Any key may read it: a sink carries every account's
    /// events, and only its name and position are shown.
    pub async fn sink_status(&self, principal: &Principal) -> ServiceResult<Vec<SinkStatus>> {
        let _ = principal;
        let mut statuses = Vec::with_capacity(self.sinks.len());
        for name in &self.sinks {
            let cursor = self.store.cursor(&format!("sink:{name}")).await?;
            statuses.push(SinkStatus {
                name,
                cursor,
                lag: self.store.events_pending_after(cursor).await?,
            });
        }
        Ok(statuses)
    }
}
