//! A linked device's key material in wagate's database, as `whatsapp-rust`'s storage backend.
//!
//! The library asks its backend for five stores (Signal, app state, protocol, message secrets,
//! the device itself). Each becomes a few key spaces of the instance's rows in the store's
//! `engine_keys` table, so a session's keys live beside its instance on SQLite and PostgreSQL
//! alike, move with it to another node, and go when it is deleted. Opaque blobs (Signal
//! sessions, pre-keys, sender keys) are kept as they are; the library's structured records as
//! JSON, which its types define and read back. The semantics follow the library's
//! `InMemoryBackend`, which the conformance tests run side by side with this one.

use std::sync::Arc;
use wagate_core::InstanceId;
use wagate_store::{EngineKey, Store};
use whatsapp_rust::async_trait;
use whatsapp_rust::bytes::Bytes;
use whatsapp_rust::wacore::appstate::hash::HashState;
use whatsapp_rust::wacore::appstate::processor::AppStateMutationMAC;
use whatsapp_rust::wacore::store::Device;
use whatsapp_rust::wacore::store::error::{Result, StoreError};
use whatsapp_rust::wacore::store::traits::{
    AppStateSyncKey, AppSyncStore, DeviceListRecord, DeviceStore, LidPnMappingEntry,
    MsgSecretEntry, MsgSecretStore, ProtocolStore, SignalStore, TcTokenEntry,
    merge_msg_secret_expiry, merge_msg_secret_message_ts,
};

/// The spaces of an instance's key material. A name ending in `/` starts a family: one space
/// per group or app-state collection.
mod space {
    pub const IDENTITY: &str = "identity";
    pub const SESSION: &str = "session";
    pub const PREKEY: &str = "prekey";
    pub const SIGNED_PREKEY: &str = "signed-prekey";
    pub const SENDER_KEY: &str = "sender-key";
    pub const SYNC_KEY: &str = "sync-key";
    pub const LATEST_SYNC_KEY: &str = "sync-key-latest";
    pub const APP_STATE_VERSION: &str = "app-state-version";
    pub const MUTATION_MACS: &str = "mutation-macs/";
    pub const SENDER_KEY_DEVICES: &str = "sender-key-devices/";
    pub const LID: &str = "lid";
    pub const PHONE_TO_LID: &str = "phone-lid";
    pub const BASE_KEY: &str = "base-key";
    pub const DEVICE_LIST: &str = "device-list";
    pub const GROUP_METADATA: &str = "group-metadata";
    pub const TC_TOKEN: &str = "tc-token";
    pub const SENT_MESSAGE: &str = "sent-message";
    pub const PENDING_INBOUND: &str = "pending-inbound";
    pub const MSG_SECRET: &str = "msg-secret";
    pub const DEVICE: &str = "device";
}

/// Joins the parts of a compound key (chat, sender, message id). JIDs and message ids never
/// hold the unit separator.
fn compound(parts: &[&str]) -> String {
    parts.join("\u{1f}")
}

/// The device's one entry in [`space::DEVICE`].
const DEVICE_KEY: &str = "device";
/// Every backend holds one device; the library only passes its id back to us.
const DEVICE_ID: i32 = 1;

fn database(error: wagate_store::StoreError) -> StoreError {
    StoreError::Database(Box::new(error))
}

fn encode<T: serde::Serialize>(value: &T) -> Result<Vec<u8>> {
    serde_json::to_vec(value).map_err(|e| StoreError::Serialization(Box::new(e)))
}

fn decode<T: serde::de::DeserializeOwned>(bytes: &[u8]) -> Result<T> {
    serde_json::from_slice(bytes).map_err(|e| StoreError::Serialization(Box::new(e)))
}

fn fixed<const N: usize>(bytes: Vec<u8>, what: &str) -> Result<[u8; N]> {
    let length = bytes.len();
    bytes
        .try_into()
        .map_err(|_| StoreError::Validation(format!("stored {what} has {length} bytes, not {N}")))
}

fn now_secs() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |elapsed| elapsed.as_secs() as i64)
}

/// One instance's key material. Cheap to create; the pool is the store's.
pub struct KeyStore {
    store: Store,
    instance: InstanceId,
    /// Serialises the few read-modify-write operations (LID mappings, message secrets, tokens)
    /// so two tasks of one session cannot interleave them; an instance runs on one node.
    read_modify_write: tokio::sync::Mutex<()>,
}

