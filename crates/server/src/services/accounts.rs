//! Accounts: created by the admin, each with its first key.

use super::auth::{KeyKind, generate_key};
use super::{Gateway, Principal, ServiceError, ServiceResult};
use wagate_core::{AccountId, Plan};
use wagate_store::AccountRecord;

const MAX_ACCOUNT_NAME: usize = 200;

impl Gateway {
    /// Creates an account; returns it with its key, which is never shown again.
    pub async fn create_account(
        &self,
        principal: &Principal,
        name: Option<&str>,
        plan: Option<&str>,
    ) -> ServiceResult<(AccountRecord, String)> {
        principal.require_admin()?;
        let plan = match plan {
            None => self.rate_limiter.default_plan(),
            Some(plan) => plan
                .parse::<Plan>()
                .map_err(|e| ServiceError::field("plan", e))?,
        };
        let name = name.map(str::trim).unwrap_or_default();
        if name.is_empty() {
            return Err(ServiceError::field("name", "is required"));
        }
        if name.chars().count() > MAX_ACCOUNT_NAME {
            return Err(ServiceError::field(
                "name",
                format!("must be at most {MAX_ACCOUNT_NAME} characters"),
            ));
        }
        let (key_id, key, hash) = generate_key(KeyKind::Account);
        let account = self
            .store
            .create_account(name, plan, &key_id, &hash)
            .await?;
        Ok((account, key))
    }

    pub async fn list_accounts(&self, principal: &Principal) -> ServiceResult<Vec<AccountRecord>> {
        principal.require_admin()?;
        Ok(self.store.list_accounts().await?)
    }

    /// The caller's own account.
    pub async fn current_account(&self, principal: &Principal) -> ServiceResult<AccountRecord> {
        let id = principal.account()?;
        self.store
            .get_account(id)
            .await?
            .ok_or(ServiceError::NotFound("account"))
    }

    /// Changes an account's plan, and with it its request limit (admin key).
    pub async fn set_account_plan(
        &self,
        principal: &Principal,
        id: &str,
        plan: Option<&str>,
    ) -> ServiceResult<AccountRecord> {
        principal.require_admin()?;
        let plan = plan
            .ok_or_else(|| ServiceError::field("plan", "is required"))?
            .parse::<Plan>()
            .map_err(|e| ServiceError::field("plan", e))?;
        let id = AccountId::parse(id.trim()).ok_or(ServiceError::NotFound("account"))?;
        let account = self
            .store
            .set_account_plan(&id, plan)
            .await?
            .ok_or(ServiceError::NotFound("account"))?;
        self.rate_limiter.forget_plan(&id);
        Ok(account)
    }
}
