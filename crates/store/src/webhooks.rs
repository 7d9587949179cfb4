//! Webhook endpoints, their deliveries and attempts, and the cursors of outbox consumers.
//!
//! A delivery row is created for every (event, matching endpoint) pair by the fan-out, in the
//! same transaction that advances the fan-out's cursor, so an event is never skipped and never
//! fanned out twice. Delivery rows are then the job of the delivery worker, claimed with a lease.

use crate::events::NewEvent;
use crate::records::EventRecord;
use crate::time::{from_millis, now_millis, to_millis};
use crate::{Backend, Result, Store, StoreError};
use chrono::{DateTime, Utc};
use std::collections::BTreeMap;
use wagate_core::{AccountId, EventSeq, InstanceId, WebhookFormat};

#[derive(Clone, Debug, PartialEq)]
pub struct WebhookRecord {
    pub id: String,
    pub account_id: AccountId,
    /// Only this instance's events; all of the account's when `None`.
    pub instance_id: Option<InstanceId>,
    pub url: String,
    /// Event names, or `*` for all.
    pub events: Vec<String>,
    pub headers: BTreeMap<String, String>,
    pub description: Option<String>,
    pub secret: String,
    pub enabled: bool,
    pub disabled_reason: Option<String>,
    /// When the current run of failures began.
    pub failing_since: Option<DateTime<Utc>>,
    /// The account's default endpoint (`PUT /auth/me/webhook`).
    pub is_default: bool,
    /// How deliveries are written: wagate's envelope, or another gateway's (rendered when a
    /// delivery is attempted).
    pub format: WebhookFormat,
    /// The event's name is appended to the URL (`/messages-upsert`), as Evolution's
    /// `webhookByEvents` does.
    pub by_events: bool,
    /// Received media is put in the body, as Evolution's `webhookBase64` does.
    pub inline_media: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum DeliveryStatus {
    Pending,
    Succeeded,
    Failed,
}

impl DeliveryStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Succeeded => "succeeded",
            Self::Failed => "failed",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        match raw {
            "pending" => Some(Self::Pending),
            "succeeded" => Some(Self::Succeeded),
            "failed" => Some(Self::Failed),
            _ => None,
        }
    }
}

/// A delivery to make: the exact body, sent as is on every attempt.
#[derive(Clone, Debug, PartialEq)]
pub struct NewDelivery {
    pub webhook_id: String,
    pub event_id: String,
    pub event_kind: String,
    pub payload: String,
}

#[derive(Clone, Debug, PartialEq)]
pub struct DeliveryRecord {
    pub id: String,
    pub webhook_id: String,
    pub event_id: String,
    pub event_kind: String,
    pub payload: String,
    pub status: DeliveryStatus,
    pub attempts: i64,
    pub next_attempt_at: DateTime<Utc>,
    pub last_status_code: Option<i64>,
    pub last_error: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct AttemptRecord {
    pub at: DateTime<Utc>,
    pub status_code: Option<i64>,
    pub duration_ms: i64,
    pub response_body: Option<String>,
    pub error: Option<String>,
    /// Where the attempt was posted, when the body was rendered for the endpoint's format
    /// (`None`: the endpoint's URL).
    pub request_url: Option<String>,
    /// The body the attempt sent, when it was rendered for the endpoint's format, inline media
    /// left out (`None`: the delivery's payload).
    pub request_body: Option<String>,
}

/// What one attempt did to its delivery and its endpoint.
#[derive(Clone, Debug)]
pub struct AttemptOutcome {
    pub attempt: AttemptRecord,
    pub status: DeliveryStatus,
    /// When to try again (pending deliveries).
    pub next_attempt_at: DateTime<Utc>,
    /// `Some(Some(t))` starts a run of failures, `Some(None)` ends it.
    pub failing_since: Option<Option<DateTime<Utc>>>,
    /// Disables the endpoint with this reason.
    pub disable: Option<String>,
    pub events: Vec<NewEvent>,
}

macro_rules! webhook_columns {
    () => {
        "id, account_id, instance_id, url, events, headers, description, secret, enabled,
         disabled_reason, failing_since, is_default, created_at, updated_at, format, by_events,
         inline_media"
    };
}

macro_rules! delivery_columns {
    () => {
        "id, webhook_id, event_id, event_kind, payload, status, attempts, next_attempt_at,
         last_status_code, last_error, created_at, updated_at"
    };
}

#[derive(sqlx::FromRow)]
struct WebhookRow {
    id: String,
    account_id: String,
    instance_id: Option<String>,
    url: String,
    events: String,
    headers: Option<String>,
    description: Option<String>,
    secret: String,
    enabled: i64,
    disabled_reason: Option<String>,
    failing_since: Option<i64>,
    is_default: i64,
    created_at: i64,
    updated_at: i64,
    format: String,
    by_events: i64,
    inline_media: i64,
}

impl TryFrom<WebhookRow> for WebhookRecord {
    type Error = StoreError;

