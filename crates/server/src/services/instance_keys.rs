//! Further keys of one instance: each reaches that instance only (a kiosk, a partner's
//! integration), has a name, is shown once when created, and is revoked by id. The account's
//! key manages them; an instance key cannot mint or revoke keys.

use super::auth::{KeyKind, generate_key_as};
use super::{Gateway, Principal, ServiceError, ServiceResult};
use wagate_core::ApiKeyId;
use wagate_store::{AccountKeyRecord, KeyOwner};

/// The longest name a key may have.
const MAX_KEY_NAME_CHARS: usize = 100;

impl Gateway {
    /// The owner of the instance's keys, for a caller that manages its account.
    async fn instance_key_owner(
        &self,
        principal: &Principal,
        id_or_name: &str,
    ) -> ServiceResult<KeyOwner> {
        principal.account_manager()?;
        let instance = self.resolve_instance(principal, id_or_name).await?;
        Ok(KeyOwner::Instance(instance.account_id, instance.id))
    }

    /// A new key for the instance; answers it with its secret, shown once.
    pub async fn create_instance_key(
        &self,
        principal: &Principal,
        id_or_name: &str,
        name: Option<&str>,
    ) -> ServiceResult<(AccountKeyRecord, String)> {
        let name = name.map(str::trim).filter(|name| !name.is_empty());
        if name.is_some_and(|name| name.chars().count() > MAX_KEY_NAME_CHARS) {
            return Err(ServiceError::field(
                "name",
                format!("at most {MAX_KEY_NAME_CHARS} characters"),
            ));
        }
        let owner = self.instance_key_owner(principal, id_or_name).await?;
        let (key_id, key, hash) = generate_key_as(KeyKind::Instance, self.accounts.key_format);
        let record = self.store.add_key(&owner, &key_id, &hash, name).await?;
        Ok((record, key))
    }

    /// The instance's keys (the one it was created with too), without their secrets.
    pub async fn list_instance_keys(
        &self,
        principal: &Principal,
        id_or_name: &str,
    ) -> ServiceResult<Vec<AccountKeyRecord>> {
        let owner = self.instance_key_owner(principal, id_or_name).await?;
        Ok(self.store.list_keys(&owner).await?)
    }

    /// Revokes one of the instance's keys; it stops working at once on this node (within the
    /// key cache's time on others).
    pub async fn revoke_instance_key(
        &self,
        principal: &Principal,
        id_or_name: &str,
        key_id: &str,
    ) -> ServiceResult<()> {
        let owner = self.instance_key_owner(principal, id_or_name).await?;
        let key_id = ApiKeyId::from_trusted(key_id.trim().to_owned());
        if !self.store.delete_key(&owner, &key_id).await? {
            return Err(ServiceError::NotFound("key"));
        }
        self.lookups.forget_keys();
        Ok(())
    }
}
