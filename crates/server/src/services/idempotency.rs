//! `Idempotency-Key`, as seed 004 describes it: the same key with the same request within
//! 24 hours gets the first response again; with another request it is a conflict. Two
//! requests racing with one key: the second waits for the first's answer.
//!
//! A record belongs to the API key that made the request (within its account): a replay goes
//! only to the holder of that key, who was authenticated for this request and was authorized
//! for the first, so no key is answered what another key's request created or was shown (a
//! webhook's signing secret). Recorded answers are sealed with the secrets key, as such an
//! answer can hold a once-shown secret.

use super::{Caller, Gateway, ServiceError, ServiceResult};
use chrono::Utc;
use std::time::Duration;
use wagate_core::AccountId;
use wagate_store::{IdempotencyClaim, StoredResponse};

/// How long a key's response is replayed.
const KEY_LIFETIME: chrono::Duration = chrono::Duration::hours(24);
/// How long a request waits for another one holding its key before giving up with 409.
const WAIT_FOR_HOLDER: Duration = Duration::from_secs(10);
/// A claim this old that never got its response belonged to a server that died mid-request.
const ABANDONED_AFTER: chrono::Duration = chrono::Duration::minutes(2);
const POLL: Duration = Duration::from_millis(25);
const MAX_KEY_CHARS: usize = 255;

/// What to do with a request that carries a key.
#[derive(Debug)]
pub enum IdempotentStart {
    /// Run it and record the response.
    Run,
    /// Answer the recorded response.
    Replay(StoredResponse),
}

impl Gateway {
    /// Claims `key` for a request whose method, path and body hash to `fingerprint`.
    pub async fn begin_idempotent(
        &self,
        caller: &Caller,
        key: &str,
        fingerprint: &str,
    ) -> ServiceResult<IdempotentStart> {
        let valid = !key.is_empty()
            && key.chars().count() <= MAX_KEY_CHARS
            && key.chars().all(|c| c.is_ascii_graphic() || c == ' ');
        if !valid {
            return Err(ServiceError::field(
                "Idempotency-Key",
                format!("must be 1 to {MAX_KEY_CHARS} printable ASCII characters"),
            ));
        }
        let account = caller.principal.account()?;
        let deadline = tokio::time::Instant::now() + WAIT_FOR_HOLDER;
        loop {
            let claim = self
                .store
                .claim_idempotency_key(
                    account,
                    &caller.key,
                    key,
                    fingerprint,
                    Utc::now() - KEY_LIFETIME,
                    Utc::now() - ABANDONED_AFTER,
                )
                .await?;
            match claim {
                IdempotencyClaim::Claimed => return Ok(IdempotentStart::Run),
                IdempotencyClaim::Completed(mut stored) if stored.fingerprint == fingerprint => {
                    stored.body = self.open_recorded(account, caller, key, &stored.body)?;
                    return Ok(IdempotentStart::Replay(stored));
                }
                IdempotencyClaim::InProgress { fingerprint: held }
                    if held == fingerprint && tokio::time::Instant::now() < deadline =>
                {
                    tokio::time::sleep(POLL).await;
                }
                IdempotencyClaim::InProgress { fingerprint: held } if held == fingerprint => {
                    return Err(ServiceError::IdempotencyConflict(
                        "a request with this Idempotency-Key is still in progress; try again later"
                            .to_owned(),
                    ));
                }
                _ => {
                    return Err(ServiceError::IdempotencyConflict(
                        "this Idempotency-Key was used for a different request in the last 24 hours"
                            .to_owned(),
                    ));
                }
            }
        }
    }

    /// Records the response for `key`, to be replayed.
    pub async fn finish_idempotent(
        &self,
        caller: &Caller,
        key: &str,
        status: u16,
        content_type: Option<&str>,
        body: &str,
    ) -> ServiceResult<()> {
        let account = caller.principal.account()?;
        let body = self.seal_recorded(account, caller, key, &without_keys(body));
        self.store
            .complete_idempotency_key(account, &caller.key, key, status, content_type, &body)
            .await?;
        Ok(())
    }

    fn seal_recorded(&self, account: &AccountId, caller: &Caller, key: &str, body: &str) -> String {
        self.secrets
            .seal(&record_context(account, caller, key), body)
    }

    fn open_recorded(
        &self,
        account: &AccountId,
        caller: &Caller,
        key: &str,
        sealed: &str,
    ) -> ServiceResult<String> {
        self.secrets
            .open(&record_context(account, caller, key), sealed)
            .map_err(|error| {
                tracing::error!(%error, "a recorded idempotent response cannot be opened");
                ServiceError::IdempotencyConflict(
                    "the first response to this Idempotency-Key cannot be read back (was the \
                     secrets key changed?); use a new key"
                        .to_owned(),
                )
            })
    }

    /// Frees `key` after a response not worth keeping (a server error): the client's retry
    /// runs again.
    pub async fn abandon_idempotent(&self, caller: &Caller, key: &str) -> ServiceResult<()> {
        let account = caller.principal.account()?;
        self.store
            .release_idempotency_key(account, &caller.key, key)
            .await?;
        Ok(())
    }

    /// Forgets keys past their 24 hours.
    pub async fn purge_idempotency_keys(&self) -> ServiceResult<u64> {
        Ok(self
            .store
            .purge_idempotency_keys(Utc::now() - KEY_LIFETIME)
            .await?)
    }
}

/// What a recorded response is sealed for: it opens only as the record of this key's request.
fn record_context(account: &AccountId, caller: &Caller, key: &str) -> String {
    format!("idempotency/{account}/{}/{key}", caller.key)
}

/// API keys are stored only as hashes, so a recorded response must not keep one: a replay
/// says the key was shown once instead.
fn without_keys(body: &str) -> String {
    let Ok(mut json) = serde_json::from_str::<serde_json::Value>(body) else {
        return body.to_owned();
    };
    match json.pointer_mut("/data/apiKey") {
        Some(key) if key.is_string() => {
            *key = serde_json::Value::Null;
            json["data"]["apiKeyNote"] =
                serde_json::json!("the key was shown once, in the first response");
            json.to_string()
        }
        _ => body.to_owned(),
    }
}
