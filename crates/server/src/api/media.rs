//! `/api/v1/media`: upload, download and delete files.

use super::AppState;
use super::envelope::{self, Envelope};
use super::error::{ApiError, ApiResult, ErrorBody};
use super::views::MediaView;
use crate::media::MediaError;
use crate::services::Principal;
use axum::body::Body;
use axum::extract::{Multipart, Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use futures_util::TryStreamExt;
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
        let chunks = field.map_err(|error| {
            if error.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
                MediaError::TooLarge { limit: largest }
            } else {
                MediaError::Read(error.body_text())
            }
        });
        let record = state
            .gateway
            .upload_media(&principal, Box::pin(chunks), declared.as_deref(), file_name)
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
        (status = 200, description = "The file's bytes, with its type", content_type = "application/octet-stream"),
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
    let disposition = match &record.file_name {
        Some(name) => format!(
            "attachment; filename=\"{}\"",
            name.replace(['"', '\\', '\r', '\n'], "_")
        ),
        None => "attachment".to_owned(),
    };
    Ok((
        [
            (header::CONTENT_TYPE, record.mimetype.clone()),
            (header::CONTENT_LENGTH, record.size.to_string()),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        Body::from_stream(stream),
    )
        .into_response())
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
