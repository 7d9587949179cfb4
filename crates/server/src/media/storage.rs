//! Bytes in an object store, written as a stream.

use bytes::Bytes;
use futures_util::{Stream, StreamExt};
use object_store::path::Path as ObjectPath;
use object_store::{ObjectStore, ObjectStoreExt, WriteMultipart};
use sha2::{Digest, Sha256};
use std::sync::Arc;

/// How many leading bytes are kept to tell what a file is.
const HEAD_BYTES: usize = 8192;

#[derive(Debug, thiserror::Error)]
pub enum MediaError {
    #[error("the file is larger than {limit} bytes")]
    TooLarge { limit: u64 },
    #[error("the file could not be read: {0}")]
    Read(String),
    #[error("the media store failed: {0}")]
    Storage(#[from] object_store::Error),
}

/// What was written: its size, its hash and its first bytes.
#[derive(Debug, Clone)]
pub struct StoredBlob {
    pub size: u64,
    pub sha256: String,
    pub head: Vec<u8>,
}

#[derive(Clone, Debug)]
pub struct MediaStorage {
    objects: Arc<dyn ObjectStore>,
}

impl MediaStorage {
    pub fn new(objects: Arc<dyn ObjectStore>) -> Self {
        Self { objects }
    }

    /// A directory on this machine.
    pub fn local(dir: &std::path::Path) -> std::io::Result<Self> {
        std::fs::create_dir_all(dir)?;
        let store = object_store::local::LocalFileSystem::new_with_prefix(dir)
            .map_err(std::io::Error::other)?;
        Ok(Self::new(Arc::new(store)))
    }

    /// An S3-compatible bucket.
    pub fn s3(config: &crate::config::S3Config) -> Result<Self, object_store::Error> {
        let mut builder = object_store::aws::AmazonS3Builder::from_env()
            .with_bucket_name(config.bucket.trim())
            .with_region(config.region.trim())
            .with_allow_http(config.allow_http)
            .with_virtual_hosted_style_request(!config.path_style);
        if !config.endpoint.trim().is_empty() {
            builder = builder.with_endpoint(config.endpoint.trim());
        }
        if !config.access_key_id.is_empty() {
            builder = builder
                .with_access_key_id(&config.access_key_id)
                .with_secret_access_key(&config.secret_access_key);
        }
        let store = builder.build()?;
        let prefix = config.prefix.trim().trim_matches('/');
        Ok(if prefix.is_empty() {
            Self::new(Arc::new(store))
        } else {
            Self::new(Arc::new(object_store::prefix::PrefixStore::new(
                store, prefix,
            )))
        })
    }

    /// Streams `chunks` to `key`, refusing (and removing) anything over `limit` bytes. A
    /// chunk that fails ends the upload with that chunk's error.
    pub async fn put_stream<S>(
        &self,
        key: &str,
        mut chunks: S,
        limit: u64,
    ) -> Result<StoredBlob, MediaError>
    where
        S: Stream<Item = Result<Bytes, MediaError>> + Unpin,
    {
        let path = ObjectPath::from(key);
        let upload = self.objects.put_multipart(&path).await?;
        let mut writer = WriteMultipart::new(upload);
        let mut hasher = Sha256::new();
        let mut size: u64 = 0;
        let mut head = Vec::new();
        let failure = loop {
            let chunk = match chunks.next().await {
                None => break None,
                Some(Err(error)) => break Some(error),
                Some(Ok(chunk)) => chunk,
            };
            size += chunk.len() as u64;
            if size > limit {
                break Some(MediaError::TooLarge { limit });
            }
            if head.len() < HEAD_BYTES {
                let take = (HEAD_BYTES - head.len()).min(chunk.len());
                head.extend_from_slice(&chunk[..take]);
            }
            hasher.update(&chunk);
            if let Err(error) = writer.wait_for_capacity(2).await {
                break Some(error.into());
            }
            writer.write(&chunk);
        };
        if let Some(error) = failure {
            let _ = writer.abort().await;
            return Err(error);
        }
        writer.finish().await?;
        Ok(StoredBlob {
            size,
            sha256: hex::encode(hasher.finalize()),
            head,
        })
    }

    /// Writes bytes already in memory (small inline uploads).
    pub async fn put_bytes(
        &self,
        key: &str,
        bytes: Bytes,
        limit: u64,
    ) -> Result<StoredBlob, MediaError> {
        let chunks = futures_util::stream::iter([Ok(bytes)]);
        self.put_stream(key, chunks, limit).await
    }

    /// The bytes at `key`, as a stream.
    pub async fn open(
        &self,
        key: &str,
    ) -> Result<impl Stream<Item = Result<Bytes, object_store::Error>> + Send + use<>, MediaError>
    {
        let result = self.objects.get(&ObjectPath::from(key)).await?;
        Ok(result.into_stream())
    }

    pub async fn delete(&self, key: &str) -> Result<(), MediaError> {
        match self.objects.delete(&ObjectPath::from(key)).await {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
            Err(error) => Err(error.into()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn streams_are_hashed_measured_and_capped() {
        let dir = tempfile::tempdir().unwrap();
        let storage = MediaStorage::local(dir.path()).unwrap();
        let chunks = futures_util::stream::iter(vec![
            Ok(Bytes::from_static(b"hello ")),
            Ok(Bytes::from_static(b"world")),
        ]);
        let blob = storage.put_stream("a/b", chunks, 100).await.unwrap();
        assert_eq!(blob.size, 11);
        assert_eq!(blob.sha256, hex::encode(Sha256::digest(b"hello world")));
        let read: Vec<Bytes> = storage
            .open("a/b")
            .await
            .unwrap()
            .map(|c| c.unwrap())
            .collect()
            .await;
        assert_eq!(read.concat(), b"hello world");

        let too_big = storage
            .put_bytes("a/c", Bytes::from(vec![0u8; 101]), 100)
            .await;
        assert!(matches!(too_big, Err(MediaError::TooLarge { limit: 100 })));
        assert!(storage.open("a/c").await.is_err(), "nothing is left behind");
        storage.delete("a/b").await.unwrap();
        storage.delete("a/b").await.unwrap();
    }
}
