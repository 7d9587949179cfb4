//! Reading a file send's form, as seed 003 writes it: files in `photos`, `videos`, `audios`
//! or `files`, beside `number` or `group`, `caption`, `viewOnce`, `gif` and `voice`. Both the
//! native multipart send and seed 003's routes read it here, so the two cannot drift apart.
//!
//! The files stream into the media store as the form arrives (a file larger than the store
//! takes is refused while it is still coming); a form that cannot be read whole sends nothing,
//! and what it uploaded is removed again.

use crate::services::{
    FileSendOptions, Gateway, MediaError, Principal, ServiceError, UploadedFile, file_field,
    form_flag, naming_the_file,
};
use axum::body::Bytes;
use axum::extract::Multipart;
use axum::extract::multipart::{Field, MultipartError};
use axum::http::StatusCode;
use futures_util::{Stream, TryStreamExt};

/// A file send's form, read whole.
pub struct FileForm {
    pub options: FileSendOptions,
    pub files: Vec<UploadedFile>,
}

/// Why a form was not read.
#[derive(Debug)]
pub enum FormError {
    /// The form itself could not be read (malformed, too large, stalled).
    Read(MultipartError),
    /// A file could not be stored.
    Media(ServiceError),
    /// A file came in a field the route does not take.
    WrongField {
        field: String,
        expected: &'static str,
    },
}

impl std::fmt::Display for FormError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Read(error) => {
                write!(f, "the multipart body is malformed: {}", error.body_text())
            }
            Self::Media(error) => write!(f, "{error}"),
            Self::WrongField { field, expected } => write!(
                f,
                "this route takes its files in `{expected}`, not in `{field}`"
            ),
        }
    }
}

/// A form's file as the media store reads it: a part larger than the server takes is
/// `TooLarge` (`largest` is the store's limit, for the message).
pub fn media_chunks(
    field: Field<'_>,
    largest: u64,
) -> impl Stream<Item = Result<Bytes, MediaError>> + Unpin + '_ {
    Box::pin(field.map_err(move |error| {
        if error.status() == StatusCode::PAYLOAD_TOO_LARGE {
            MediaError::TooLarge { limit: largest }
        } else {
            MediaError::Read(error.body_text())
        }
    }))
}

/// Reads `form`, storing its files for `principal`. `only` names the one file field a route
/// takes (seed 003's `send-photo` takes `photos`); `None` takes all four.
pub async fn read_file_form(
    gateway: &Gateway,
    principal: &Principal,
    mut form: Multipart,
    only: Option<&'static str>,
) -> Result<FileForm, FormError> {
    let mut options = FileSendOptions::default();
    let mut files = Vec::new();
    let failure = loop {
        let field = match form.next_field().await {
            Ok(Some(field)) => field,
            Ok(None) => break None,
            Err(error) => break Some(FormError::Read(error)),
        };
        let name = field.name().unwrap_or_default().to_owned();
        if let Some((field_name, kind, _)) = file_field(&name) {
            if let Some(expected) = only.filter(|expected| *expected != field_name) {
                break Some(FormError::WrongField {
                    field: name,
                    expected,
                });
            }
            let file_name = field.file_name().map(str::to_owned);
            let declared = field.content_type().map(str::to_owned);
            let chunks = media_chunks(field, gateway.largest_media());
            match gateway
                .upload_media(principal, chunks, declared.as_deref(), file_name.clone())
                .await
                .map_err(|error| naming_the_file(error, field_name, file_name.as_deref()))
            {
                Ok(media) => files.push(UploadedFile {
                    field: field_name,
                    kind,
                    media,
                }),
                Err(error) => break Some(FormError::Media(error)),
            }
            continue;
        }
        let value = match field.text().await {
            Ok(value) => value,
            Err(error) => break Some(FormError::Read(error)),
        };
        match name.as_str() {
            "number" | "to" => options.number = Some(value),
            "group" => options.group = Some(value),
            "caption" => options.caption = Some(value).filter(|c| !c.is_empty()),
            "viewOnce" => options.view_once = form_flag(&value),
            "gif" => options.gif = form_flag(&value),
            "voice" => options.voice = form_flag(&value),
            _ => {}
        }
    };
    match failure {
        None => Ok(FileForm { options, files }),
        Some(failure) => {
            gateway.discard_uploads(&files).await;
            Err(failure)
        }
    }
}
