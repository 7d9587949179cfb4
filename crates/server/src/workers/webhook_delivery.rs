//! The webhook deliverer: claims due deliveries and sends each in its own task, so endpoints
//! never wait on each other. At most `max_in_flight` deliveries are held at once, and at most
//! `max_in_flight_per_endpoint` requests go to one endpoint at a time: a slow or dead endpoint
//! holds only its own share.
//!
//! The loop does its database work in rounds of one transaction each: write every attempt
//! that finished since the last round, then claim what there is room for. Each endpoint's
//! deliveries are claimed a few requests ahead, so a busy node writes and claims many
//! deliveries per transaction instead of one.
//!
//! A failed attempt is logged with the endpoint and the reason, at most once a minute per
//! endpoint (with how many failures that minute kept quiet), so an endpoint that can never
//! succeed is seen in the log without flooding it.

use crate::config::WebhooksConfig;
use crate::services::Gateway;
use crate::webhooks::{DeliveryResponse, sign};
use chrono::Utc;
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{Semaphore, mpsc};
use tokio_util::sync::CancellationToken;
use wagate_core::WebhookFormat;
use wagate_store::{AttemptOutcome, DeliveryRecord, DeliveryStatus, WebhookRecord};

/// How often one endpoint's failures are logged at most.
const FAILURE_LOG_EVERY: Duration = Duration::from_secs(60);

/// When each endpoint's last failure was logged, and how many were not since.
#[derive(Default)]
struct FailureLog {
    endpoints: std::sync::Mutex<HashMap<String, (std::time::Instant, u64)>>,
}

impl FailureLog {
    /// Whether a failure of `endpoint` at `now` is logged; when it is, how many earlier ones
    /// were kept quiet.
    fn admit(&self, endpoint: &str, now: std::time::Instant) -> Option<u64> {
        let mut endpoints = self.endpoints.lock().expect("failure log poisoned");
        match endpoints.get_mut(endpoint) {
            Some((logged, quiet)) if now.duration_since(*logged) < FAILURE_LOG_EVERY => {
                *quiet += 1;
                None
            }
            Some((logged, quiet)) => {
                let kept = *quiet;
                (*logged, *quiet) = (now, 0);
                Some(kept)
            }
            None => {
                endpoints.insert(endpoint.to_owned(), (now, 0));
                Some(0)
            }
        }
    }
}

/// How far ahead of its requests an endpoint's deliveries are claimed, in multiples of its
/// concurrency: enough that claims and writes are batched, few enough to finish in a lease.
const PREFETCH: usize = 4;

/// Most attempts written in one round.
const ROUND: usize = 1024;

/// What this node holds of one endpoint: deliveries claimed and not yet recorded, and the
/// slots for requests to it.
struct Endpoint {
    held: usize,
    sending: Arc<Semaphore>,
}

/// A delivery done with: its attempt, waiting for the next round to be written, or `None`
/// when its lease ran too short to start one (it is claimed again when the lease ends).
type Finished = (DeliveryRecord, Option<AttemptOutcome>);

pub async fn run(gateway: Gateway, config: WebhooksConfig, shutdown: CancellationToken) {
    let (finish, mut finished) = mpsc::unbounded_channel::<Finished>();
    let poll = Duration::from_millis(config.poll_interval_ms);
    // A delivery still waiting for a request slot when too little of its lease is left to
    // finish the request gives the slot up instead of racing another node for it.
    let timeout = chrono::Duration::milliseconds((config.timeout_secs * 1000.0) as i64);
    let lease = timeout * 2 + chrono::Duration::seconds(30);
    let concurrency = config.max_in_flight_per_endpoint;
    let ahead = concurrency * PREFETCH;
    let mut endpoints: HashMap<String, Endpoint> = HashMap::new();
    let mut held = 0;
    let mut round = Vec::new();
    let failures = Arc::new(FailureLog::default());
    loop {
        let written = gateway.store().outbox_written();
        while round.len() < ROUND {
            match finished.try_recv() {
                Ok(attempt) => round.push(attempt),
                Err(_) => break,
            }
        }
        let recorded: Vec<String> = round
            .iter()
            .map(|(d, _): &Finished| d.webhook_id.clone())
            .collect();
        let attempts: Vec<_> = round
            .drain(..)
            .filter_map(|(delivery, outcome)| Some((delivery, outcome?)))
            .collect();
        // Room counts the deliveries this round records as already gone.
        let mut after_round: HashMap<&str, usize> = endpoints
            .iter()
            .map(|(id, endpoint)| (id.as_str(), endpoint.held))
            .collect();
        for id in &recorded {
            if let Some(count) = after_round.get_mut(id.as_str()) {
                *count -= 1;
            }
        }
        let free = config.max_in_flight.saturating_sub(held - recorded.len());
        let room =
            |id: &str| ahead.saturating_sub(after_round.get(id).copied().unwrap_or(0)) as i64;
        let now = Utc::now();
        let claimed = match gateway
            .store()
            .record_and_claim(attempts, now, now + lease, free as i64, room)
            .await
        {
            Ok(claimed) => claimed,
            Err(error) => {
                // Unwritten attempts stay leased and are delivered again when the lease runs
                // out: at least once, never lost.
                tracing::error!(%error, count = recorded.len(), "could not record or claim webhook deliveries");
                Vec::new()
            }
        };
        for id in &recorded {
            held -= 1;
            if let Some(endpoint) = endpoints.get_mut(id) {
                endpoint.held -= 1;
                if endpoint.held == 0 {
                    endpoints.remove(id);
                }
            }
        }
        let progressed = !recorded.is_empty() || !claimed.is_empty();
        for (delivery, webhook) in claimed {
            let endpoint = endpoints
                .entry(webhook.id.clone())
                .or_insert_with(|| Endpoint {
                    held: 0,
                    sending: Arc::new(Semaphore::new(concurrency)),
                });
            endpoint.held += 1;
            held += 1;
            let sending = endpoint.sending.clone();
            let gateway = gateway.clone();
            let finish = finish.clone();
            let lease_until = now + lease;
            let failures = failures.clone();
            tokio::spawn(async move {
                let slot = sending
                    .acquire()
                    .await
                    .expect("the semaphore is never closed");
                let outcome = if Utc::now() + timeout < lease_until {
                    let outcome = attempt(&gateway, &delivery, &webhook).await;
                    log_failure(&failures, &webhook, &outcome);
                    Some(outcome)
                } else {
                    None
                };
                drop(slot);
                let _ = finish.send((delivery, outcome));
            });
        }
        if progressed && !finished.is_empty() {
            continue;
        }
        tokio::select! {
            _ = shutdown.cancelled() => break,
            _ = written => {}
            received = finished.recv() => {
                if let Some(attempt) = received {
                    round.push(attempt);
                }
            }
            _ = tokio::time::sleep(poll) => {}
        }
    }
}

