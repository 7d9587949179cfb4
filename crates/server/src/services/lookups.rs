//! Every request resolves its key, and every send its instance; read from the database each
//! time, those two reads cost more than storing the message. They are kept in memory here.
//!
//! - A key's holder never changes; a key only disappears with its instance. Keys are kept for
//!   [`KEY_TTL`], and all are dropped when this node deletes an instance.
//! - An instance is kept while the store reports no write to any instance row by this node
//!   since it was read ([`Store::instance_writes`]), and at most [`INSTANCE_TTL`], which
//!   bounds how long a change made by another node goes unseen here.

use super::Caller;
use moka::sync::Cache;
use std::time::Duration;
use wagate_core::AccountId;
use wagate_store::{InstanceRecord, Store};

/// How long a key is trusted without reading it again.
pub const KEY_TTL: Duration = Duration::from_secs(30);
/// How long an instance read is used at most.
pub const INSTANCE_TTL: Duration = Duration::from_secs(1);
const CAPACITY: u64 = 100_000;

pub(crate) struct Lookups {
    /// SHA-256 of the key → its holder. Unknown keys are not kept.
    keys: Cache<String, Caller>,
    /// (account, id or name as asked) → the instance, with the store's write count when read.
    instances: Cache<(AccountId, String), (u64, InstanceRecord)>,
}

impl Lookups {
    pub fn new() -> Self {
        Self {
            keys: Cache::builder()
                .max_capacity(CAPACITY)
                .time_to_live(KEY_TTL)
                .build(),
            instances: Cache::builder()
                .max_capacity(CAPACITY)
                .time_to_live(INSTANCE_TTL)
                .build(),
        }
    }

    pub fn key(&self, hash: &str) -> Option<Caller> {
        self.keys.get(hash)
    }

    pub fn remember_key(&self, hash: String, caller: Caller) {
        self.keys.insert(hash, caller);
    }

    /// Forgets every key (an instance, and with it its key, was deleted).
    pub fn forget_keys(&self) {
        self.keys.invalidate_all();
    }

    /// The instance as last read, if no instance was written since.
    pub fn instance(
        &self,
        store: &Store,
        account: &AccountId,
        asked: &str,
    ) -> Option<InstanceRecord> {
        let (read_at, record) = self.instances.get(&(account.clone(), asked.to_owned()))?;
        (read_at == store.instance_writes()).then_some(record)
    }

    /// Keeps `record`, read after the store's write count was `read_at`.
    pub fn remember_instance(
        &self,
        account: &AccountId,
        asked: &str,
        read_at: u64,
        record: InstanceRecord,
    ) {
        self.instances
            .insert((account.clone(), asked.to_owned()), (read_at, record));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use wagate_core::{EngineKind, InstanceId, InstanceName, InstanceSettings, InstanceStatus};

    fn record(account: &AccountId) -> InstanceRecord {
        let now = chrono::Utc::now();
        InstanceRecord {
            id: InstanceId::generate(),
            account_id: account.clone(),
            name: InstanceName::parse("shop").unwrap(),
            engine: EngineKind::Sandbox,
            status: InstanceStatus::Open,
            status_reason: None,
            linked: true,
            me: None,
            qr_code: None,
            qr_expires_at: None,
            pairing_code: None,
            qr_count: 0,
            created_at: now,
            updated_at: now,
            settings: InstanceSettings::default(),
            linked_at: Some(now),
            capped_until: None,
            paused_until: None,
        }
    }

    #[tokio::test]
    async fn an_instance_read_is_used_until_any_instance_is_written() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("db.sqlite").display());
        let store = Store::connect(&url, 2).await.unwrap();
        let lookups = Lookups::new();
        let account = AccountId::generate();
        let shop = record(&account);
        lookups.remember_instance(&account, "shop", store.instance_writes(), shop.clone());
        assert_eq!(
            lookups.instance(&store, &account, "shop"),
            Some(shop.clone())
        );
        assert_eq!(
            lookups.instance(&store, &AccountId::generate(), "shop"),
            None
        );

        store.push_gate(&shop.id, chrono::Utc::now()).await.unwrap();
        assert_eq!(lookups.instance(&store, &account, "shop"), None);
    }

    #[test]
    fn keys_are_forgotten_together() {
        let lookups = Lookups::new();
        let caller = Caller {
            key: wagate_core::ApiKeyId::generate(),
            principal: super::super::Principal::Account(AccountId::generate()),
        };
        lookups.remember_key("hash".to_owned(), caller.clone());
        assert_eq!(lookups.key("hash"), Some(caller));
        lookups.forget_keys();
        assert_eq!(lookups.key("hash"), None);
    }
}
