//! What a message carries: every kind of WhatsApp content, in one model.
//!
//! Each engine maps this model to its own wire format (the sandbox simulates it, WhatsApp Web
//! builds protobufs, the Cloud API builds Graph payloads). Values are checked when built, so an
//! engine never sees an empty poll or a latitude of 200. Stored as JSON with a `type` tag.

use serde::{Deserialize, Serialize};

/// WhatsApp's limit on the length of a text message, in characters.
pub const MAX_TEXT_CHARS: usize = 4096;
/// WhatsApp's limit on a media caption, in characters.
pub const MAX_CAPTION_CHARS: usize = 1024;
/// A poll has 2 to 12 options.
pub const POLL_OPTIONS: std::ops::RangeInclusive<usize> = 2..=12;

/// The text of a text message: not blank, at most 4096 characters.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct TextBody(String);

impl TextBody {
    pub fn parse(raw: &str) -> Result<Self, String> {
        if raw.trim().is_empty() {
            return Err("must not be empty".to_owned());
        }
        let chars = raw.chars().count();
        if chars > MAX_TEXT_CHARS {
            return Err(format!(
                "must be at most {MAX_TEXT_CHARS} characters (got {chars})"
            ));
        }
        Ok(Self(raw.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A file in wagate's media store that a message carries.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct MediaRef {
    /// The id of the stored file (`GET /api/v1/media/{id}` downloads it).
    pub media_id: String,
    pub mimetype: String,
    pub size: u64,
    /// Hex SHA-256 of the bytes.
    pub sha256: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file_name: Option<String>,
}

/// A contact card; engines render it as a vCard.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ContactCard {
    pub full_name: String,
    /// International digits, without `+`.
    pub phone_numbers: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub organization: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
}

/// vCard 3.0 escaping of text values.
fn vcard_text(value: &str) -> String {
    value
        .replace('\\', "\\\\")
        .replace(',', "\\,")
        .replace(';', "\\;")
        .replace('\n', "\\n")
}

impl ContactCard {
    /// The card as WhatsApp sends it: a vCard 3.0 with a `waid` per number.
    pub fn to_vcard(&self) -> String {
        let mut lines = vec![
            "BEGIN:VCARD".to_owned(),
            "VERSION:3.0".to_owned(),
            format!("FN:{}", vcard_text(&self.full_name)),
        ];
        if let Some(org) = &self.organization {
            lines.push(format!("ORG:{};", vcard_text(org)));
        }
        for number in &self.phone_numbers {
            lines.push(format!("TEL;type=CELL;type=VOICE;waid={number}:+{number}"));
        }
        if let Some(email) = &self.email {
            lines.push(format!("EMAIL:{}", vcard_text(email)));
        }
        if let Some(url) = &self.url {
            lines.push(format!("URL:{}", vcard_text(url)));
        }
        lines.push("END:VCARD".to_owned());
        lines.join("\n")
    }
}

/// A reply button of an interactive message.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct InteractiveButton {
    pub id: String,
    pub title: String,
}

/// A row of an interactive list.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ListRow {
    pub id: String,
    pub title: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ListSection {
    pub title: String,
    pub rows: Vec<ListRow>,
}

/// What an interactive message asks the recipient to do.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum InteractiveAction {
    /// Up to three reply buttons.
    Buttons { buttons: Vec<InteractiveButton> },
    /// A list opened by a button, with up to ten rows in all.
    List {
        button: String,
        sections: Vec<ListSection>,
    },
    /// A call-to-action button that opens a URL.
    Cta {
        #[serde(rename = "displayText")]
        display_text: String,
        url: String,
    },
}

/// Someone mentioned in a message.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Mention {
    /// Everyone in the group.
    All,
    /// One number (international digits).
    Phone(String),
}

/// What a message carries. Every engine maps this one model to its own wire format.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum MessageContent {
    Text {
        body: TextBody,
        #[serde(default, rename = "previewUrl")]
        preview_url: bool,
    },
    Image {
        media: MediaRef,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        caption: Option<String>,
        #[serde(default, rename = "viewOnce")]
        view_once: bool,
    },
    Video {
        media: MediaRef,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        caption: Option<String>,
        #[serde(default)]
        gif: bool,
        #[serde(default, rename = "viewOnce")]
        view_once: bool,
    },
    Audio {
        media: MediaRef,
        /// Sent as a voice note (push-to-talk).
        #[serde(default)]
        voice: bool,
        #[serde(default, rename = "viewOnce")]
        view_once: bool,
    },
    Document {
        media: MediaRef,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        caption: Option<String>,
        #[serde(default, rename = "fileName", skip_serializing_if = "Option::is_none")]
        file_name: Option<String>,
    },
    Sticker {
        media: MediaRef,
    },
    Location {
        latitude: f64,
        longitude: f64,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        name: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        address: Option<String>,
    },
    Contacts {
        contacts: Vec<ContactCard>,
    },
    Poll {
        name: String,
        values: Vec<String>,
        #[serde(rename = "selectableCount")]
        selectable_count: u32,
    },
    Reaction {
        /// WhatsApp's id of the message reacted to.
        #[serde(rename = "targetId")]
        target_id: String,
        /// Empty removes an earlier reaction.
        emoji: String,
    },
    Template {
        name: String,
        language: String,
        #[serde(default)]
        components: serde_json::Value,
    },
    Interactive {
        body: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        header: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        footer: Option<String>,
        action: InteractiveAction,
    },
}

