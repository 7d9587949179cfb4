//! The webhook deliverer: claims due deliveries and sends each in its own task, so endpoints
//! never wait on each other. At most `max_in_flight` deliveries are in flight, and at most
//! `max_in_flight_per_endpoint` to one endpoint: a slow or dead endpoint holds only its own
//! share. Every attempt is recorded with what it means for the delivery.

use crate::config::WebhooksConfig;
use crate::services::Gateway;
use crate::webhooks::{WebhookSecret, sign};
use chrono::Utc;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::{Notify, Semaphore};
use tokio_util::sync::CancellationToken;
use wagate_store::{DeliveryRecord, WebhookRecord};

/// How many deliveries of each endpoint are in flight on this node.
#[derive(Default)]
struct InFlight {
    by_endpoint: Mutex<HashMap<String, usize>>,
    done: Notify,
}

impl InFlight {
    fn try_take(&self, endpoint: &str, cap: usize) -> bool {
        let mut map = self.by_endpoint.lock().expect("in-flight table poisoned");
        let count = map.entry(endpoint.to_owned()).or_insert(0);
        if *count >= cap {
            return false;
        }
        *count += 1;
        true
    }

    fn give_back(&self, endpoint: &str) {
        let mut map = self.by_endpoint.lock().expect("in-flight table poisoned");
        if let Some(count) = map.get_mut(endpoint) {
            *count -= 1;
            if *count == 0 {
                map.remove(endpoint);
            }
        }
        self.done.notify_waiters();
    }
}

pub async fn run(gateway: Gateway, config: WebhooksConfig, shutdown: CancellationToken) {
    let permits = Arc::new(Semaphore::new(config.max_in_flight));
    let in_flight = Arc::new(InFlight::default());
    let poll = Duration::from_millis(config.poll_interval_ms);
    let lease = chrono::Duration::milliseconds((config.timeout_secs * 1000.0) as i64 * 2 + 30_000);
    loop {
        let written = gateway.store().outbox_written();
        let done = in_flight.done.notified();
        let free = permits.available_permits();
        let mut started = 0;
        if free > 0 {
            let now = Utc::now();
            match gateway
                .store()
                .claim_deliveries(
                    now,
                    now + lease,
                    free as i64,
                    config.max_in_flight_per_endpoint as i64,
                )
                .await
            {
                Ok(claimed) => {
                    for (delivery, webhook) in claimed {
                        if !in_flight.try_take(&webhook.id, config.max_in_flight_per_endpoint) {
                            if let Err(error) = gateway.store().release_delivery(&delivery.id).await
                            {
                                tracing::warn!(%error, "could not release a delivery");
                            }
                            continue;
                        }
                        let permit = permits
                            .clone()
                            .acquire_owned()
                            .await
                            .expect("the semaphore is never closed");
                        let gateway = gateway.clone();
                        let in_flight = in_flight.clone();
                        started += 1;
                        tokio::spawn(async move {
                            deliver(&gateway, &delivery, &webhook).await;
                            in_flight.give_back(&webhook.id);
                            drop(permit);
                        });
                    }
                }
                Err(error) => tracing::error!(%error, "could not claim webhook deliveries"),
            }
        }
        if started > 0 && started == free {
            continue;
        }
        tokio::select! {
            _ = shutdown.cancelled() => break,
            _ = written => {}
            _ = done => {}
            _ = tokio::time::sleep(poll) => {}
        }
    }
}

/// One attempt: sign, send, record.
pub async fn deliver(gateway: &Gateway, delivery: &DeliveryRecord, webhook: &WebhookRecord) {
    let timestamp = Utc::now().timestamp();
    let secret = WebhookSecret::from_stored(webhook.secret.clone());
    let signature = sign(&secret, &delivery.event_id, timestamp, &delivery.payload);
    let mut headers: Vec<(String, String)> = webhook
        .headers
        .iter()
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    headers.push(("webhook-id".to_owned(), delivery.event_id.clone()));
    headers.push(("webhook-timestamp".to_owned(), timestamp.to_string()));
    headers.push(("webhook-signature".to_owned(), signature));
    let response = gateway
        .webhook_client()
        .post(&webhook.url, &headers, delivery.payload.clone())
        .await;
    let outcome = gateway.attempt_outcome(delivery, webhook, &response);
    if let Err(error) = gateway.store().record_attempt(delivery, outcome).await {
        tracing::error!(delivery = %delivery.id, %error, "could not record a webhook attempt");
    }
}
