//! Reading the outbox: the caller's events, in order, after a sequence number.

use super::{Gateway, Principal, ServiceResult};
use serde::Deserialize;
use wagate_core::{EventSeq, ValidationErrors};
use wagate_store::{EventFilter, EventRecord, Page};

const DEFAULT_LIMIT: i64 = 100;
const MAX_LIMIT: i64 = 1000;

/// `GET /api/v1/events` parameters.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct EventsQuery {
    /// Only events with a sequence number greater than this (default 0: from the start).
    pub after: Option<i64>,
    /// At most this many events, 1 to 1000 (default 100).
    pub limit: Option<i64>,
}

impl Gateway {
    pub async fn list_events(
        &self,
        principal: &Principal,
        query: EventsQuery,
    ) -> ServiceResult<(Page<EventRecord>, i64)> {
        let account = principal.account()?.clone();
        let mut errors = ValidationErrors::default();
        let after = query.after.unwrap_or(0);
        if after < 0 {
            errors.push("after", "must be 0 or more");
        }
        let limit = query.limit.unwrap_or(DEFAULT_LIMIT);
        if !(1..=MAX_LIMIT).contains(&limit) {
            errors.push("limit", format!("must be between 1 and {MAX_LIMIT}"));
        }
        if !errors.is_empty() {
            return Err(errors.into());
        }
        let filter = EventFilter {
            account_id: account,
            instance_id: principal.instance_limit().cloned(),
            after: EventSeq(after),
            limit,
        };
        Ok((self.store.list_events(&filter).await?, limit))
    }
}