impl MessageContent {
    /// A short human-readable rendering, returned as `body` in message listings.
    pub fn summary(&self) -> String {
        match self {
            Self::Text { body, .. } => body.as_str().to_owned(),
            Self::Image { caption, .. } | Self::Video { caption, .. } => {
                caption.clone().unwrap_or_default()
            }
            Self::Document {
                caption, file_name, ..
            } => caption.clone().or(file_name.clone()).unwrap_or_default(),
            Self::Audio { .. } | Self::Sticker { .. } => String::new(),
            Self::Location {
                name,
                latitude,
                longitude,
                ..
            } => name
                .clone()
                .unwrap_or_else(|| format!("{latitude},{longitude}")),
            Self::Contacts { contacts } => contacts
                .iter()
                .map(|c| c.full_name.as_str())
                .collect::<Vec<_>>()
                .join(", "),
            Self::Poll { name, .. } => name.clone(),
            Self::Reaction { emoji, .. } => emoji.clone(),
            Self::Template { name, .. } => name.clone(),
            Self::Interactive { body, .. } => body.clone(),
        }
    }

    pub fn type_name(&self) -> &'static str {
        match self {
            Self::Text { .. } => "text",
            Self::Image { .. } => "image",
            Self::Video { .. } => "video",
            Self::Audio { .. } => "audio",
            Self::Document { .. } => "document",
            Self::Sticker { .. } => "sticker",
            Self::Location { .. } => "location",
            Self::Contacts { .. } => "contacts",
            Self::Poll { .. } => "poll",
            Self::Reaction { .. } => "reaction",
            Self::Template { .. } => "template",
            Self::Interactive { .. } => "interactive",
        }
    }

    /// The stored file this message carries, if any.
    pub fn media(&self) -> Option<&MediaRef> {
        match self {
            Self::Image { media, .. }
            | Self::Video { media, .. }
            | Self::Audio { media, .. }
            | Self::Document { media, .. }
            | Self::Sticker { media } => Some(media),
            _ => None,
        }
    }

    /// What an engine must be able to do to send this.
    pub fn required_capability(&self) -> crate::Capability {
        use crate::Capability;
        match self {
            Self::Text { .. } => Capability::SendText,
            Self::Image { .. }
            | Self::Video { .. }
            | Self::Audio { .. }
            | Self::Document { .. }
            | Self::Sticker { .. } => Capability::SendMedia,
            Self::Location { .. } => Capability::SendLocation,
            Self::Contacts { .. } => Capability::SendContacts,
            Self::Poll { .. } => Capability::SendPoll,
            Self::Reaction { .. } => Capability::SendReaction,
            Self::Template { .. } => Capability::SendTemplate,
            Self::Interactive { .. } => Capability::SendInteractive,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_bodies_are_bounded() {
        assert!(TextBody::parse("Hello").is_ok());
        assert!(TextBody::parse("   ").is_err());
        assert!(TextBody::parse(&"a".repeat(MAX_TEXT_CHARS)).is_ok());
        assert!(TextBody::parse(&"a".repeat(MAX_TEXT_CHARS + 1)).is_err());
    }

    #[test]
    fn contact_cards_render_as_vcards_with_whatsapp_ids() {
        let card = ContactCard {
            full_name: "Doe, John".to_owned(),
            phone_numbers: vec!["15550002222".to_owned()],
            organization: Some("Acme".to_owned()),
            email: None,
            url: None,
        };
        let vcard = card.to_vcard();
        assert!(vcard.starts_with("BEGIN:VCARD\nVERSION:3.0\nFN:Doe\\, John\n"));
        assert!(vcard.contains("TEL;type=CELL;type=VOICE;waid=15550002222:+15550002222"));
        assert!(vcard.ends_with("END:VCARD"));
    }

    #[test]
    fn content_round_trips_through_its_stored_json() {
        let content = MessageContent::Poll {
            name: "Lunch?".to_owned(),
            values: vec!["Yes".to_owned(), "No".to_owned()],
            selectable_count: 1,
        };
        let json = serde_json::to_value(&content).unwrap();
        assert_eq!(json["type"], "poll");
        assert_eq!(json["selectableCount"], 1);
        assert_eq!(
            serde_json::from_value::<MessageContent>(json).unwrap(),
            content
        );
    }
}
