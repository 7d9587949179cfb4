//! wagate's database.
//!
//! One [`Store`] runs on SQLite (one node, one file) or PostgreSQL (many nodes). The SQL text is
//! shared — `$n` placeholders, `ON CONFLICT`, `RETURNING`, timestamps as unix milliseconds,
//! JSON as TEXT — and the [`on_pool!`] / [`in_tx!`] macros run one body against whichever
//! concrete pool is live, so each backend keeps its own types and no `Any` driver is needed.
//! The few places where the backends differ (queue claims, outbox ordering) say so inline.
//!
//! Every state change that users can observe writes its event to the outbox in the same
//! transaction: a crash at any instant loses nothing that was acknowledged.

#[macro_use]
mod macros;

mod accounts;
mod analytics;
mod api_keys;
mod breaker;
mod chats;
mod claims;
#[macro_use]
mod cloud_numbers;
mod contacts;
mod engine_keys;
mod error;
mod events;
mod history;
mod idempotency;
mod instance_counts;
mod instances;
mod labels;
mod media;
mod message_requeue;
mod message_search;
mod message_state;
mod messages;
mod new_message_rows;
mod records;
mod row_chunks;
mod time;
mod transitions;
mod webhooks;

pub use analytics::DailyStatusCount;
pub use api_keys::KeyOwner;
pub use chats::{ChatState, ChatStateChange, ChatSummary};
pub use claims::{
    CapHold, ClaimCandidate, ClaimDecision, ClaimLimits, ClaimPlan, ClaimRound, ClaimedMessage,
    InstanceGate, InstancePacingState,
};
pub use cloud_numbers::{CloudCredentials, CloudNumber, CloudVerification};
pub use contacts::ContactRecord;
pub use engine_keys::EngineKey;
pub use error::StoreError;
pub use events::{EventFilter, NewEvent};
pub use history::NewHistoricMessage;
pub use idempotency::{IdempotencyClaim, StoredResponse};
pub use instance_counts::InstanceCounts;
pub use instances::{InstanceState, NewInstance, QrState};
pub use labels::{LabelRecord, NewLabelSlot};
pub use media::MediaRecord;
pub use message_search::MessageSearch;
pub use message_state::{MessageChange, NewInboundMessage};
pub use messages::{MessageFilter, MessageTransition, NewOutboundMessage};
pub use records::*;
pub use time::{from_millis, to_millis};
pub use webhooks::{
    AttemptOutcome, AttemptRecord, DeliveryRecord, DeliveryStatus, NewDelivery, WebhookRecord,
};

use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{PgPool, SqlitePool};
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Notify;

pub type Result<T> = std::result::Result<T, StoreError>;

/// Which database the store talks to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

#[derive(Clone, Debug)]
enum Db {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

/// The gateway's database handle. Cheap to clone.
#[derive(Clone, Debug)]
pub struct Store {
    db: Db,
    /// Woken after every committed write, so outbox readers need not poll hard (readers on
    /// other nodes still poll).
    outbox: Arc<Notify>,
    /// SQLite takes one writer at a time; writers of this process queue here instead of
    /// meeting SQLITE_BUSY and sleeping in its busy handler, which costs milliseconds each.
    sqlite_writer: Arc<tokio::sync::Mutex<()>>,
    /// Counts writes to instance rows by this process, so caches of instances can tell that
    /// what they hold may be old.
    instance_writes: Arc<std::sync::atomic::AtomicU64>,
}

static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

impl Store {
    /// Opens (creating if needed) the database at `url` — `sqlite://path` or
    /// `postgres://…` — and brings its schema up to date.
    pub async fn connect(url: &str, max_connections: u32) -> Result<Self> {
        let store = if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            let options = PgConnectOptions::from_str(url)?;
            let pool = PgPoolOptions::new()
                .max_connections(max_connections)
                .acquire_timeout(Duration::from_secs(10))
                .connect_with(options)
                .await?;
            Self {
                db: Db::Postgres(pool),
                outbox: Arc::new(Notify::new()),
                sqlite_writer: Arc::default(),
                instance_writes: Arc::default(),
            }
        } else if url.starts_with("sqlite:") {
            let options = SqliteConnectOptions::from_str(url)?
                .create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Normal)
                .foreign_keys(true)
                .busy_timeout(Duration::from_secs(10))
                // Reads through a shared mapping instead of a read call and a copy into each
                // connection's own page cache.
                .pragma("mmap_size", "268435456")
                // Statement journals of multi-row inserts stay in memory, not in temporary files.
                .pragma("temp_store", "memory");
            let pool = SqlitePoolOptions::new()
                .max_connections(max_connections)
                .acquire_timeout(Duration::from_secs(10))
                .connect_with(options)
                .await?;
            Self {
                db: Db::Sqlite(pool),
                outbox: Arc::new(Notify::new()),
                sqlite_writer: Arc::default(),
                instance_writes: Arc::default(),
            }
        } else {
            return Err(StoreError::UnsupportedUrl(url.to_owned()));
        };
        store.migrate().await?;
        Ok(store)
    }

    async fn migrate(&self) -> Result<()> {
        match &self.db {
            Db::Sqlite(pool) => SQLITE_MIGRATIONS.run(pool).await?,
            Db::Postgres(pool) => POSTGRES_MIGRATIONS.run(pool).await?,
        }
        Ok(())
    }

    /// This store on a pool of its own with one connection, opened on first use by whichever
    /// runtime uses it first. A writer on a thread and runtime of its own takes one, so its
    /// connection's socket belongs to that runtime and dies with it. Everything else — the
    /// SQLite writer lock, outbox wake-ups, instance write counts — is shared with `self`.
    pub fn with_own_connection(&self) -> Store {
        let db = match &self.db {
            Db::Sqlite(pool) => Db::Sqlite(
                SqlitePoolOptions::new()
                    .max_connections(1)
                    .acquire_timeout(Duration::from_secs(10))
                    .connect_lazy_with((*pool.connect_options()).clone()),
            ),
            Db::Postgres(pool) => Db::Postgres(
                PgPoolOptions::new()
                    .max_connections(1)
                    .acquire_timeout(Duration::from_secs(10))
                    .connect_lazy_with((*pool.connect_options()).clone()),
            ),
        };
        Store { db, ..self.clone() }
    }

    /// Resolves after the next committed write (call it before reading, then read, then await).
    pub fn outbox_written(&self) -> tokio::sync::futures::Notified<'_> {
        self.outbox.notified()
    }

    /// How many writes to instance rows this process has made. Read it before reading an
    /// instance: a cached copy read at the same count is as new as the database's, as far as
    /// this node knows.
    pub fn instance_writes(&self) -> u64 {
        self.instance_writes
            .load(std::sync::atomic::Ordering::Acquire)
    }

    /// Called after every write that may change an instance row (committed or not).
    pub(crate) fn instances_written(&self) {
        self.instance_writes
            .fetch_add(1, std::sync::atomic::Ordering::AcqRel);
    }

    pub fn backend(&self) -> Backend {
        match self.db {
            Db::Sqlite(_) => Backend::Sqlite,
            Db::Postgres(_) => Backend::Postgres,
        }
    }

    /// Checks that the database answers (for readiness probes).
    pub async fn ping(&self) -> Result<()> {
        on_pool!(self, pool => {
            sqlx::query("SELECT 1").execute(pool).await?;
        });
        Ok(())
    }

    pub async fn close(&self) {
        on_pool!(self, pool => pool.close().await)
    }
}

#[cfg(any(test, feature = "testing"))]
pub mod testing;
