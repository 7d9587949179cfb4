//! Seed 003's file routes, each a `multipart/form-data` form with its files in one field:
//! `send-photo` (`photos`, up to 10 images), `send-video` (`videos`, up to 5, `gif`),
//! `send-audio` (`audios`, up to 5, `voice`) and `send-file` (`files`, up to 5 documents),
//! beside `number` or `group`, `caption` and `viewOnce`. One message per file; all of a form's
//! files are checked before any is queued, so a refused form sends nothing.

use super::TAG;
use super::error::{Answer, Refusal, RefusalBody};
use super::form::read_file_form;
use super::session::Session;
use super::shapes;
use crate::services::Gateway;
use axum::extract::{FromRequest, Multipart, Request, State};
use axum::response::Response;
use std::sync::Arc;

/// Reads the form of a route whose files come in `field` (`what` names one of them) and
/// queues one message per file.
async fn send_files(
    gateway: &Gateway,
    session: Session,
    request: Request,
    field: &'static str,
    what: &str,
) -> Answer<Response> {
    let form = Multipart::from_request(request, &()).await.map_err(|_| {
        Refusal::bad_request(format!(
            "send a multipart/form-data form with the files in `{field}`"
        ))
    })?;
    let form = read_file_form(gateway, &session.caller, form, Some(field)).await?;
    if form.files.is_empty() {
        return Err(Refusal::missing(field));
    }
    let names: Vec<_> = form
        .files
        .iter()
        .map(|file| file.media.file_name.clone())
        .collect();
    let messages = gateway
        .send_uploaded_files(&session.caller, &session.id(), form.options, form.files)
        .await?;
    let count = messages.len();
    Ok(shapes::ok(
        format!(
            "{count} {what}{} queued for sending",
            if count == 1 { "" } else { "s" }
        ),
        shapes::file_messages(gateway, &session.instance, &messages, &names),
    ))
}

/// Send one or several images (up to 10, `image/*`), one message each.
#[utoipa::path(
    post, path = "/api/whatsapp/send-photo", tag = TAG,
    request_body(content_type = "multipart/form-data", content = Object, description = "`photos` (files, up to 10, image/*), `number` or `group`, `caption`, `viewOnce` (true/false)"),
    responses(
        (status = 200, description = "Queued, one message per image", body = Object, example = json!({
            "success": true, "message": "2 photos queued for sending",
            "data": { "count": 2, "messages": [
                { "messageId": "0192f0c5-e2b4-7a39-b1d2-c3e4f5a6b7c8", "messageKey": "3EB0B430B6F8F1D0E053AC", "status": "queued", "to": "15550002222", "fileName": "a.jpg" },
                { "messageId": "0192f0c5-e2b4-7a39-b1d2-c3e4f5a6b7c9", "messageKey": "3EB0B430B6F8F1D0E053AD", "status": "queued", "to": "15550002222", "fileName": "b.jpg" }
            ] }
        })),
        (status = 400, description = "A missing or bad parameter, too many files, or a session not connected yet", body = RefusalBody),
        (status = 401, body = RefusalBody), (status = 404, body = RefusalBody),
        (status = 413, description = "A file is larger than this server or WhatsApp takes (refused while it arrives)", body = RefusalBody),
        (status = 415, description = "A file is not an image", body = RefusalBody),
        (status = 429, body = RefusalBody),
    )
)]
pub async fn send_photo(
    State(gateway): State<Arc<Gateway>>,
    session: Session,
    request: Request,
) -> Answer<Response> {
    send_files(&gateway, session, request, "photos", "photo").await
}

/// Send one or several videos (up to 5, `video/*`); `gif: true` plays them as GIFs.
#[utoipa::path(
    post, path = "/api/whatsapp/send-video", tag = TAG,
    request_body(content_type = "multipart/form-data", content = Object, description = "`videos` (files, up to 5, video/*), `number` or `group`, `caption`, `gif`, `viewOnce`"),
    responses(
        (status = 200, description = "Queued, one message per video", body = Object, example = json!({
            "success": true, "message": "1 video queued for sending",
            "data": { "count": 1, "messages": [
                { "messageId": "0192f0c5-e2b4-7a39-b1d2-c3e4f5a6b7c8", "messageKey": "3EB0B430B6F8F1D0E053AC", "status": "queued", "to": "15550002222", "fileName": "clip.mp4" }
            ] }
        })),
        (status = 400, body = RefusalBody), (status = 401, body = RefusalBody),
        (status = 404, body = RefusalBody), (status = 413, body = RefusalBody),
        (status = 415, description = "A file is not a video", body = RefusalBody),
        (status = 429, body = RefusalBody),
    )
)]
pub async fn send_video(
    State(gateway): State<Arc<Gateway>>,
    session: Session,
    request: Request,
) -> Answer<Response> {
    send_files(&gateway, session, request, "videos", "video").await
}

/// Send one or several audio files (up to 5, `audio/*`); `voice: true` sends voice notes.
#[utoipa::path(
    post, path = "/api/whatsapp/send-audio", tag = TAG,
    request_body(content_type = "multipart/form-data", content = Object, description = "`audios` (files, up to 5, audio/*), `number` or `group`, `voice`"),
    responses(
        (status = 200, description = "Queued, one message per file", body = Object, example = json!({
            "success": true, "message": "1 audio file queued for sending",
            "data": { "count": 1, "messages": [
                { "messageId": "0192f0c5-e2b4-7a39-b1d2-c3e4f5a6b7c8", "messageKey": "3EB0B430B6F8F1D0E053AC", "status": "queued", "to": "15550002222", "fileName": "note.ogg" }
            ] }
        })),
        (status = 400, body = RefusalBody), (status = 401, body = RefusalBody),
        (status = 404, body = RefusalBody), (status = 413, body = RefusalBody),
        (status = 415, description = "A file is not audio", body = RefusalBody),
        (status = 429, body = RefusalBody),
    )
)]
pub async fn send_audio(
    State(gateway): State<Arc<Gateway>>,
    session: Session,
    request: Request,
) -> Answer<Response> {
    send_files(&gateway, session, request, "audios", "audio file").await
}

/// Send one or several documents (up to 5, any type), each with its file name.
#[utoipa::path(
    post, path = "/api/whatsapp/send-file", tag = TAG,
    request_body(content_type = "multipart/form-data", content = Object, description = "`files` (files, up to 5, any type), `number` or `group`, `caption`"),
    responses(
        (status = 200, description = "Queued, one message per file", body = Object, example = json!({
            "success": true, "message": "1 file queued for sending",
            "data": { "count": 1, "messages": [
                { "messageId": "0192f0c5-e2b4-7a39-b1d2-c3e4f5a6b7c8", "messageKey": "3EB0B430B6F8F1D0E053AC", "status": "queued", "to": "15550002222", "fileName": "invoice.pdf" }
            ] }
        })),
        (status = 400, body = RefusalBody), (status = 401, body = RefusalBody),
        (status = 404, body = RefusalBody), (status = 413, body = RefusalBody),
        (status = 429, body = RefusalBody),
    )
)]
pub async fn send_file(
    State(gateway): State<Arc<Gateway>>,
    session: Session,
    request: Request,
) -> Answer<Response> {
    send_files(&gateway, session, request, "files", "file").await
}
