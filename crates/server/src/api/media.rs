//! `/api/v1/media`: upload, download and delete files.

use super::AppState;
use super::envelope::{self, Envelope};
use super::error::{ApiError, ApiResult, ErrorBody};
use super::views::MediaView;
use crate::dialects::multipart::media_chunks;
use crate::services::Principal;
use axum::body::Body;
use axum::extract::{Multipart, Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use wagate_core::ErrorCode;

/// The multipart form of an upload.
#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
pub struct UploadForm {
    /// The file. Its type is read from its bytes.
    #[schema(value_type = String, format = Binary)]
    file: Vec<u8>,
}

/// Upload a file (multipart field `file`). It streams to the media store; its type is detected
/// from the bytes. Use its id as `mediaId` in a media message.
#[utoipa::path(
    post, path = "/api/v1/media", tag = "media",
    request_body(content = UploadForm, content_type = "multipart/form-data"),
    responses(
        (status = 201, body = Envelope<MediaView>),
        (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 413, description = "Larger than any kind of media may be", body = ErrorBody),
        (status = 422, description = "No file field", body = ErrorBody),
    )
)]
pub async fn upload(
    State(state): State<AppState>,
    principal: Principal,
    mut form: Multipart,
) -> ApiResult<Response> {
    let largest = state.gateway.largest_media();
    while let Some(field) = form.next_field().await.map_err(multipart_error)? {
        if field.name() != Some("file") {
            continue;
        }
        let file_name = field.file_name().map(str::to_owned);
        let declared = field.content_type().map(str::to_owned);
        let chunks = media_chunks(field, largest);
        let record = state
            .gateway
            .upload_media(&principal, chunks, declared.as_deref(), file_name)
            .await?;
        return Ok(envelope::created(MediaView::from(&record)));
    }
    let mut error = ApiError::new(
        ErrorCode::ValidationError,
        "the request has invalid fields; see details",
    );
    error.details.push(wagate_core::FieldError::new(
        "file",
        "is required (a multipart file field named 'file')",
    ));
    Err(error)
}

pub(super) fn multipart_error(error: axum::extract::multipart::MultipartError) -> ApiError {
    if super::error::body_timed_out(&error) {
        ApiError::body_timeout()
    } else if error.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
        ApiError::new(
            ErrorCode::PayloadTooLarge,
            "the upload is larger than this server accepts",
        )
    } else {
        ApiError::new(
            ErrorCode::BadRequest,
            format!("the multipart body is malformed: {}", error.body_text()),
        )
    }
}

/// Download a stored file.
#[utoipa::path(
    get, path = "/api/v1/media/{id}", tag = "media",
    params(("id" = String, Path, description = "Media id")),
    responses(
        (status = 200, description = "The file's bytes, with its type, as an attachment (`Content-Disposition`, `X-Content-Type-Options: nosniff` and a sandboxing `Content-Security-Policy`, so an uploaded page or SVG never runs in the gateway's origin)", content_type = "application/octet-stream"),
        (status = 401, body = ErrorBody), (status = 404, body = ErrorBody),
    )
)]
pub async fn download(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let record = state.gateway.find_media(&principal, &id).await?;
    let stream = state.gateway.open_media(&record).await?;
    Ok((
        [
            (header::CONTENT_TYPE, record.mimetype.clone()),
            (header::CONTENT_LENGTH, record.size.to_string()),
            (
                header::CONTENT_DISPOSITION,
                attachment(record.file_name.as_deref()),
            ),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff".to_owned()),
            // Should a browser render it anyway (an uploaded HTML page or SVG image), it runs
            // sandboxed, without scripts and outside the gateway's origin.
            (
                header::CONTENT_SECURITY_POLICY,
                "default-src 'none'; sandbox".to_owned(),
            ),
        ],
        Body::from_stream(stream),
    )
        .into_response())
}

/// Bytes a file name keeps in `filename*` (RFC 5987's `attr-char`); the rest is
/// percent-encoded.
const ATTR_CHAR: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'!')
    .remove(b'#')
    .remove(b'$')
    .remove(b'&')
    .remove(b'+')
    .remove(b'-')
    .remove(b'.')
    .remove(b'^')
    .remove(b'_')
    .remove(b'`')
    .remove(b'|')
    .remove(b'~');

/// `Content-Disposition: attachment`, so a browser saves the file instead of showing it, with
/// its name as RFC 6266 has it: an ASCII `filename` for old clients and the exact one as
/// `filename*`.
fn attachment(file_name: Option<&str>) -> String {
    let Some(name) = file_name.filter(|name| !name.is_empty()) else {
        return "attachment".to_owned();
    };
    let ascii: String = name
        .chars()
        .map(|c| match c {
            ' '..='~' if c != '"' && c != '\\' => c,
            _ => '_',
        })
        .collect();
    format!(
        "attachment; filename=\"{ascii}\"; filename*=UTF-8''{}",
        utf8_percent_encode(name, ATTR_CHAR)
    )
}

/// Delete a stored file. Messages already sent with it are not affected.
#[utoipa::path(
    delete, path = "/api/v1/media/{id}", tag = "media",
    params(("id" = String, Path, description = "Media id")),
    responses(
        (status = 200, description = "Deleted", body = Envelope<serde_json::Value>, example = json!({ "success": true, "data": { "deleted": true } })),
        (status = 401, body = ErrorBody), (status = 404, body = ErrorBody),
    )
)]
pub async fn delete(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    state.gateway.delete_media(&principal, &id).await?;
    Ok(envelope::ok(serde_json::json!({ "deleted": true })))
}

#[cfg(test)]
mod tests {
    use super::attachment;

    #[test]
    fn file_names_are_quoted_and_encoded() {
        assert_eq!(attachment(None), "attachment");
        assert_eq!(
            attachment(Some("a \"b\".html")),
            "attachment; filename=\"a _b_.html\"; filename*=UTF-8''a%20%22b%22.html"
        );
        assert_eq!(
            attachment(Some("Résumé\r\n.pdf")),
            "attachment; filename=\"R_sum___.pdf\"; filename*=UTF-8''R%C3%A9sum%C3%A9%0D%0A.pdf"
        );
    }
}