impl KeyStore {
    pub fn new(store: Store, instance: InstanceId) -> Self {
        Self {
            store,
            instance,
            read_modify_write: tokio::sync::Mutex::new(()),
        }
    }

    /// Whether this instance has a device identity (it was linked, or linking began).
    pub async fn has_device(&self) -> Result<bool> {
        DeviceStore::exists(self).await
    }

    /// Makes this instance's device identity if it has none; linking does the same.
    pub async fn ensure_device(&self) -> Result<()> {
        DeviceStore::create(self).await.map(drop)
    }

    async fn get(&self, space: &str, key: &str) -> Result<Option<Vec<u8>>> {
        let entry = self.store.engine_key(&self.instance, space, key).await;
        Ok(entry.map_err(database)?.map(|entry| entry.value))
    }

    async fn get_decoded<T: serde::de::DeserializeOwned>(
        &self,
        space: &str,
        key: &str,
    ) -> Result<Option<T>> {
        self.get(space, key).await?.map(|v| decode(&v)).transpose()
    }

    async fn put(&self, space: &str, entries: &[EngineKey]) -> Result<()> {
        let written = self.store.put_engine_keys(&self.instance, space, entries);
        written.await.map_err(database)
    }

    async fn put_one(&self, space: &str, key: &str, value: impl Into<Vec<u8>>) -> Result<()> {
        self.put(space, &[EngineKey::new(key, value)]).await
    }

    async fn delete(&self, space: &str, keys: &[&str]) -> Result<u64> {
        let deleted = self.store.delete_engine_keys(&self.instance, space, keys);
        deleted.await.map_err(database)
    }

    async fn space(&self, space: &str) -> Result<Vec<EngineKey>> {
        self.store
            .engine_space(&self.instance, space)
            .await
            .map_err(database)
    }

    async fn delete_stamped_before(&self, space: &str, cutoff: i64) -> Result<u32> {
        let deleted = self
            .store
            .delete_engine_keys_stamped_before(&self.instance, space, cutoff);
        Ok(deleted.await.map_err(database)? as u32)
    }
}

#[async_trait]
impl SignalStore for KeyStore {
    async fn put_identity(&self, address: &str, key: [u8; 32]) -> Result<()> {
        self.put_one(space::IDENTITY, address, key.to_vec()).await
    }

    async fn put_identities_batch(&self, identities: &[(Arc<str>, [u8; 32])]) -> Result<()> {
        let entries: Vec<_> = identities
            .iter()
            .map(|(address, key)| EngineKey::new(address.as_ref(), key.to_vec()))
            .collect();
        self.put(space::IDENTITY, &entries).await
    }

    async fn load_identity(&self, address: &str) -> Result<Option<[u8; 32]>> {
        let stored = self.get(space::IDENTITY, address).await?;
        stored.map(|key| fixed(key, "identity key")).transpose()
    }

    async fn delete_identity(&self, address: &str) -> Result<()> {
        self.delete(space::IDENTITY, &[address]).await.map(drop)
    }

    async fn get_session(&self, address: &str) -> Result<Option<Bytes>> {
        Ok(self.get(space::SESSION, address).await?.map(Bytes::from))
    }

    async fn put_session(&self, address: &str, session: &[u8]) -> Result<()> {
        self.put_one(space::SESSION, address, session).await
    }

    async fn put_sessions_batch(&self, sessions: &[(Arc<str>, Bytes)]) -> Result<()> {
        let entries: Vec<_> = sessions
            .iter()
            .map(|(address, session)| EngineKey::new(address.as_ref(), session.to_vec()))
            .collect();
        self.put(space::SESSION, &entries).await
    }

    async fn delete_session(&self, address: &str) -> Result<()> {
        self.delete(space::SESSION, &[address]).await.map(drop)
    }

    async fn store_prekey(&self, id: u32, record: &[u8], _uploaded: bool) -> Result<()> {
        let entry = EngineKey::stamped(id.to_string(), record, i64::from(id));
        self.put(space::PREKEY, &[entry]).await
    }

    async fn store_prekeys_batch(&self, keys: &[(u32, Bytes)], _uploaded: bool) -> Result<()> {
        let entries: Vec<_> = keys
            .iter()
            .map(|(id, record)| EngineKey::stamped(id.to_string(), record.to_vec(), i64::from(*id)))
            .collect();
        self.put(space::PREKEY, &entries).await
    }

