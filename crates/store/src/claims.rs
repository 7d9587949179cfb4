//! Claiming due messages: the dispatcher's one transaction per round.
//!
//! Candidates are read with what pacing needs to judge them — the instance's settings, day
//! count and failures in a row, and when the instance last sent to the message's chat — and a
//! plan decided by the caller (the pacing rules live in the service layer) is written back in
//! the same transaction: claimed messages leased, held ones moved to their time, instance
//! gates and counters set, capped instances' queues scheduled for their next window. On
//! PostgreSQL candidates are locked `FOR UPDATE SKIP LOCKED`, so nodes never claim one message
//! twice; on SQLite the single writer does the same.

use crate::messages::MessageRow;
use crate::records::MessageRecord;
use crate::time::{from_millis, to_millis};
use crate::{Backend, Result, Store, StoreError};
use chrono::{DateTime, Utc};
use wagate_core::{EngineKind, InstanceId, InstanceSettings, MessageStatus};

/// What the pacing rules know about an instance when one of its messages is due.
#[derive(Clone, Debug, PartialEq)]
pub struct InstancePacingState {
    /// Cloud numbers are paced by Meta's throughput limit, linked devices against bans.
    pub engine: EngineKind,
    pub settings: InstanceSettings,
    pub linked_at: Option<DateTime<Utc>>,
    /// The UTC day (days since 1970-01-01) `day_count` counts.
    pub day: Option<i64>,
    pub day_count: i64,
    /// Transient engine failures in a row.
    pub breaker_failures: i64,
}

/// A due message and what is needed to decide whether it goes now.
#[derive(Clone, Debug)]
pub struct ClaimCandidate {
    pub message: MessageRecord,
    pub simulate_typing: bool,
    /// The typing time the caller asked for (ms), over `simulate_typing`.
    pub typing_ms: Option<u32>,
    pub instance: InstancePacingState,
    /// When the instance last sent to this message's chat.
    pub chat_last_sent_at: Option<DateTime<Utc>>,
}

/// What happens to one candidate.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ClaimDecision {
    /// Leased to the caller now.
    Claim,
    /// Stays in its status, due again at this time.
    WaitUntil(DateTime<Utc>),
    /// Left as it is (its instance is closed for this round).
    Skip,
}

/// An instance's pacing state after the round.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InstanceGate {
    pub instance_id: InstanceId,
    /// No message of the instance is claimed before this.
    pub send_after: Option<DateTime<Utc>>,
    pub day: i64,
    pub day_count: i64,
}

/// An instance that reached its daily cap: its waiting messages are scheduled for `until`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CapHold {
    pub instance_id: InstanceId,
    pub until: DateTime<Utc>,
}

/// The caller's decisions for one round; `decisions` follows the candidates' order.
#[derive(Clone, Debug, Default)]
pub struct ClaimPlan {
    pub decisions: Vec<ClaimDecision>,
    pub gates: Vec<InstanceGate>,
    pub caps: Vec<CapHold>,
    /// (instance, chat, when) for every claimed message.
    pub chats: Vec<(InstanceId, String, DateTime<Utc>)>,
}

/// A message leased to the caller.
#[derive(Clone, Debug)]
pub struct ClaimedMessage {
    pub message: MessageRecord,
    pub simulate_typing: bool,
    /// The typing time the caller asked for (ms), over `simulate_typing`.
    pub typing_ms: Option<u32>,
    pub engine: EngineKind,
    /// The instance's transient failures in a row when it was claimed.
    pub breaker_failures: i64,
    /// The gate the claim set for its instance, when paced.
    pub gate: Option<DateTime<Utc>>,
}

/// What a round claimed, and when the next gated instance opens.
#[derive(Clone, Debug, Default)]
pub struct ClaimRound {
    pub messages: Vec<ClaimedMessage>,
    pub next_gate: Option<DateTime<Utc>>,
}