    fn try_from(row: WebhookRow) -> Result<Self> {
        let corrupt = |what: &str, e: serde_json::Error| {
            StoreError::Corrupt(format!("webhook {} {what}: {e}", row.id))
        };
        let format = row
            .format
            .parse()
            .map_err(|e: String| StoreError::Corrupt(format!("webhook {} format: {e}", row.id)))?;
        Ok(Self {
            format,
            by_events: row.by_events != 0,
            inline_media: row.inline_media != 0,
            events: serde_json::from_str(&row.events).map_err(|e| corrupt("events", e))?,
            headers: row
                .headers
                .as_deref()
                .map(serde_json::from_str)
                .transpose()
                .map_err(|e| corrupt("headers", e))?
                .unwrap_or_default(),
            id: row.id,
            account_id: AccountId::from_trusted(row.account_id),
            instance_id: row.instance_id.map(InstanceId::from_trusted),
            url: row.url,
            description: row.description,
            secret: row.secret,
            enabled: row.enabled != 0,
            disabled_reason: row.disabled_reason,
            failing_since: row.failing_since.map(from_millis),
            is_default: row.is_default != 0,
            created_at: from_millis(row.created_at),
            updated_at: from_millis(row.updated_at),
        })
    }
}

#[derive(sqlx::FromRow)]
struct DeliveryRow {
    id: String,
    webhook_id: String,
    event_id: String,
    event_kind: String,
    payload: String,
    status: String,
    attempts: i64,
    next_attempt_at: i64,
    last_status_code: Option<i64>,
    last_error: Option<String>,
    created_at: i64,
    updated_at: i64,
}

impl TryFrom<DeliveryRow> for DeliveryRecord {
    type Error = StoreError;

    fn try_from(row: DeliveryRow) -> Result<Self> {
        Ok(Self {
            status: DeliveryStatus::parse(&row.status).ok_or_else(|| {
                StoreError::Corrupt(format!("delivery {} status '{}'", row.id, row.status))
            })?,
            id: row.id,
            webhook_id: row.webhook_id,
            event_id: row.event_id,
            event_kind: row.event_kind,
            payload: row.payload,
            attempts: row.attempts,
            next_attempt_at: from_millis(row.next_attempt_at),
            last_status_code: row.last_status_code,
            last_error: row.last_error,
            created_at: from_millis(row.created_at),
            updated_at: from_millis(row.updated_at),
        })
    }
}

#[derive(sqlx::FromRow)]
struct AttemptRow {
    at: i64,
    status_code: Option<i64>,
    duration_ms: i64,
    response_body: Option<String>,
    error: Option<String>,
    request_url: Option<String>,
    request_body: Option<String>,
}

fn json_text<T: serde::Serialize>(value: &T) -> Result<String> {
    serde_json::to_string(value)
        .map_err(|e| StoreError::Corrupt(format!("does not serialise: {e}")))
}

impl Store {
    pub async fn insert_webhook(&self, webhook: &WebhookRecord) -> Result<()> {
        let events = json_text(&webhook.events)?;
        let headers = json_text(&webhook.headers)?;
        on_pool!(self, pool => {
            sqlx::query(concat!(
                "INSERT INTO webhooks (", webhook_columns!(), ")
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)"
            ))
            .bind(webhook.id.clone())
            .bind(webhook.account_id.as_str())
            .bind(webhook.instance_id.as_ref().map(|i| i.as_str().to_owned()))
            .bind(webhook.url.clone())
            .bind(events.clone())
            .bind(headers.clone())
            .bind(webhook.description.clone())
            .bind(webhook.secret.clone())
            .bind(i64::from(webhook.enabled))
            .bind(webhook.disabled_reason.clone())
            .bind(webhook.failing_since.map(to_millis))
            .bind(i64::from(webhook.is_default))
            .bind(to_millis(webhook.created_at))
            .bind(to_millis(webhook.updated_at))
            .bind(webhook.format.as_str())
            .bind(i64::from(webhook.by_events))
            .bind(i64::from(webhook.inline_media))
            .execute(pool)
            .await?;
        });
        Ok(())
    }