    async fn load_prekey(&self, id: u32) -> Result<Option<Bytes>> {
        Ok(self
            .get(space::PREKEY, &id.to_string())
            .await?
            .map(Bytes::from))
    }

    async fn load_prekeys_batch(&self, ids: &[u32]) -> Result<Vec<(u32, Bytes)>> {
        let keys: Vec<String> = ids.iter().map(u32::to_string).collect();
        let keys: Vec<&str> = keys.iter().map(String::as_str).collect();
        let found = self
            .store
            .engine_keys(&self.instance, space::PREKEY, &keys)
            .await;
        let mut found: std::collections::HashMap<String, Vec<u8>> = found
            .map_err(database)?
            .into_iter()
            .map(|entry| (entry.key, entry.value))
            .collect();
        Ok(ids
            .iter()
            .filter_map(|id| Some((*id, Bytes::from(found.remove(&id.to_string())?))))
            .collect())
    }

    /// Whether a pre-key reached the server is not kept (as in the library's in-memory store):
    /// what matters is that marking never brings back a removed key, which it cannot.
    async fn mark_prekeys_uploaded(&self, _ids: &[u32]) -> Result<()> {
        Ok(())
    }

    async fn remove_prekey(&self, id: u32) -> Result<()> {
        self.delete(space::PREKEY, &[&id.to_string()])
            .await
            .map(drop)
    }

    async fn get_max_prekey_id(&self) -> Result<u32> {
        let max = self
            .store
            .engine_space_max_stamp(&self.instance, space::PREKEY)
            .await;
        Ok(max.map_err(database)?.map_or(0, |id| id as u32))
    }

    async fn store_signed_prekey(&self, id: u32, record: &[u8]) -> Result<()> {
        let entry = EngineKey::stamped(id.to_string(), record, i64::from(id));
        self.put(space::SIGNED_PREKEY, &[entry]).await
    }

    async fn load_signed_prekey(&self, id: u32) -> Result<Option<Vec<u8>>> {
        self.get(space::SIGNED_PREKEY, &id.to_string()).await
    }

    async fn load_all_signed_prekeys(&self) -> Result<Vec<(u32, Vec<u8>)>> {
        let all = self.space(space::SIGNED_PREKEY).await?;
        all.into_iter()
            .map(|entry| {
                let id = entry.key.parse().map_err(|_| {
                    StoreError::Validation(format!("signed pre-key id {:?}", entry.key))
                })?;
                Ok((id, entry.value))
            })
            .collect()
    }

    async fn remove_signed_prekey(&self, id: u32) -> Result<()> {
        self.delete(space::SIGNED_PREKEY, &[&id.to_string()])
            .await
            .map(drop)
    }

    async fn put_sender_key(&self, address: &str, record: &[u8]) -> Result<()> {
        self.put_one(space::SENDER_KEY, address, record).await
    }

    async fn put_sender_keys_batch(&self, sender_keys: &[(Arc<str>, Bytes)]) -> Result<()> {
        let entries: Vec<_> = sender_keys
            .iter()
            .map(|(address, record)| EngineKey::new(address.as_ref(), record.to_vec()))
            .collect();
        self.put(space::SENDER_KEY, &entries).await
    }

    async fn get_sender_key(&self, address: &str) -> Result<Option<Vec<u8>>> {
        self.get(space::SENDER_KEY, address).await
    }

    async fn delete_sender_key(&self, address: &str) -> Result<()> {
        self.delete(space::SENDER_KEY, &[address]).await.map(drop)
    }
}

#[async_trait]
impl AppSyncStore for KeyStore {
    async fn get_sync_key(&self, key_id: &[u8]) -> Result<Option<AppStateSyncKey>> {
        self.get_decoded(space::SYNC_KEY, &hex::encode(key_id))
            .await
    }

    async fn set_sync_key(&self, key_id: &[u8], key: AppStateSyncKey) -> Result<()> {
        self.put_one(space::SYNC_KEY, &hex::encode(key_id), encode(&key)?)
            .await?;
        self.put_one(space::LATEST_SYNC_KEY, "", key_id).await
    }

    async fn get_version(&self, name: &str) -> Result<HashState> {
        let stored = self.get_decoded(space::APP_STATE_VERSION, name).await?;
        Ok(stored.unwrap_or_default())
    }

