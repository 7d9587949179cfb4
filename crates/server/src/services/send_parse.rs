//! Turning a send request into the message model: the type is detected from the payload (as
//! seed 002 does), exactly one content may be given, and every bad field is reported at once.
//!
//! Media and reactions need the store to be complete (a media id to look up, a message to react
//! to); they come out of parsing as [`PendingContent`] and the send service finishes them.

use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde_json::Value;
use wagate_core::content::{ListRow, ListSection, MAX_CAPTION_CHARS, POLL_OPTIONS};
use wagate_core::{
    ContactCard, InteractiveAction, Mention, MessageContent, PhoneNumber, Recipient, TextBody,
    ValidationErrors,
};

/// Media given by URL (fetched by the server), inline as base64, or by the id of an upload.
#[derive(Debug, Default, Clone, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct MediaInput {
    /// An http(s) URL the server downloads.
    pub url: Option<String>,
    /// The bytes, base64-encoded (a `data:` URL is accepted too).
    pub base64: Option<String>,
    /// The declared type of `base64` content; checked against the bytes.
    pub mimetype: Option<String>,
    /// A file uploaded with `POST /api/v1/media`.
    pub media_id: Option<String>,
    /// image, video, document.
    pub caption: Option<String>,
    /// document.
    pub file_name: Option<String>,
    /// video: play as a GIF.
    pub gif: Option<bool>,
    /// audio: send as a voice note.
    pub voice: Option<bool>,
    /// image, video, audio: can be opened once.
    pub view_once: Option<bool>,
}

#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct LocationInput {
    #[serde(alias = "degreesLatitude")]
    #[schema(example = 37.7749)]
    pub latitude: Option<f64>,
    #[serde(alias = "degreesLongitude")]
    #[schema(example = -122.4194)]
    pub longitude: Option<f64>,
    pub name: Option<String>,
    pub address: Option<String>,
}

#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ContactInput {
    #[schema(example = "John Doe")]
    pub full_name: Option<String>,
    #[schema(example = "+1 555 000 3333")]
    pub phone_number: Option<String>,
    pub phone_numbers: Option<Vec<String>>,
    pub organization: Option<String>,
    pub email: Option<String>,
    pub url: Option<String>,
}

#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PollInput {
    #[schema(example = "Lunch?")]
    pub name: Option<String>,
    /// 2 to 12 distinct options.
    pub values: Option<Vec<String>>,
    /// How many options one person may pick (default 1).
    pub selectable_count: Option<u32>,
}

#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ReactionInput {
    /// The message reacted to: wagate's id or WhatsApp's.
    #[serde(alias = "messageKey")]
    pub message_id: Option<String>,
    /// One emoji; an empty string removes the reaction.
    pub emoji: Option<String>,
}

#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct TemplateInput {
    #[schema(example = "hello_world")]
    pub name: Option<String>,
    /// A language code (`en_US`) or `{"code": "en_US"}`.
    #[schema(value_type = Option<Object>, example = "en_US")]
    pub language: Option<Value>,
    /// Meta's template components with their parameters.
    #[schema(value_type = Option<Vec<Object>>)]
    pub components: Option<Value>,
}

#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ButtonInput {
    pub id: Option<String>,
    pub title: Option<String>,
}

#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ListRowInput {
    pub id: Option<String>,
    pub title: Option<String>,
    pub description: Option<String>,
}

#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ListSectionInput {
    pub title: Option<String>,
    pub rows: Option<Vec<ListRowInput>>,
}

#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ListInput {
    /// The label of the button that opens the list.
    pub button: Option<String>,
    pub sections: Option<Vec<ListSectionInput>>,
}

#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CtaInput {
    pub display_text: Option<String>,
    pub url: Option<String>,
}

/// Exactly one of `buttons`, `list` or `cta`, with a `body`.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct InteractiveInput {
    pub body: Option<String>,
    pub header: Option<String>,
    pub footer: Option<String>,
    pub buttons: Option<Vec<ButtonInput>>,
    pub list: Option<ListInput>,
    pub cta: Option<CtaInput>,
}

