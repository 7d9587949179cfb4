//! Instances: one WhatsApp number each, and their connection state.

use crate::events::NewEvent;
use crate::records::InstanceRecord;
use crate::time::{from_millis, now_millis, to_millis};
use crate::{Backend, Result, Store, StoreError};
use chrono::{DateTime, Utc};
use wagate_core::{
    AccountId, ApiKeyId, EngineKind, InstanceId, InstanceName, InstanceSettings, InstanceStatus,
    LinkedAccount, PhoneNumber,
};

/// The QR code an instance currently shows.
#[derive(Clone, Debug, PartialEq)]
pub struct QrState {
    pub code: String,
    pub expires_at: DateTime<Utc>,
}

/// An instance's whole connection state, written at once.
#[derive(Clone, Debug, PartialEq)]
pub struct InstanceState {
    pub status: InstanceStatus,
    pub status_reason: Option<String>,
    pub linked: bool,
    pub me: Option<LinkedAccount>,
    pub qr: Option<QrState>,
    pub pairing_code: Option<String>,
}

impl InstanceState {
    /// The state an instance is in now, to be changed field by field.
    pub fn of(record: &InstanceRecord) -> Self {
        Self {
            status: record.status,
            status_reason: record.status_reason.clone(),
            linked: record.linked,
            me: record.me.clone(),
            qr: record
                .qr_code
                .clone()
                .zip(record.qr_expires_at)
                .map(|(code, expires_at)| QrState { code, expires_at }),
            pairing_code: record.pairing_code.clone(),
        }
    }
}

macro_rules! select_instances {
    ($($rest:literal),*) => {
        concat!(
            "SELECT id, account_id, name, engine, status, status_reason, linked, me_phone, me_jid,
                 me_push_name, me_lid, qr_code, qr_expires_at, pairing_code, created_at, updated_at,
                 settings, linked_at, capped_until, paused_until, qr_count
             FROM instances ",
            $($rest),*
        )
    };
}

#[derive(sqlx::FromRow)]
struct InstanceRow {
    id: String,
    account_id: String,
    name: String,
    engine: String,
    status: String,
    status_reason: Option<String>,
    linked: i64,
    me_phone: Option<String>,
    me_jid: Option<String>,
    me_push_name: Option<String>,
    me_lid: Option<String>,
    qr_code: Option<String>,
    qr_expires_at: Option<i64>,
    pairing_code: Option<String>,
    qr_count: i64,
    created_at: i64,
    updated_at: i64,
    settings: Option<String>,
    linked_at: Option<i64>,
    capped_until: Option<i64>,
    paused_until: Option<i64>,
}

impl TryFrom<InstanceRow> for InstanceRecord {
    type Error = StoreError;

    fn try_from(row: InstanceRow) -> Result<Self> {
        let me = match (row.me_phone, row.me_jid) {
            (Some(phone), Some(jid)) => Some(LinkedAccount {
                phone: PhoneNumber::parse(&phone)
                    .map_err(|e| StoreError::Corrupt(format!("instance {} phone: {e}", row.id)))?,
                jid,
                push_name: row.me_push_name,
                lid: row.me_lid,
            }),
            _ => None,
        };
        let settings = row
            .settings
            .as_deref()
            .map(serde_json::from_str)
            .transpose()
            .map_err(|e| StoreError::Corrupt(format!("instance {} settings: {e}", row.id)))?
            .unwrap_or_default();
        Ok(Self {
            engine: row.engine.parse().map_err(StoreError::Corrupt)?,
            status: row.status.parse().map_err(StoreError::Corrupt)?,
            id: InstanceId::from_trusted(row.id),
            account_id: AccountId::from_trusted(row.account_id),
            name: InstanceName::from_trusted(row.name),
            status_reason: row.status_reason,
            linked: row.linked != 0,
            me,
            qr_code: row.qr_code,
            qr_expires_at: row.qr_expires_at.map(from_millis),
            pairing_code: row.pairing_code,
            qr_count: row.qr_count,
            created_at: from_millis(row.created_at),
            updated_at: from_millis(row.updated_at),
            settings,
            linked_at: row.linked_at.map(from_millis),
            capped_until: row.capped_until.map(from_millis),
            paused_until: row.paused_until.map(from_millis),
        })
    }
}

fn settings_json(settings: &InstanceSettings) -> Result<String> {
    serde_json::to_string(settings)
        .map_err(|e| StoreError::Corrupt(format!("settings do not serialise: {e}")))
}

fn records(rows: Vec<InstanceRow>) -> Result<Vec<InstanceRecord>> {
    rows.into_iter().map(TryInto::try_into).collect()
}