    async fn set_version(&self, name: &str, state: HashState) -> Result<()> {
        self.put_one(space::APP_STATE_VERSION, name, encode(&state)?)
            .await
    }

    async fn put_mutation_macs(
        &self,
        name: &str,
        _version: u64,
        mutations: &[AppStateMutationMAC],
    ) -> Result<()> {
        let entries: Vec<_> = mutations
            .iter()
            .map(|m| EngineKey::new(hex::encode(&m.index_mac), m.value_mac.clone()))
            .collect();
        self.put(&format!("{}{name}", space::MUTATION_MACS), &entries)
            .await
    }

    async fn get_mutation_mac(&self, name: &str, index_mac: &[u8]) -> Result<Option<Vec<u8>>> {
        let space = format!("{}{name}", space::MUTATION_MACS);
        self.get(&space, &hex::encode(index_mac)).await
    }

    async fn get_mutation_macs(
        &self,
        name: &str,
        index_macs: &[[u8; 32]],
    ) -> Result<std::collections::HashMap<[u8; 32], Vec<u8>>> {
        let space = format!("{}{name}", space::MUTATION_MACS);
        let keys: Vec<String> = index_macs.iter().map(hex::encode).collect();
        let keys: Vec<&str> = keys.iter().map(String::as_str).collect();
        let found = self.store.engine_keys(&self.instance, &space, &keys).await;
        found
            .map_err(database)?
            .into_iter()
            .map(|entry| {
                let index =
                    hex::decode(&entry.key).map_err(|e| StoreError::Serialization(Box::new(e)))?;
                Ok((fixed(index, "mutation index MAC")?, entry.value))
            })
            .collect()
    }

    async fn delete_mutation_macs(&self, name: &str, index_macs: &[Vec<u8>]) -> Result<()> {
        let space = format!("{}{name}", space::MUTATION_MACS);
        let keys: Vec<String> = index_macs.iter().map(hex::encode).collect();
        let keys: Vec<&str> = keys.iter().map(String::as_str).collect();
        self.delete(&space, &keys).await.map(drop)
    }

    async fn clear_mutation_macs(&self, name: &str) -> Result<()> {
        let space = format!("{}{name}", space::MUTATION_MACS);
        let cleared = self.store.clear_engine_space(&self.instance, &space).await;
        cleared.map(drop).map_err(database)
    }

    async fn get_latest_sync_key_id(&self) -> Result<Option<Vec<u8>>> {
        self.get(space::LATEST_SYNC_KEY, "").await
    }
}

#[async_trait]
impl ProtocolStore for KeyStore {
    async fn get_sender_key_devices(&self, group_jid: &str) -> Result<Vec<(String, bool)>> {
        let devices = self
            .space(&format!("{}{group_jid}", space::SENDER_KEY_DEVICES))
            .await?;
        Ok(devices
            .into_iter()
            .map(|entry| (entry.key, entry.value == [1]))
            .collect())
    }

    async fn set_sender_key_status(&self, group_jid: &str, entries: &[(&str, bool)]) -> Result<()> {
        let entries: Vec<_> = entries
            .iter()
            .map(|(device, has_key)| EngineKey::new(*device, vec![u8::from(*has_key)]))
            .collect();
        self.put(
            &format!("{}{group_jid}", space::SENDER_KEY_DEVICES),
            &entries,
        )
        .await
    }

    async fn clear_sender_key_devices(&self, group_jid: &str) -> Result<()> {
        let space = format!("{}{group_jid}", space::SENDER_KEY_DEVICES);
        let cleared = self.store.clear_engine_space(&self.instance, &space).await;
        cleared.map(drop).map_err(database)
    }

    async fn delete_sender_key_device_rows(&self, device_jids: &[&str]) -> Result<()> {
        let deleted = self.store.delete_engine_keys_in_family(
            &self.instance,
            space::SENDER_KEY_DEVICES,
            device_jids,
        );
        deleted.await.map(drop).map_err(database)
    }

    async fn clear_all_sender_key_devices(&self) -> Result<()> {
        let cleared = self
            .store
            .clear_engine_family(&self.instance, space::SENDER_KEY_DEVICES);
        cleared.await.map(drop).map_err(database)
    }

    async fn get_lid_mapping(&self, lid: &str) -> Result<Option<LidPnMappingEntry>> {
        self.get_decoded(space::LID, lid).await
    }