/// `POST /api/v1/instances/{id}/messages`: one message of any type. Give `to` (or `number`, or
/// `group`) and exactly one content field.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SendRequest {
    /// A phone number in international format (`+`, spaces, dashes and brackets are fine) or a
    /// JID (`…@s.whatsapp.net`, `…@g.us`, `…@lid`, `…@newsletter`); statuses go to
    /// `POST …/status`.
    #[schema(example = "+1 (555) 000-2222")]
    #[serde(alias = "number")]
    pub to: Option<String>,
    /// A group id, with or without `@g.us` (instead of `to`).
    pub group: Option<String>,
    /// A text message, at most 4096 characters.
    #[schema(example = "Hello")]
    pub text: Option<String>,
    /// Alias of `text`, as `/send-message` style APIs name it.
    pub message: Option<String>,
    /// Let WhatsApp render a preview of the first link in the text.
    pub preview_url: Option<bool>,
    pub image: Option<MediaInput>,
    pub video: Option<MediaInput>,
    pub audio: Option<MediaInput>,
    pub document: Option<MediaInput>,
    pub sticker: Option<MediaInput>,
    pub location: Option<LocationInput>,
    /// One contact card.
    pub contact: Option<ContactInput>,
    /// Several contact cards.
    pub contacts: Option<Vec<ContactInput>>,
    pub poll: Option<PollInput>,
    pub reaction: Option<ReactionInput>,
    pub template: Option<TemplateInput>,
    pub interactive: Option<InteractiveInput>,
    /// Quote this message (wagate's id or WhatsApp's).
    #[serde(alias = "quoted")]
    pub reply_to: Option<String>,
    /// Phone numbers to mention, or `["all"]` in a group.
    pub mentions: Option<Vec<String>>,
    /// Any JSON object; returned with the message and in its events.
    #[schema(value_type = Option<Object>)]
    pub metadata: Option<Value>,
    /// Send at this time (RFC 3339, in the future); the message is `scheduled` until then.
    #[schema(example = "2026-12-24T18:00:00Z")]
    pub send_at: Option<String>,
    /// Show "typing…" in the chat for a time proportional to the text before sending
    /// (the request does not wait for it).
    pub simulate_typing: Option<bool>,
    /// Show "typing…" (or "recording…" before a voice note) for exactly this many
    /// milliseconds before sending, at most 120000; over `simulateTyping`. The request does
    /// not wait for it.
    #[schema(example = 1200)]
    pub typing_ms: Option<u64>,
    /// Check everything a send checks and record the message as `simulated`, without ever
    /// sending it: for testing an integration.
    #[serde(alias = "dry_run")]
    pub dry_run: Option<bool>,
}

/// The longest "typing…" a send may ask for: the instance's lane waits for it.
pub const MAX_TYPING_MS: u64 = 120_000;

/// What the chat shows before a send goes out.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Typing {
    #[default]
    Off,
    /// For a time proportional to the text, within the server's bounds.
    ForText,
    /// For this many milliseconds.
    For(u32),
}

