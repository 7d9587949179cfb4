//! wagate's message model as the bodies of Graph API `POST /{phone-number-id}/messages`.
//!
//! Shapes follow Meta's OpenAPI description of the Cloud API (v23.0, `components.schemas.Message`);
//! the tests validate every body built here against it.

use crate::EngineError;
use serde_json::{Map, Value, json};
use wagate_core::{ContactCard, InteractiveAction, MessageContent};

/// Where the recipient downloads a message's file from: media uploaded to the number's media
/// endpoint (the file is wagate's), or a public URL.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GraphMedia<'a> {
    Id(&'a str),
    Link(&'a str),
}

impl GraphMedia<'_> {
    fn object(self) -> Map<String, Value> {
        let mut object = Map::new();
        match self {
            Self::Id(id) => object.insert("id".to_owned(), json!(id)),
            Self::Link(link) => object.insert("link".to_owned(), json!(link)),
        };
        object
    }
}

/// One message to send, as far as the Graph API needs it.
pub struct GraphSend<'a> {
    /// The recipient's number, international digits.
    pub to: &'a str,
    pub content: &'a MessageContent,
    /// WhatsApp's id (`wamid.…`) of the message replied to.
    pub reply_to: Option<&'a str>,
    /// The file of a media message, once uploaded or linked.
    pub media: Option<GraphMedia<'a>>,
}

fn unsupported(what: &'static str) -> EngineError {
    EngineError::NotSupported {
        engine: "cloud",
        what,
    }
}

/// The request body for `send`.
pub fn message_body(send: &GraphSend<'_>) -> Result<Value, EngineError> {
    let content = send.content;
    let kind = content.type_name();
    let media = || {
        send.media.map(GraphMedia::object).ok_or_else(|| {
            EngineError::InvalidState(
                "a media message reached the Graph API without its file".to_owned(),
            )
        })
    };
    let with_caption = |mut object: Map<String, Value>, caption: &Option<String>| {
        if let Some(caption) = caption.as_ref().filter(|c| !c.is_empty()) {
            object.insert("caption".to_owned(), json!(caption));
        }
        Value::Object(object)
    };
    let payload = match content {
        MessageContent::Text { body, preview_url } => {
            json!({"body": body.as_str(), "preview_url": preview_url})
        }
        MessageContent::Image { caption, .. } | MessageContent::Video { caption, .. } => {
            with_caption(media()?, caption)
        }
        MessageContent::Audio { .. } | MessageContent::Sticker { .. } => Value::Object(media()?),
        MessageContent::Document {
            caption, file_name, ..
        } => {
            let mut object = media()?;
            if let Some(name) = file_name {
                object.insert("filename".to_owned(), json!(name));
            }
            with_caption(object, caption)
        }
        MessageContent::Location {
            latitude,
            longitude,
            name,
            address,
        } => {
            let mut object = Map::new();
            object.insert("latitude".to_owned(), json!(latitude.to_string()));
            object.insert("longitude".to_owned(), json!(longitude.to_string()));
            if let Some(name) = name {
                object.insert("name".to_owned(), json!(name));
            }
            if let Some(address) = address {
                object.insert("address".to_owned(), json!(address));
            }
            Value::Object(object)
        }
        MessageContent::Contacts { contacts } => {
            Value::Array(contacts.iter().map(contact).collect())
        }
        MessageContent::Poll { .. } => return Err(unsupported("polls")),
        MessageContent::Reaction { target_id, emoji } => {
            json!({"message_id": target_id, "emoji": emoji})
        }
        MessageContent::Template {
            name,
            language,
            components,
        } => {
            let mut template = json!({
                "name": name,
                "language": {"policy": "deterministic", "code": language},
            });
            if components.as_array().is_some_and(|c| !c.is_empty()) {
                template["components"] = components.clone();
            }
            template
        }
        MessageContent::Interactive {
            body,
            header,
            footer,
            action,
        } => interactive(body, header.as_deref(), footer.as_deref(), action),
    };
    let mut message = json!({
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "to": send.to,
        "type": kind,
        kind: payload,
    });
    if let Some(reply_to) = send.reply_to
        && !matches!(content, MessageContent::Reaction { .. })
    {
        message["context"] = json!({"message_id": reply_to});
    }
    Ok(message)
}

fn contact(card: &ContactCard) -> Value {
    let mut object = Map::new();
    let first_name = card
        .full_name
        .split_whitespace()
        .next()
        .unwrap_or(&card.full_name);
    object.insert(
        "name".to_owned(),
        json!({"formatted_name": card.full_name, "first_name": first_name}),
    );
    if !card.phone_numbers.is_empty() {
        let phones: Vec<Value> = card
            .phone_numbers
            .iter()
            .map(|number| json!({"phone": format!("+{number}"), "wa_id": number}))
            .collect();
        object.insert("phones".to_owned(), Value::Array(phones));
    }
    if let Some(email) = &card.email {
        object.insert("emails".to_owned(), json!([{"email": email}]));
    }
    if let Some(url) = &card.url {
        object.insert("urls".to_owned(), json!([{"url": url}]));
    }
    if let Some(organization) = &card.organization {
        object.insert("org".to_owned(), json!({"company": organization}));
    }
    Value::Object(object)
}

fn interactive(
    body: &str,
    header: Option<&str>,
    footer: Option<&str>,
    action: &InteractiveAction,
) -> Value {
    let (kind, action) = match action {
        InteractiveAction::Buttons { buttons } => (
            "button",
            json!({"buttons": buttons
                .iter()
                .map(|b| json!({"type": "reply", "reply": {"id": b.id, "title": b.title}}))
                .collect::<Vec<_>>()}),
        ),
        InteractiveAction::List { button, sections } => (
            "list",
            json!({"button": button, "sections": sections
                .iter()
                .map(|section| json!({
                    "title": section.title,
                    "rows": section.rows.iter().map(|row| {
                        let mut object = json!({"id": row.id, "title": row.title});
                        if let Some(description) = &row.description {
                            object["description"] = json!(description);
                        }
                        object
                    }).collect::<Vec<_>>(),
                }))
                .collect::<Vec<_>>()}),
        ),
        InteractiveAction::Cta { display_text, url } => (
            "cta_url",
            json!({"name": "cta_url", "parameters": {"display_text": display_text, "url": url}}),
        ),
    };
    let mut interactive = json!({"type": kind, "body": {"text": body}, "action": action});
    if let Some(header) = header {
        interactive["header"] = json!({"type": "text", "text": header});
    }
    if let Some(footer) = footer {
        interactive["footer"] = json!({"text": footer});
    }
    interactive
}

/// The body that marks a received message read (and, with `typing`, shows "typing…").
pub fn read_body(message_id: &str, typing: bool) -> Value {
    let mut body =
        json!({"messaging_product": "whatsapp", "status": "read", "message_id": message_id});
    if typing {
        body["typing_indicator"] = json!({"type": "text"});
    }
    body
}