/// An instance to create.
#[derive(Clone, Debug)]
pub struct NewInstance<'a> {
    pub account_id: &'a AccountId,
    pub name: &'a InstanceName,
    pub engine: EngineKind,
    pub settings: &'a InstanceSettings,
    /// A cloud number's credentials, stored with the instance.
    pub cloud: Option<&'a crate::CloudCredentials>,
}

impl Store {
    /// Creates an instance with its instance key (given as a hash) and its events.
    pub async fn create_instance(
        &self,
        new: NewInstance<'_>,
        key_id: &ApiKeyId,
        key_hash: &str,
        events: impl FnOnce(&InstanceRecord) -> Vec<NewEvent>,
    ) -> Result<InstanceRecord> {
        let NewInstance {
            account_id,
            name,
            engine,
            settings,
            cloud,
        } = new;
        let now = now_millis();
        let record = InstanceRecord {
            id: InstanceId::generate(),
            account_id: account_id.clone(),
            name: name.clone(),
            engine,
            status: InstanceStatus::Disconnected,
            status_reason: None,
            linked: false,
            me: None,
            qr_code: None,
            qr_expires_at: None,
            pairing_code: None,
            qr_count: 0,
            created_at: from_millis(now),
            updated_at: from_millis(now),
            settings: settings.clone(),
            linked_at: None,
            capped_until: None,
            paused_until: None,
        };
        let new_events = events(&record);
        let settings_json = settings_json(settings)?;
        in_tx!(self, tx, backend => {
            sqlx::query(
                "INSERT INTO instances (id, account_id, name, engine, status, linked, created_at, updated_at, settings)
                 VALUES ($1, $2, $3, $4, $5, 0, $6, $6, $7)",
            )
            .bind(record.id.as_str())
            .bind(account_id.as_str())
            .bind(name.as_str())
            .bind(engine.as_str())
            .bind(record.status.as_str())
            .bind(now)
            .bind(settings_json.clone())
            .execute(&mut *tx)
            .await
            .map_err(|e| StoreError::conflict_on_unique(e, &format!("an instance named '{}'", name.as_str())))?;
            sqlx::query(
                "INSERT INTO api_keys (id, secret_hash, scope, account_id, instance_id, created_at)
                 VALUES ($1, $2, 'instance', $3, $4, $5)",
            )
            .bind(key_id.as_str())
            .bind(key_hash)
            .bind(account_id.as_str())
            .bind(record.id.as_str())
            .bind(now)
            .execute(&mut *tx)
            .await
            .map_err(|e| StoreError::conflict_on_unique(e, "a key with this secret"))?;
            if let Some(credentials) = cloud {
                upsert_cloud_number!(tx, &record.id, credentials);
            }
            append_events!(tx, backend, new_events);
            Ok(())
        })?;
        Ok(record)
    }

    /// Finds one of an account's instances by id or by name.
    pub async fn find_instance(
        &self,
        account_id: &AccountId,
        id_or_name: &str,
    ) -> Result<Option<InstanceRecord>> {
        let sql = select_instances!("WHERE account_id = $1 AND (id = $2 OR name = $2)");
        let row = on_pool!(self, pool => {
            sqlx::query_as::<_, InstanceRow>(sql)
                .bind(account_id.as_str())
                .bind(id_or_name)
                .fetch_optional(pool)
                .await?
        });
        row.map(TryInto::try_into).transpose()
    }

    /// Any instance by id, for workers that act on behalf of the system.
    pub async fn get_instance(&self, id: &InstanceId) -> Result<Option<InstanceRecord>> {
        let sql = select_instances!("WHERE id = $1");
        let row = on_pool!(self, pool => {
            sqlx::query_as::<_, InstanceRow>(sql)
                .bind(id.as_str())
                .fetch_optional(pool)
                .await?
        });
        row.map(TryInto::try_into).transpose()
    }

    pub async fn list_instances(&self, account_id: &AccountId) -> Result<Vec<InstanceRecord>> {
        let sql = select_instances!("WHERE account_id = $1 ORDER BY created_at, id");
        let rows = on_pool!(self, pool => {
            sqlx::query_as::<_, InstanceRow>(sql)
                .bind(account_id.as_str())
                .fetch_all(pool)
                .await?
        });
        records(rows)
    }

    /// Every instance whose engine holds credentials: the ones to reconnect at start-up.
    pub async fn list_linked_instances(&self) -> Result<Vec<InstanceRecord>> {
        let sql = select_instances!("WHERE linked = 1 ORDER BY created_at, id");
        let rows = on_pool!(self, pool => {
            sqlx::query_as::<_, InstanceRow>(sql).fetch_all(pool).await?
        });
        records(rows)
    }

