//! Evolution's sends that carry a file: `sendMedia`, `sendPtv`, `sendWhatsAppAudio`,
//! `sendSticker` and `sendStatus`. The file comes as a URL or base64 in the JSON body, or as
//! the `file` field of a multipart form whose other fields are the JSON body's (as Evolution
//! takes them). A form's file streams into the media store as it arrives and is sent by its
//! media id; a send that is refused removes it again.

use super::auth::EvoCaller;
use super::body;
use super::error::{EvoError, EvoErrorBody, EvoResult};
use super::message::answer;
use super::message_bodies::evolution_fields;
use super::message_media_bodies::{self as bodies, Kind, Source, media_fields};
use super::route;
use super::route::{created, on};
use super::{TAG, chat_messages, shapes};
use crate::dialects::multipart::media_chunks;
use crate::services::{Gateway, MediaRecord, form_flag};
use axum::body::Bytes;
use axum::extract::multipart::MultipartError;
use axum::extract::{FromRequest, Multipart, Path, Request, State};
use axum::http::{StatusCode, header};
use axum::response::Response;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};
use std::sync::Arc;

/// Form fields that hold JSON (an object or a list), or a number, in a JSON body.
const JSON_FIELDS: [&str; 5] = ["quoted", "mentioned", "statusJidList", "delay", "font"];
/// Form fields that are flags.
const FLAG_FIELDS: [&str; 3] = ["linkPreview", "mentionsEveryOne", "allContacts"];

/// A form field's text as the JSON body would hold it.
fn form_value(name: &str, text: String) -> Value {
    if FLAG_FIELDS.contains(&name) {
        return Value::Bool(form_flag(&text));
    }
    if JSON_FIELDS.contains(&name) {
        if let Ok(value) = serde_json::from_str::<Value>(&text) {
            return value;
        }
        // A list may come as comma-separated numbers.
        if matches!(name, "mentioned" | "statusJidList") {
            return Value::Array(
                text.split(',')
                    .map(str::trim)
                    .filter(|item| !item.is_empty())
                    .map(|item| Value::String(item.to_owned()))
                    .collect(),
            );
        }
    }
    Value::String(text)
}

fn form_error(error: MultipartError) -> EvoError {
    if error.status() == StatusCode::PAYLOAD_TOO_LARGE {
        EvoError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "the upload is larger than this server accepts",
        )
    } else {
        EvoError::bad_request(format!(
            "the multipart body is malformed: {}",
            error.body_text()
        ))
    }
}

/// The body of a media send and the file its form uploaded, if it was a form.
async fn read<T: DeserializeOwned>(
    gateway: &Gateway,
    caller: &EvoCaller,
    request: Request,
) -> EvoResult<(T, Option<MediaRecord>)> {
    let multipart = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| value.starts_with("multipart/form-data"));
    if !multipart {
        let bytes = Bytes::from_request(request, &())
            .await
            .map_err(|rejection| EvoError::new(rejection.status(), rejection.body_text()))?;
        return Ok((body::json(&bytes)?, None));
    }
    let mut form = Multipart::from_request(request, &())
        .await
        .map_err(|rejection| EvoError::new(rejection.status(), rejection.body_text()))?;
    let largest = gateway.largest_media();
    let mut fields = Map::new();
    let mut upload: Option<MediaRecord> = None;
    let failure = loop {
        let field = match form.next_field().await {
            Ok(Some(field)) => field,
            Ok(None) => break None,
            Err(error) => break Some(form_error(error)),
        };
        let name = field.name().unwrap_or_default().to_owned();
        if name == "file" {
            if upload.is_some() {
                break Some(EvoError::bad_request("give one file"));
            }
            let file_name = field.file_name().map(str::to_owned);
            let declared = field.content_type().map(str::to_owned);
            let chunks = media_chunks(field, largest);
            match gateway
                .upload_media(&caller.0, chunks, declared.as_deref(), file_name)
                .await
            {
                Ok(media) => upload = Some(media),
                Err(error) => break Some(error.into()),
            }
            continue;
        }
        match field.text().await {
            Ok(text) => {
                fields.insert(name.clone(), form_value(&name, text));
            }
            Err(error) => break Some(form_error(error)),
        }
    };
    let body = match failure {
        Some(failure) => Err(failure),
        None => serde_json::from_value(Value::Object(fields)).map_err(|error| {
            EvoError::bad_request(format!("the form's fields do not fit this route: {error}"))
        }),
    };
    match body {
        Ok(body) => Ok((body, upload)),
        Err(error) => settle(gateway, upload.as_ref(), Err(error)).await,
    }
}