#[derive(sqlx::FromRow)]
struct CandidateRow {
    #[sqlx(flatten)]
    message: MessageRow,
    simulate_typing: i64,
    typing_ms: Option<i64>,
    i_engine: String,
    i_settings: Option<String>,
    i_linked_at: Option<i64>,
    i_pacing_day: Option<i64>,
    i_pacing_day_count: i64,
    i_breaker_failures: i64,
    r_last_at: Option<i64>,
}

impl TryFrom<CandidateRow> for ClaimCandidate {
    type Error = StoreError;

    fn try_from(row: CandidateRow) -> Result<Self> {
        let message = MessageRecord::try_from(row.message)?;
        let settings = row
            .i_settings
            .as_deref()
            .map(serde_json::from_str)
            .transpose()
            .map_err(|e| {
                StoreError::Corrupt(format!("instance {} settings: {e}", message.instance_id))
            })?
            .unwrap_or_default();
        let engine = row.i_engine.parse().map_err(|e: String| {
            StoreError::Corrupt(format!("instance {} engine: {e}", message.instance_id))
        })?;
        Ok(Self {
            message,
            simulate_typing: row.simulate_typing != 0,
            typing_ms: row.typing_ms.and_then(|ms| u32::try_from(ms).ok()),
            instance: InstancePacingState {
                engine,
                settings,
                linked_at: row.i_linked_at.map(from_millis),
                day: row.i_pacing_day,
                day_count: row.i_pacing_day_count,
                breaker_failures: row.i_breaker_failures,
            },
            chat_last_sent_at: row.r_last_at.map(from_millis),
        })
    }
}

/// Driven from the instances, so a gated or busy instance's queue is never read: reading
/// every due message and filtering afterwards made each round cost the whole backlog.
/// SQLite is told the join order with `CROSS JOIN`; PostgreSQL's planner finds it. `$which`
/// picks the messages: due ones, or ones whose lease expired.
macro_rules! candidates_from {
    ($join:literal, $not_busy:literal, $which:expr) => {
        concat!(
            " FROM instances i ",
            $join,
            " messages m ON m.instance_id = i.id
             LEFT JOIN pacing_recipients r ON r.instance_id = m.instance_id AND r.chat_jid = m.chat_jid
             WHERE i.status = 'open'
               AND (i.send_after IS NULL OR i.send_after <= $1)
               AND ",
            $not_busy,
            " AND m.direction = 'outbound' AND ",
            $which
        )
    };
}

macro_rules! due {
    () => {
        "m.status IN ('queued', 'scheduled', 'retrying') AND m.run_at <= $1"
    };
}

macro_rules! lease_expired {
    () => {
        "m.status = 'processing' AND m.locked_until < $1"
    };
}

macro_rules! candidate_columns {
    () => {
        "SELECT m.*, i.engine AS i_engine, i.settings AS i_settings, i.linked_at AS i_linked_at,
             i.pacing_day AS i_pacing_day, i.pacing_day_count AS i_pacing_day_count,
             i.breaker_failures AS i_breaker_failures, r.last_at AS r_last_at"
    };
}

/// The first due messages of one instance (`$4` of them, in the order they are due), through
/// `messages_due_by_instance`: a round reads a few messages per eligible instance, however long
/// their queues, and no instance's backlog crowds the others out of a round.
macro_rules! first_due_of_instance {
    ($columns:literal) => {
        concat!(
            "SELECT ",
            $columns,
            " FROM messages WHERE instance_id = i.id
                 AND status IN ('queued', 'scheduled', 'retrying') AND run_at <= $1
                 AND direction = 'outbound'
             ORDER BY run_at LIMIT $4"
        )
    };
}

macro_rules! eligible_instance {
    ($not_busy:literal) => {
        concat!(
            "i.status = 'open' AND (i.send_after IS NULL OR i.send_after <= $1) AND ",
            $not_busy
        )
    };
}