    /// Instances left half-way through linking (a QR code or pairing code that no engine
    /// shows any more after a restart).
    pub async fn list_unfinished_links(&self) -> Result<Vec<InstanceRecord>> {
        let sql = select_instances!(
            "WHERE linked = 0 AND status IN ('qr', 'pairing', 'connecting') ORDER BY created_at, id"
        );
        let rows = on_pool!(self, pool => {
            sqlx::query_as::<_, InstanceRow>(sql).fetch_all(pool).await?
        });
        records(rows)
    }

    /// The account's instance that currently shows `code` as its QR code or pairing code.
    pub async fn find_instance_by_link_code(
        &self,
        account_id: &AccountId,
        code: &str,
    ) -> Result<Option<InstanceRecord>> {
        let sql =
            select_instances!("WHERE account_id = $1 AND (qr_code = $2 OR pairing_code = $2)");
        let row = on_pool!(self, pool => {
            sqlx::query_as::<_, InstanceRow>(sql)
                .bind(account_id.as_str())
                .bind(code)
                .fetch_optional(pool)
                .await?
        });
        row.map(TryInto::try_into).transpose()
    }

    /// Deletes an instance with everything that hangs off it, writing its events.
    pub async fn delete_instance(
        &self,
        record: &InstanceRecord,
        events: Vec<NewEvent>,
    ) -> Result<bool> {
        let result = in_tx!(self, tx, backend => {
            let deleted = sqlx::query("DELETE FROM instances WHERE id = $1")
                .bind(record.id.as_str())
                .execute(&mut *tx)
                .await?
                .rows_affected();
            if deleted > 0 {
                append_events!(tx, backend, events);
            }
            Ok(deleted > 0)
        });
        self.instances_written();
        result
    }

    /// Replaces an instance's settings.
    pub async fn set_instance_settings(
        &self,
        id: &InstanceId,
        settings: &InstanceSettings,
    ) -> Result<Option<InstanceRecord>> {
        let json = settings_json(settings)?;
        let now = now_millis();
        let changed = on_pool!(self, pool => {
            sqlx::query("UPDATE instances SET settings = $2, updated_at = $3 WHERE id = $1")
                .bind(id.as_str())
                .bind(json)
                .bind(now)
                .execute(pool)
                .await
                .map(|done| done.rows_affected())
        });
        self.instances_written();
        if changed? == 0 {
            return Ok(None);
        }
        self.get_instance(id).await
    }

