//! Accounts: created by the admin, each with its first key.

use super::auth::{Caller, KeyFormat, KeyKind, generate_key_as};
use super::{Gateway, Principal, ServiceError, ServiceResult};
use std::net::IpAddr;
use wagate_core::{AccountId, Plan, ValidationErrors};
use wagate_store::AccountRecord;

const MAX_ACCOUNT_NAME: usize = 200;
/// The longest email address (RFC 5321's path limit).
const MAX_EMAIL: usize = 254;

/// How accounts are made and their keys written.
#[derive(Clone, Debug)]
pub struct AccountSettings {
    /// Whether anyone may create an account without a key (seed 004's
    /// `POST /auth/register`).
    pub registration: bool,
    /// The plan a registered account gets.
    pub registration_plan: Plan,
    /// How account keys are written.
    pub key_format: KeyFormat,
}

impl Default for AccountSettings {
    fn default() -> Self {
        Self {
            registration: false,
            registration_plan: Plan::Free,
            key_format: KeyFormat::Wagate,
        }
    }
}

fn check_name(name: Option<&str>, errors: &mut ValidationErrors) -> String {
    let name = name.map(str::trim).unwrap_or_default();
    if name.is_empty() {
        errors.push("name", "is required");
    } else if name.chars().count() > MAX_ACCOUNT_NAME {
        errors.push(
            "name",
            format!("must be at most {MAX_ACCOUNT_NAME} characters"),
        );
    }
    name.to_owned()
}

/// An email address as far as a gateway can tell without sending mail: one `@` with
/// something on both sides, a dot in the domain, no spaces.
fn check_email(email: Option<&str>, errors: &mut ValidationErrors) -> String {
    let email = email.map(str::trim).unwrap_or_default();
    let plausible = email.split_once('@').is_some_and(|(local, domain)| {
        !local.is_empty()
            && !domain.contains('@')
            && domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
    }) && !email.chars().any(char::is_whitespace);
    if email.is_empty() {
        errors.push("email", "is required");
    } else if email.len() > MAX_EMAIL {
        errors.push("email", format!("must be at most {MAX_EMAIL} characters"));
    } else if !plausible {
        errors.push("email", "must be an email address");
    }
    email.to_owned()
}
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
        let mut errors = ValidationErrors::default();
        let name = check_name(name, &mut errors);
        errors.finish(())?;
        let (key_id, key, hash) = generate_key_as(KeyKind::Account, self.accounts.key_format);
        let account = self
            .store
            .create_account(&name, plan, &key_id, &hash)
            .await?;
        Ok((account, key))
    }

    /// Creates an account for whoever asks, without a key (seed 004's `POST
    /// /auth/register`), when the operator allows it, at most
    /// [`super::rate_limits::REGISTRATIONS_PER_MINUTE`] a minute from one address (`address`;
    /// counted by the caller with [`Gateway::count_registration`]). Answers it with its key,
    /// shown only now.
    pub async fn register_account(
        &self,
        name: Option<&str>,
        email: Option<&str>,
    ) -> ServiceResult<(AccountRecord, String)> {
        if !self.accounts.registration {
            return Err(ServiceError::Forbidden(
                "registration is turned off on this server; ask its operator for an account"
                    .to_owned(),
            ));
        }
        let mut errors = ValidationErrors::default();
        let name = check_name(name, &mut errors);
        let email = check_email(email, &mut errors);
        errors.finish(())?;
        let (key_id, key, hash) = generate_key_as(KeyKind::Account, self.accounts.key_format);
        let account = self
            .store
            .create_account_with_email(
                &name,
                Some(&email),
                self.accounts.registration_plan,
                &key_id,
                &hash,
            )
            .await?;
        Ok((account, key))
    }

    /// Replaces the calling key with a new one that reaches the same (seed 004's `POST
    /// /auth/me/rotate-key`): the old key stops working at once, on this node and — since
    /// keys are read again after [`super::lookups::KEY_TTL`] — on every other within that
    /// time. Answers the new key, shown only now.
    pub async fn rotate_key(&self, caller: &Caller) -> ServiceResult<String> {
        let kind = match caller.principal {
            Principal::Account(_) => KeyKind::Account,
            Principal::Instance { .. } => KeyKind::Instance,
            Principal::Admin | Principal::AdminFor(_) => {
                return Err(ServiceError::Forbidden(
                    "the admin key is set in the server's configuration, not rotated here"
                        .to_owned(),
                ));
            }
        };
        let (key_id, key, hash) = generate_key_as(kind, self.accounts.key_format);
        if !self
            .store
            .replace_api_key(&caller.key, &key_id, &hash)
            .await?
        {
            return Err(ServiceError::Unauthorized(
                "the key was already replaced".to_owned(),
            ));
        }
        self.lookups.forget_keys();
        Ok(key)
    }

    /// Counts one registration from `address`; `None` when no address is known.
    pub fn count_registration(&self, address: Option<IpAddr>) -> Option<super::RateDecision> {
        address.map(|address| self.rate_limiter.count_registration(address))
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registration_needs_a_name_and_a_plausible_email() {
        let mut errors = ValidationErrors::default();
        assert_eq!(check_name(Some("  Your Name "), &mut errors), "Your Name");
        assert_eq!(
            check_email(Some("you@example.com"), &mut errors),
            "you@example.com"
        );
        assert!(errors.is_empty());
        for bad in [
            "",
            "you",
            "you@",
            "@example.com",
            "you@example",
            "y ou@example.com",
            "a@b@c.com",
        ] {
            let mut errors = ValidationErrors::default();
            check_email(Some(bad), &mut errors);
            assert!(!errors.is_empty(), "{bad:?} passed");
        }
        let mut errors = ValidationErrors::default();
        check_name(None, &mut errors);
        check_email(None, &mut errors);
        assert_eq!(errors.0.len(), 2);
    }
}