/// Logs a failed attempt, unless this endpoint's failures were logged within the minute.
fn log_failure(failures: &FailureLog, webhook: &WebhookRecord, outcome: &AttemptOutcome) {
    if outcome.status == DeliveryStatus::Succeeded {
        return;
    }
    let Some(quiet) = failures.admit(&webhook.id, std::time::Instant::now()) else {
        return;
    };
    let reason = match (&outcome.attempt.error, outcome.attempt.status_code) {
        (Some(error), _) => error.clone(),
        (None, Some(code)) => format!("answered {code}"),
        (None, None) => "no answer".to_owned(),
    };
    let retry =
        (outcome.status == DeliveryStatus::Pending).then(|| outcome.next_attempt_at.to_rfc3339());
    tracing::warn!(
        webhook = %webhook.id,
        url = %webhook.url,
        %reason,
        retry_at = retry.as_deref().unwrap_or("never: the delivery failed for good"),
        failures_not_logged = quiet,
        "a webhook delivery failed"
    );
}

/// One attempt: render (an endpoint of another format than native), sign, send, and judge
/// the answer. A rendered attempt logs the URL and the body it sent.
async fn attempt(
    gateway: &Gateway,
    delivery: &DeliveryRecord,
    webhook: &WebhookRecord,
) -> AttemptOutcome {
    let (url, body, logged) = match webhook.format {
        WebhookFormat::Native => (webhook.url.clone(), delivery.payload.clone(), None),
        _ => match gateway.render_delivery(webhook, delivery).await {
            Ok(rendered) => (rendered.url, rendered.body, Some(rendered.logged)),
            Err(error) => {
                tracing::warn!(webhook = %webhook.id, delivery = %delivery.id, %error, "a webhook body could not be rendered");
                return gateway.unrendered_outcome(delivery, &error);
            }
        },
    };
    let opened = match gateway.open_webhook(webhook) {
        Ok(opened) => opened,
        Err(error) => {
            tracing::error!(webhook = %webhook.id, %error, "a webhook's stored secret cannot be opened");
            let unsent = DeliveryResponse {
                status: None,
                body: None,
                retry_after: None,
                duration: Duration::ZERO,
                error: Some(format!("the endpoint's secret cannot be read: {error}")),
            };
            return gateway.attempt_outcome(delivery, webhook, &unsent);
        }
    };
    let timestamp = Utc::now().timestamp();
    let signature = sign(&opened.secret, &delivery.event_id, timestamp, &body);
    let mut headers = opened.headers;
    headers.push(("webhook-id".to_owned(), delivery.event_id.clone()));
    headers.push(("webhook-timestamp".to_owned(), timestamp.to_string()));
    headers.push(("webhook-signature".to_owned(), signature));
    let response = gateway.webhook_client().post(&url, &headers, body).await;
    let mut outcome = gateway.attempt_outcome(delivery, webhook, &response);
    if let Some(logged) = logged {
        outcome.attempt.request_url = Some(url);
        outcome.attempt.request_body = Some(logged);
    }
    outcome
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_endpoint_failing_all_the_time_is_logged_once_a_minute_with_what_was_kept_quiet() {
        let log = FailureLog::default();
        let start = std::time::Instant::now();
        assert_eq!(log.admit("whk_1", start), Some(0));
        assert_eq!(log.admit("whk_1", start + Duration::from_secs(1)), None);
        assert_eq!(log.admit("whk_1", start + Duration::from_secs(30)), None);
        // Another endpoint is logged on its own.
        assert_eq!(log.admit("whk_2", start + Duration::from_secs(30)), Some(0));
        assert_eq!(log.admit("whk_1", start + Duration::from_secs(61)), Some(2));
        assert_eq!(log.admit("whk_1", start + Duration::from_secs(62)), None);
    }
}
