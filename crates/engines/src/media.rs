//! How engines reach wagate's media store, which the gateway owns: engines read a file before
//! WhatsApp can carry it (the Cloud API and WhatsApp Web both upload it first), and hand over
//! the files people send so they are kept with the message.

use async_trait::async_trait;
use wagate_core::{InstanceId, MediaRef};

use crate::EngineError;

/// Reads the bytes of a file in wagate's media store.
#[async_trait]
pub trait MediaSource: Send + Sync {
    async fn read(&self, media: &MediaRef) -> Result<Vec<u8>, EngineError>;
}

/// Keeps a file someone sent to an instance, in the media store of the instance's account.
#[async_trait]
pub trait MediaSink: Send + Sync {
    async fn save(
        &self,
        instance: &InstanceId,
        bytes: Vec<u8>,
        mimetype: &str,
        file_name: Option<String>,
    ) -> Result<MediaRef, EngineError>;
}
