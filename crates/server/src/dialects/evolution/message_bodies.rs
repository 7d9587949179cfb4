//! Evolution's send bodies, and how each becomes the services' [`SendRequest`]: pure
//! translation, tested here without a server. This file holds what every send shares and
//! the plain sends (text, location, contacts, reactions, templates); `message_media_bodies`
//! the sends with a file and statuses, `message_choices` polls, lists and buttons.
//!
//! What Evolution's own validator refuses before its service runs (a missing `number`, a
//! negative `delay`) is refused here in its words; everything else — lengths, counts,
//! emoji, who may be mentioned, how long "typing…" may last — is the services' rule, and
//! their field names are put back into Evolution's (`to` is `number`, `typingMs` is
//! `delay`) by [`evolution_fields`].

use super::error::{EvoError, EvoResult};
use super::route::{integer, jid_of, missing, phone_of, required};
use crate::services::{
    ContactInput, LocationInput, ReactionInput, SendRequest, ServiceError, TemplateInput,
};
use serde::Deserialize;
use serde_json::Value;

/// What every send may carry besides its content (Evolution's `Metadata`).
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Options {
    pub number: Option<String>,
    /// Milliseconds of "typing…" (or "recording…") before the send.
    pub delay: Option<Value>,
    pub quoted: Option<Quoted>,
    pub link_preview: Option<bool>,
    pub mentions_every_one: Option<bool>,
    pub mentioned: Option<Vec<String>>,
}

/// The message a send replies to; only its `key.id` matters, the rest is Evolution's echo.
#[derive(Debug, Default, Deserialize)]
pub struct Quoted {
    pub key: Option<QuotedKey>,
}

#[derive(Debug, Default, Deserialize)]
pub struct QuotedKey {
    pub id: Option<String>,
}

/// The address a send's `number` names, as the services take it: a group id gets its
/// server, a JID stays one, and anything else passes as written for the services to read
/// as a phone number (and to refuse in their words).
pub fn recipient(number: &str) -> String {
    let jid = jid_of(number);
    if number.contains('@') || !jid.ends_with("@s.whatsapp.net") {
        jid
    } else {
        number.trim().to_owned()
    }
}

/// The send every Evolution body starts from: the recipient (required unless `number` is
/// not part of the route's body), "typing…", the quoted message and the mentions.
pub fn base(options: Options, needs_number: bool) -> EvoResult<SendRequest> {
    let to = match options.number {
        Some(_) => Some(recipient(required(&options.number, "number")?)),
        None if needs_number => return Err(missing("number")),
        None => None,
    };
    let typing_ms = match integer(options.delay.as_ref(), "delay")? {
        Some(ms) if ms < 0 => {
            return Err(EvoError::bad_request("delay must not be negative"));
        }
        Some(0) | None => None,
        Some(ms) => Some(ms as u64),
    };
    let reply_to = match options.quoted {
        None => None,
        Some(quoted) => {
            let key = quoted.key.ok_or_else(|| missing("quoted.key"))?;
            Some(required(&key.id, "quoted.key.id")?.to_owned())
        }
    };
    let mut mentions: Vec<String> = options
        .mentioned
        .unwrap_or_default()
        .iter()
        .map(|number| phone_of(number))
        .collect();
    if options.mentions_every_one == Some(true) {
        mentions = vec!["all".to_owned()];
    }
    Ok(SendRequest {
        to,
        typing_ms,
        reply_to,
        mentions: (!mentions.is_empty()).then_some(mentions),
        preview_url: options.link_preview,
        ..SendRequest::default()
    })
}

/// The services' field names, as Evolution's bodies name them; a name and what is under it
/// (`poll.values` → `values`, `contacts[0].fullName` → `contact[0].fullName`).
pub fn evolution_fields(error: ServiceError, names: &[(&str, &str)]) -> ServiceError {
    const SHARED: [(&str, &str); 4] = [
        ("to", "number"),
        ("typingMs", "delay"),
        ("replyTo", "quoted.key.id"),
        ("mentions", "mentioned"),
    ];
    let ServiceError::Validation(mut errors) = error else {
        return error;
    };
    for field in &mut errors.0 {
        let renamed = names.iter().chain(SHARED.iter()).find_map(|(from, to)| {
            let rest = field.field.strip_prefix(from)?;
            (rest.is_empty() || rest.starts_with('.') || rest.starts_with('['))
                .then(|| format!("{to}{rest}").trim_start_matches('.').to_owned())
        });
        if let Some(renamed) = renamed {
            field.field = renamed;
        }
    }
    ServiceError::Validation(errors)
}

#[derive(Debug, Default, Deserialize)]
pub struct TextBody {
    #[serde(flatten)]
    pub options: Options,
    pub text: Option<String>,
}

