//! Fresh stores on each backend, for the store's own tests and for the crates above it.
//!
//! SQLite always runs, on a temporary file. PostgreSQL runs when `WAGATE_TEST_DATABASE_URL`
//! names a server: each test gets a database of its own, created from that URL.

use crate::Store;
use tempfile::TempDir;

/// A store and what keeps it alive (the SQLite file's directory).
pub struct TestStore {
    pub store: Store,
    _dir: Option<TempDir>,
}

pub async fn sqlite() -> TestStore {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}", dir.path().join("test.db").display());
    let store = Store::connect(&url, 4).await.expect("sqlite store");
    TestStore {
        store,
        _dir: Some(dir),
    }
}

/// A store on a fresh PostgreSQL database, or `None` (with a notice) when none is configured.
pub async fn postgres() -> Option<TestStore> {
    let base = postgres_url()?;
    let url = fresh_postgres_database(&base).await;
    let store = Store::connect(&url, 4).await.expect("postgres store");
    Some(TestStore { store, _dir: None })
}

/// The PostgreSQL server tests may use (see [`service_url`]).
pub fn postgres_url() -> Option<String> {
    service_url("WAGATE_TEST_DATABASE_URL", "PostgreSQL")
}

/// The URL of a service a test needs, from the environment variable `var`. Without it the
/// caller skips what needs the service, and says so on stderr (past the test harness's
/// capture, so CI can see it) — unless `WAGATE_REQUIRE_SERVICES` is set, where a missing
/// service fails the test.
pub fn service_url(var: &str, service: &str) -> Option<String> {
    use std::io::Write;
    match std::env::var(var) {
        Ok(url) if !url.trim().is_empty() => Some(url),
        _ => {
            assert!(
                std::env::var_os("WAGATE_REQUIRE_SERVICES").is_none(),
                "WAGATE_REQUIRE_SERVICES is set but {var} is not"
            );
            let _ = writeln!(
                std::io::stderr(),
                "notice: {var} is not set; skipping the {service} variant"
            );
            None
        }
    }
}

/// Creates an empty database on the server of `base` and returns its URL.
pub async fn fresh_postgres_database(base: &str) -> String {
    use sqlx::Connection;
    let name = format!("wagate_test_{}", uuid::Uuid::new_v4().simple());
    let mut admin = sqlx::PgConnection::connect(base)
        .await
        .expect("connect to test postgres");
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
        .execute(&mut admin)
        .await
        .expect("create test database");
    let (prefix, _) = base.rsplit_once('/').expect("database URL with a path");
    format!("{prefix}/{name}")
}

/// Runs `test` against a fresh SQLite store and, when configured, a fresh PostgreSQL one.
pub async fn on_both_backends<F, Fut>(test: F)
where
    F: Fn(Store) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    let sqlite = sqlite().await;
    test(sqlite.store.clone()).await;
    if let Some(pg) = postgres().await {
        test(pg.store.clone()).await;
    }
}

/// Inserts `count` outbound messages of `instance` spread evenly over `[from_ms, from_ms +
/// span_ms)`, their statuses cycling through delivered, read, sent and failed — load for
/// benchmarks of what reads many messages. Each goes through the same triggers as a real send;
/// the counts are folded before this returns.
pub async fn seed_outbound_messages(
    store: &Store,
    instance: &crate::InstanceRecord,
    count: i64,
    from_ms: i64,
    span_ms: i64,
) {
    const CHUNK: i64 = 50_000;
    let series = match store.backend() {
        crate::Backend::Sqlite => {
            "WITH RECURSIVE n(i) AS (SELECT $4 UNION ALL SELECT i + 1 FROM n WHERE i + 1 < $5) SELECT i FROM n"
        }
        crate::Backend::Postgres => "SELECT generate_series($4::bigint, $5::bigint - 1) AS i",
    };
    let sql = format!(
        "INSERT INTO messages (id, account_id, instance_id, direction, recipient, chat_jid,
             message_type, content, status, attempts, run_at, created_at, updated_at)
         SELECT 'seed-' || i, $1, $2, 'outbound', '15550001111', '15550001111@s.whatsapp.net',
             'text', '{{}}',
             CASE i % 4 WHEN 0 THEN 'delivered' WHEN 1 THEN 'read' WHEN 2 THEN 'sent' ELSE 'failed' END,
             1, $3 + i * $6, $3 + i * $6, $3 + i * $6
         FROM ({series}) s"
    );
    let step = (span_ms / count.max(1)).max(1);
    let mut start = 0;
    while start < count {
        let end = (start + CHUNK).min(count);
        on_pool!(store, pool => {
            sqlx::query(sqlx::AssertSqlSafe(sql.clone()))
                .bind(instance.account_id.as_str())
                .bind(instance.id.as_str())
                .bind(from_ms)
                .bind(start)
                .bind(end)
                .bind(step)
                .execute(pool)
                .await
                .expect("seed messages");
        });
        start = end;
    }
    // As the store's own inserts count new messages.
    on_pool!(store, pool => {
        sqlx::query(
            "INSERT INTO message_count_deltas (account_id, instance_id, hour, status, delta)
             SELECT account_id, instance_id, created_at / 3600000, status, COUNT(*) FROM messages
             WHERE instance_id = $1 AND id LIKE 'seed-%'
             GROUP BY account_id, instance_id, created_at / 3600000, status",
        )
        .bind(instance.id.as_str())
        .execute(pool)
        .await
        .expect("count the seeded messages");
    });
    store
        .fold_message_counts()
        .await
        .expect("fold message counts");
    // What autovacuum does a little later on its own: drop the million folded deltas' dead
    // rows and refresh the planner's statistics, so readers meet the steady state.
    if store.backend() == crate::Backend::Postgres {
        on_pool!(store, pool => {
            sqlx::query("VACUUM ANALYZE messages, message_count_deltas, message_hourly_counts")
                .execute(pool)
                .await
                .expect("vacuum");
        });
    }
}

/// A new account with one sandbox instance named `name`.
pub async fn seed_instance(store: &Store, name: &str) -> crate::InstanceRecord {
    use wagate_core::{ApiKeyId, EngineKind, EventKind, InstanceName, InstanceSettings};
    let account = store
        .create_account(
            "Acme",
            wagate_core::Plan::Unlimited,
            &ApiKeyId::generate(),
            &format!("key-{name}"),
        )
        .await
        .expect("account");
    store
        .create_instance(
            crate::NewInstance {
                account_id: &account.id,
                name: &InstanceName::parse(name).expect("instance name"),
                engine: EngineKind::Sandbox,
                settings: &InstanceSettings::default(),
                cloud: None,
            },
            &ApiKeyId::generate(),
            &format!("ikey-{name}"),
            |record| {
                vec![crate::NewEvent {
                    account_id: record.account_id.clone(),
                    instance_id: Some(record.id.clone()),
                    instance_name: None,
                    kind: EventKind::InstanceCreated,
                    data: serde_json::json!({}),
                }]
            },
        )
        .await
        .expect("instance")
}