    /// Writes every field of an endpoint back.
    pub async fn save_webhook(&self, webhook: &WebhookRecord) -> Result<()> {
        let events = json_text(&webhook.events)?;
        let headers = json_text(&webhook.headers)?;
        on_pool!(self, pool => {
            sqlx::query(
                "UPDATE webhooks SET instance_id = $2, url = $3, events = $4, headers = $5, description = $6,
                     secret = $7, enabled = $8, disabled_reason = $9, failing_since = $10, updated_at = $11,
                     format = $12, by_events = $13, inline_media = $14
                 WHERE id = $1",
            )
            .bind(webhook.id.clone())
            .bind(webhook.instance_id.as_ref().map(|i| i.as_str().to_owned()))
            .bind(webhook.url.clone())
            .bind(events.clone())
            .bind(headers.clone())
            .bind(webhook.description.clone())
            .bind(webhook.secret.clone())
            .bind(i64::from(webhook.enabled))
            .bind(webhook.disabled_reason.clone())
            .bind(webhook.failing_since.map(to_millis))
            .bind(now_millis())
            .bind(webhook.format.as_str())
            .bind(i64::from(webhook.by_events))
            .bind(i64::from(webhook.inline_media))
            .execute(pool)
            .await?;
        });
        Ok(())
    }

    pub async fn list_webhooks(&self, account_id: &AccountId) -> Result<Vec<WebhookRecord>> {
        let rows = on_pool!(self, pool => {
            sqlx::query_as::<_, WebhookRow>(concat!(
                "SELECT ", webhook_columns!(), " FROM webhooks WHERE account_id = $1 ORDER BY created_at, id"
            ))
            .bind(account_id.as_str())
            .fetch_all(pool)
            .await?
        });
        rows.into_iter().map(TryInto::try_into).collect()
    }

    pub async fn find_webhook(
        &self,
        account_id: &AccountId,
        id: &str,
    ) -> Result<Option<WebhookRecord>> {
        let row = on_pool!(self, pool => {
            sqlx::query_as::<_, WebhookRow>(concat!(
                "SELECT ", webhook_columns!(), " FROM webhooks WHERE account_id = $1 AND id = $2"
            ))
            .bind(account_id.as_str())
            .bind(id)
            .fetch_optional(pool)
            .await?
        });
        row.map(TryInto::try_into).transpose()
    }

    pub async fn delete_webhook(&self, account_id: &AccountId, id: &str) -> Result<bool> {
        let deleted = on_pool!(self, pool => {
            sqlx::query("DELETE FROM webhooks WHERE account_id = $1 AND id = $2")
                .bind(account_id.as_str())
                .bind(id)
                .execute(pool)
                .await?
                .rows_affected()
        });
        Ok(deleted > 0)
    }

    /// Rewrites the secret and the headers of every endpoint `rewrite` answers new ones for,
    /// in one transaction over locked rows, so a change made meanwhile is neither lost nor
    /// overwritten; answers how many changed. `updated_at` stays: the endpoint is unchanged.
    pub async fn rewrite_webhook_secrets<F>(&self, mut rewrite: F) -> Result<usize>
    where
        F: FnMut(&WebhookRecord) -> Option<(String, BTreeMap<String, String>)>,
    {
        in_tx!(self, tx, backend => {
            let select = match backend {
                Backend::Postgres => concat!("SELECT ", webhook_columns!(), " FROM webhooks ORDER BY id FOR UPDATE"),
                Backend::Sqlite => concat!("SELECT ", webhook_columns!(), " FROM webhooks ORDER BY id"),
            };
            let rows = sqlx::query_as::<_, WebhookRow>(select)
                .fetch_all(&mut *tx)
                .await?;
            let mut changed = 0;
            for row in rows {
                let webhook = WebhookRecord::try_from(row)?;
                let Some((secret, headers)) = rewrite(&webhook) else { continue };
                sqlx::query("UPDATE webhooks SET secret = $2, headers = $3 WHERE id = $1")
                    .bind(webhook.id.clone())
                    .bind(secret)
                    .bind(json_text(&headers)?)
                    .execute(&mut *tx)
                    .await?;
                changed += 1;
            }
            Ok(changed)
        })
    }

