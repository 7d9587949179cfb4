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