    async fn get_pn_mapping(&self, phone: &str) -> Result<Option<LidPnMappingEntry>> {
        let Some(lid) = self.get(space::PHONE_TO_LID, phone).await? else {
            return Ok(None);
        };
        let lid = String::from_utf8(lid).map_err(|e| StoreError::Serialization(Box::new(e)))?;
        self.get_lid_mapping(&lid).await
    }

    async fn put_lid_mapping(&self, entry: &LidPnMappingEntry) -> Result<()> {
        let _turn = self.read_modify_write.lock().await;
        // A LID that moved to another phone number no longer answers for the old one.
        if let Some(previous) = self.get_lid_mapping(&entry.lid).await?
            && previous.phone_number != entry.phone_number
        {
            self.delete(space::PHONE_TO_LID, &[&previous.phone_number])
                .await?;
        }
        self.put_one(
            space::PHONE_TO_LID,
            &entry.phone_number,
            entry.lid.as_bytes(),
        )
        .await?;
        self.put_one(space::LID, &entry.lid, encode(entry)?).await
    }

    async fn get_all_lid_mappings(&self) -> Result<Vec<LidPnMappingEntry>> {
        let all = self.space(space::LID).await?;
        all.iter().map(|entry| decode(&entry.value)).collect()
    }

    async fn save_base_key(&self, address: &str, message_id: &str, base_key: &[u8]) -> Result<()> {
        self.put_one(space::BASE_KEY, &compound(&[address, message_id]), base_key)
            .await
    }

    async fn has_same_base_key(
        &self,
        address: &str,
        message_id: &str,
        current_base_key: &[u8],
    ) -> Result<bool> {
        let stored = self
            .get(space::BASE_KEY, &compound(&[address, message_id]))
            .await?;
        Ok(stored.is_some_and(|stored| stored == current_base_key))
    }

    async fn delete_base_key(&self, address: &str, message_id: &str) -> Result<()> {
        let key = compound(&[address, message_id]);
        self.delete(space::BASE_KEY, &[&key]).await.map(drop)
    }

    async fn update_device_list(&self, record: DeviceListRecord) -> Result<()> {
        self.put_one(space::DEVICE_LIST, &record.user, encode(&record)?)
            .await
    }

    async fn update_device_lists(&self, records: Vec<DeviceListRecord>) -> Result<()> {
        let entries = records
            .iter()
            .map(|record| Ok(EngineKey::new(record.user.as_str(), encode(record)?)))
            .collect::<Result<Vec<_>>>()?;
        self.put(space::DEVICE_LIST, &entries).await
    }

    async fn get_devices(&self, user: &str) -> Result<Option<DeviceListRecord>> {
        self.get_decoded(space::DEVICE_LIST, user).await
    }

    async fn delete_devices(&self, user: &str) -> Result<()> {
        self.delete(space::DEVICE_LIST, &[user]).await.map(drop)
    }

    async fn get_group_metadata(&self, group_jid: &str) -> Result<Option<Vec<u8>>> {
        self.get(space::GROUP_METADATA, group_jid).await
    }

    async fn put_group_metadata(&self, group_jid: &str, blob: &[u8]) -> Result<()> {
        self.put_one(space::GROUP_METADATA, group_jid, blob).await
    }

    async fn delete_group_metadata(&self, group_jid: &str) -> Result<()> {
        self.delete(space::GROUP_METADATA, &[group_jid])
            .await
            .map(drop)
    }

    async fn get_tc_token(&self, jid: &str) -> Result<Option<TcTokenEntry>> {
        self.get_decoded(space::TC_TOKEN, jid).await
    }

    async fn put_tc_token(&self, jid: &str, entry: &TcTokenEntry) -> Result<()> {
        self.put_one(space::TC_TOKEN, jid, encode(entry)?).await
    }

    async fn delete_tc_token(&self, jid: &str) -> Result<()> {
        self.delete(space::TC_TOKEN, &[jid]).await.map(drop)
    }

    async fn get_all_tc_token_jids(&self) -> Result<Vec<String>> {
        let jids = self
            .store
            .engine_space_keys(&self.instance, space::TC_TOKEN)
            .await;
        jids.map_err(database)
    }

