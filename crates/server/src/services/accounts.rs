//! Accounts: created by the admin, each with its first key.

use super::auth::{KeyKind, generate_key};
use super::{Gateway, Principal, ServiceError, ServiceResult};
use wagate_core::{AccountId, Plan};
use wagate_store::AccountRecord;

const MAX_ACCOUNT_NAME: usize = 200;
/// The name of the account the admin key acts on through a dialect.
const OPERATOR_DEFAULT_ACCOUNT: &str = "default";

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

    /// The principal a dialect with one global key (Evolution API's) acts as: the admin key
    /// acts on the operator's `default` account, created on first use, so a single-tenant
    /// install runs with one key; every other key is itself.
    pub async fn dialect_principal(&self, principal: Principal) -> ServiceResult<Principal> {
        if principal != Principal::Admin {
            return Ok(principal);
        }
        if let Some(account) = self.operator_default.get() {
            return Ok(Principal::AdminFor(account.clone()));
        }
        let account = self
            .store
            .operator_default_account(OPERATOR_DEFAULT_ACCOUNT, self.rate_limiter.default_plan())
            .await?;
        Ok(Principal::AdminFor(
            self.operator_default.get_or_init(|| account.id).clone(),
        ))
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
