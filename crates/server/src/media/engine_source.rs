//! How engines read wagate's files: the cloud engine uploads a file to Meta before a message
//! can carry it, and reads its bytes from the media store through this.

use super::MediaStorage;
use async_trait::async_trait;
use futures_util::TryStreamExt;
use wagate_core::MediaRef;
use wagate_engine::EngineError;
use wagate_engine::cloud::engine::MediaSource;
use wagate_store::Store;

pub struct StoredMedia {
    store: Store,
    storage: MediaStorage,
}

impl StoredMedia {
    pub fn new(store: Store, storage: MediaStorage) -> Self {
        Self { store, storage }
    }
}

#[async_trait]
impl MediaSource for StoredMedia {
    async fn read(&self, media: &MediaRef) -> Result<Vec<u8>, EngineError> {
        let record = self
            .store
            .find_media_anywhere(&media.media_id)
            .await
            .map_err(|e| EngineError::Transient(format!("the media store could not be read: {e}")))?
            .ok_or_else(|| EngineError::Permanent {
                failure: wagate_engine::SendFailure::InvalidContent,
                message: format!(
                    "the file {} is no longer in the media store",
                    media.media_id
                ),
            })?;
        let stream =
            self.storage.open(&record.storage_key).await.map_err(|e| {
                EngineError::Transient(format!("the file could not be opened: {e}"))
            })?;
        let chunks: Vec<bytes::Bytes> = stream
            .try_collect()
            .await
            .map_err(|e| EngineError::Transient(format!("the file could not be read: {e}")))?;
        Ok(chunks.concat())
    }
}
