//! Meta's webhooks for a cloud number: the verification handshake, the signature over the raw
//! body, and the payload read into updates — inbound messages and the statuses of messages
//! sent.
//!
//! Unknown fields and types are kept out of the way, never refused: Meta adds them often (2026
//! brought usernames and business-scoped user ids), and a refused webhook is retried by Meta
//! and finally dropped.

use super::graph_error::GraphError;
use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac};
use serde_json::Value;
use sha2::Sha256;
use wagate_core::{ContactCard, MessageContent, MessageStatus, PhoneNumber, TextBody};

/// Answers Meta's subscription check: the challenge to echo when the mode is `subscribe` and
/// the token is the instance's, else `None` (answer 403).
pub fn handshake<'a>(
    mode: Option<&str>,
    token: Option<&str>,
    challenge: Option<&'a str>,
    expected_token: &str,
) -> Option<&'a str> {
    let token_matches = token.is_some_and(|token| {
        use subtle::ConstantTimeEq;
        bool::from(token.as_bytes().ct_eq(expected_token.as_bytes()))
    });
    (mode == Some("subscribe") && token_matches && !expected_token.is_empty())
        .then_some(challenge)
        .flatten()
}

/// Whether `X-Hub-Signature-256` (`sha256=<hex>`) is the HMAC-SHA256 of the raw body under the
/// app secret, compared in constant time.
pub fn signature_matches(app_secret: &str, body: &[u8], header: Option<&str>) -> bool {
    let Some(hex_signature) = header.and_then(|h| h.trim().strip_prefix("sha256=")) else {
        return false;
    };
    let Ok(signature) = hex::decode(hex_signature) else {
        return false;
    };
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(app_secret.as_bytes()) else {
        return false;
    };
    mac.update(body);
    mac.verify_slice(&signature).is_ok()
}

/// The signature header Meta would send for `body` (for tests and the fake Graph server).
pub fn signature_for(app_secret: &str, body: &[u8]) -> String {
    let mut mac =
        Hmac::<Sha256>::new_from_slice(app_secret.as_bytes()).expect("HMAC takes any key");
    mac.update(body);
    format!("sha256={}", hex::encode(mac.finalize().into_bytes()))
}

/// A file an inbound message carries, still on Meta's side: fetched with the number's token.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GraphMediaFile {
    /// Meta's media id (`GET /{media-id}` gives a download URL).
    pub id: String,
    pub mime_type: String,
    pub sha256: Option<String>,
}

/// What an inbound message carries.
#[derive(Clone, Debug, PartialEq)]
pub enum InboundContent {
    /// Complete as it arrived.
    Ready(MessageContent),
    /// A media message whose file is still to be downloaded.
    Media {
        kind: &'static str,
        file: GraphMediaFile,
        caption: Option<String>,
        file_name: Option<String>,
        voice: bool,
    },
    /// A reaction to one of the chat's messages (an empty emoji removes it).
    Reaction { target: String, emoji: String },
    /// A type wagate does not model (orders, system notices, unsupported content).
    Other { kind: String },
}

/// A message a customer sent to the number.
#[derive(Clone, Debug, PartialEq)]
pub struct InboundMessage {
    /// WhatsApp's id (`wamid.…`).
    pub id: String,
    pub from: PhoneNumber,
    pub push_name: Option<String>,
    pub at: DateTime<Utc>,
    /// WhatsApp's id of the message this one replies to.
    pub reply_to: Option<String>,
    pub content: InboundContent,
}

/// What happened to a message the number sent.
#[derive(Clone, Debug, PartialEq)]
pub struct StatusUpdate {
    /// WhatsApp's id (`wamid.…`) the send answered with.
    pub id: String,
    pub status: MessageStatus,
    pub at: DateTime<Utc>,
    /// `biz_opaque_callback_data` as sent: wagate's id for the message.
    pub tracking: Option<String>,
    /// Why it failed, for `failed`.
    pub error: Option<GraphError>,
}

/// One thing a webhook reported for the number `phone_number_id`.
#[derive(Clone, Debug, PartialEq)]
pub enum Update {
    Message {
        phone_number_id: String,
        message: InboundMessage,
    },
    Status {
        phone_number_id: String,
        status: StatusUpdate,
    },
}

fn time(raw: &Value) -> DateTime<Utc> {
    raw.as_str()
        .and_then(|s| s.parse::<i64>().ok())
        .or_else(|| raw.as_i64())
        .and_then(|secs| DateTime::from_timestamp(secs, 0))
        .unwrap_or_else(Utc::now)
}

fn text(raw: &Value) -> Option<String> {
    raw.as_str().filter(|s| !s.is_empty()).map(str::to_owned)
}

