//! How engines reach wagate's files: the cloud and web engines upload a file to WhatsApp
//! before a message can carry it and read its bytes through this; the web engine keeps the
//! files people send through it too.

use super::MediaStorage;
use async_trait::async_trait;
use futures_util::TryStreamExt;
use wagate_core::InstanceId;
use wagate_core::MediaRef;
use wagate_engine::EngineError;
use wagate_engine::{MediaSink, MediaSource};
use wagate_store::Store;

/// The largest file a web number keeps: WhatsApp's own limit for documents (2 GB).
const LARGEST_RECEIVED_FILE: u64 = 2 * 1024 * 1024 * 1024;

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

#[async_trait]
impl MediaSink for StoredMedia {
    async fn save(
        &self,
        instance: &InstanceId,
        bytes: Vec<u8>,
        mimetype: &str,
        file_name: Option<String>,
    ) -> Result<MediaRef, EngineError> {
        let unavailable = |e: &dyn std::fmt::Display| {
            EngineError::Transient(format!("the media store could not keep the file: {e}"))
        };
        let instance = self
            .store
            .get_instance(instance)
            .await
            .map_err(|e| unavailable(&e))?
            .ok_or_else(|| EngineError::InvalidState("the instance is gone".to_owned()))?;
        let chunks = futures_util::stream::iter([Ok(bytes::Bytes::from(bytes))]);
        let record = super::keep_file(
            &self.store,
            &self.storage,
            super::Owner::instance(&instance),
            chunks,
            Some(mimetype),
            file_name,
            LARGEST_RECEIVED_FILE,
        )
        .await
        .map_err(|e| unavailable(&e))?;
        Ok(MediaRef {
            media_id: record.id,
            mimetype: record.mimetype,
            size: record.size as u64,
            sha256: record.sha256,
            file_name: record.file_name,
        })
    }
}
