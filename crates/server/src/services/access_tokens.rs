//! Personal access tokens (seed 002's `X-API-Token`): further account keys, each with a name,
//! shown once when created, listed without their secret, revoked by id.

use super::auth::{KeyKind, generate_key_as};
use super::{Caller, Gateway, ServiceError, ServiceResult};
use wagate_core::ApiKeyId;
use wagate_store::{AccountKeyRecord, KeyOwner};

/// The longest name a token may have.
const MAX_TOKEN_NAME_CHARS: usize = 100;

impl Gateway {
    /// A new account key for the caller's account; answers it with its secret, shown once.
    pub async fn create_access_token(
        &self,
        caller: &Caller,
        name: Option<&str>,
    ) -> ServiceResult<(AccountKeyRecord, String)> {
        let account = caller.principal.account_manager()?;
        let name = name.map(str::trim).filter(|name| !name.is_empty());
        if name.is_some_and(|name| name.chars().count() > MAX_TOKEN_NAME_CHARS) {
            return Err(ServiceError::field(
                "name",
                format!("at most {MAX_TOKEN_NAME_CHARS} characters"),
            ));
        }
        let (key_id, key, hash) = generate_key_as(KeyKind::Account, self.accounts.key_format);
        let record = self
            .store
            .add_key(&KeyOwner::Account(account.clone()), &key_id, &hash, name)
            .await?;
        Ok((record, key))
    }

    /// The caller's account keys, without their secrets.
    pub async fn list_access_tokens(
        &self,
        caller: &Caller,
    ) -> ServiceResult<Vec<AccountKeyRecord>> {
        let account = caller.principal.account_manager()?;
        Ok(self
            .store
            .list_keys(&KeyOwner::Account(account.clone()))
            .await?)
    }

    /// Revokes one of the account's keys; it stops working at once on this node (within the
    /// key cache's time on others). The calling key cannot revoke itself, so an account is
    /// never left without a key by accident.
    pub async fn revoke_access_token(&self, caller: &Caller, id: &str) -> ServiceResult<()> {
        let account = caller.principal.account_manager()?;
        if caller.key.as_str() == id.trim() {
            return Err(ServiceError::Conflict(
                "a token cannot revoke itself; revoke it with another token".to_owned(),
            ));
        }
        let id = ApiKeyId::from_trusted(id.trim().to_owned());
        if !self
            .store
            .delete_key(&KeyOwner::Account(account.clone()), &id)
            .await?
        {
            return Err(ServiceError::NotFound("token"));
        }
        self.lookups.forget_keys();
        Ok(())
    }
}
