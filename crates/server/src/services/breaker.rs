//! The circuit breaker: an instance whose engine keeps failing stops sending for a while.
//!
//! Hammering a failing connection gets numbers flagged and fills queues with retries. After
//! `dispatcher.breaker_threshold` transient failures in a row the instance is paused: the
//! dispatcher claims none of its messages, new sends answer 503 with `Retry-After`, and
//! `session.paused` is emitted. When the pause ends the dispatcher lets one message through
//! as a probe; its success resumes sending (`session.resumed`), its failure pauses again.

use super::event_payloads::{session_paused, session_resumed};
use super::{Gateway, ServiceError, ServiceResult};
use chrono::{DateTime, Utc};
use std::time::Duration;
use wagate_core::InstanceId;
use wagate_engine::EngineError;
use wagate_store::InstanceRecord;

impl Gateway {
    /// Counts a failed send against the instance's breaker (transient failures only: a
    /// number not on WhatsApp says nothing about the engine).
    pub(crate) async fn on_engine_failure(
        &self,
        instance: &InstanceId,
        error: &EngineError,
        threshold: i64,
        pause: Duration,
    ) -> ServiceResult<()> {
        if !matches!(error, EngineError::Transient(_)) {
            return Ok(());
        }
        let Some(record) = self.store.get_instance(instance).await? else {
            return Ok(());
        };
        let until = self.now() + chrono::Duration::from_std(pause).unwrap_or_default();
        let paused = self
            .store
            .record_engine_failure(instance, threshold, until, |failures| {
                vec![session_paused(&record, failures, until, &error.to_string())]
            })
            .await?;
        if let Some(until) = paused {
            tracing::warn!(%instance, %until, "engine keeps failing; sending paused");
        }
        Ok(())
    }

    /// A send succeeded: the failure count starts again, and a paused instance resumes.
    pub(crate) async fn on_engine_success(
        &self,
        instance: &InstanceId,
        failures_when_claimed: i64,
    ) -> ServiceResult<()> {
        if failures_when_claimed == 0 {
            return Ok(());
        }
        let Some(record) = self.store.get_instance(instance).await? else {
            return Ok(());
        };
        if self
            .store
            .reset_engine_failures(instance, || vec![session_resumed(&record)])
            .await?
        {
            tracing::info!(%instance, "probe send succeeded; sending resumed");
        }
        Ok(())
    }
}

/// Refuses a send to an instance its breaker paused, saying when to come back.
pub(crate) fn refuse_if_paused(instance: &InstanceRecord, now: DateTime<Utc>) -> ServiceResult<()> {
    match instance.paused_until {
        Some(until) if until > now => Err(ServiceError::Paused {
            message: format!(
                "sending on this instance is paused until {} after repeated engine failures; try again then",
                super::event_payloads::rfc3339(until)
            ),
            retry_after_secs: (until - now).num_seconds().max(1) as u64,
        }),
        _ => Ok(()),
    }
}