/// PostgreSQL picks the due messages without locking (a lateral read per instance), then
/// locks only those it picked: `FOR UPDATE` goes neither with the lateral reads' `LIMIT` per
/// instance (it would lock every instance's share) nor with `UNION`. A picked message another
/// node locked meanwhile is skipped; one it changed is read again and dropped if no longer due.
const POSTGRES_DUE_CANDIDATES: &str = concat!(
    "WITH picked AS (SELECT m.id FROM instances i CROSS JOIN LATERAL (",
    first_due_of_instance!("id, run_at"),
    ") m WHERE ",
    eligible_instance!("i.id NOT IN (SELECT jsonb_array_elements_text($3::jsonb))"),
    " ORDER BY m.run_at, m.id LIMIT $2) ",
    candidate_columns!(),
    " FROM messages m JOIN instances i ON i.id = m.instance_id
      LEFT JOIN pacing_recipients r ON r.instance_id = m.instance_id AND r.chat_jid = m.chat_jid
      WHERE m.id IN (SELECT id FROM picked) AND m.direction = 'outbound' AND ",
    due!(),
    " ORDER BY m.run_at, m.id FOR UPDATE OF m SKIP LOCKED"
);

/// Messages whose lease expired (their worker died): rare, read apart from the due ones.
const POSTGRES_EXPIRED_CANDIDATES: &str = concat!(
    candidate_columns!(),
    candidates_from!(
        "JOIN",
        "i.id NOT IN (SELECT jsonb_array_elements_text($3::jsonb))",
        lease_expired!()
    ),
    " ORDER BY m.run_at, m.id LIMIT $2 FOR UPDATE OF m SKIP LOCKED"
);

/// SQLite reads each eligible instance's first due messages through a correlated `IN` (it
/// has no lateral joins) and looks them up by id; joined on `instance_id` instead, it read
/// every message of the instance. The lease-expired branch seeks `messages_leased`.
const SQLITE_CANDIDATES: &str = concat!(
    candidate_columns!(),
    " FROM instances i CROSS JOIN messages m
      LEFT JOIN pacing_recipients r ON r.instance_id = m.instance_id AND r.chat_jid = m.chat_jid
      WHERE ",
    eligible_instance!("i.id NOT IN (SELECT value FROM json_each($3))"),
    " AND m.id IN (",
    first_due_of_instance!("id"),
    ")",
    " UNION ALL ",
    candidate_columns!(),
    candidates_from!(
        "CROSS JOIN",
        "i.id NOT IN (SELECT value FROM json_each($3))",
        lease_expired!()
    ),
    " ORDER BY run_at, id LIMIT $2"
);

/// Leases the claimed messages (`$1`, a JSON array of ids) in one statement: a round claims
/// up to a batch, and one statement per message made the claim the dispatcher's largest cost.
macro_rules! lease_claimed {
    ($ids:literal) => {
        concat!(
            "UPDATE messages SET status = 'processing', locked_until = $2,
                 attempts = attempts + 1, updated_at = $3
             WHERE id IN (",
            $ids,
            ")"
        )
    };
}

macro_rules! lease_timeline {
    ($ids:literal) => {
        concat!(
            "INSERT INTO message_timeline (message_id, status, at) SELECT id, 'processing', $2 FROM (",
            $ids,
            ") claimed"
        )
    };
}

const POSTGRES_LEASE: &str = lease_claimed!("SELECT jsonb_array_elements_text($1::jsonb)");
const SQLITE_LEASE: &str = lease_claimed!("SELECT value FROM json_each($1)");
const POSTGRES_LEASE_TIMELINE: &str =
    lease_timeline!("SELECT jsonb_array_elements_text($1::jsonb) AS id");
const SQLITE_LEASE_TIMELINE: &str = lease_timeline!("SELECT value AS id FROM json_each($1)");

/// Whether a round would find anything: asked before the write transaction, so an idle
/// round (every commit of accepted sends wakes the dispatcher) neither takes the writer nor
/// wakes the outbox readers.
const POSTGRES_ANY_CANDIDATE: &str = concat!(
    "SELECT EXISTS (SELECT 1",
    candidates_from!(
        "JOIN",
        "i.id NOT IN (SELECT jsonb_array_elements_text($2::jsonb))",
        concat!("((", due!(), ") OR (", lease_expired!(), "))")
    ),
    ")"
);

const SQLITE_ANY_CANDIDATE: &str = concat!(
    "SELECT EXISTS (SELECT 1",
    candidates_from!(
        "CROSS JOIN",
        "i.id NOT IN (SELECT value FROM json_each($2))",
        due!()
    ),
    ") OR EXISTS (SELECT 1",
    candidates_from!(
        "CROSS JOIN",
        "i.id NOT IN (SELECT value FROM json_each($2))",
        lease_expired!()
    ),
    ")"
);

impl Store {
    /// Moves an instance's gate later (never earlier): a paced send that reached WhatsApp
    /// later than its claim keeps its full gap from when it really went.
    pub async fn push_gate(&self, instance: &InstanceId, at: DateTime<Utc>) -> Result<()> {
        let result = on_pool!(self, pool => {
            sqlx::query(
                "UPDATE instances SET send_after = $2
                 WHERE id = $1 AND (send_after IS NULL OR send_after < $2)",
            )
            .bind(instance.as_str())
            .bind(to_millis(at))
            .execute(pool)
            .await
            .map(|_| ())
        });
        self.instances_written();
        result?;
        Ok(())
    }
}

/// A capped instance's messages that wait for an earlier time than its next window.
macro_rules! waiting_messages {
    () => {
        "instance_id = $1 AND direction = 'outbound'
         AND status IN ('queued', 'scheduled', 'retrying') AND run_at < $2"
    };
}

/// How much one claim round reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ClaimLimits {
    /// Due messages in the round, all instances together.
    pub round: i64,
    /// Due messages one instance brings to the round, however long its queue: enough for a
    /// cloud number's burst, few enough that every eligible instance is read.
    pub per_instance: i64,
}