    async fn delete_expired_tc_tokens(&self, token_cutoff: i64, sender_cutoff: i64) -> Result<u32> {
        let _turn = self.read_modify_write.lock().await;
        let mut expired = Vec::new();
        for stored in self.space(space::TC_TOKEN).await? {
            let entry: TcTokenEntry = decode(&stored.value)?;
            // A token stays while either window is live: the one received or our own.
            let token_live = !entry.token.is_empty() && entry.token_timestamp >= token_cutoff;
            let sender_live = entry.sender_timestamp.is_some_and(|at| at >= sender_cutoff);
            if !token_live && !sender_live {
                expired.push(stored.key);
            }
        }
        let expired: Vec<&str> = expired.iter().map(String::as_str).collect();
        Ok(self.delete(space::TC_TOKEN, &expired).await? as u32)
    }

    async fn touch_tc_token_sender_timestamp(
        &self,
        jid: &str,
        sender_timestamp: i64,
    ) -> Result<()> {
        let _turn = self.read_modify_write.lock().await;
        let entry = match self.get_tc_token(jid).await? {
            Some(existing) => TcTokenEntry {
                sender_timestamp: Some(
                    existing
                        .sender_timestamp
                        .map_or(sender_timestamp, |at| at.max(sender_timestamp)),
                ),
                ..existing
            },
            None => TcTokenEntry {
                token: Vec::new(),
                token_timestamp: sender_timestamp,
                sender_timestamp: Some(sender_timestamp),
            },
        };
        self.put_tc_token(jid, &entry).await
    }

    async fn store_received_tc_token(
        &self,
        jid: &str,
        token: &[u8],
        token_timestamp: i64,
    ) -> Result<()> {
        let _turn = self.read_modify_write.lock().await;
        let existing = self.get_tc_token(jid).await?;
        // A fresher real token wins; a placeholder never blocks the first real one.
        if let Some(existing) = &existing
            && !existing.token.is_empty()
            && token_timestamp < existing.token_timestamp
        {
            return Ok(());
        }
        let entry = TcTokenEntry {
            token: token.to_vec(),
            token_timestamp,
            sender_timestamp: existing.and_then(|existing| existing.sender_timestamp),
        };
        self.put_tc_token(jid, &entry).await
    }

    async fn store_sent_message(
        &self,
        chat_jid: &str,
        message_id: &str,
        payload: &[u8],
    ) -> Result<()> {
        let entry = EngineKey::stamped(compound(&[chat_jid, message_id]), payload, now_secs());
        self.put(space::SENT_MESSAGE, &[entry]).await
    }

    async fn take_sent_message(&self, chat_jid: &str, message_id: &str) -> Result<Option<Vec<u8>>> {
        let key = compound(&[chat_jid, message_id]);
        let taken = self
            .store
            .take_engine_key(&self.instance, space::SENT_MESSAGE, &key);
        Ok(taken.await.map_err(database)?.map(|entry| entry.value))
    }

    async fn delete_expired_sent_messages(&self, cutoff_timestamp: i64) -> Result<u32> {
        self.delete_stamped_before(space::SENT_MESSAGE, cutoff_timestamp)
            .await
    }

    async fn store_pending_inbound(
        &self,
        chat: &str,
        sender: &str,
        id: &str,
        message: &[u8],
    ) -> Result<()> {
        let entry = EngineKey::stamped(compound(&[chat, sender, id]), message, now_secs());
        self.put(space::PENDING_INBOUND, &[entry]).await
    }

    async fn get_pending_inbound(
        &self,
        chat: &str,
        sender: &str,
        id: &str,
    ) -> Result<Option<Vec<u8>>> {
        self.get(space::PENDING_INBOUND, &compound(&[chat, sender, id]))
            .await
    }

    async fn delete_pending_inbound(&self, chat: &str, sender: &str, id: &str) -> Result<()> {
        let key = compound(&[chat, sender, id]);
        self.delete(space::PENDING_INBOUND, &[&key]).await.map(drop)
    }

    async fn delete_expired_pending_inbound(&self, cutoff_timestamp: i64) -> Result<u32> {
        self.delete_stamped_before(space::PENDING_INBOUND, cutoff_timestamp)
            .await
    }
}

/// A message secret's value: the 32-byte secret, then the message's time (8 bytes, big end
/// first). Its stamp is the deadline, absent for secrets kept forever.
fn secret_value(secret: &[u8], message_ts: i64) -> Vec<u8> {
    [secret, &message_ts.to_be_bytes()].concat()
}