/// What an upload is to the translation: its media id and the name it came with.
fn uploaded(upload: &Option<MediaRecord>) -> Option<Source> {
    upload.as_ref().map(|media| Source::Upload {
        media_id: media.id.clone(),
        file_name: media.file_name.clone(),
    })
}

/// A refused send's upload is removed; an accepted one's is the message's file.
async fn settle<T>(
    gateway: &Gateway,
    upload: Option<&MediaRecord>,
    result: EvoResult<T>,
) -> EvoResult<T> {
    if result.is_err()
        && let Some(media) = upload
    {
        gateway.discard_upload(media).await;
    }
    result
}

/// Send an image, video, document or audio file (`mediatype`), from a URL or base64 in
/// `media`, or as a multipart form's `file`. A base64 document needs its `fileName`.
#[utoipa::path(
    post, path = "/message/sendMedia/{instance}", tag = TAG,
    params(("instance" = String, Path, description = "The instance's name")),
    request_body(description = "JSON, or a multipart form: `file`, with `number`, `mediatype`, `caption`, `fileName`, `delay` … as form fields", content(
        (Object = "application/json", examples(
            ("image by URL" = (value = json!({ "number": "15550002222", "mediatype": "image", "caption": "Our new store", "media": "https://example.com/store.jpg" }))),
            ("document in base64" = (value = json!({ "number": "15550002222", "mediatype": "document", "mimetype": "application/pdf", "fileName": "invoice.pdf", "caption": "Your invoice", "media": "JVBERi0xLjQKJcfsj6IK…" }))),
        )),
        (Object = "multipart/form-data"),
    )),
    responses(
        (status = 201, description = "Queued", body = Object, example = json!({
            "key": { "remoteJid": "15550002222@s.whatsapp.net", "fromMe": true, "id": "3EB0B430B6F8F1D0E053AC" },
            "pushName": "Acme Sales",
            "status": "PENDING",
            "message": { "imageMessage": {
            "mimetype": "image/jpeg", "fileLength": "48213", "fileSha256": "9b2f0c6a…", "mediaId": "med_0190f5a27c4e7b1a", "caption": "Our new store"
        } },
            "messageType": "imageMessage",
            "messageTimestamp": 1709312400,
            "instanceId": "ins_0190f5a27c4e7b1a",
            "source": "web"
        })),
        (status = 400, description = "A bad body, or media neither a URL nor base64", body = EvoErrorBody),
        (status = 401, body = EvoErrorBody), (status = 404, body = EvoErrorBody),
        (status = 413, body = EvoErrorBody), (status = 415, body = EvoErrorBody),
    )
)]
pub async fn send_media(
    State(gateway): State<Arc<Gateway>>,
    caller: EvoCaller,
    Path(name): Path<String>,
    request: Request,
) -> EvoResult<Response> {
    let instance = route::instance(&gateway, &caller.0, &name).await?;
    let (body, upload) = read(&gateway, &caller, request).await?;
    let result = match bodies::media(body, uploaded(&upload)) {
        Ok(request) => {
            let fields = media_fields("media");
            answer(&gateway, &caller, &name, &instance, request, &fields).await
        }
        Err(error) => Err(error),
    };
    settle(&gateway, upload.as_ref(), result).await
}

/// One file of `kind` from the route's field (`video`, `audio`, `sticker`) or a form's
/// `file`.
async fn send_file(
    gateway: &Gateway,
    caller: &EvoCaller,
    name: &str,
    request: Request,
    kind: Kind,
    field: &'static str,
) -> EvoResult<Response> {
    let instance = route::instance(gateway, &caller.0, name).await?;
    let (body, upload) = read(gateway, caller, request).await?;
    let result = match bodies::file(body, kind, uploaded(&upload)) {
        Ok(request) => {
            let fields = media_fields(field);
            answer(gateway, caller, name, &instance, request, &fields).await
        }
        Err(error) => Err(error),
    };
    settle(gateway, upload.as_ref(), result).await
}

