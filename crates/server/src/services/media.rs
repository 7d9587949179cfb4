//! Media: uploads, downloads, and the files that media messages carry.
//!
//! Every file — uploaded, sent inline as base64, downloaded from a URL — is streamed into the
//! media store, identified from its bytes, and recorded. A media message then refers to the
//! record; the checks of its kind (accepted types, size limit) apply when it is sent.
//!
//! A file belongs to the instance that uploaded, sent or received it (or to the account, when
//! the account key uploaded it). An instance key reaches only its instance's files — reading,
//! deleting, or naming one by `mediaId` — and meets another's as if it did not exist; the
//! account key reaches every file of the account.

use super::send_parse::{MediaKind as SendKind, MediaSource};
use super::{Gateway, Principal, ServiceError, ServiceResult};
use crate::media::{
    FetchError, KeepError, MediaError, MediaKind, Owner, is_animated_webp, keep_file,
};
use base64::Engine as _;
use bytes::Bytes;
use futures_util::{Stream, TryStreamExt};
use wagate_core::{InstanceId, MediaRef};
use wagate_store::{InstanceRecord, MediaRecord, MessageRecord};

/// Whose files a request may name by `mediaId` when it acts on an instance.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum MediaReach {
    /// Every file of the account: the account key, and the gateway's own sends.
    Account,
    /// Only the instance's own files: an instance key (which reaches no other instance).
    Instance,
}

impl MediaReach {
    pub(crate) fn of(principal: &Principal) -> Self {
        match principal.instance_limit() {
            Some(_) => Self::Instance,
            None => Self::Account,
        }
    }

    /// The instance lookups are limited to when acting on `instance`.
    pub(crate) fn limit(self, instance: &InstanceId) -> Option<&InstanceId> {
        match self {
            Self::Account => None,
            Self::Instance => Some(instance),
        }
    }
}

impl From<SendKind> for MediaKind {
    fn from(kind: SendKind) -> Self {
        match kind {
            SendKind::Image => Self::Image,
            SendKind::Video => Self::Video,
            SendKind::Audio => Self::Audio,
            SendKind::Document => Self::Document,
            SendKind::Sticker => Self::Sticker,
        }
    }
}

fn media_error(error: MediaError) -> ServiceError {
    match error {
        MediaError::TooLarge { limit } => ServiceError::PayloadTooLarge(format!(
            "the file is larger than the {limit} bytes allowed"
        )),
        MediaError::Read(message) => {
            ServiceError::field("file", format!("could not be read: {message}"))
        }
        MediaError::Storage(error) => {
            ServiceError::EngineUnavailable(format!("the media store failed: {error}"))
        }
    }
}

pub(super) fn fetch_error(field: &str, error: FetchError) -> ServiceError {
    match error {
        FetchError::TooLarge { limit } => ServiceError::PayloadTooLarge(format!(
            "the file at {field} is larger than the {limit} bytes allowed"
        )),
        other => ServiceError::field(field, other.to_string()),
    }
}

impl Gateway {
    /// Streams a file into the media store and records it as `owner`'s.
    pub(crate) async fn store_media<S>(
        &self,
        owner: Owner<'_>,
        chunks: S,
        declared_type: Option<&str>,
        file_name: Option<String>,
        limit: u64,
    ) -> ServiceResult<MediaRecord>
    where
        S: Stream<Item = Result<Bytes, MediaError>> + Unpin,
    {
        keep_file(
            &self.store,
            &self.media,
            owner,
            chunks,
            declared_type,
            file_name,
            limit,
        )
        .await
        .map_err(|error| match error {
            KeepError::Media(error) => media_error(error),
            KeepError::Store(error) => error.into(),
        })
    }

    /// `POST /api/v1/media`: any file up to the largest size any kind allows; an instance
    /// key's upload is its instance's.
    pub async fn upload_media<S>(
        &self,
        principal: &Principal,
        chunks: S,
        declared_type: Option<&str>,
        file_name: Option<String>,
    ) -> ServiceResult<MediaRecord>
    where
        S: Stream<Item = Result<Bytes, MediaError>> + Unpin,
    {
        let limit = self.media_limits.largest();
        let owner = Owner {
            account: principal.account()?,
            instance: principal.instance_limit(),
        };
        self.store_media(owner, chunks, declared_type, file_name, limit)
            .await
    }

    /// The largest file any kind of media may be.
    pub fn largest_media(&self) -> u64 {
        self.media_limits.largest()
    }

    pub async fn find_media(&self, principal: &Principal, id: &str) -> ServiceResult<MediaRecord> {
        let account = principal.account()?;
        self.store
            .find_media(account, principal.instance_limit(), id.trim())
            .await?
            .ok_or(ServiceError::NotFound("media"))
    }

    /// The bytes of a stored file.
    pub async fn open_media(
        &self,
        record: &MediaRecord,
    ) -> ServiceResult<impl Stream<Item = Result<Bytes, object_store::Error>> + Send + use<>> {
        self.media
            .open(&record.storage_key)
            .await
            .map_err(media_error)
    }

    pub async fn delete_media(&self, principal: &Principal, id: &str) -> ServiceResult<()> {
        let record = self.find_media(principal, id).await?;
        self.store
            .delete_media(&record.account_id, principal.instance_limit(), &record.id)
            .await?;
        self.media
            .delete(&record.storage_key)
            .await
            .map_err(media_error)?;
        Ok(())
    }

