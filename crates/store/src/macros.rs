//! Running one body of code against whichever pool is live.
//!
//! The body is expanded once per backend, so each expansion is type-checked against that
//! backend's concrete pool and row types.

/// `on_pool!(store, pool => body)`: evaluates `body` with `pool` bound to the live pool.
macro_rules! on_pool {
    ($store:expr, $pool:ident => $body:expr) => {
        match &$store.db {
            $crate::Db::Sqlite($pool) => $body,
            $crate::Db::Postgres($pool) => $body,
        }
    };
}

/// `in_tx!(store, tx, backend => body)`: runs `body` in a write transaction and commits when it
/// returns `Ok`. On SQLite the transaction starts with `BEGIN IMMEDIATE`, so concurrent writers
/// queue on the busy timeout instead of failing to upgrade a read lock.
macro_rules! in_tx {
    ($store:expr, $tx:ident, $backend:ident => $body:expr) => {
        match &$store.db {
            $crate::Db::Sqlite(pool) => {
                #[allow(unused_variables)]
                let $backend = $crate::Backend::Sqlite;
                let _writer = $store.sqlite_writer.lock().await;
                let mut $tx = pool.begin_with("BEGIN IMMEDIATE").await?;
                let result: $crate::Result<_> = async { $body }.await;
                if result.is_ok() {
                    $tx.commit().await?;
                    $store.outbox.notify_waiters();
                }
                result
            }
            $crate::Db::Postgres(pool) => {
                #[allow(unused_variables)]
                let $backend = $crate::Backend::Postgres;
                let mut $tx = pool.begin().await?;
                let result: $crate::Result<_> = async { $body }.await;
                if result.is_ok() {
                    $tx.commit().await?;
                    $store.outbox.notify_waiters();
                }
                result
            }
        }
    };
}

/// Appends events to the outbox inside an open transaction. On PostgreSQL an advisory
/// transaction lock serialises outbox writers, so sequence numbers become visible in order and
/// a reader that has seen `seq = n` never later finds a smaller one.
macro_rules! append_events {
    ($tx:ident, $backend:ident, $events:expr) => {{
        let events: Vec<$crate::NewEvent> = $events;
        if !events.is_empty() {
            if $backend == $crate::Backend::Postgres {
                sqlx::query("SELECT pg_advisory_xact_lock(727174)")
                    .execute(&mut *$tx)
                    .await?;
            }
            let statement = match $backend {
                $crate::Backend::Sqlite => $crate::events::SQLITE_APPEND_EVENTS,
                $crate::Backend::Postgres => $crate::events::POSTGRES_APPEND_EVENTS,
            };
            sqlx::query(statement)
                .bind($crate::events::event_rows(&events)?)
                .bind($crate::time::now_millis())
                .execute(&mut *$tx)
                .await?;
        }
    }};
}

/// The columns of a `messages` row, in `MessageRow`'s order.
macro_rules! message_columns {
    () => {
        "id, account_id, instance_id, direction, recipient, chat_jid, content, status,
         provider_message_id, error_code, error_message, metadata, attempts, run_at, created_at,
         updated_at, sent_at, delivered_at, read_at, failed_at, reply_to, mentions, sender, sender_lid,
         push_name, edited_at, revoked_at, pinned_until, status_post"
    };
}

/// Inserts `NewDelivery`s (due at `$now`) inside an open transaction, many rows a statement.
macro_rules! insert_deliveries {
    ($tx:ident, $deliveries:expr, $now:expr) => {{
        let deliveries: Vec<$crate::NewDelivery> = $deliveries;
        let now: i64 = $now;
        for chunk in $crate::row_chunks::row_chunks(&deliveries) {
            let mut insert = sqlx::QueryBuilder::new(
                "INSERT INTO webhook_deliveries (id, webhook_id, event_id, event_kind, payload, status,
                     attempts, next_attempt_at, created_at, updated_at) ",
            );
            insert.push_values(chunk, |mut row, delivery| {
                row.push_bind(format!("dlv_{}", uuid::Uuid::now_v7().simple()))
                    .push_bind(delivery.webhook_id.clone())
                    .push_bind(delivery.event_id.clone())
                    .push_bind(delivery.event_kind.clone())
                    .push_bind(delivery.payload.clone())
                    .push("'pending'")
                    .push("0")
                    .push_bind(now)
                    .push_bind(now)
                    .push_bind(now);
            });
            insert.build().execute(&mut *$tx).await?;
        }
    }};
}