impl Typing {
    /// As the queue stores it: the proportional switch and an exact time.
    pub fn stored(self) -> (bool, Option<u32>) {
        match self {
            Self::Off => (false, None),
            Self::ForText => (true, None),
            Self::For(ms) => (true, Some(ms)),
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MediaKind {
    Image,
    Video,
    Audio,
    Document,
    Sticker,
}

impl MediaKind {
    pub fn field(self) -> &'static str {
        match self {
            Self::Image => "image",
            Self::Video => "video",
            Self::Audio => "audio",
            Self::Document => "document",
            Self::Sticker => "sticker",
        }
    }
}

/// Where the bytes of a media message come from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MediaSource {
    Url(String),
    Base64 {
        data: String,
        mimetype: Option<String>,
    },
    MediaId(String),
}

/// Content that needs the store to be finished.
#[derive(Clone, Debug)]
pub enum PendingContent {
    Ready(MessageContent),
    Media {
        kind: MediaKind,
        source: MediaSource,
        caption: Option<String>,
        file_name: Option<String>,
        gif: bool,
        voice: bool,
        view_once: bool,
    },
    Reaction {
        message_id: String,
        emoji: String,
    },
}

/// A parsed send, still to be completed by the service.
#[derive(Clone, Debug)]
pub struct ParsedSend {
    /// `None` only for reactions, which default to the reacted message's chat.
    pub to: Option<Recipient>,
    pub content: PendingContent,
    pub reply_to: Option<String>,
    pub mentions: Vec<Mention>,
    pub metadata: Option<serde_json::Map<String, Value>>,
    /// When to send; `None` sends as soon as the queue allows.
    pub send_at: Option<DateTime<Utc>>,
    pub typing: Typing,
    /// Record it, never send it.
    pub dry_run: bool,
}

impl ParsedSend {
    /// How the queue is to treat it, besides its content.
    pub fn handling(&self) -> SendHandling {
        SendHandling {
            send_at: self.send_at,
            typing: self.typing,
            dry_run: self.dry_run,
        }
    }
}

/// How an accepted send is queued: when, after what typing, and whether for real.
#[derive(Clone, Copy, Debug, Default)]
pub struct SendHandling {
    pub send_at: Option<DateTime<Utc>>,
    pub typing: Typing,
    pub dry_run: bool,
}

/// `sendAt`: an RFC 3339 time, which must not have passed.
fn parse_send_at(errors: &mut ValidationErrors, raw: Option<String>) -> Option<DateTime<Utc>> {
    let raw = raw.map(|r| r.trim().to_owned()).filter(|r| !r.is_empty())?;
    match DateTime::parse_from_rfc3339(&raw) {
        Ok(at) if at.with_timezone(&Utc) > Utc::now() => Some(at.with_timezone(&Utc)),
        Ok(_) => {
            errors.push("sendAt", "must be in the future");
            None
        }
        Err(_) => {
            errors.push(
                "sendAt",
                format!("'{raw}' is not an RFC 3339 time such as 2026-12-24T18:00:00Z"),
            );
            None
        }
    }
}

fn required(errors: &mut ValidationErrors, field: &str, value: Option<String>) -> Option<String> {
    match value.map(|v| v.trim().to_owned()) {
        Some(v) if !v.is_empty() => Some(v),
        _ => {
            errors.push(field, "is required");
            None
        }
    }
}

fn bounded(
    errors: &mut ValidationErrors,
    field: &str,
    value: Option<String>,
    max: usize,
) -> Option<String> {
    let value = value.filter(|v| !v.trim().is_empty())?;
    if value.chars().count() > max {
        errors.push(field, format!("must be at most {max} characters"));
    }
    Some(value)
}

fn parse_media(
    errors: &mut ValidationErrors,
    kind: MediaKind,
    input: MediaInput,
) -> PendingContent {
    let field = kind.field();
    let sources = [
        input.url.is_some(),
        input.base64.is_some(),
        input.media_id.is_some(),
    ];
    let source = match (input.url, input.base64, input.media_id) {
        _ if sources.iter().filter(|s| **s).count() != 1 => {
            errors.push(field, "give exactly one of url, base64 or mediaId");
            MediaSource::MediaId(String::new())
        }
        (Some(url), _, _) => {
            if !(url.starts_with("http://") || url.starts_with("https://")) {
                errors.push(format!("{field}.url"), "must be an http or https URL");
            }
            MediaSource::Url(url)
        }
        (_, Some(data), _) => MediaSource::Base64 {
            data,
            mimetype: input.mimetype,
        },
        (_, _, Some(id)) => MediaSource::MediaId(id),
        _ => unreachable!("exactly one source is set"),
    };
    let allows = |option: bool, name: &str, kinds: &[MediaKind]| {
        if option && !kinds.contains(&kind) {
            Some(format!("{field}.{name}"))
        } else {
            None
        }
    };
    use MediaKind::*;
    let misplaced = [
        allows(
            input.caption.is_some(),
            "caption",
            &[Image, Video, Document],
        ),
        allows(input.file_name.is_some(), "fileName", &[Document]),
        allows(input.gif.unwrap_or(false), "gif", &[Video]),
        allows(input.voice.unwrap_or(false), "voice", &[Audio]),
        allows(
            input.view_once.unwrap_or(false),
            "viewOnce",
            &[Image, Video, Audio],
        ),
    ];
    for name in misplaced.into_iter().flatten() {
        errors.push(name, format!("does not apply to {field} messages"));
    }
    let caption = bounded(
        errors,
        &format!("{field}.caption"),
        input.caption,
        MAX_CAPTION_CHARS,
    );
    let file_name = bounded(errors, &format!("{field}.fileName"), input.file_name, 240);
    PendingContent::Media {
        kind,
        source,
        caption,
        file_name,
        gif: input.gif.unwrap_or(false),
        voice: input.voice.unwrap_or(false),
        view_once: input.view_once.unwrap_or(false),
    }
}

fn parse_location(errors: &mut ValidationErrors, input: LocationInput) -> MessageContent {
    let latitude = match input.latitude {
        Some(lat) if (-90.0..=90.0).contains(&lat) => lat,
        Some(_) => {
            errors.push("location.latitude", "must be between -90 and 90");
            0.0
        }
        None => {
            errors.push("location.latitude", "is required");
            0.0
        }
    };
    let longitude = match input.longitude {
        Some(lon) if (-180.0..=180.0).contains(&lon) => lon,
        Some(_) => {
            errors.push("location.longitude", "must be between -180 and 180");
            0.0
        }
        None => {
            errors.push("location.longitude", "is required");
            0.0
        }
    };
    MessageContent::Location {
        latitude,
        longitude,
        name: bounded(errors, "location.name", input.name, 1000),
        address: bounded(errors, "location.address", input.address, 1000),
    }
}

fn parse_contact(errors: &mut ValidationErrors, field: &str, input: ContactInput) -> ContactCard {
    let full_name =
        required(errors, &format!("{field}.fullName"), input.full_name).unwrap_or_default();
    let raw_numbers: Vec<String> = input
        .phone_number
        .into_iter()
        .chain(input.phone_numbers.unwrap_or_default())
        .collect();
    if raw_numbers.is_empty() {
        errors.push(
            format!("{field}.phoneNumber"),
            "is required (or phoneNumbers)",
        );
    }
    let phone_numbers = raw_numbers
        .iter()
        .filter_map(|raw| {
            PhoneNumber::parse(raw)
                .map_err(|e| errors.push(format!("{field}.phoneNumber"), e.to_string()))
                .ok()
                .map(|p| p.as_str().to_owned())
        })
        .collect();
    ContactCard {
        full_name,
        phone_numbers,
        organization: bounded(
            errors,
            &format!("{field}.organization"),
            input.organization,
            200,
        ),
        email: bounded(errors, &format!("{field}.email"), input.email, 200),
        url: bounded(errors, &format!("{field}.url"), input.url, 500),
    }
}

fn parse_poll(errors: &mut ValidationErrors, input: PollInput) -> MessageContent {
    let name = required(errors, "poll.name", input.name).unwrap_or_default();
    if name.chars().count() > 255 {
        errors.push("poll.name", "must be at most 255 characters");
    }
    let values: Vec<String> = input
        .values
        .unwrap_or_default()
        .into_iter()
        .map(|v| v.trim().to_owned())
        .collect();
    if !POLL_OPTIONS.contains(&values.len()) {
        errors.push("poll.values", "must have between 2 and 12 options");
    } else if values
        .iter()
        .any(|v| v.is_empty() || v.chars().count() > 100)
    {
        errors.push("poll.values", "options must be 1 to 100 characters");
    } else {
        let mut unique = values.clone();
        unique.sort();
        unique.dedup();
        if unique.len() != values.len() {
            errors.push("poll.values", "options must be different from each other");
        }
    }
    let selectable_count = input.selectable_count.unwrap_or(1);
    if selectable_count < 1 || selectable_count as usize > values.len().max(1) {
        errors.push(
            "poll.selectableCount",
            "must be between 1 and the number of options",
        );
    }
    MessageContent::Poll {
        name,
        values,
        selectable_count,
    }
}

/// One emoji as people type it: at most a handful of code points (flags, skin tones and
/// joined sequences are several), none of them letters or digits.
pub fn is_emoji(value: &str) -> bool {
    let count = value.chars().count();
    (1..=10).contains(&count)
        && !value
            .chars()
            .any(|c| c.is_alphanumeric() || c.is_whitespace())
}

fn parse_reaction(errors: &mut ValidationErrors, input: ReactionInput) -> PendingContent {
    let message_id = required(errors, "reaction.messageId", input.message_id).unwrap_or_default();
    let emoji = input.emoji.unwrap_or_default();
    if !emoji.is_empty() && !is_emoji(&emoji) {
        errors.push(
            "reaction.emoji",
            "must be one emoji, or empty to remove the reaction",
        );
    }
    PendingContent::Reaction { message_id, emoji }
}

fn parse_template(errors: &mut ValidationErrors, input: TemplateInput) -> MessageContent {
    let name = required(errors, "template.name", input.name).unwrap_or_default();
    if !name
        .chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
    {
        errors.push(
            "template.name",
            "may contain only lowercase letters, digits and '_'",
        );
    }
    let language = match input.language {
        Some(Value::String(code)) if !code.trim().is_empty() => code,
        Some(Value::Object(map)) => match map.get("code").and_then(Value::as_str) {
            Some(code) if !code.trim().is_empty() => code.to_owned(),
            _ => {
                errors.push("template.language", "must have a code");
                String::new()
            }
        },
        _ => {
            errors.push("template.language", "is required (a code such as en_US)");
            String::new()
        }
    };
    let components = match input.components {
        None | Some(Value::Null) => Value::Array(Vec::new()),
        Some(Value::Array(items)) => Value::Array(items),
        Some(_) => {
            errors.push("template.components", "must be an array");
            Value::Null
        }
    };
    MessageContent::Template {
        name,
        language,
        components,
    }
}

fn parse_interactive(errors: &mut ValidationErrors, input: InteractiveInput) -> MessageContent {
    let body = required(errors, "interactive.body", input.body).unwrap_or_default();
    if body.chars().count() > 1024 {
        errors.push("interactive.body", "must be at most 1024 characters");
    }
    let header = bounded(errors, "interactive.header", input.header, 60);
    let footer = bounded(errors, "interactive.footer", input.footer, 60);
    let given = [
        input.buttons.is_some(),
        input.list.is_some(),
        input.cta.is_some(),
    ];
    let action = if given.iter().filter(|g| **g).count() != 1 {
        errors.push("interactive", "give exactly one of buttons, list or cta");
        InteractiveAction::Buttons {
            buttons: Vec::new(),
        }
    } else if let Some(buttons) = input.buttons {
        if !(1..=3).contains(&buttons.len()) {
            errors.push("interactive.buttons", "must have 1 to 3 buttons");
        }
        let buttons = buttons
            .into_iter()
            .enumerate()
            .map(|(i, b)| wagate_core::content::InteractiveButton {
                id: required(errors, &format!("interactive.buttons[{i}].id"), b.id)
                    .unwrap_or_default(),
                title: bounded(
                    errors,
                    &format!("interactive.buttons[{i}].title"),
                    b.title.clone(),
                    20,
                )
                .or_else(|| required(errors, &format!("interactive.buttons[{i}].title"), None))
                .unwrap_or_default(),
            })
            .collect();
        InteractiveAction::Buttons { buttons }
    } else if let Some(list) = input.list {
        let button = required(errors, "interactive.list.button", list.button).unwrap_or_default();
        let sections: Vec<ListSection> = list
            .sections
            .unwrap_or_default()
            .into_iter()
            .enumerate()
            .map(|(s, section)| ListSection {
                title: section.title.unwrap_or_default(),
                rows: section
                    .rows
                    .unwrap_or_default()
                    .into_iter()
                    .enumerate()
                    .map(|(r, row)| ListRow {
                        id: required(
                            errors,
                            &format!("interactive.list.sections[{s}].rows[{r}].id"),
                            row.id,
                        )
                        .unwrap_or_default(),
                        title: required(
                            errors,
                            &format!("interactive.list.sections[{s}].rows[{r}].title"),
                            row.title,
                        )
                        .unwrap_or_default(),
                        description: row.description,
                    })
                    .collect(),
            })
            .collect();
        let rows: usize = sections.iter().map(|s| s.rows.len()).sum();
        if !(1..=10).contains(&rows) {
            errors.push("interactive.list.sections", "must hold 1 to 10 rows in all");
        }
        InteractiveAction::List { button, sections }
    } else {
        let cta = input.cta.unwrap_or_default();
        let display_text =
            required(errors, "interactive.cta.displayText", cta.display_text).unwrap_or_default();
        let url = required(errors, "interactive.cta.url", cta.url).unwrap_or_default();
        if !(url.is_empty() || url.starts_with("https://") || url.starts_with("http://")) {
            errors.push("interactive.cta.url", "must be an http or https URL");
        }
        InteractiveAction::Cta { display_text, url }
    };
    MessageContent::Interactive {
        body,
        header,
        footer,
        action,
    }
}

/// The content fields present in a request, by their names.
fn content_fields(request: &SendRequest) -> Vec<&'static str> {
    [
        ("text", request.text.is_some() || request.message.is_some()),
        ("image", request.image.is_some()),
        ("video", request.video.is_some()),
        ("audio", request.audio.is_some()),
        ("document", request.document.is_some()),
        ("sticker", request.sticker.is_some()),
        ("location", request.location.is_some()),
        ("contact", request.contact.is_some()),
        ("contacts", request.contacts.is_some()),
        ("poll", request.poll.is_some()),
        ("reaction", request.reaction.is_some()),
        ("template", request.template.is_some()),
        ("interactive", request.interactive.is_some()),
    ]
    .into_iter()
    .filter_map(|(name, present)| present.then_some(name))
    .collect()
}