    /// Reads the instance inside a transaction, lets `decide` compute its next state and
    /// events, and writes both. `decide` returning `None` changes nothing.
    pub async fn update_instance<F>(
        &self,
        id: &InstanceId,
        decide: F,
    ) -> Result<Option<InstanceRecord>>
    where
        F: FnOnce(&InstanceRecord) -> Option<(InstanceState, Vec<NewEvent>)>,
    {
        let result = in_tx!(self, tx, backend => {
            // PostgreSQL locks the row for the read-decide-write below; SQLite's write
            // transaction already excludes other writers.
            let select = match backend {
                Backend::Postgres => select_instances!("WHERE id = $1 FOR UPDATE"),
                Backend::Sqlite => select_instances!("WHERE id = $1"),
            };
            let row = sqlx::query_as::<_, InstanceRow>(select)
                .bind(id.as_str())
                .fetch_optional(&mut *tx)
                .await?;
            let Some(row) = row else { return Ok(None) };
            let current = InstanceRecord::try_from(row)?;
            let Some((state, events)) = decide(&current) else { return Ok(None) };
            let now = now_millis();
            let me = state.me.as_ref();
            let qr_count = match &state.qr {
                None if state.pairing_code.is_none() => 0,
                Some(qr) if current.qr_code.as_deref() != Some(qr.code.as_str()) => {
                    current.qr_count + 1
                }
                _ => current.qr_count,
            };
            sqlx::query(
                "UPDATE instances SET status = $2, status_reason = $3, linked = $4, me_phone = $5,
                     me_jid = $6, me_push_name = $7, qr_code = $8, qr_expires_at = $9,
                     pairing_code = $10, updated_at = $11, me_lid = $12, qr_count = $13,
                     linked_at = CASE WHEN $4 = 1 THEN COALESCE(linked_at, $11) ELSE linked_at END
                 WHERE id = $1",
            )
            .bind(id.as_str())
            .bind(state.status.as_str())
            .bind(state.status_reason.clone())
            .bind(i64::from(state.linked))
            .bind(me.map(|m| m.phone.as_str().to_owned()))
            .bind(me.map(|m| m.jid.clone()))
            .bind(me.and_then(|m| m.push_name.clone()))
            .bind(state.qr.as_ref().map(|q| q.code.clone()))
            .bind(state.qr.as_ref().map(|q| to_millis(q.expires_at)))
            .bind(state.pairing_code.clone())
            .bind(now)
            .bind(me.and_then(|m| m.lid.clone()))
            .bind(qr_count)
            .execute(&mut *tx)
            .await?;
            append_events!(tx, backend, events);
            Ok(Some(InstanceRecord {
                status: state.status,
                status_reason: state.status_reason,
                linked: state.linked,
                me: state.me,
                qr_code: state.qr.as_ref().map(|q| q.code.clone()),
                qr_expires_at: state.qr.as_ref().map(|q| q.expires_at),
                pairing_code: state.pairing_code,
                qr_count,
                updated_at: from_millis(now),
                linked_at: current.linked_at.or(state.linked.then(|| from_millis(now))),
                ..current
            }))
        });
        self.instances_written();
        result
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::testing::on_both_backends;
    use crate::{EventFilter, StoreError};
    use wagate_core::EventSeq;

    pub(crate) async fn account_with_instance(store: &Store, name: &str) -> InstanceRecord {
        crate::testing::seed_instance(store, name).await
    }

    #[tokio::test]
    async fn instances_are_found_by_id_or_name_within_their_account() {
        on_both_backends(|store| async move {
            let instance = account_with_instance(&store, "sales").await;
            let by_name = store
                .find_instance(&instance.account_id, "sales")
                .await
                .unwrap()
                .unwrap();
            let by_id = store
                .find_instance(&instance.account_id, instance.id.as_str())
                .await
                .unwrap()
                .unwrap();
            assert_eq!(by_name, by_id);
            assert_eq!(by_name.status, InstanceStatus::Disconnected);
            let stranger = AccountId::generate();
            assert!(
                store
                    .find_instance(&stranger, "sales")
                    .await
                    .unwrap()
                    .is_none()
            );
            let events = store
                .list_events(&EventFilter {
                    account_id: instance.account_id.clone(),
                    instance_id: None,
                    after: EventSeq(0),
                    limit: 10,
                })
                .await
                .unwrap();
            assert_eq!(events.items.len(), 1);
            assert_eq!(
                events.items[0].instance_name.as_deref(),
                Some("sales"),
                "the name is filled in"
            );
        })
        .await;
    }

    #[tokio::test]
    async fn names_are_unique_per_account() {
        on_both_backends(|store| async move {
            let instance = account_with_instance(&store, "sales").await;
            let again = store
                .create_instance(
                    NewInstance {
                        account_id: &instance.account_id,
                        name: &instance.name,
                        engine: EngineKind::Sandbox,
                        settings: &InstanceSettings::default(),
                        cloud: None,
                    },
                    &ApiKeyId::generate(),
                    "another-hash",
                    |_| Vec::new(),
                )
                .await;
            assert!(matches!(again, Err(StoreError::Conflict(_))), "{again:?}");
        })
        .await;
    }

    #[tokio::test]
    async fn state_changes_are_written_with_their_events_or_not_at_all() {
        on_both_backends(|store| async move {
            let instance = account_with_instance(&store, "sales").await;
            let me = LinkedAccount {
                phone: PhoneNumber::parse("15550001111").unwrap(),
                jid: "15550001111@s.whatsapp.net".to_owned(),
                push_name: Some("Ann".to_owned()),
                lid: Some("100000012345678@lid".to_owned()),
            };
            let updated = store
                .update_instance(&instance.id, |current| {
                    let mut state = InstanceState::of(current);
                    state.status = InstanceStatus::Open;
                    state.linked = true;
                    state.me = Some(me.clone());
                    Some((state, Vec::new()))
                })
                .await
                .unwrap()
                .unwrap();
            assert_eq!(updated.me.as_ref(), Some(&me));
            let reread = store.get_instance(&instance.id).await.unwrap().unwrap();
            assert_eq!(reread.status, InstanceStatus::Open);
            assert_eq!(reread.me, Some(me));
            assert_eq!(store.list_linked_instances().await.unwrap().len(), 1);
            // Deciding nothing writes nothing.
            assert!(
                store
                    .update_instance(&instance.id, |_| None)
                    .await
                    .unwrap()
                    .is_none()
            );
            assert!(store.delete_instance(&reread, Vec::new()).await.unwrap());
            assert!(store.get_instance(&instance.id).await.unwrap().is_none());
        })
        .await;
    }
}