/// Reads a webhook body; statuses and messages of every change with field `messages`. Other
/// fields (template and account updates, groups) yield nothing yet.
pub fn parse(body: &[u8]) -> Result<Vec<Update>, String> {
    let payload: Value =
        serde_json::from_slice(body).map_err(|e| format!("the body is not JSON: {e}"))?;
    let entries = payload["entry"]
        .as_array()
        .ok_or("the body has no `entry` list")?;
    let mut updates = Vec::new();
    for change in entries
        .iter()
        .filter_map(|entry| entry["changes"].as_array())
        .flatten()
        .filter(|change| change["field"] == "messages")
    {
        let value = &change["value"];
        let Some(number) = value["metadata"]["phone_number_id"].as_str() else {
            continue;
        };
        for status in value["statuses"].as_array().into_iter().flatten() {
            if let Some(status) = status_update(status) {
                updates.push(Update::Status {
                    phone_number_id: number.to_owned(),
                    status,
                });
            }
        }
        let contacts = value["contacts"].as_array();
        for message in value["messages"].as_array().into_iter().flatten() {
            let push_name = contacts
                .into_iter()
                .flatten()
                .find(|contact| contact["wa_id"] == message["from"])
                .and_then(|contact| text(&contact["profile"]["name"]));
            if let Some(message) = inbound(message, push_name) {
                updates.push(Update::Message {
                    phone_number_id: number.to_owned(),
                    message,
                });
            }
        }
    }
    Ok(updates)
}

fn status_update(status: &Value) -> Option<StatusUpdate> {
    let state = match status["status"].as_str()? {
        "sent" => MessageStatus::Sent,
        "delivered" => MessageStatus::Delivered,
        "read" => MessageStatus::Read,
        "played" => MessageStatus::Played,
        "failed" => MessageStatus::Failed,
        _ => return None,
    };
    Some(StatusUpdate {
        id: status["id"].as_str()?.to_owned(),
        status: state,
        at: time(&status["timestamp"]),
        tracking: text(&status["biz_opaque_callback_data"]),
        error: status["errors"]
            .as_array()
            .and_then(|errors| errors.first())
            .map(GraphError::from_value),
    })
}

fn inbound(message: &Value, push_name: Option<String>) -> Option<InboundMessage> {
    let kind = message["type"].as_str().unwrap_or("unknown");
    let body = &message[kind];
    let content = match kind {
        "text" => InboundContent::Ready(MessageContent::Text {
            body: TextBody::parse(body["body"].as_str()?).ok()?,
            preview_url: false,
        }),
        "image" | "video" | "audio" | "document" | "sticker" => InboundContent::Media {
            kind: match kind {
                "image" => "image",
                "video" => "video",
                "audio" => "audio",
                "document" => "document",
                _ => "sticker",
            },
            file: GraphMediaFile {
                id: body["id"].as_str()?.to_owned(),
                mime_type: body["mime_type"]
                    .as_str()
                    .unwrap_or("application/octet-stream")
                    .to_owned(),
                sha256: text(&body["sha256"]),
            },
            caption: text(&body["caption"]),
            file_name: text(&body["filename"]),
            voice: body["voice"].as_bool().unwrap_or(false),
        },
        "location" => InboundContent::Ready(MessageContent::Location {
            latitude: number(&body["latitude"])?,
            longitude: number(&body["longitude"])?,
            name: text(&body["name"]),
            address: text(&body["address"]),
        }),
        "contacts" => InboundContent::Ready(MessageContent::Contacts {
            contacts: message["contacts"]
                .as_array()?
                .iter()
                .map(contact_card)
                .collect(),
        }),
        "reaction" => InboundContent::Reaction {
            target: body["message_id"].as_str()?.to_owned(),
            emoji: body["emoji"].as_str().unwrap_or_default().to_owned(),
        },
        // A tapped template button or interactive reply reads as the text the customer chose.
        "button" => reply_text(text(&body["text"]).or_else(|| text(&body["payload"])))?,
        "interactive" => {
            let reply = &body[body["type"].as_str().unwrap_or_default()];
            reply_text(text(&reply["title"]).or_else(|| text(&reply["body"])))?
        }
        other => InboundContent::Other {
            kind: other.to_owned(),
        },
    };
    Some(InboundMessage {
        id: message["id"].as_str()?.to_owned(),
        from: PhoneNumber::parse(message["from"].as_str()?).ok()?,
        push_name,
        at: time(&message["timestamp"]),
        reply_to: text(&message["context"]["id"]),
        content,
    })
}

fn reply_text(chosen: Option<String>) -> Option<InboundContent> {
    Some(InboundContent::Ready(MessageContent::Text {
        body: TextBody::parse(&chosen?).ok()?,
        preview_url: false,
    }))
}

/// Latitude and longitude arrive as numbers (and, in some of Meta's schemas, as strings).
fn number(raw: &Value) -> Option<f64> {
    raw.as_f64()
        .or_else(|| raw.as_str().and_then(|s| s.parse().ok()))
}

fn contact_card(contact: &Value) -> ContactCard {
    let name = &contact["name"];
    let full_name = text(&name["formatted_name"])
        .or_else(|| {
            let parts: Vec<&str> = ["first_name", "last_name"]
                .iter()
                .filter_map(|field| name[*field].as_str())
                .collect();
            (!parts.is_empty()).then(|| parts.join(" "))
        })
        .unwrap_or_else(|| "Unknown".to_owned());
    let phone_numbers = contact["phones"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|phone| {
            phone["wa_id"]
                .as_str()
                .or_else(|| phone["phone"].as_str())
                .and_then(|raw| PhoneNumber::parse(raw).ok())
                .map(|number| number.as_str().to_owned())
        })
        .collect();
    ContactCard {
        full_name,
        phone_numbers,
        organization: text(&contact["org"]["company"]),
        email: text(&contact["emails"][0]["email"]),
        url: text(&contact["urls"][0]["url"]),
    }
}