pub const CONTENT_FIELDS: &str = "text, image, video, audio, document, sticker, location, contact, contacts, poll, reaction, template or interactive";

/// A send to a chat. A status is not: it needs its audience, which `POST …/status` takes.
pub fn parse_send(request: SendRequest) -> Result<ParsedSend, ValidationErrors> {
    let parsed = parse_any_send(request)?;
    if parsed
        .to
        .as_ref()
        .is_some_and(|to| to.jid().is_status_broadcast())
    {
        let mut errors = ValidationErrors::default();
        errors.push(
            "to",
            "statuses are posted with POST /api/v1/instances/{id}/status, which names who sees them",
        );
        return Err(errors);
    }
    Ok(parsed)
}

/// A send to any address, `status@broadcast` included.
pub(crate) fn parse_any_send(request: SendRequest) -> Result<ParsedSend, ValidationErrors> {
    let mut errors = ValidationErrors::default();
    let present = content_fields(&request);
    if present.len() > 1 {
        errors.push(
            present[1],
            format!("give one content per message; got {}", present.join(", ")),
        );
    }
    let to = match (request.to.as_deref(), request.group.as_deref()) {
        (Some(_), Some(_)) => {
            errors.push("group", "give either to or group, not both");
            None
        }
        (Some(raw), None) => Recipient::parse(raw)
            .map_err(|e| errors.push("to", e.to_string()))
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
            if request.reaction.is_none() {
                errors.push("to", "is required");
            }
            None
        }
    };
    let preview_url = request.preview_url.unwrap_or(false);
    let content = if let Some(text) = request.text.clone().or(request.message.clone()) {
        let field = if request.text.is_some() {
            "text"
        } else {
            "message"
        };
        let body = TextBody::parse(&text)
            .map_err(|e| errors.push(field, e))
            .ok();
        body.map(|body| PendingContent::Ready(MessageContent::Text { body, preview_url }))
    } else if let Some(media) = request.image {
        Some(parse_media(&mut errors, MediaKind::Image, media))
    } else if let Some(media) = request.video {
        Some(parse_media(&mut errors, MediaKind::Video, media))
    } else if let Some(media) = request.audio {
        Some(parse_media(&mut errors, MediaKind::Audio, media))
    } else if let Some(media) = request.document {
        Some(parse_media(&mut errors, MediaKind::Document, media))
    } else if let Some(media) = request.sticker {
        Some(parse_media(&mut errors, MediaKind::Sticker, media))
    } else if let Some(location) = request.location {
        Some(PendingContent::Ready(parse_location(&mut errors, location)))
    } else if let Some(contact) = request.contact {
        let card = parse_contact(&mut errors, "contact", contact);
        Some(PendingContent::Ready(MessageContent::Contacts {
            contacts: vec![card],
        }))
    } else if let Some(contacts) = request.contacts {
        if !(1..=100).contains(&contacts.len()) {
            errors.push("contacts", "must hold 1 to 100 cards");
        }
        let cards = contacts
            .into_iter()
            .enumerate()
            .map(|(i, c)| parse_contact(&mut errors, &format!("contacts[{i}]"), c))
            .collect();
        Some(PendingContent::Ready(MessageContent::Contacts {
            contacts: cards,
        }))
    } else if let Some(poll) = request.poll {
        Some(PendingContent::Ready(parse_poll(&mut errors, poll)))
    } else if let Some(reaction) = request.reaction {
        Some(parse_reaction(&mut errors, reaction))
    } else if let Some(template) = request.template {
        Some(PendingContent::Ready(parse_template(&mut errors, template)))
    } else if let Some(interactive) = request.interactive {
        Some(PendingContent::Ready(parse_interactive(
            &mut errors,
            interactive,
        )))
    } else {
        errors.push(
            "text",
            format!("a message needs content: one of {CONTENT_FIELDS}"),
        );
        None
    };
    let mentions = request
        .mentions
        .unwrap_or_default()
        .iter()
        .filter_map(|raw| {
            if raw.eq_ignore_ascii_case("all") {
                Some(Mention::All)
            } else {
                PhoneNumber::parse(raw)
                    .map(|p| Mention::Phone(p.as_str().to_owned()))
                    .map_err(|e| errors.push("mentions", format!("'{raw}' {e}")))
                    .ok()
            }
        })
        .collect();
    let metadata = match request.metadata {
        None | Some(Value::Null) => None,
        Some(Value::Object(map)) => Some(map),
        Some(_) => {
            errors.push("metadata", "must be a JSON object");
            None
        }
    };
    let reply_to = request
        .reply_to
        .map(|r| r.trim().to_owned())
        .filter(|r| !r.is_empty());
    let send_at = parse_send_at(&mut errors, request.send_at);
    let typing = match (request.typing_ms, request.simulate_typing) {
        (Some(ms), _) if ms > MAX_TYPING_MS => {
            errors.push(
                "typingMs",
                format!("must be at most {MAX_TYPING_MS} milliseconds"),
            );
            Typing::Off
        }
        (Some(0), _) => Typing::Off,
        (Some(ms), _) => Typing::For(u32::try_from(ms).unwrap_or(u32::MAX)),
        (None, Some(true)) => Typing::ForText,
        (None, _) => Typing::Off,
    };
    let Some(content) = content else {
        return Err(errors);
    };
    errors.finish(ParsedSend {
        to,
        content,
        reply_to,
        mentions,
        metadata,
        send_at,
        typing,
        dry_run: request.dry_run.unwrap_or(false),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(json: serde_json::Value) -> Result<ParsedSend, Vec<String>> {
        parse_send(serde_json::from_value(json).unwrap())
            .map_err(|e| e.0.into_iter().map(|f| f.field).collect())
    }

    #[test]
    fn every_bad_field_is_reported() {
        let fields = parse(serde_json::json!({ "to": "call me", "text": "   ", "metadata": [1] }))
            .unwrap_err();
        assert_eq!(fields, ["to", "text", "metadata"]);
    }

    #[test]
    fn one_content_per_message() {
        let fields =
            parse(serde_json::json!({ "to": "15550002222", "text": "a", "poll": {} })).unwrap_err();
        assert_eq!(fields[0], "poll");
    }

    #[test]
    fn the_seeds_aliases_are_understood() {
        let parsed =
            parse(serde_json::json!({ "number": "+1 555 000 2222", "message": "Hi" })).unwrap();
        assert_eq!(parsed.to.unwrap().normalized(), "15550002222");
        let group = parse(serde_json::json!({
            "group": "120363012345678901",
            "location": { "degreesLatitude": 40.7, "degreesLongitude": -74.0 }
        }))
        .unwrap();
        assert_eq!(group.to.unwrap().normalized(), "120363012345678901@g.us");
    }

    #[test]
    fn polls_need_two_to_twelve_distinct_options() {
        assert!(parse(serde_json::json!({ "to": "15550002222", "poll": { "name": "Q", "values": ["a", "b"] } })).is_ok());
        for values in [
            serde_json::json!(["a"]),
            serde_json::json!(["a", "a"]),
            serde_json::json!((0..13).map(|i| i.to_string()).collect::<Vec<_>>()),
        ] {
            let fields = parse(serde_json::json!({ "to": "15550002222", "poll": { "name": "Q", "values": values } })).unwrap_err();
            assert_eq!(fields, ["poll.values"]);
        }
    }

    #[test]
    fn media_needs_exactly_one_source_and_fitting_options() {
        let fields = parse(serde_json::json!({ "to": "15550002222", "image": { "url": "https://x/a.png", "mediaId": "m" } })).unwrap_err();
        assert_eq!(fields, ["image"]);
        let fields = parse(serde_json::json!({ "to": "15550002222", "audio": { "mediaId": "m", "caption": "no" } })).unwrap_err();
        assert_eq!(fields, ["audio.caption"]);
        assert!(parse(serde_json::json!({ "to": "15550002222", "audio": { "mediaId": "m", "voice": true } })).is_ok());
    }

    #[test]
    fn reactions_take_one_emoji_or_none() {
        for emoji in ["👍", "❤️", "👍🏽", ""] {
            assert!(
                parse(serde_json::json!({ "reaction": { "messageId": "x", "emoji": emoji } }))
                    .is_ok(),
                "{emoji}"
            );
        }
        let fields = parse(serde_json::json!({ "reaction": { "messageId": "x", "emoji": "ok" } }))
            .unwrap_err();
        assert_eq!(fields, ["reaction.emoji"]);
    }

    #[test]
    fn interactive_messages_take_one_action() {
        let buttons = serde_json::json!({ "to": "15550002222", "interactive": {
            "body": "Pick", "buttons": [{ "id": "a", "title": "A" }] } });
        assert!(parse(buttons).is_ok());
        let fields =
            parse(serde_json::json!({ "to": "15550002222", "interactive": { "body": "Pick" } }))
                .unwrap_err();
        assert_eq!(fields, ["interactive"]);
    }
}
