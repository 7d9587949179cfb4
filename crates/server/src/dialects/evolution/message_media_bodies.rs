//! Evolution's bodies of the sends that carry a file (`sendMedia`, `sendPtv`,
//! `sendWhatsAppAudio`, `sendSticker`) and of `sendStatus`, as the services' requests.
//!
//! Evolution's validator takes media as a URL or as base64 and refuses anything else, and
//! wants a base64 document's `fileName`; both are refused here in its words. A caption goes
//! only where WhatsApp shows one and a file name only on documents: Evolution drops them
//! elsewhere, where the services would refuse them.

use super::error::{EvoError, EvoResult};
use super::message_bodies::{Options, base};
use super::route::{integer, missing, phone_of, required};
use crate::services::{MediaInput, SendRequest, StatusRequest};
use serde::Deserialize;
use serde_json::Value;
use wagate_core::StatusFont;

/// Where a media send's bytes come from: the body's `media` (a URL or base64), or a file
/// uploaded in the form's `file` field.
#[derive(Debug, Clone)]
pub enum Source {
    Given(String),
    Upload {
        media_id: String,
        file_name: Option<String>,
    },
}

impl Source {
    /// The body's field, or the upload over it (as Evolution prefers the file).
    pub fn of(given: Option<String>, upload: Option<Source>, field: &str) -> EvoResult<Self> {
        match (upload, given) {
            (Some(upload), _) => Ok(upload),
            (None, Some(given)) if !given.trim().is_empty() => Ok(Self::Given(given)),
            (None, Some(_)) => Err(EvoError::bad_request(format!(
                "The \"{field}\" cannot be empty"
            ))),
            (None, None) => Err(missing(field)),
        }
    }
}

/// Whether `value` is base64 as Evolution's validator takes it (padded, the standard
/// alphabet, line breaks allowed); a `data:` URL's payload counts.
pub fn is_base64(value: &str) -> bool {
    let payload = match value.strip_prefix("data:") {
        Some(rest) => match rest.split_once(";base64,") {
            Some((_, payload)) => payload,
            None => return false,
        },
        None => value,
    };
    let mut length = 0usize;
    for byte in payload.bytes() {
        match byte {
            b'\r' | b'\n' => {}
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'+' | b'/' | b'=' => length += 1,
            _ => return false,
        }
    }
    length > 0 && length.is_multiple_of(4)
}

/// The kinds of media a send can carry, as the services' fields name them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Image,
    Video,
    Audio,
    Document,
    Sticker,
}

/// A media file for the services: a URL, base64 (with its declared type), or an upload;
/// a caption only where WhatsApp shows one and a file name only on documents, as Evolution
/// drops them elsewhere.
pub struct Media {
    pub kind: Kind,
    pub source: Source,
    pub mimetype: Option<String>,
    pub caption: Option<String>,
    pub file_name: Option<String>,
    pub voice: bool,
}

pub fn media_input(media: Media) -> EvoResult<MediaInput> {
    let mut input = MediaInput::default();
    let mut upload_name = None;
    match media.source {
        Source::Given(raw) => {
            let raw = raw.trim().to_owned();
            if raw.starts_with("http://") || raw.starts_with("https://") {
                input.url = Some(raw);
            } else if is_base64(&raw) {
                if media.kind == Kind::Document && media.file_name.is_none() {
                    return Err(EvoError::bad_request(
                        "For base64 the file name must be informed.",
                    ));
                }
                input.base64 = Some(raw);
                input.mimetype = media.mimetype;
            } else {
                return Err(EvoError::bad_request("Owned media must be a url or base64"));
            }
        }
        Source::Upload {
            media_id,
            file_name,
        } => {
            input.media_id = Some(media_id);
            upload_name = file_name;
        }
    }
    if matches!(media.kind, Kind::Image | Kind::Video | Kind::Document) {
        input.caption = media.caption.filter(|caption| !caption.trim().is_empty());
    }
    if media.kind == Kind::Document {
        input.file_name = media.file_name.or(upload_name);
    }
    if media.kind == Kind::Audio && media.voice {
        input.voice = Some(true);
    }
    Ok(input)
}

/// A send of one media file, in the services' field for its kind.
pub fn with_media(mut request: SendRequest, kind: Kind, input: MediaInput) -> SendRequest {
    let slot = match kind {
        Kind::Image => &mut request.image,
        Kind::Video => &mut request.video,
        Kind::Audio => &mut request.audio,
        Kind::Document => &mut request.document,
        Kind::Sticker => &mut request.sticker,
    };
    *slot = Some(input);
    request
}

