//! API keys and who holds them.
//!
//! A key is a random token shown once; only its SHA-256 is stored. A fast hash is right here:
//! the tokens have 192 bits of entropy, and the lookup runs on every request.

use super::{Gateway, ServiceError, ServiceResult};
use rand::RngCore;
use sha2::{Digest, Sha256};
use wagate_core::{AccountId, ApiKeyId, InstanceId};
use wagate_store::KeyScope;

/// Who is calling, as their key says.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Principal {
    /// Manages accounts.
    Admin,
    /// The admin key acting for one account (`X-Account-Id`): everything an account key may
    /// do there, and the operator's own settings (a cloud number's Graph API endpoint).
    AdminFor(AccountId),
    /// Reaches everything of one account.
    Account(AccountId),
    /// Reaches one instance of one account.
    Instance {
        account: AccountId,
        instance: InstanceId,
    },
}

impl Principal {
    /// The account the caller acts for; the admin key acts for none.
    pub fn account(&self) -> ServiceResult<&AccountId> {
        match self {
            Self::Account(account) | Self::AdminFor(account) | Self::Instance { account, .. } => {
                Ok(account)
            }
            Self::Admin => Err(ServiceError::Forbidden(
                "the admin key manages accounts; use an account or instance key for this, or \
                 name the account with X-Account-Id"
                    .to_owned(),
            )),
        }
    }

    /// Only account keys (not instance keys) may manage the account's instances.
    pub fn account_manager(&self) -> ServiceResult<&AccountId> {
        match self {
            Self::Account(account) | Self::AdminFor(account) => Ok(account),
            Self::Instance { .. } => Err(ServiceError::Forbidden(
                "an instance key reaches only its instance; use the account key for this"
                    .to_owned(),
            )),
            Self::Admin => self.account(),
        }
    }

    pub fn require_admin(&self) -> ServiceResult<()> {
        match self {
            Self::Admin | Self::AdminFor(_) => Ok(()),
            _ => Err(ServiceError::Forbidden(
                "this needs the admin key".to_owned(),
            )),
        }
    }

    /// Whether the caller holds the admin key (the operator).
    pub fn is_operator(&self) -> bool {
        matches!(self, Self::Admin | Self::AdminFor(_))
    }

    /// The one instance an instance key is limited to.
    pub fn instance_limit(&self) -> Option<&InstanceId> {
        match self {
            Self::Instance { instance, .. } => Some(instance),
            _ => None,
        }
    }
}

/// What a new key is for; the prefix tells a person which kind of key they hold.
#[derive(Clone, Copy, Debug)]
pub enum KeyKind {
    Admin,
    Account,
    Instance,
}

impl KeyKind {
    fn prefix(self) -> &'static str {
        match self {
            Self::Admin => "wga_",
            Self::Account => "wgk_",
            Self::Instance => "wgi_",
        }
    }
}

pub fn hash_key(key: &str) -> String {
    hex::encode(Sha256::digest(key.as_bytes()))
}

/// How account keys are written: wagate's `wgk_` + 48 hex characters, or seed 004's
/// `sk_live_` + 48 hex characters, for clients that check the shape of their key. Admin and
/// instance keys keep wagate's prefixes either way.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum KeyFormat {
    #[default]
    Wagate,
    Whatsapi,
}

impl std::str::FromStr for KeyFormat {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim() {
            "wagate" => Ok(Self::Wagate),
            "whatsapi" => Ok(Self::Whatsapi),
            other => Err(format!(
                "unknown key format {other:?} (\"wagate\" or \"whatsapi\")"
            )),
        }
    }
}

/// A new key: its id, the secret to show once, and the hash to store.
pub fn generate_key(kind: KeyKind) -> (ApiKeyId, String, String) {
    generate_key_as(kind, KeyFormat::Wagate)
}

/// A new key written in `format`.
pub fn generate_key_as(kind: KeyKind, format: KeyFormat) -> (ApiKeyId, String, String) {
    let mut secret = [0u8; 24];
    rand::rng().fill_bytes(&mut secret);
    let prefix = match (kind, format) {
        (KeyKind::Account, KeyFormat::Whatsapi) => "sk_live_",
        _ => kind.prefix(),
    };
    let key = format!("{prefix}{}", hex::encode(secret));
    let hash = hash_key(&key);
    (ApiKeyId::generate(), key, hash)
}