/// Send a round video note (PTV) from `video` or a form's `file`. wagate has no video-note
/// flag of its own, so it goes as an ordinary video message.
#[utoipa::path(
    post, path = "/message/sendPtv/{instance}", tag = TAG,
    params(("instance" = String, Path, description = "The instance's name")),
    request_body(description = "JSON, or a multipart form: `file`, with `number`, `delay` … as form fields", content(
        (Object = "application/json", example = json!({ "number": "15550002222", "video": "https://example.com/hello.mp4", "delay": 1000 })),
        (Object = "multipart/form-data"),
    )),
    responses(
        (status = 201, description = "Queued", body = Object, example = json!({
            "key": { "remoteJid": "15550002222@s.whatsapp.net", "fromMe": true, "id": "3EB0B430B6F8F1D0E053AC" },
            "pushName": "Acme Sales",
            "status": "PENDING",
            "message": { "videoMessage": {
            "mimetype": "video/mp4", "fileLength": "812345", "fileSha256": "1f4e…", "mediaId": "med_0190f5a27c4e7b1a"
        } },
            "messageType": "videoMessage",
            "messageTimestamp": 1709312400,
            "instanceId": "ins_0190f5a27c4e7b1a",
            "source": "web"
        })),
        (status = 400, body = EvoErrorBody), (status = 401, body = EvoErrorBody),
        (status = 404, body = EvoErrorBody), (status = 413, body = EvoErrorBody),
        (status = 415, body = EvoErrorBody),
    )
)]
pub async fn send_ptv(
    State(gateway): State<Arc<Gateway>>,
    caller: EvoCaller,
    Path(name): Path<String>,
    request: Request,
) -> EvoResult<Response> {
    send_file(&gateway, &caller, &name, request, Kind::Video, "video").await
}

/// Send a voice note from `audio` or a form's `file`; `delay` shows "recording…" first.
/// The file is sent as it is (Evolution converts it to Ogg Opus; wagate does not).
#[utoipa::path(
    post, path = "/message/sendWhatsAppAudio/{instance}", tag = TAG,
    params(("instance" = String, Path, description = "The instance's name")),
    request_body(description = "JSON, or a multipart form: `file`, with `number`, `delay` … as form fields", content(
        (Object = "application/json", example = json!({ "number": "15550002222", "audio": "https://example.com/note.ogg", "delay": 2000 })),
        (Object = "multipart/form-data"),
    )),
    responses(
        (status = 201, description = "Queued", body = Object, example = json!({
            "key": { "remoteJid": "15550002222@s.whatsapp.net", "fromMe": true, "id": "3EB0B430B6F8F1D0E053AC" },
            "pushName": "Acme Sales",
            "status": "PENDING",
            "message": { "audioMessage": {
            "mimetype": "audio/ogg; codecs=opus", "fileLength": "10240", "fileSha256": "77ac…", "mediaId": "med_0190f5a27c4e7b1a", "ptt": true
        } },
            "messageType": "audioMessage",
            "messageTimestamp": 1709312400,
            "instanceId": "ins_0190f5a27c4e7b1a",
            "source": "web"
        })),
        (status = 400, body = EvoErrorBody), (status = 401, body = EvoErrorBody),
        (status = 404, body = EvoErrorBody), (status = 413, body = EvoErrorBody),
        (status = 415, body = EvoErrorBody),
    )
)]
pub async fn send_whatsapp_audio(
    State(gateway): State<Arc<Gateway>>,
    caller: EvoCaller,
    Path(name): Path<String>,
    request: Request,
) -> EvoResult<Response> {
    send_file(&gateway, &caller, &name, request, Kind::Audio, "audio").await
}

/// Send a sticker from `sticker` or a form's `file`. It must be WebP already: Evolution
/// converts other images, wagate answers 415.
#[utoipa::path(
    post, path = "/message/sendSticker/{instance}", tag = TAG,
    params(("instance" = String, Path, description = "The instance's name")),
    request_body(description = "JSON, or a multipart form: `file`, with `number` … as form fields", content(
        (Object = "application/json", example = json!({ "number": "15550002222", "sticker": "https://example.com/thumbs-up.webp" })),
        (Object = "multipart/form-data"),
    )),
    responses(
        (status = 201, description = "Queued", body = Object, example = json!({
            "key": { "remoteJid": "15550002222@s.whatsapp.net", "fromMe": true, "id": "3EB0B430B6F8F1D0E053AC" },
            "pushName": "Acme Sales",
            "status": "PENDING",
            "message": { "stickerMessage": {
            "mimetype": "image/webp", "fileLength": "20480", "fileSha256": "c3d9…", "mediaId": "med_0190f5a27c4e7b1a"
        } },
            "messageType": "stickerMessage",
            "messageTimestamp": 1709312400,
            "instanceId": "ins_0190f5a27c4e7b1a",
            "source": "web"
        })),
        (status = 400, body = EvoErrorBody), (status = 401, body = EvoErrorBody),
        (status = 404, body = EvoErrorBody), (status = 413, body = EvoErrorBody),
        (status = 415, description = "Not a WebP image", body = EvoErrorBody),
    )
)]
pub async fn send_sticker(
    State(gateway): State<Arc<Gateway>>,
    caller: EvoCaller,
    Path(name): Path<String>,
    request: Request,
) -> EvoResult<Response> {
    send_file(&gateway, &caller, &name, request, Kind::Sticker, "sticker").await
}

