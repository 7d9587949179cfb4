//! Live event streams: the outbox tailed from a position, filtered, for SSE and WebSocket
//! clients. A client that resumes from the last sequence it saw gets every later event once,
//! in order — the outbox's sequence is commit-ordered, so there is no gap to fall into.

use super::{Gateway, Principal, ServiceError, ServiceResult};
use futures_util::Stream;
use serde::Deserialize;
use std::collections::VecDeque;
use std::str::FromStr;
use std::time::Duration;
use wagate_core::{EventKind, EventSeq, InstanceId, ValidationErrors};
use wagate_store::{EventFilter, EventRecord};

/// How often a quiet stream looks at the outbox when no write on this node woke it (writes
/// from other nodes).
const POLL: Duration = Duration::from_secs(1);
const BATCH: i64 = 200;

/// `GET /api/v1/events/stream` and `/api/v1/events/ws` parameters.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct StreamQuery {
    /// Comma-separated event names (default: all).
    pub events: Option<String>,
    /// Only this instance's events (id or name).
    pub instance: Option<String>,
    /// Start after this sequence number (`Last-Event-ID` does the same and wins); `0` replays
    /// every stored event. Without either, the stream starts with the next event.
    pub after: Option<i64>,
}

/// A parsed stream subscription.
pub struct Subscription {
    filter: EventFilter,
    kinds: Option<Vec<EventKind>>,
}

impl Gateway {
    /// Checks a subscription: the caller's account, its instance limit, known event names.
    pub async fn subscribe(
        &self,
        principal: &Principal,
        query: StreamQuery,
        last_event_id: Option<&str>,
    ) -> ServiceResult<Subscription> {
        let account = principal.account()?.clone();
        let mut errors = ValidationErrors::default();
        let kinds = query
            .events
            .as_deref()
            .filter(|e| !e.trim().is_empty())
            .map(|names| {
                names
                    .split(',')
                    .filter_map(|name| {
                        EventKind::from_str(name.trim())
                            .map_err(|_| {
                                errors.push(
                                    "events",
                                    format!("'{}' is not an event wagate emits", name.trim()),
                                )
                            })
                            .ok()
                    })
                    .collect::<Vec<_>>()
            });
        let after = match last_event_id {
            Some(raw) => Some(raw.trim().parse::<i64>().unwrap_or_else(|_| {
                errors.push("Last-Event-ID", "must be the sequence number of an event");
                0
            })),
            None => query.after,
        };
        if after.is_some_and(|after| after < 0) {
            errors.push("after", "must be 0 or more");
        }
        if !errors.is_empty() {
            return Err(errors.into());
        }
        let instance_id: Option<InstanceId> = match (&query.instance, principal.instance_limit()) {
            (Some(ident), _) => Some(self.resolve_instance(principal, ident).await?.id),
            (None, only) => only.cloned(),
        };
        // Without a position the stream starts with what happens next; `after=0` replays all.
        let after = match after {
            Some(after) => EventSeq(after),
            None => self.store.latest_event_seq().await?,
        };
        Ok(Subscription {
            filter: EventFilter {
                account_id: account,
                instance_id,
                after,
                limit: BATCH,
            },
            kinds,
        })
    }

    /// The subscription's events, forever: first what is stored after its position, then each
    /// new event as it is committed.
    pub fn event_stream(
        &self,
        subscription: Subscription,
    ) -> impl Stream<Item = Result<EventRecord, ServiceError>> + Send + 'static {
        let store = self.store.clone();
        let state = (store, subscription, VecDeque::<EventRecord>::new());
        futures_util::stream::unfold(state, |(store, mut subscription, mut buffer)| async move {
            loop {
                if let Some(event) = buffer.pop_front() {
                    return Some((Ok(event), (store, subscription, buffer)));
                }
                let outcome = {
                    let written = store.outbox_written();
                    match store.account_events_after(&subscription.filter).await {
                        Err(error) => Err(error),
                        Ok(items) if !items.is_empty() => Ok(Some(items)),
                        Ok(_) => {
                            tokio::select! {
                                _ = written => {}
                                _ = tokio::time::sleep(POLL) => {}
                            }
                            Ok(None)
                        }
                    }
                };
                match outcome {
                    Err(error) => return Some((Err(error.into()), (store, subscription, buffer))),
                    Ok(None) => {}
                    Ok(Some(items)) => {
                        if let Some(last) = items.last() {
                            subscription.filter.after = last.seq;
                        }
                        buffer.extend(items.into_iter().filter(|e| {
                            subscription
                                .kinds
                                .as_ref()
                                .is_none_or(|kinds| kinds.contains(&e.kind))
                        }));
                    }
                }
            }
        })
    }
}