    /// Reads the outbox after the cursor `consumer`, lets `route` turn each event into
    /// deliveries, stores them and advances the cursor, all in one transaction. Answers how
    /// many events were read.
    pub async fn fan_out_events<F>(&self, consumer: &str, limit: i64, route: F) -> Result<usize>
    where
        F: FnOnce(&[EventRecord], &[WebhookRecord]) -> Vec<NewDelivery>,
    {
        // Every commit wakes the fan-out; a read first keeps the wake-ups that find nothing
        // new from taking the write lock.
        let waiting: Option<i64> = on_pool!(self, pool => {
            sqlx::query_scalar(
                "SELECT seq FROM events
                 WHERE seq > COALESCE((SELECT position FROM outbox_cursors WHERE name = $1), 0)
                 ORDER BY seq LIMIT 1",
            )
            .bind(consumer)
            .fetch_optional(pool)
            .await?
        });
        if waiting.is_none() {
            return Ok(0);
        }
        in_tx!(self, tx, backend => {
            sqlx::query("INSERT INTO outbox_cursors (name, position) VALUES ($1, 0) ON CONFLICT (name) DO NOTHING")
                .bind(consumer)
                .execute(&mut *tx)
                .await?;
            let position: i64 = match backend {
                Backend::Postgres => sqlx::query_scalar("SELECT position FROM outbox_cursors WHERE name = $1 FOR UPDATE"),
                Backend::Sqlite => sqlx::query_scalar("SELECT position FROM outbox_cursors WHERE name = $1"),
            }
            .bind(consumer)
            .fetch_one(&mut *tx)
            .await?;
            let rows = sqlx::query_as::<_, crate::events::EventRow>(
                "SELECT seq, id, account_id, instance_id, instance_name, kind, data, created_at
                 FROM events WHERE seq > $1 ORDER BY seq LIMIT $2",
            )
            .bind(position)
            .bind(limit)
            .fetch_all(&mut *tx)
            .await?;
            let events: Vec<EventRecord> = rows.into_iter().map(TryInto::try_into).collect::<Result<_>>()?;
            let Some(last) = events.last().map(|e| e.seq.0) else { return Ok(0) };
            let webhooks: Vec<WebhookRecord> = sqlx::query_as::<_, WebhookRow>(concat!(
                "SELECT ", webhook_columns!(), " FROM webhooks WHERE enabled = 1"
            ))
            .fetch_all(&mut *tx)
            .await?
            .into_iter()
            .map(TryInto::try_into)
            .collect::<Result<_>>()?;
            let deliveries = route(&events, &webhooks);
            let now = now_millis();
            insert_deliveries!(tx, deliveries, now);
            sqlx::query("UPDATE outbox_cursors SET position = $2 WHERE name = $1")
                .bind(consumer)
                .bind(last)
                .execute(&mut *tx)
                .await?;
            Ok(events.len())
        })
    }

    /// Stores deliveries made outside the fan-out (tests, replays), due at once.
    pub async fn insert_deliveries(&self, deliveries: Vec<NewDelivery>) -> Result<()> {
        let now = now_millis();
        in_tx!(self, tx, _backend => {
            insert_deliveries!(tx, deliveries, now);
            Ok(())
        })
    }

    /// Claims due deliveries of enabled endpoints with a lease until `lease_until` (see
    /// [`Store::record_and_claim`]).
    pub async fn claim_deliveries(
        &self,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
        limit: i64,
        room: impl Fn(&str) -> i64,
    ) -> Result<Vec<(DeliveryRecord, WebhookRecord)>> {
        self.record_and_claim(Vec::new(), now, lease_until, limit, room)
            .await
    }

    /// Records an attempt and what it did, with its events, in one transaction.
    pub async fn record_attempt(
        &self,
        delivery: &DeliveryRecord,
        outcome: AttemptOutcome,
    ) -> Result<()> {
        self.record_and_claim(
            vec![(delivery.clone(), outcome)],
            Utc::now(),
            Utc::now(),
            0,
            |_| 0,
        )
        .await
        .map(drop)
    }