pub fn text(body: TextBody) -> EvoResult<SendRequest> {
    let text = body.text.clone().ok_or_else(|| missing("text"))?;
    Ok(SendRequest {
        text: Some(text),
        ..base(body.options, true)?
    })
}
/// A number Evolution's clients send as a JSON number or a numeric string.
fn float(value: Option<&Value>, field: &str) -> EvoResult<f64> {
    match value {
        None | Some(Value::Null) => Err(missing(field)),
        Some(Value::Number(number)) => number
            .as_f64()
            .ok_or_else(|| EvoError::bad_request(format!("{field} is not a number"))),
        Some(Value::String(text)) => text
            .trim()
            .parse()
            .map_err(|_| EvoError::bad_request(format!("{field} is not a number"))),
        Some(_) => Err(EvoError::bad_request(format!("{field} is not a number"))),
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct LocationBody {
    #[serde(flatten)]
    pub options: Options,
    pub latitude: Option<Value>,
    pub longitude: Option<Value>,
    pub name: Option<String>,
    pub address: Option<String>,
}

/// `sendLocation`: Evolution requires all five fields.
pub fn location(body: LocationBody) -> EvoResult<SendRequest> {
    let latitude = float(body.latitude.as_ref(), "latitude")?;
    let longitude = float(body.longitude.as_ref(), "longitude")?;
    let name = body.name.clone().ok_or_else(|| missing("name"))?;
    let address = body.address.clone().ok_or_else(|| missing("address"))?;
    Ok(SendRequest {
        location: Some(LocationInput {
            latitude: Some(latitude),
            longitude: Some(longitude),
            name: Some(name),
            address: Some(address),
        }),
        ..base(body.options, true)?
    })
}

#[derive(Debug, Default, Deserialize)]
pub struct ContactBody {
    #[serde(flatten)]
    pub options: Options,
    pub contact: Option<Vec<EvoContact>>,
}

/// One card of `sendContact`. `wuid` (the WhatsApp id Evolution writes into the vCard) is
/// not needed: the card's number is its WhatsApp id.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EvoContact {
    pub full_name: Option<String>,
    pub phone_number: Option<String>,
    pub organization: Option<String>,
    pub email: Option<String>,
    pub url: Option<String>,
}

pub fn contact(body: ContactBody) -> EvoResult<SendRequest> {
    let cards = body.contact.ok_or_else(|| missing("contact"))?;
    Ok(SendRequest {
        contacts: Some(
            cards
                .into_iter()
                .map(|card| ContactInput {
                    full_name: card.full_name,
                    phone_number: card.phone_number,
                    phone_numbers: None,
                    organization: card.organization,
                    email: card.email,
                    url: card.url,
                })
                .collect(),
        ),
        ..base(body.options, true)?
    })
}

#[derive(Debug, Default, Deserialize)]
pub struct ReactionBody {
    pub key: Option<ReactionKey>,
    pub reaction: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ReactionKey {
    pub id: Option<String>,
    pub remote_jid: Option<String>,
    pub from_me: Option<bool>,
}

/// The message `sendReaction` reacts to: its id and its chat.
#[derive(Debug)]
pub struct ReactionTarget {
    pub id: String,
    pub chat: String,
}

/// `sendReaction`: no `number`; the reaction goes to the chat of the message it is on. An
/// empty `reaction` removes one.
pub fn reaction(body: ReactionBody) -> EvoResult<(ReactionTarget, SendRequest)> {
    let key = body.key.ok_or_else(|| missing("key"))?;
    let id = required(&key.id, "key.id")?.to_owned();
    let chat = jid_of(required(&key.remote_jid, "key.remoteJid")?);
    key.from_me.ok_or_else(|| missing("key.fromMe"))?;
    let emoji = body.reaction.ok_or_else(|| missing("reaction"))?;
    let request = SendRequest {
        reaction: Some(ReactionInput {
            message_id: Some(id.clone()),
            emoji: Some(emoji),
        }),
        ..SendRequest::default()
    };
    Ok((ReactionTarget { id, chat }, request))
}
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TemplateBody {
    #[serde(flatten)]
    pub options: Options,
    pub name: Option<String>,
    pub language: Option<Value>,
    pub components: Option<Value>,
}

/// `sendTemplate` (cloud numbers): Meta's template by name and language. Evolution's
/// `webhookUrl` is not taken: every message's events go to the instance's webhooks.
pub fn template(body: TemplateBody) -> EvoResult<SendRequest> {
    let name = required(&body.name, "name")?.to_owned();
    let language = body.language.clone().ok_or_else(|| missing("language"))?;
    Ok(SendRequest {
        template: Some(TemplateInput {
            name: Some(name),
            language: Some(language),
            components: body.components.clone(),
        }),
        ..base(body.options, true)?
    })
}

/// What the translation tests of the send bodies share.
#[cfg(test)]
pub mod test_support {
    use super::super::error::EvoResult;
    use axum::http::StatusCode;
    use serde_json::Value;

    /// A body as Evolution's clients send it.
    pub fn read<T: serde::de::DeserializeOwned>(body: Value) -> T {
        serde_json::from_value(body).unwrap()
    }

    /// Asserts a refusal with `status`; answers its messages in one line.
    pub fn refused<T: std::fmt::Debug>(result: EvoResult<T>, status: StatusCode) -> String {
        let error = result.unwrap_err();
        assert_eq!(error.status, status, "{:?}", error.messages);
        error.messages.join(" ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dialects::evolution::message_bodies::test_support::{read, refused};
    use axum::http::StatusCode;
    use serde_json::json;

    #[test]
    fn the_seeds_text_is_a_text_to_a_phone_number() {
        let request = text(read(json!({
            "number": "15550002222",
            "text": "Thanks for your message! We'll get back to you soon."
        })))
        .unwrap();
        assert_eq!(request.to.as_deref(), Some("15550002222"));
        assert_eq!(
            request.text.as_deref(),
            Some("Thanks for your message! We'll get back to you soon.")
        );
        assert_eq!(request.typing_ms, None);
        assert!(request.mentions.is_none() && request.reply_to.is_none());
    }

    #[test]
    fn shared_fields_become_typing_quotes_mentions_and_previews() {
        let request = text(read(json!({
            "number": "120363000000000001",
            "text": "Agreed",
            "delay": "1500",
            "linkPreview": true,
            "quoted": { "key": { "id": "3EB0A0C1D2E3F4A5B6C7", "remoteJid": "x@g.us", "fromMe": false }, "message": { "conversation": "?" } },
            "mentioned": ["15550002222", "15550003333@s.whatsapp.net"]
        })))
        .unwrap();
        assert_eq!(request.to.as_deref(), Some("120363000000000001@g.us"));
        assert_eq!(request.typing_ms, Some(1500));
        assert_eq!(request.preview_url, Some(true));
        assert_eq!(request.reply_to.as_deref(), Some("3EB0A0C1D2E3F4A5B6C7"));
        assert_eq!(
            request.mentions.unwrap(),
            ["15550002222", "15550003333"].map(String::from)
        );
        let everyone = text(read(json!({ "number": "120363000000000001@g.us", "text": "All", "mentionsEveryOne": true, "mentioned": ["15550002222"] }))).unwrap();
        assert_eq!(everyone.mentions.unwrap(), ["all"]);
    }

    #[test]
    fn what_evolutions_validator_refuses_is_refused_here() {
        let message = refused(text(read(json!({ "text": "Hi" }))), StatusCode::BAD_REQUEST);
        assert!(message.contains("\"number\""), "{message}");
        let message = refused(
            text(read(json!({ "number": "15550002222" }))),
            StatusCode::BAD_REQUEST,
        );
        assert!(message.contains("\"text\""), "{message}");
        refused(
            text(read(
                json!({ "number": "15550002222", "text": "Hi", "delay": -1 }),
            )),
            StatusCode::BAD_REQUEST,
        );
        refused(
            text(read(
                json!({ "number": "15550002222", "text": "Hi", "quoted": { "key": {} } }),
            )),
            StatusCode::BAD_REQUEST,
        );
    }

    #[test]
    fn reactions_name_their_message_and_may_be_empty() {
        let (target, request) = reaction(read(json!({
            "key": { "id": "3EB0", "remoteJid": "15550002222", "fromMe": true }, "reaction": ""
        })))
        .unwrap();
        assert_eq!(target.chat, "15550002222@s.whatsapp.net");
        assert_eq!(target.id, "3EB0");
        assert!(request.to.is_none());
        assert_eq!(request.reaction.unwrap().emoji.as_deref(), Some(""));
        refused(
            reaction(read(
                json!({ "key": { "id": "3EB0", "remoteJid": "x", "fromMe": true } }),
            )),
            StatusCode::BAD_REQUEST,
        );
    }

    #[test]
    fn service_fields_are_renamed_to_evolutions() {
        let mut errors = wagate_core::ValidationErrors::default();
        errors.push("to", "is not a phone number");
        errors.push("poll.values", "must have between 2 and 12 options");
        errors.push("contacts[0].phoneNumber", "is required");
        errors.push("typingMs", "must be at most 120000 milliseconds");
        let renamed = evolution_fields(
            ServiceError::Validation(errors),
            &[("poll", ""), ("contacts", "contact")],
        );
        let ServiceError::Validation(errors) = renamed else {
            panic!("still a validation error");
        };
        let fields: Vec<_> = errors.0.iter().map(|field| field.field.as_str()).collect();
        assert_eq!(
            fields,
            ["number", "values", "contact[0].phoneNumber", "delay"]
        );
    }

    #[test]
    fn locations_take_numbers_or_numeric_strings_and_all_five_fields() {
        let pin = location(read(json!({ "number": "15550002222", "latitude": "37.77", "longitude": -122.42, "name": "HQ", "address": "1 Main St" }))).unwrap().location.unwrap();
        assert_eq!(pin.latitude, Some(37.77));
        refused(
            location(read(
                json!({ "number": "15550002222", "latitude": 1, "longitude": 2, "name": "HQ" }),
            )),
            StatusCode::BAD_REQUEST,
        );
    }
}