impl Store {
    /// Reads the due messages of open, ungated instances not in `busy` (as many as `limits`
    /// allow), lets `plan`
    /// decide each one, and writes the plan; returns the claimed messages, leased until
    /// `lease_until`.
    pub async fn claim_due_messages<P>(
        &self,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
        limits: ClaimLimits,
        busy: &[InstanceId],
        plan: P,
    ) -> Result<ClaimRound>
    where
        P: FnOnce(&[ClaimCandidate]) -> ClaimPlan,
    {
        let now_ms = to_millis(now);
        let busy = serde_json::Value::from(
            busy.iter()
                .map(|id| id.as_str().to_owned())
                .collect::<Vec<_>>(),
        )
        .to_string();
        let exists_sql = match self.backend() {
            Backend::Postgres => POSTGRES_ANY_CANDIDATE,
            Backend::Sqlite => SQLITE_ANY_CANDIDATE,
        };
        let any: bool = on_pool!(self, pool => {
            sqlx::query_scalar(exists_sql)
                .bind(now_ms)
                .bind(&busy)
                .fetch_one(pool)
                .await?
        });
        if !any {
            return Ok(ClaimRound {
                messages: Vec::new(),
                next_gate: self.next_gate(now_ms).await?,
            });
        }
        let mut instances_touched = false;
        let ClaimLimits {
            round: limit,
            per_instance,
        } = limits;
        let result = in_tx!(self, tx, backend => {
            let due_sql = match backend {
                Backend::Postgres => POSTGRES_DUE_CANDIDATES,
                Backend::Sqlite => SQLITE_CANDIDATES,
            };
            let mut rows = sqlx::query_as::<_, CandidateRow>(due_sql)
                .bind(now_ms)
                .bind(limit)
                .bind(&busy)
                .bind(per_instance)
                .fetch_all(&mut *tx)
                .await?;
            let merged = backend == Backend::Postgres;
            if merged {
                rows.extend(
                    sqlx::query_as::<_, CandidateRow>(POSTGRES_EXPIRED_CANDIDATES)
                        .bind(now_ms)
                        .bind(limit)
                        .bind(&busy)
                        .fetch_all(&mut *tx)
                        .await?,
                );
            }
            let mut candidates = rows
                .into_iter()
                .map(ClaimCandidate::try_from)
                .collect::<Result<Vec<_>>>()?;
            if merged {
                candidates.sort_by_key(|c| (c.message.run_at, c.message.id.to_string()));
                candidates.truncate(usize::try_from(limit).unwrap_or(0));
            }
            let plan = plan(&candidates);
            instances_touched = !plan.gates.is_empty() || !plan.caps.is_empty();
            if plan.decisions.len() != candidates.len() {
                return Err(StoreError::Corrupt(format!(
                    "a claim plan decided {} of {} candidates",
                    plan.decisions.len(),
                    candidates.len()
                )));
            }

            let mut claimed = Vec::new();
            for (candidate, decision) in candidates.into_iter().zip(&plan.decisions) {
                match decision {
                    ClaimDecision::Claim => claimed.push(candidate),
                    ClaimDecision::WaitUntil(at) => {
                        sqlx::query("UPDATE messages SET run_at = $2, updated_at = $3 WHERE id = $1")
                            .bind(candidate.message.id.to_string())
                            .bind(to_millis(*at))
                            .bind(now_ms)
                            .execute(&mut *tx)
                            .await?;
                    }
                    ClaimDecision::Skip => {}
                }
            }
            let lease_ms = to_millis(lease_until);
            if !claimed.is_empty() {
                let ids = serde_json::Value::from(
                    claimed
                        .iter()
                        .map(|candidate| candidate.message.id.to_string())
                        .collect::<Vec<_>>(),
                )
                .to_string();
                let (lease, timeline) = match backend {
                    Backend::Postgres => (POSTGRES_LEASE, POSTGRES_LEASE_TIMELINE),
                    Backend::Sqlite => (SQLITE_LEASE, SQLITE_LEASE_TIMELINE),
                };
                sqlx::query(lease)
                    .bind(&ids)
                    .bind(lease_ms)
                    .bind(now_ms)
                    .execute(&mut *tx)
                    .await?;
                sqlx::query(timeline)
                    .bind(&ids)
                    .bind(now_ms)
                    .execute(&mut *tx)
                    .await?;
            }
            for gate in &plan.gates {
                sqlx::query(
                    "UPDATE instances SET send_after = $2, pacing_day = $3, pacing_day_count = $4
                     WHERE id = $1",
                )
                .bind(gate.instance_id.as_str())
                .bind(gate.send_after.map(to_millis))
                .bind(gate.day)
                .bind(gate.day_count)
                .execute(&mut *tx)
                .await?;
            }
            // A capped instance's waiting messages are all scheduled for its next window, each
            // with a timeline entry, and the instance is gated until then.
            for cap in &plan.caps {
                // The instance row first: sends being accepted for it share-lock it (see
                // `insert_outbound_messages`), so none slips in unscheduled behind the hold.
                sqlx::query("UPDATE instances SET capped_until = $2, send_after = $2 WHERE id = $1")
                    .bind(cap.instance_id.as_str())
                    .bind(to_millis(cap.until))
                    .execute(&mut *tx)
                    .await?;
                for statement in [
                    concat!(
                        "INSERT INTO message_timeline (message_id, status, at)
                         SELECT id, 'scheduled', $3 FROM messages WHERE ",
                        waiting_messages!()
                    ),
                    concat!(
                        "UPDATE messages SET status = 'scheduled', run_at = $2, updated_at = $3 WHERE ",
                        waiting_messages!()
                    ),
                ] {
                    sqlx::query(statement)
                        .bind(cap.instance_id.as_str())
                        .bind(to_millis(cap.until))
                        .bind(now_ms)
                        .execute(&mut *tx)
                        .await?;
                }
            }
            for (instance, chat, at) in &plan.chats {
                sqlx::query(
                    "INSERT INTO pacing_recipients (instance_id, chat_jid, last_at) VALUES ($1, $2, $3)
                     ON CONFLICT (instance_id, chat_jid) DO UPDATE SET last_at = excluded.last_at",
                )
                .bind(instance.as_str())
                .bind(chat)
                .bind(to_millis(*at))
                .execute(&mut *tx)
                .await?;
            }
            let next_gate: Option<i64> =
                sqlx::query_scalar(NEXT_GATE_SQL)
                    .bind(now_ms)
                    .fetch_one(&mut *tx)
                    .await?;

            let messages = claimed
                .into_iter()
                .map(|candidate| {
                    let mut message = candidate.message;
                    message.status = MessageStatus::Processing;
                    message.attempts += 1;
                    message.updated_at = from_millis(now_ms);
                    let gate = plan
                        .gates
                        .iter()
                        .find(|gate| gate.instance_id == message.instance_id)
                        .and_then(|gate| gate.send_after);
                    ClaimedMessage {
                        message,
                        simulate_typing: candidate.simulate_typing,
                        typing_ms: candidate.typing_ms,
                        engine: candidate.instance.engine,
                        breaker_failures: candidate.instance.breaker_failures,
                        gate,
                    }
                })
                .collect();
            Ok(ClaimRound { messages, next_gate: next_gate.map(from_millis) })
        });
        if instances_touched {
            self.instances_written();
        }
        result
    }