    /// The deliverer's one transaction per round: records the attempts that finished (with
    /// their events; deliveries ending in the same state are updated together), then claims
    /// due deliveries of enabled endpoints with a lease until `lease_until`, oldest first per
    /// endpoint: at most `limit` in all and `room(endpoint)` of any one endpoint, so a backlog
    /// at one endpoint never crowds the others out. The lease is re-checked on the row itself
    /// (and PostgreSQL skips rows another node is claiming), so two nodes never claim the same
    /// delivery.
    pub async fn record_and_claim(
        &self,
        attempts: Vec<(DeliveryRecord, AttemptOutcome)>,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
        limit: i64,
        room: impl Fn(&str) -> i64,
    ) -> Result<Vec<(DeliveryRecord, WebhookRecord)>> {
        // Deliveries whose row changes the same way: status, when next (pending only), answer.
        type NewState = (DeliveryStatus, Option<i64>, Option<i64>, Option<String>);
        let mut states: BTreeMap<NewState, (i64, Vec<String>)> = BTreeMap::new();
        for (delivery, outcome) in &attempts {
            let next = to_millis(outcome.next_attempt_at);
            let key = (
                outcome.status,
                (outcome.status == DeliveryStatus::Pending).then_some(next),
                outcome.attempt.status_code,
                outcome.attempt.error.clone(),
            );
            states
                .entry(key)
                .or_insert((next, Vec::new()))
                .1
                .push(delivery.id.clone());
        }
        let written_at = now_millis();
        let now_ms = to_millis(now);
        macro_rules! claim_sql {
            ($locking:literal) => {
                concat!(
                    "UPDATE webhook_deliveries SET locked_until = $2
                     WHERE (locked_until IS NULL OR locked_until < $1) AND id IN (
                         SELECT id FROM webhook_deliveries
                         WHERE webhook_id = $3 AND status = 'pending' AND next_attempt_at <= $1
                           AND (locked_until IS NULL OR locked_until < $1)
                         ORDER BY next_attempt_at, id LIMIT $4",
                    $locking,
                    ") RETURNING ",
                    delivery_columns!()
                )
            };
        }
        // Every commit wakes the delivery worker; with nothing to record, a read first keeps
        // the wake-ups that find nothing due from taking the write lock (and from waking the
        // outbox readers with a commit of their own).
        if attempts.is_empty() {
            let due: bool = on_pool!(self, pool => {
                sqlx::query_scalar(
                    "SELECT EXISTS (SELECT 1 FROM webhook_deliveries
                     WHERE status = 'pending' AND next_attempt_at <= $1
                       AND (locked_until IS NULL OR locked_until < $1))",
                )
                .bind(now_ms)
                .fetch_one(pool)
                .await?
            });
            if !due || limit <= 0 {
                return Ok(Vec::new());
            }
        }
        in_tx!(self, tx, backend => {
            for chunk in crate::row_chunks::row_chunks(&attempts) {
                let mut insert = sqlx::QueryBuilder::new(
                    "INSERT INTO webhook_attempts (delivery_id, at, status_code, duration_ms, response_body, error, request_url, request_body) ",
                );
                insert.push_values(chunk, |mut row, (delivery, outcome)| {
                    let attempt = &outcome.attempt;
                    row.push_bind(delivery.id.clone())
                        .push_bind(to_millis(attempt.at))
                        .push_bind(attempt.status_code)
                        .push_bind(attempt.duration_ms)
                        .push_bind(attempt.response_body.clone())
                        .push_bind(attempt.error.clone())
                        .push_bind(attempt.request_url.clone())
                        .push_bind(attempt.request_body.clone());
                });
                insert.build().execute(&mut *tx).await?;
            }
            for ((status, _, status_code, error), (next, ids)) in &states {
                for chunk in crate::row_chunks::row_chunks(ids) {
                    let mut update = sqlx::QueryBuilder::new("UPDATE webhook_deliveries SET status = ");
                    update
                        .push_bind(status.as_str())
                        .push(", attempts = attempts + 1, next_attempt_at = ")
                        .push_bind(*next)
                        .push(", locked_until = NULL, last_status_code = ")
                        .push_bind(*status_code)
                        .push(", last_error = ")
                        .push_bind(error.clone())
                        .push(", updated_at = ")
                        .push_bind(written_at)
                        .push(" WHERE id IN (");
                    let mut ids = update.separated(", ");
                    for id in chunk {
                        ids.push_bind(id.clone());
                    }
                    update.push(")");
                    update.build().execute(&mut *tx).await?;
                }
            }
            for (delivery, outcome) in attempts {
                if let Some(failing_since) = outcome.failing_since {
                    sqlx::query("UPDATE webhooks SET failing_since = $2 WHERE id = $1")
                        .bind(delivery.webhook_id.clone())
                        .bind(failing_since.map(to_millis))
                        .execute(&mut *tx)
                        .await?;
                }
                if let Some(reason) = &outcome.disable {
                    sqlx::query("UPDATE webhooks SET enabled = 0, disabled_reason = $2, updated_at = $3 WHERE id = $1")
                        .bind(delivery.webhook_id.clone())
                        .bind(reason.clone())
                        .bind(written_at)
                        .execute(&mut *tx)
                        .await?;
                }
                append_events!(tx, backend, outcome.events);
            }
            if limit <= 0 {
                return Ok(Vec::new());
            }
            let endpoints = sqlx::query_as::<_, WebhookRow>(concat!(
                "SELECT ", webhook_columns!(), " FROM webhooks w WHERE enabled = 1 AND EXISTS (
                     SELECT 1 FROM webhook_deliveries d
                     WHERE d.webhook_id = w.id AND d.status = 'pending' AND d.next_attempt_at <= $1
                       AND (d.locked_until IS NULL OR d.locked_until < $1))"
            ))
            .bind(now_ms)
            .fetch_all(&mut *tx)
            .await?;
            let sql = match backend {
                Backend::Postgres => claim_sql!(" FOR UPDATE SKIP LOCKED"),
                Backend::Sqlite => claim_sql!(""),
            };
            let mut left = limit;
            let mut out = Vec::new();
            for row in endpoints {
                let webhook = WebhookRecord::try_from(row)?;
                let take = room(&webhook.id).min(left);
                if take <= 0 {
                    continue;
                }
                let rows = sqlx::query_as::<_, DeliveryRow>(sql)
                    .bind(now_ms)
                    .bind(to_millis(lease_until))
                    .bind(webhook.id.clone())
                    .bind(take)
                    .fetch_all(&mut *tx)
                    .await?;
                left -= rows.len() as i64;
                let mut claimed = rows
                    .into_iter()
                    .map(DeliveryRecord::try_from)
                    .collect::<Result<Vec<_>>>()?;
                claimed.sort_by(|a, b| (a.next_attempt_at, &a.id).cmp(&(b.next_attempt_at, &b.id)));
                out.extend(claimed.into_iter().map(|delivery| (delivery, webhook.clone())));
            }
            Ok(out)
        })
    }

    pub async fn list_deliveries(
        &self,
        webhook_id: &str,
        status: Option<DeliveryStatus>,
        limit: i64,
        offset: i64,
    ) -> Result<Vec<(DeliveryRecord, Vec<AttemptRecord>)>> {
        let status = status.map(|s| s.as_str().to_owned());
        let rows = on_pool!(self, pool => {
            sqlx::query_as::<_, DeliveryRow>(concat!(
                "SELECT ", delivery_columns!(), " FROM webhook_deliveries
                 WHERE webhook_id = $1 AND ($2 IS NULL OR status = $2)
                 ORDER BY created_at DESC, id DESC LIMIT $3 OFFSET $4"
            ))
            .bind(webhook_id)
            .bind(status)
            .bind(limit)
            .bind(offset)
            .fetch_all(pool)
            .await?
        });
        let mut out = Vec::with_capacity(rows.len());
        for row in rows {
            let delivery = DeliveryRecord::try_from(row)?;
            let attempts = on_pool!(self, pool => {
                sqlx::query_as::<_, AttemptRow>(
                    "SELECT at, status_code, duration_ms, response_body, error, request_url, request_body FROM webhook_attempts
                     WHERE delivery_id = $1 ORDER BY id",
                )
                .bind(delivery.id.clone())
                .fetch_all(pool)
                .await?
            });
            let attempts = attempts
                .into_iter()
                .map(|a| AttemptRecord {
                    at: from_millis(a.at),
                    status_code: a.status_code,
                    duration_ms: a.duration_ms,
                    response_body: a.response_body,
                    error: a.error,
                    request_url: a.request_url,
                    request_body: a.request_body,
                })
                .collect();
            out.push((delivery, attempts));
        }
        Ok(out)
    }

    /// Makes a delivery due again now; answers whether it exists.
    pub async fn retry_delivery(&self, webhook_id: &str, delivery_id: &str) -> Result<bool> {
        let updated = on_pool!(self, pool => {
            sqlx::query(
                "UPDATE webhook_deliveries SET status = 'pending', next_attempt_at = $3, locked_until = NULL, updated_at = $3
                 WHERE id = $1 AND webhook_id = $2",
            )
            .bind(delivery_id)
            .bind(webhook_id)
            .bind(now_millis())
            .execute(pool)
            .await?
            .rows_affected()
        });
        Ok(updated > 0)
    }

    /// An account's events from a point in time, oldest first (for replays).
    pub async fn events_since(
        &self,
        account_id: &AccountId,
        since: DateTime<Utc>,
        limit: i64,
    ) -> Result<Vec<EventRecord>> {
        let rows = on_pool!(self, pool => {
            sqlx::query_as::<_, crate::events::EventRow>(
                "SELECT seq, id, account_id, instance_id, instance_name, kind, data, created_at
                 FROM events WHERE account_id = $1 AND created_at >= $2 ORDER BY seq LIMIT $3",
            )
            .bind(account_id.as_str())
            .bind(to_millis(since))
            .bind(limit)
            .fetch_all(pool)
            .await?
        });
        rows.into_iter().map(TryInto::try_into).collect()
    }

    /// Every account's events after `after`, oldest first (for broker sinks).
    pub async fn events_after(&self, after: EventSeq, limit: i64) -> Result<Vec<EventRecord>> {
        let rows = on_pool!(self, pool => {
            sqlx::query_as::<_, crate::events::EventRow>(
                "SELECT seq, id, account_id, instance_id, instance_name, kind, data, created_at
                 FROM events WHERE seq > $1 ORDER BY seq LIMIT $2",
            )
            .bind(after.0)
            .bind(limit)
            .fetch_all(pool)
            .await?
        });
        rows.into_iter().map(TryInto::try_into).collect()
    }

    /// Where the outbox consumer `name` has read to (0 when it has not started).
    pub async fn cursor(&self, name: &str) -> Result<EventSeq> {
        let position: Option<i64> = on_pool!(self, pool => {
            sqlx::query_scalar("SELECT position FROM outbox_cursors WHERE name = $1")
                .bind(name)
                .fetch_optional(pool)
                .await?
        });
        Ok(EventSeq(position.unwrap_or(0)))
    }

    /// How many events the outbox holds after `position`: how far a consumer is behind.
    pub async fn events_pending_after(&self, position: EventSeq) -> Result<i64> {
        Ok(on_pool!(self, pool => {
            sqlx::query_scalar("SELECT COUNT(*) FROM events WHERE seq > $1")
                .bind(position.0)
                .fetch_one(pool)
                .await?
        }))
    }

    /// The deliveries still to be made (pending or waiting to be retried), per webhook of
    /// the account: its backlog.
    pub async fn pending_deliveries(
        &self,
        account_id: &AccountId,
    ) -> Result<std::collections::HashMap<String, i64>> {
        let rows: Vec<(String, i64)> = on_pool!(self, pool => {
            sqlx::query_as(
                "SELECT d.webhook_id, COUNT(*) FROM webhook_deliveries d
                 JOIN webhooks w ON w.id = d.webhook_id
                 WHERE w.account_id = $1 AND d.status = 'pending'
                 GROUP BY d.webhook_id",
            )
            .bind(account_id.as_str())
            .fetch_all(pool)
            .await?
        });
        Ok(rows.into_iter().collect())
    }

    pub async fn advance_cursor(&self, name: &str, position: EventSeq) -> Result<()> {
        on_pool!(self, pool => {
            sqlx::query(
                "INSERT INTO outbox_cursors (name, position) VALUES ($1, $2)
                 ON CONFLICT (name) DO UPDATE SET position = excluded.position",
            )
            .bind(name)
            .bind(position.0)
            .execute(pool)
            .await?;
        });
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{on_both_backends, seed_instance};

    #[tokio::test]
    async fn secrets_are_rewritten_in_place_and_only_where_asked() {
        on_both_backends(|store| async move {
            let instance = seed_instance(&store, "sales").await;
            let now = Utc::now();
            let webhook = |id: &str| WebhookRecord {
                id: id.to_owned(),
                account_id: instance.account_id.clone(),
                instance_id: None,
                url: "https://example.com/hook".to_owned(),
                events: vec!["*".to_owned()],
                headers: BTreeMap::from([("X-Token".to_owned(), "plain".to_owned())]),
                description: None,
                secret: "whsec_plain".to_owned(),
                enabled: true,
                disabled_reason: None,
                failing_since: None,
                is_default: false,
                format: WebhookFormat::Native,
                by_events: false,
                inline_media: false,
                created_at: now,
                updated_at: now,
            };
            store.insert_webhook(&webhook("whk_1")).await.unwrap();
            store.insert_webhook(&webhook("whk_2")).await.unwrap();
            let changed = store
                .rewrite_webhook_secrets(|w| {
                    (w.id == "whk_1").then(|| {
                        let headers = w
                            .headers
                            .keys()
                            .map(|name| (name.clone(), format!("sealed {name}")))
                            .collect();
                        ("sealed secret".to_owned(), headers)
                    })
                })
                .await
                .unwrap();
            assert_eq!(changed, 1);
            let account = &instance.account_id;
            let first = store.find_webhook(account, "whk_1").await.unwrap().unwrap();
            assert_eq!(first.secret, "sealed secret");
            assert_eq!(first.headers["X-Token"], "sealed X-Token");
            assert_eq!(first.updated_at, from_millis(to_millis(now)));
            let second = store.find_webhook(account, "whk_2").await.unwrap().unwrap();
            assert_eq!(second.secret, "whsec_plain", "left as it was");
            assert_eq!(second.headers["X-Token"], "plain");
            assert_eq!(store.rewrite_webhook_secrets(|_| None).await.unwrap(), 0);
        })
        .await;
    }

    #[tokio::test]
    async fn formats_are_kept_and_attempts_record_what_they_sent() {
        on_both_backends(|store| async move {
            let instance = seed_instance(&store, "sales").await;
            let now = Utc::now();
            let mut webhook = WebhookRecord {
                id: "whk_evo".to_owned(),
                account_id: instance.account_id.clone(),
                instance_id: Some(instance.id.clone()),
                url: "https://example.com/hook".to_owned(),
                events: vec!["message.received".to_owned()],
                headers: BTreeMap::new(),
                description: None,
                secret: "whsec_plain".to_owned(),
                enabled: true,
                disabled_reason: None,
                failing_since: None,
                is_default: false,
                format: WebhookFormat::Evolution,
                by_events: true,
                inline_media: false,
                created_at: now,
                updated_at: now,
            };
            store.insert_webhook(&webhook).await.unwrap();
            let account = &instance.account_id;
            let found = store
                .find_webhook(account, "whk_evo")
                .await
                .unwrap()
                .unwrap();
            assert_eq!(found.format, WebhookFormat::Evolution);
            assert!(found.by_events && !found.inline_media);

            webhook.format = WebhookFormat::Native;
            webhook.by_events = false;
            webhook.inline_media = true;
            store.save_webhook(&webhook).await.unwrap();
            let found = store.list_webhooks(account).await.unwrap().remove(0);
            assert_eq!(found.format, WebhookFormat::Native);
            assert!(!found.by_events && found.inline_media);

            store
                .insert_deliveries(vec![NewDelivery {
                    webhook_id: webhook.id.clone(),
                    event_id: "evt_1".to_owned(),
                    event_kind: "message.received".to_owned(),
                    payload: "{}".to_owned(),
                }])
                .await
                .unwrap();
            let claimed = store
                .claim_deliveries(
                    Utc::now(),
                    Utc::now() + chrono::Duration::seconds(60),
                    10,
                    |_| 10,
                )
                .await
                .unwrap();
            let (delivery, _) = claimed.into_iter().next().expect("claimed");
            let attempt = |request_url: Option<&str>, request_body: Option<&str>| AttemptOutcome {
                attempt: AttemptRecord {
                    at: Utc::now(),
                    status_code: Some(500),
                    duration_ms: 3,
                    response_body: None,
                    error: None,
                    request_url: request_url.map(str::to_owned),
                    request_body: request_body.map(str::to_owned),
                },
                status: DeliveryStatus::Pending,
                next_attempt_at: Utc::now(),
                failing_since: None,
                disable: None,
                events: Vec::new(),
            };
            store
                .record_attempt(
                    &delivery,
                    attempt(
                        Some("https://example.com/hook/messages-upsert"),
                        Some(r#"{"event":"messages.upsert"}"#),
                    ),
                )
                .await
                .unwrap();
            store
                .record_attempt(&delivery, attempt(None, None))
                .await
                .unwrap();
            let (_, attempts) = store
                .list_deliveries(&webhook.id, None, 10, 0)
                .await
                .unwrap()
                .remove(0);
            assert_eq!(
                attempts[0].request_url.as_deref(),
                Some("https://example.com/hook/messages-upsert")
            );
            assert_eq!(
                attempts[0].request_body.as_deref(),
                Some(r#"{"event":"messages.upsert"}"#)
            );
            assert_eq!(
                (
                    attempts[1].request_url.as_ref(),
                    attempts[1].request_body.as_ref()
                ),
                (None, None)
            );
        })
        .await;
    }
}