    /// Turns the media of a send into a stored, checked file of the right kind: 413 when it is
    /// larger than the kind allows, 415 when its bytes are not what the kind takes. Files kept
    /// for it are the instance's; a `mediaId` must be within `reach`.
    pub(crate) async fn media_for_send(
        &self,
        instance: &InstanceRecord,
        reach: MediaReach,
        kind: SendKind,
        source: MediaSource,
        file_name: Option<String>,
    ) -> ServiceResult<MediaRef> {
        let kind = MediaKind::from(kind);
        let field = kind.name();
        let largest = self.media_limits.largest();
        let (record, head) = match source {
            MediaSource::MediaId(id) => {
                let record = self
                    .store
                    .find_media(&instance.account_id, reach.limit(&instance.id), id.trim())
                    .await?
                    .ok_or_else(|| {
                        ServiceError::field(&format!("{field}.mediaId"), "no such upload")
                    })?;
                let head = if kind == MediaKind::Sticker {
                    self.media_head(&record).await?
                } else {
                    Vec::new()
                };
                (record, head)
            }
            MediaSource::Base64 { data, mimetype } => {
                let encoded = data
                    .split_once(";base64,")
                    .map_or(data.as_str(), |(_, rest)| rest)
                    .trim();
                if (encoded.len() as u64) / 4 * 3 > largest {
                    return Err(ServiceError::PayloadTooLarge(format!(
                        "{field}.base64 is larger than the {largest} bytes allowed"
                    )));
                }
                let bytes = base64::engine::general_purpose::STANDARD
                    .decode(encoded)
                    .map_err(|e| {
                        ServiceError::field(
                            &format!("{field}.base64"),
                            format!("is not valid base64: {e}"),
                        )
                    })?;
                let head = bytes[..bytes.len().min(64)].to_vec();
                let stream = futures_util::stream::iter([Ok(Bytes::from(bytes))]);
                let record = self
                    .store_media(
                        Owner::instance(instance),
                        stream,
                        mimetype.as_deref(),
                        file_name.clone(),
                        largest,
                    )
                    .await?;
                (record, head)
            }
            MediaSource::Url(url) => {
                let fetched = self
                    .fetcher
                    .fetch(&url, largest)
                    .await
                    .map_err(|e| fetch_error(&format!("{field}.url"), e))?;
                let name = file_name.clone().or(fetched.file_name);
                let chunks = fetched.chunks.map_err(MediaError::Read);
                let record = self
                    .store_media(
                        Owner::instance(instance),
                        chunks,
                        fetched.content_type.as_deref(),
                        name,
                        largest,
                    )
                    .await?;
                let head = if kind == MediaKind::Sticker {
                    self.media_head(&record).await?
                } else {
                    Vec::new()
                };
                (record, head)
            }
        };
        if !kind.accepts(&record.mimetype) {
            return Err(ServiceError::UnsupportedMediaType(format!(
                "the {field} is {}, but WhatsApp takes {} for {field} messages",
                record.mimetype,
                kind.accepted_types().join(", ")
            )));
        }
        let limit = self.media_limits.for_kind(kind, is_animated_webp(&head));
        if record.size as u64 > limit {
            return Err(ServiceError::PayloadTooLarge(format!(
                "the {field} has {} bytes; WhatsApp takes at most {limit}",
                record.size
            )));
        }
        Ok(MediaRef {
            media_id: record.id,
            mimetype: record.mimetype,
            size: record.size as u64,
            sha256: record.sha256,
            file_name: file_name.or(record.file_name),
        })
    }

    /// The file a media message of the instance carries, whole, found by wagate's id or
    /// WhatsApp's for the message: for callers that want it inline rather than downloaded
    /// (Evolution API's `getBase64FromMediaMessage`). A message without a file is refused.
    pub async fn message_file(
        &self,
        principal: &Principal,
        id_or_name: &str,
        message_id: &str,
    ) -> ServiceResult<(MessageRecord, MediaRecord, Vec<u8>)> {
        use futures_util::StreamExt;
        let (instance, message) = self
            .find_instance_message(principal, id_or_name, message_id, None)
            .await?;
        let media = message.content.media().ok_or_else(|| {
            ServiceError::field(
                "message",
                format!(
                    "is a {} message; only images, videos, audio, documents and stickers carry a file",
                    message.content.type_name()
                ),
            )
        })?;
        let record = self
            .store
            .find_media(
                &instance.account_id,
                MediaReach::of(principal).limit(&instance.id),
                &media.media_id,
            )
            .await?
            .ok_or(ServiceError::NotFound("media"))?;
        let mut stream = self.open_media(&record).await?;
        let mut bytes = Vec::with_capacity(usize::try_from(record.size).unwrap_or(0));
        while let Some(chunk) = stream.next().await {
            let chunk = chunk.map_err(|error| {
                ServiceError::EngineUnavailable(format!("the media store failed: {error}"))
            })?;
            bytes.extend_from_slice(&chunk);
        }
        Ok((message, record, bytes))
    }

    /// The first bytes of a stored file (to tell animated stickers from static ones).
    async fn media_head(&self, record: &MediaRecord) -> ServiceResult<Vec<u8>> {
        use futures_util::StreamExt;
        let mut stream = self.open_media(record).await?;
        let mut head = Vec::new();
        while head.len() < 64 {
            match stream.next().await {
                Some(Ok(chunk)) => head.extend_from_slice(&chunk),
                Some(Err(error)) => {
                    return Err(ServiceError::EngineUnavailable(format!(
                        "the media store failed: {error}"
                    )));
                }
                None => break,
            }
        }
        Ok(head)
    }
}