    /// The earliest gate still closed at `now_ms`.
    async fn next_gate(&self, now_ms: i64) -> Result<Option<DateTime<Utc>>> {
        let next: Option<i64> = on_pool!(self, pool => {
            sqlx::query_scalar(NEXT_GATE_SQL)
                .bind(now_ms)
                .fetch_one(pool)
                .await?
        });
        Ok(next.map(from_millis))
    }
}

const NEXT_GATE_SQL: &str = "SELECT MIN(send_after) FROM instances WHERE send_after > $1";

#[cfg(test)]
mod tests {
    use super::*;
    use crate::instances::tests::account_with_instance;
    use crate::messages::tests::{open, text};
    use crate::testing::on_both_backends;

    const ROUND_OF_TEN: ClaimLimits = ClaimLimits {
        round: 10,
        per_instance: 10,
    };

    fn claim_all(candidates: &[ClaimCandidate]) -> ClaimPlan {
        ClaimPlan {
            decisions: vec![ClaimDecision::Claim; candidates.len()],
            ..Default::default()
        }
    }

    #[tokio::test]
    async fn only_messages_of_open_idle_instances_are_claimed_and_each_once() {
        on_both_backends(|store| async move {
            let instance = account_with_instance(&store, "sales").await;
            let message = store
                .insert_outbound_message(text(&instance, "hi"), |_| Vec::new())
                .await
                .unwrap();
            let now = Utc::now();
            let lease = now + chrono::Duration::seconds(60);
            let round = store
                .claim_due_messages(now, lease, ROUND_OF_TEN, &[], claim_all)
                .await
                .unwrap();
            assert!(round.messages.is_empty(), "instance not open");
            open(&store, &instance).await;
            let busy = [instance.id.clone()];
            let round = store
                .claim_due_messages(now, lease, ROUND_OF_TEN, &busy, claim_all)
                .await
                .unwrap();
            assert!(round.messages.is_empty(), "a lane of this node is on it");
            let round = store
                .claim_due_messages(now, lease, ROUND_OF_TEN, &[], claim_all)
                .await
                .unwrap();
            assert_eq!(round.messages.len(), 1);
            let claimed = &round.messages[0].message;
            assert_eq!(claimed.id, message.id);
            assert_eq!(claimed.status, MessageStatus::Processing);
            assert_eq!(claimed.attempts, 1);
            let round = store
                .claim_due_messages(now, lease, ROUND_OF_TEN, &[], claim_all)
                .await
                .unwrap();
            assert!(round.messages.is_empty(), "leased");
            // The worker died: once the lease expires the message is claimed again.
            let later = lease + chrono::Duration::seconds(1);
            let round = store
                .claim_due_messages(
                    later,
                    later + chrono::Duration::seconds(60),
                    ROUND_OF_TEN,
                    &[],
                    claim_all,
                )
                .await
                .unwrap();
            assert_eq!(round.messages[0].message.attempts, 2);
        })
        .await;
    }