fn secret_parts(value: &[u8]) -> Result<(Vec<u8>, i64)> {
    if value.len() != 40 {
        let length = value.len();
        return Err(StoreError::Validation(format!(
            "stored message secret has {length} bytes"
        )));
    }
    let (secret, at) = value.split_at(32);
    Ok((
        secret.to_vec(),
        i64::from_be_bytes(fixed(at.to_vec(), "message time")?),
    ))
}

#[async_trait]
impl MsgSecretStore for KeyStore {
    async fn put_msg_secrets(&self, entries: Vec<MsgSecretEntry>) -> Result<usize> {
        let count = entries.len();
        let _turn = self.read_modify_write.lock().await;
        let keys: Vec<String> = entries
            .iter()
            .map(|entry| compound(&[&entry.chat, &entry.sender, &entry.msg_id]))
            .collect();
        let key_refs: Vec<&str> = keys.iter().map(String::as_str).collect();
        let stored_rows = self
            .store
            .engine_keys(&self.instance, space::MSG_SECRET, &key_refs)
            .await
            .map_err(database)?;
        let mut existing: std::collections::HashMap<String, (i64, i64)> =
            std::collections::HashMap::new();
        for stored in stored_rows {
            let (_, message_ts) = secret_parts(&stored.value)?;
            existing.insert(stored.key, (stored.stamp.unwrap_or(0), message_ts));
        }
        let mut rows: std::collections::HashMap<String, EngineKey> =
            std::collections::HashMap::new();
        for (key, entry) in keys.into_iter().zip(entries) {
            // A repeated key within the batch merges with the row written before it.
            let before = rows
                .get(&key)
                .map(|row| {
                    (
                        row.stamp.unwrap_or(0),
                        secret_parts(&row.value).map_or(0, |p| p.1),
                    )
                })
                .or_else(|| existing.get(&key).copied());
            let (expires_at, message_ts) = match before {
                Some((expires_at, message_ts)) => (
                    merge_msg_secret_expiry(expires_at, entry.expires_at),
                    merge_msg_secret_message_ts(message_ts, entry.message_ts),
                ),
                None => (entry.expires_at, entry.message_ts),
            };
            let value = secret_value(&entry.secret, message_ts);
            let row = match expires_at {
                0 => EngineKey::new(key.as_str(), value),
                deadline => EngineKey::stamped(key.as_str(), value, deadline),
            };
            rows.insert(key, row);
        }
        let rows: Vec<EngineKey> = rows.into_values().collect();
        self.put(space::MSG_SECRET, &rows).await?;
        Ok(count)
    }

    async fn get_msg_secret(
        &self,
        chat: &str,
        sender: &str,
        msg_id: &str,
    ) -> Result<Option<Vec<u8>>> {
        let found = self.get_msg_secret_with_ts(chat, sender, msg_id).await?;
        Ok(found.map(|(secret, _)| secret))
    }

    async fn get_msg_secret_with_ts(
        &self,
        chat: &str,
        sender: &str,
        msg_id: &str,
    ) -> Result<Option<(Vec<u8>, i64)>> {
        let stored = self
            .get(space::MSG_SECRET, &compound(&[chat, sender, msg_id]))
            .await?;
        stored.map(|value| secret_parts(&value)).transpose()
    }

    /// Secrets kept forever have no stamp, so only those with a deadline at or before the
    /// cutoff go.
    async fn delete_expired_msg_secrets(&self, cutoff_timestamp: i64) -> Result<u32> {
        self.delete_stamped_before(space::MSG_SECRET, cutoff_timestamp.saturating_add(1))
            .await
    }
}

#[async_trait]
impl DeviceStore for KeyStore {
    async fn save(&self, device: &Device) -> Result<()> {
        self.put_one(space::DEVICE, DEVICE_KEY, encode(device)?)
            .await
    }

    async fn load(&self) -> Result<Option<Device>> {
        self.get_decoded(space::DEVICE, DEVICE_KEY).await
    }

    async fn exists(&self) -> Result<bool> {
        Ok(self.get(space::DEVICE, DEVICE_KEY).await?.is_some())
    }

    /// Makes the device exist: a new identity the first time, the stored one after.
    async fn create(&self) -> Result<i32> {
        if !self.exists().await? {
            self.save(&Device::new()).await?;
        }
        Ok(DEVICE_ID)
    }
}
