//! The polls this number sent, kept so that votes on them can be read.
//!
//! A vote arrives encrypted with the poll's secret and names the chosen options only by the
//! SHA-256 of their text, so each poll's secret and options are kept with the instance's keys
//! (the `wagate-polls` space), written before the poll is sent under its WhatsApp id.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use wagate_core::InstanceId;
use wagate_engine::EngineError;
use wagate_store::{EngineKey, Store};

const SPACE: &str = "wagate-polls";

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SentPoll {
    /// Hex of the 32-byte secret.
    pub secret: String,
    pub options: Vec<String>,
}

impl SentPoll {
    pub fn new(secret: &[u8; 32], options: &[String]) -> Self {
        Self {
            secret: hex::encode(secret),
            options: options.to_vec(),
        }
    }

    pub fn secret_bytes(&self) -> Vec<u8> {
        hex::decode(&self.secret).unwrap_or_default()
    }

    /// The options whose hashes a decrypted vote names, in the poll's order.
    pub fn chosen(&self, hashes: &[Vec<u8>]) -> Vec<String> {
        self.options
            .iter()
            .filter(|option| {
                let hash = Sha256::digest(option.as_bytes());
                hashes.iter().any(|chosen| chosen[..] == hash[..])
            })
            .cloned()
            .collect()
    }
}

fn store_error(error: wagate_store::StoreError) -> EngineError {
    EngineError::Transient(format!("the key store failed: {error}"))
}

pub async fn remember(
    store: &Store,
    instance: &InstanceId,
    whatsapp_id: &str,
    poll: &SentPoll,
) -> Result<(), EngineError> {
    let value = serde_json::to_vec(poll).expect("a poll serialises");
    store
        .put_engine_keys(instance, SPACE, &[EngineKey::new(whatsapp_id, value)])
        .await
        .map_err(store_error)
}

pub async fn recall(
    store: &Store,
    instance: &InstanceId,
    whatsapp_id: &str,
) -> Result<Option<SentPoll>, EngineError> {
    let stored = store
        .engine_key(instance, SPACE, whatsapp_id)
        .await
        .map_err(store_error)?;
    Ok(stored.and_then(|row| serde_json::from_slice(&row.value).ok()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_vote_names_the_options_whose_hashes_it_carries() {
        let poll = SentPoll::new(
            &[7; 32],
            &["Pizza".to_owned(), "Sushi".to_owned(), "Tacos".to_owned()],
        );
        assert_eq!(poll.secret_bytes(), vec![7; 32]);
        let hash = |text: &str| Sha256::digest(text.as_bytes()).to_vec();
        assert_eq!(
            poll.chosen(&[hash("Tacos"), hash("Pizza")]),
            vec!["Pizza", "Tacos"]
        );
        assert!(poll.chosen(&[hash("Burgers")]).is_empty());
        assert!(poll.chosen(&[]).is_empty(), "a vote withdrawn");
    }

    #[tokio::test]
    async fn polls_are_kept_per_instance_until_the_keys_are_wiped() {
        let sqlite = wagate_store::testing::sqlite().await;
        let store = &sqlite.store;
        let instance = wagate_store::testing::seed_instance(store, "polls").await;
        let other = wagate_store::testing::seed_instance(store, "others").await;
        let poll = SentPoll::new(&[1; 32], &["Yes".to_owned(), "No".to_owned()]);
        remember(store, &instance.id, "3EB0POLL", &poll)
            .await
            .unwrap();
        assert_eq!(
            recall(store, &instance.id, "3EB0POLL").await.unwrap(),
            Some(poll)
        );
        assert_eq!(recall(store, &other.id, "3EB0POLL").await.unwrap(), None);
        store.wipe_engine_keys(&instance.id).await.unwrap();
        assert_eq!(recall(store, &instance.id, "3EB0POLL").await.unwrap(), None);
    }
}