    #[tokio::test]
    async fn a_long_queue_does_not_crowd_other_instances_out_of_a_round() {
        on_both_backends(|store| async move {
            let busy = account_with_instance(&store, "campaign").await;
            let quiet = account_with_instance(&store, "support").await;
            open(&store, &busy).await;
            open(&store, &quiet).await;
            for n in 0..40 {
                store
                    .insert_outbound_message(text(&busy, &format!("offer {n}")), |_| Vec::new())
                    .await
                    .unwrap();
            }
            let reply = store
                .insert_outbound_message(text(&quiet, "your answer"), |_| Vec::new())
                .await
                .unwrap();
            let now = Utc::now();
            let lease = now + chrono::Duration::seconds(60);
            // A round of 20 takes at most 10 of one instance's queue.
            let round = store
                .claim_due_messages(
                    now,
                    lease,
                    ClaimLimits {
                        round: 20,
                        per_instance: 10,
                    },
                    &[],
                    claim_all,
                )
                .await
                .unwrap();
            assert_eq!(round.messages.len(), 11);
            assert!(
                round.messages.iter().any(|m| m.message.id == reply.id),
                "the newer instance's message is in the first round"
            );
            let first: Vec<_> = round
                .messages
                .iter()
                .filter(|m| m.message.instance_id == busy.id)
                .map(|m| m.message.content.summary())
                .collect();
            assert_eq!(
                first[..3],
                ["offer 0", "offer 1", "offer 2"],
                "each queue in order"
            );
        })
        .await;
    }

