//! Keeping a file: its bytes streamed into the object store under the account, then recorded.
//! Uploads, files fetched for sends and files people send to a web number all go this way.

use super::{MediaError, MediaStorage, detect};
use bytes::Bytes;
use futures_util::Stream;
use uuid::Uuid;
use wagate_core::{AccountId, InstanceId};
use wagate_store::{MediaRecord, Store, StoreError};

pub const FALLBACK_TYPE: &str = "application/octet-stream";

#[derive(Debug, thiserror::Error)]
pub enum KeepError {
    #[error(transparent)]
    Media(#[from] MediaError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Whose a kept file is: the account's, and the instance's that uploaded, sends or received
/// it (none for the account key's uploads).
#[derive(Clone, Copy, Debug)]
pub struct Owner<'a> {
    pub account: &'a AccountId,
    pub instance: Option<&'a InstanceId>,
}

impl<'a> Owner<'a> {
    pub fn instance(instance: &'a wagate_store::InstanceRecord) -> Self {
        Self {
            account: &instance.account_id,
            instance: Some(&instance.id),
        }
    }
}

/// The content type of stored bytes: what the bytes say, else what the sender declared.
pub fn content_type(head: &[u8], declared: Option<&str>) -> String {
    detect(head)
        .map(str::to_owned)
        .or_else(|| {
            declared
                .map(|d| d.split(';').next().unwrap_or(d).trim().to_lowercase())
                .filter(|d| d.contains('/'))
        })
        .unwrap_or_else(|| FALLBACK_TYPE.to_owned())
}

/// Streams `chunks` (at most `limit` bytes) into the store and records the file as the
/// account's and, when given, the instance's; a file whose record cannot be written is removed
/// again.
pub async fn keep_file<S>(
    store: &Store,
    storage: &MediaStorage,
    owner: Owner<'_>,
    chunks: S,
    declared_type: Option<&str>,
    file_name: Option<String>,
    limit: u64,
) -> Result<MediaRecord, KeepError>
where
    S: Stream<Item = Result<Bytes, MediaError>> + Unpin,
{
    let id = format!("med_{}", Uuid::now_v7().simple());
    let key = format!("{}/{id}", owner.account.as_str());
    let blob = storage.put_stream(&key, chunks, limit).await?;
    let record = MediaRecord {
        id,
        account_id: owner.account.clone(),
        instance_id: owner.instance.cloned(),
        mimetype: content_type(&blob.head, declared_type),
        size: blob.size as i64,
        sha256: blob.sha256,
        file_name,
        storage_key: key.clone(),
        created_at: chrono::Utc::now(),
    };
    if let Err(error) = store.insert_media(&record).await {
        let _ = storage.delete(&key).await;
        return Err(error.into());
    }
    Ok(record)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bytes_win_over_the_declared_type() {
        assert_eq!(
            content_type(b"%PDF-1.4", Some("image/png")),
            "application/pdf"
        );
        assert_eq!(
            content_type(b"plain words", Some("text/plain; charset=utf-8")),
            "text/plain"
        );
        assert_eq!(content_type(b"plain words", None), FALLBACK_TYPE);
    }
}