/// A caller: the key they came with and what it lets them do. Records kept for a caller
/// (idempotent responses) belong to the key, not only to its account.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Caller {
    pub key: ApiKeyId,
    pub principal: Principal,
}

impl Gateway {
    /// Resolves a presented key to its holder; `None` for unknown keys.
    pub async fn authenticate(&self, key: &str) -> ServiceResult<Option<Caller>> {
        let hash = hash_key(key.trim());
        if let Some(caller) = self.lookups.key(&hash) {
            return Ok(Some(caller));
        }
        let Some(record) = self.store.find_api_key(&hash).await? else {
            return Ok(None);
        };
        let principal = match record.scope {
            KeyScope::Admin => Principal::Admin,
            KeyScope::Account(account) => Principal::Account(account),
            KeyScope::Instance(account, instance) => Principal::Instance { account, instance },
        };
        let caller = Caller {
            key: record.id,
            principal,
        };
        self.lookups.remember_key(hash, caller.clone());
        Ok(Some(caller))
    }

    /// The caller acting for the account `X-Account-Id` names: the admin key acts for any
    /// account there is; any other key only for its own.
    pub async fn acting_for(&self, caller: Caller, account: &str) -> ServiceResult<Caller> {
        let account = account.trim();
        match &caller.principal {
            Principal::Admin | Principal::AdminFor(_) => {
                let id = AccountId::parse(account).ok_or(ServiceError::NotFound("account"))?;
                if self.store.get_account(&id).await?.is_none() {
                    return Err(ServiceError::NotFound("account"));
                }
                Ok(Caller {
                    principal: Principal::AdminFor(id),
                    ..caller
                })
            }
            principal if principal.account()?.as_str() == account => Ok(caller),
            _ => Err(ServiceError::Forbidden(
                "X-Account-Id names another account; only the admin key acts for other accounts"
                    .to_owned(),
            )),
        }
    }

    /// Makes sure an admin key exists. With `configured`, that key is accepted; otherwise a
    /// key is generated on first start and returned so it can be printed once.
    pub async fn ensure_admin_key(
        &self,
        configured: Option<&str>,
    ) -> ServiceResult<Option<String>> {
        if let Some(key) = configured {
            self.store
                .add_admin_key(&ApiKeyId::generate(), &hash_key(key.trim()))
                .await?;
            return Ok(None);
        }
        if self.store.has_admin_key().await? {
            return Ok(None);
        }
        let (id, key, hash) = generate_key(KeyKind::Admin);
        self.store.add_admin_key(&id, &hash).await?;
        Ok(Some(key))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_random_prefixed_and_hashed() {
        let (_, key, hash) = generate_key(KeyKind::Account);
        assert!(key.starts_with("wgk_"));
        assert_eq!(key.len(), 4 + 48);
        assert_eq!(hash, hash_key(&key));
        assert_ne!(generate_key(KeyKind::Account).1, key);
    }

    #[test]
    fn account_keys_may_be_written_as_seed_004_writes_them() {
        let (_, key, hash) = generate_key_as(KeyKind::Account, KeyFormat::Whatsapi);
        assert!(key.starts_with("sk_live_"));
        let hex = &key["sk_live_".len()..];
        assert_eq!(hex.len(), 48);
        assert!(hex.chars().all(|c| c.is_ascii_hexdigit()));
        assert_eq!(hash, hash_key(&key));
        let (_, instance, _) = generate_key_as(KeyKind::Instance, KeyFormat::Whatsapi);
        assert!(instance.starts_with("wgi_"));
        assert_eq!("whatsapi".parse(), Ok(KeyFormat::Whatsapi));
        assert!("sk_live".parse::<KeyFormat>().is_err());
    }

    #[test]
    fn instance_keys_cannot_manage_the_account() {
        let principal = Principal::Instance {
            account: AccountId::generate(),
            instance: InstanceId::generate(),
        };
        assert!(principal.account().is_ok());
        assert!(principal.account_manager().is_err());
        assert!(Principal::Admin.account().is_err());
    }
}