    #[tokio::test]
    async fn gates_hold_an_instance_and_a_cap_schedules_its_queue() {
        on_both_backends(|store| async move {
            let instance = account_with_instance(&store, "sales").await;
            open(&store, &instance).await;
            for body in ["one", "two", "three"] {
                store
                    .insert_outbound_message(text(&instance, body), |_| Vec::new())
                    .await
                    .unwrap();
            }
            let now = Utc::now();
            let lease = now + chrono::Duration::seconds(60);
            let gate = now + chrono::Duration::seconds(5);
            let round = store
                .claim_due_messages(now, lease, ROUND_OF_TEN, &[], |candidates| {
                    let mut decisions = vec![ClaimDecision::Skip; candidates.len()];
                    decisions[0] = ClaimDecision::Claim;
                    ClaimPlan {
                        decisions,
                        gates: vec![InstanceGate {
                            instance_id: candidates[0].message.instance_id.clone(),
                            send_after: Some(gate),
                            day: 1,
                            day_count: 1,
                        }],
                        ..Default::default()
                    }
                })
                .await
                .unwrap();
            assert_eq!(round.messages.len(), 1);
            assert_eq!(round.next_gate.map(to_millis), Some(to_millis(gate)));
            let round = store
                .claim_due_messages(now, lease, ROUND_OF_TEN, &[], claim_all)
                .await
                .unwrap();
            assert!(round.messages.is_empty(), "gated");

            let after_gate = gate + chrono::Duration::seconds(1);
            let window = after_gate + chrono::Duration::hours(3);
            let round = store
                .claim_due_messages(after_gate, lease, ROUND_OF_TEN, &[], |candidates| {
                    assert_eq!(candidates.len(), 2);
                    assert_eq!(candidates[0].instance.day_count, 1);
                    ClaimPlan {
                        decisions: vec![ClaimDecision::Skip; candidates.len()],
                        caps: vec![CapHold {
                            instance_id: candidates[0].message.instance_id.clone(),
                            until: window,
                        }],
                        ..Default::default()
                    }
                })
                .await
                .unwrap();
            assert!(round.messages.is_empty());
            let held = store.get_instance(&instance.id).await.unwrap().unwrap();
            assert_eq!(held.capped_until.map(to_millis), Some(to_millis(window)));
            let page = store
                .list_messages(&crate::MessageFilter {
                    account_id: instance.account_id.clone(),
                    instance_id: None,
                    status: Some(MessageStatus::Scheduled),
                    direction: None,
                    chat: None,
                    batch_id: None,
                    created_after: None,
                    limit: 10,
                    offset: 0,
                })
                .await
                .unwrap();
            assert_eq!(page.items.len(), 2);
            assert!(
                page.items
                    .iter()
                    .all(|m| to_millis(m.run_at) == to_millis(window))
            );
        })
        .await;
    }
}