/// The services' media field names, as the media routes' bodies name the file.
pub fn media_fields(field: &'static str) -> [(&'static str, &'static str); 5] {
    [
        ("image", field),
        ("video", field),
        ("audio", field),
        ("document", field),
        ("sticker", field),
    ]
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MediaBody {
    #[serde(flatten)]
    pub options: Options,
    pub mediatype: Option<String>,
    pub mimetype: Option<String>,
    pub caption: Option<String>,
    pub file_name: Option<String>,
    pub media: Option<String>,
}

/// `sendMedia`: an image, video, document or (plain, not voice) audio file.
pub fn media(body: MediaBody, upload: Option<Source>) -> EvoResult<SendRequest> {
    let request = base(body.options, true)?;
    let kind = match required(&body.mediatype, "mediatype")? {
        "image" => Kind::Image,
        "video" => Kind::Video,
        "audio" => Kind::Audio,
        "document" => Kind::Document,
        other => {
            return Err(EvoError::bad_request(format!(
                "mediatype must be one of image, document, video, audio (not \"{other}\")"
            )));
        }
    };
    let input = media_input(Media {
        kind,
        source: Source::of(body.media, upload, "media")?,
        mimetype: body.mimetype,
        caption: body.caption,
        file_name: body.file_name,
        voice: false,
    })?;
    Ok(with_media(request, kind, input))
}

/// The bodies of `sendPtv`, `sendWhatsAppAudio` and `sendSticker`: the file in the field
/// the route names (`video`, `audio`, `sticker`).
#[derive(Debug, Default, Deserialize)]
pub struct FileBody {
    #[serde(flatten)]
    pub options: Options,
    pub video: Option<String>,
    pub audio: Option<String>,
    pub sticker: Option<String>,
}

/// One file of `kind` from the route's field; audio goes as a voice note.
pub fn file(body: FileBody, kind: Kind, upload: Option<Source>) -> EvoResult<SendRequest> {
    let (field, given) = match kind {
        Kind::Video => ("video", body.video),
        Kind::Audio => ("audio", body.audio),
        _ => ("sticker", body.sticker),
    };
    let request = base(body.options, true)?;
    let input = media_input(Media {
        kind,
        source: Source::of(given, upload, field)?,
        mimetype: None,
        caption: None,
        file_name: None,
        voice: kind == Kind::Audio,
    })?;
    Ok(with_media(request, kind, input))
}
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StatusBody {
    #[serde(rename = "type")]
    pub kind: Option<String>,
    pub content: Option<String>,
    pub caption: Option<String>,
    pub background_color: Option<String>,
    pub font: Option<Value>,
    pub status_jid_list: Option<Vec<String>>,
    pub all_contacts: Option<bool>,
}

/// A text status's typeface by WhatsApp's number for it, as Evolution passes it through
/// (0 to 2 and 6 to 10; 3 to 5, which name no typeface WhatsApp still has, fall back to the
/// system font), or by wagate's name.
fn font(value: &Value) -> EvoResult<StatusFont> {
    if let Some(name) = value.as_str()
        && let Ok(font) = serde_json::from_value(Value::String(name.to_owned()))
    {
        return Ok(font);
    }
    Ok(match integer(Some(value), "font")? {
        Some(0 | 3..=5) | None => StatusFont::System,
        Some(1) => StatusFont::SystemText,
        Some(2) => StatusFont::FbScript,
        Some(6) => StatusFont::SystemBold,
        Some(7) => StatusFont::MorningBreeze,
        Some(8) => StatusFont::Calistoga,
        Some(9) => StatusFont::Exo2,
        Some(10) => StatusFont::CourierPrime,
        Some(_) => return Err(EvoError::bad_request("font must be between 0 and 10")),
    })
}

/// `sendStatus`: a story for the numbers in `statusJidList`, or for every saved contact
/// with `allContacts` (which wins, as in Evolution). A background and a font apply to text
/// statuses only; Evolution ignores them on media, and so does this.
pub fn status(body: StatusBody, upload: Option<Source>) -> EvoResult<StatusRequest> {
    let all_contacts = body.all_contacts.unwrap_or(false);
    let recipients = match (all_contacts, body.status_jid_list) {
        (true, _) | (false, None) => None,
        (false, Some(list)) => Some(list.iter().map(|jid| phone_of(jid)).collect()),
    };
    let mut request = StatusRequest {
        recipients,
        all_contacts: all_contacts.then_some(true),
        ..StatusRequest::default()
    };
    let kind = match required(&body.kind, "type")? {
        "text" => {
            if upload.is_some() {
                return Err(EvoError::bad_request("a text status takes no file"));
            }
            request.text = Some(required(&body.content, "content")?.to_owned());
            request.background_color = body.background_color;
            request.font = body.font.as_ref().map(font).transpose()?;
            return Ok(request);
        }
        "image" => Kind::Image,
        "video" => Kind::Video,
        "audio" => Kind::Audio,
        other => {
            return Err(EvoError::bad_request(format!(
                "type must be one of text, image, audio, video (not \"{other}\")"
            )));
        }
    };
    let input = media_input(Media {
        kind,
        source: Source::of(body.content, upload, "content")?,
        mimetype: None,
        caption: body.caption,
        file_name: None,
        voice: kind == Kind::Audio,
    })?;
    match kind {
        Kind::Image => request.image = Some(input),
        Kind::Video => request.video = Some(input),
        _ => request.audio = Some(input),
    }
    Ok(request)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dialects::evolution::message_bodies::test_support::{read, refused};
    use axum::http::StatusCode;
    use serde_json::json;

    #[test]
    fn media_is_a_url_or_base64_and_a_base64_document_has_a_name() {
        let image = media(
            read(json!({ "number": "15550002222", "mediatype": "image", "media": "https://example.com/a.png", "caption": "Look", "fileName": "a.png" })),
            None,
        )
        .unwrap()
        .image
        .unwrap();
        assert_eq!(image.url.as_deref(), Some("https://example.com/a.png"));
        assert_eq!(image.caption.as_deref(), Some("Look"));
        assert!(image.file_name.is_none(), "only documents carry a name");

        let document = media(
            read(json!({ "number": "15550002222", "mediatype": "document", "mimetype": "application/pdf", "media": "JVBERi0xLjQK", "fileName": "a.pdf" })),
            None,
        )
        .unwrap()
        .document
        .unwrap();
        assert_eq!(document.base64.as_deref(), Some("JVBERi0xLjQK"));
        assert_eq!(document.mimetype.as_deref(), Some("application/pdf"));
        assert_eq!(document.file_name.as_deref(), Some("a.pdf"));

        let message = refused(
            media(
                read(
                    json!({ "number": "15550002222", "mediatype": "document", "media": "JVBERi0xLjQK" }),
                ),
                None,
            ),
            StatusCode::BAD_REQUEST,
        );
        assert!(message.contains("file name"), "{message}");
        let message = refused(
            media(
                read(
                    json!({ "number": "15550002222", "mediatype": "image", "media": "not a file" }),
                ),
                None,
            ),
            StatusCode::BAD_REQUEST,
        );
        assert!(message.contains("url or base64"), "{message}");
        refused(
            media(
                read(
                    json!({ "number": "15550002222", "mediatype": "gif", "media": "https://x/a" }),
                ),
                None,
            ),
            StatusCode::BAD_REQUEST,
        );
    }

    #[test]
    fn an_upload_takes_the_place_of_media() {
        let upload = Source::Upload {
            media_id: "med_1".to_owned(),
            file_name: Some("invoice.pdf".to_owned()),
        };
        let document = media(
            read(json!({ "number": "15550002222", "mediatype": "document" })),
            Some(upload.clone()),
        )
        .unwrap()
        .document
        .unwrap();
        assert_eq!(document.media_id.as_deref(), Some("med_1"));
        assert_eq!(document.file_name.as_deref(), Some("invoice.pdf"));
        let voice = file(
            read(json!({ "number": "15550002222" })),
            Kind::Audio,
            Some(upload),
        )
        .unwrap()
        .audio
        .unwrap();
        assert_eq!(voice.voice, Some(true));
        assert!(voice.file_name.is_none());
    }

    #[test]
    fn base64_is_told_from_other_text() {
        assert!(is_base64("JVBERi0xLjQK"));
        assert!(is_base64("JVBE\r\nRi0x"));
        assert!(is_base64("data:image/png;base64,iVBORw0K"));
        assert!(!is_base64("hello"));
        assert!(!is_base64("not a file"));
        assert!(!is_base64(""));
        assert!(!is_base64("data:image/png,iVBORw0K"));
    }

    #[test]
    fn statuses_name_their_audience_and_their_look() {
        let text = status(
            read(json!({ "type": "text", "content": "Open late", "backgroundColor": "#1E6E4F", "font": 8, "statusJidList": ["15550002222@s.whatsapp.net"] })),
            None,
        )
        .unwrap();
        assert_eq!(text.text.as_deref(), Some("Open late"));
        assert_eq!(text.font, Some(StatusFont::Calistoga));
        assert_eq!(text.recipients.unwrap(), ["15550002222"]);
        let image = status(
            read(json!({ "type": "image", "content": "https://example.com/a.png", "caption": "New", "backgroundColor": "#000000", "allContacts": true, "statusJidList": ["15550002222"] })),
            None,
        )
        .unwrap();
        assert!(image.background_color.is_none() && image.recipients.is_none());
        assert_eq!(image.all_contacts, Some(true));
        assert_eq!(image.image.unwrap().caption.as_deref(), Some("New"));
        refused(
            status(read(json!({ "type": "sticker", "content": "x" })), None),
            StatusCode::BAD_REQUEST,
        );
    }
}