/// Post a status (story): text (with `backgroundColor` and `font`), or an image, video or
/// voice note from `content` or a form's `file`, for the numbers in `statusJidList` or for
/// every saved contact (`allContacts`).
#[utoipa::path(
    post, path = "/message/sendStatus/{instance}", tag = TAG,
    params(("instance" = String, Path, description = "The instance's name")),
    request_body(description = "JSON, or a multipart form: `file`, with `type`, `caption`, `statusJidList`, `allContacts` as form fields", content(
        (Object = "application/json", examples(
            ("text" = (value = json!({ "type": "text", "content": "Open until 8pm today", "backgroundColor": "#1E6E4F", "font": 1, "statusJidList": ["15550002222", "15550003333@s.whatsapp.net"] }))),
            ("image for every contact" = (value = json!({ "type": "image", "content": "https://example.com/sale.jpg", "caption": "Sale starts now", "allContacts": true }))),
        )),
        (Object = "multipart/form-data"),
    )),
    responses(
        (status = 201, description = "Queued", body = Object, example = json!({
            "key": { "remoteJid": "status@broadcast", "fromMe": true, "id": "3EB0B430B6F8F1D0E053AC" },
            "pushName": "Acme Sales",
            "status": "PENDING",
            "message": { "conversation": "Open until 8pm today" },
            "messageType": "conversation",
            "messageTimestamp": 1709312400,
            "instanceId": "ins_0190f5a27c4e7b1a",
            "source": "web"
        })),
        (status = 400, description = "A bad body, or no audience", body = EvoErrorBody),
        (status = 401, body = EvoErrorBody), (status = 404, body = EvoErrorBody),
        (status = 413, body = EvoErrorBody), (status = 415, body = EvoErrorBody),
        (status = 501, description = "The instance's engine cannot post statuses", body = EvoErrorBody),
    )
)]
pub async fn send_status(
    State(gateway): State<Arc<Gateway>>,
    caller: EvoCaller,
    Path(name): Path<String>,
    request: Request,
) -> EvoResult<Response> {
    let instance = route::instance(&gateway, &caller.0, &name).await?;
    let (body, upload) = read(&gateway, &caller, request).await?;
    let result = match bodies::status(body, uploaded(&upload)) {
        Ok(request) => {
            let fields = [
                ("recipients", "statusJidList"),
                ("text", "content"),
                ("image", "content"),
                ("video", "content"),
                ("audio", "content"),
            ];
            match gateway.post_status(&caller.0, &name, request).await {
                Ok(record) => created(shapes::message_object(
                    &record,
                    &chat_messages::key_id(&gateway, &instance, &record),
                    &instance,
                )),
                Err(error) => Err(on(&name)(evolution_fields(error, &fields))),
            }
        }
        Err(error) => Err(error),
    };
    settle(&gateway, upload.as_ref(), result).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn form_fields_read_as_the_json_body_would_hold_them() {
        assert_eq!(form_value("linkPreview", "true".into()), json!(true));
        assert_eq!(form_value("allContacts", "0".into()), json!(false));
        assert_eq!(form_value("delay", "1200".into()), json!(1200));
        assert_eq!(
            form_value("quoted", r#"{"key":{"id":"3EB0"}}"#.into()),
            json!({ "key": { "id": "3EB0" } })
        );
        assert_eq!(
            form_value("mentioned", "15550002222, 15550003333".into()),
            json!(["15550002222", "15550003333"])
        );
        assert_eq!(
            form_value("number", "15550002222".into()),
            json!("15550002222")
        );
    }
}
