//! Sending uploaded files as messages, one message per file (seed 003's multipart sends).
//!
//! The files stream into the media store as the form arrives; the form's other fields may
//! come after them, so the files are checked and turned into messages once the form is read.
//! If the form is refused, the files it uploaded are removed again.

use super::media::MediaReach;
use super::send_parse::{MediaKind, MediaSource, ParsedSend, PendingContent};
use super::{Gateway, Principal, ServiceError, ServiceResult};
use wagate_core::{Recipient, ValidationErrors};
use wagate_store::{MediaRecord, MessageRecord};

/// The file fields of a multipart send, with how many files each takes.
pub const FILE_FIELDS: [(&str, MediaKind, usize); 4] = [
    ("photos", MediaKind::Image, 10),
    ("videos", MediaKind::Video, 5),
    ("audios", MediaKind::Audio, 5),
    ("files", MediaKind::Document, 5),
];

/// What a multipart send says besides its files.
#[derive(Debug, Default)]
pub struct FileSendOptions {
    pub number: Option<String>,
    pub group: Option<String>,
    pub caption: Option<String>,
    pub view_once: bool,
    pub gif: bool,
    pub voice: bool,
}

/// One uploaded file of a multipart send.
pub struct UploadedFile {
    pub field: &'static str,
    pub kind: MediaKind,
    pub media: MediaRecord,
}

/// The kind a file field sends, and how many files it takes.
pub fn file_field(name: &str) -> Option<(&'static str, MediaKind, usize)> {
    FILE_FIELDS
        .iter()
        .copied()
        .find(|(field, _, _)| *field == name)
}

/// `true`, `1` and `on` are true, as forms send them.
pub fn form_flag(value: &str) -> bool {
    matches!(
        value.trim().to_ascii_lowercase().as_str(),
        "true" | "1" | "on" | "yes"
    )
}

impl Gateway {
    /// Turns uploaded files into one message each, all to the same recipient.
    pub async fn send_uploaded_files(
        &self,
        principal: &Principal,
        id_or_name: &str,
        options: FileSendOptions,
        files: Vec<UploadedFile>,
    ) -> ServiceResult<Vec<MessageRecord>> {
        let result = self
            .send_files_checked(principal, id_or_name, options, &files)
            .await;
        if result.is_err() {
            self.discard_uploads(&files).await;
        }
        result
    }

    /// Removes the files of a multipart send that sends nothing.
    pub async fn discard_uploads(&self, files: &[UploadedFile]) {
        for file in files {
            self.discard_upload(&file.media).await;
        }
    }

    /// Removes a file uploaded for a send that sends nothing.
    pub async fn discard_upload(&self, media: &MediaRecord) {
        if let Err(error) = self
            .store
            .delete_media(&media.account_id, None, &media.id)
            .await
        {
            tracing::warn!(media = %media.id, %error, "could not forget an upload of a refused send");
        }
        if let Err(error) = self.media.delete(&media.storage_key).await {
            tracing::warn!(media = %media.id, %error, "could not remove an upload of a refused send");
        }
    }

    async fn send_files_checked(
        &self,
        principal: &Principal,
        id_or_name: &str,
        options: FileSendOptions,
        files: &[UploadedFile],
    ) -> ServiceResult<Vec<MessageRecord>> {
        let instance = self.resolve_instance(principal, id_or_name).await?;
        super::breaker::refuse_if_paused(&instance, self.now())?;
        let mut errors = ValidationErrors::default();
        let to = match (options.number.as_deref(), options.group.as_deref()) {
            (Some(_), Some(_)) => {
                errors.push("group", "give either number or group, not both");
                None
            }
            (Some(number), None) => Recipient::parse(number)
                .map_err(|e| errors.push("number", e.to_string()))
                .ok(),
            (None, Some(group)) => {
                let jid = if group.contains('@') {
                    group.to_owned()
                } else {
                    format!("{}@g.us", group.trim())
                };
                Recipient::parse(&jid)
                    .map_err(|e| errors.push("group", e.to_string()))
                    .ok()
            }
            (None, None) => {
                errors.push("number", "is required (or group)");
                None
            }
        };
        if files.is_empty() {
            errors.push(
                "files",
                "give at least one file in photos, videos, audios or files",
            );
        }
        for (field, _, max) in FILE_FIELDS {
            if files.iter().filter(|f| f.field == field).count() > max {
                errors.push(field, format!("takes at most {max} files"));
            }
        }
        if let Some(caption) = &options.caption
            && caption.chars().count() > wagate_core::content::MAX_CAPTION_CHARS
        {
            errors.push("caption", "must be at most 1024 characters");
        }
        let Some(to) = to else {
            return Err(errors.into());
        };
        if !errors.is_empty() {
            return Err(errors.into());
        }
        if !instance.linked {
            return Err(ServiceError::InstanceNotConnected(format!(
                "the instance has not been linked to a WhatsApp number (status: {}); connect it first",
                instance.status.as_str()
            )));
        }
        // Every file is checked before any message is queued: all or nothing.
        let mut parsed = Vec::with_capacity(files.len());
        for file in files {
            let content = PendingContent::Media {
                kind: file.kind,
                source: MediaSource::MediaId(file.media.id.clone()),
                caption: options
                    .caption
                    .clone()
                    .filter(|_| file.kind != MediaKind::Audio),
                file_name: file
                    .media
                    .file_name
                    .clone()
                    .filter(|_| file.kind == MediaKind::Document),
                gif: options.gif && file.kind == MediaKind::Video,
                voice: options.voice && file.kind == MediaKind::Audio,
                view_once: options.view_once && file.kind != MediaKind::Document,
            };
            let send = ParsedSend {
                to: Some(to.clone()),
                content,
                reply_to: None,
                mentions: Vec::new(),
                metadata: None,
                send_at: None,
                typing: super::send_parse::Typing::Off,
                dry_run: false,
            };
            let outbound = self
                .complete_outbound(&instance, MediaReach::of(principal), send)
                .await
                .map_err(|error| {
                    naming_the_file(error, file.field, file.media.file_name.as_deref())
                })?;
            parsed.push(outbound);
        }
        let mut messages = Vec::with_capacity(parsed.len());
        for outbound in parsed {
            messages.push(
                self.queue_outbound(&instance, outbound, Default::default())
                    .await?,
            );
        }
        Ok(messages)
    }
}

/// A refusal of one file of a form, saying which file it is: the form's `field` and the
/// file's name, when it came with one.
pub fn naming_the_file(error: ServiceError, field: &str, file_name: Option<&str>) -> ServiceError {
    let name = match file_name {
        Some(name) => format!("{field} \"{name}\""),
        None => format!("a file in {field}"),
    };
    match error {
        ServiceError::UnsupportedMediaType(why) => {
            ServiceError::UnsupportedMediaType(format!("{name}: {why}"))
        }
        ServiceError::PayloadTooLarge(why) => {
            ServiceError::PayloadTooLarge(format!("{name}: {why}"))
        }
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forms_say_yes_in_many_ways() {
        for yes in ["true", "TRUE", "1", "on", "yes"] {
            assert!(form_flag(yes));
        }
        assert!(!form_flag("false"));
        assert!(!form_flag(""));
        assert_eq!(file_field("photos").map(|f| f.2), Some(10));
        assert!(file_field("pictures").is_none());
    }
}
