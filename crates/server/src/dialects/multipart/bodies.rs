//! Seed 003's JSON bodies and how they become the services' sends: a recipient in `number` or
//! `group`, the text in `message`, a location's `degreesLatitude`/`degreesLongitude`, a
//! poll's `name`/`values`/`selectableCount`, and `messageKey` for the message a reaction or a
//! deletion is about. A refusal names the seed's fields, not the services'.

use super::error::{Answer, Refusal};
use crate::services::{LocationInput, PollInput, ReactionInput, SendRequest, ServiceError};
use axum::body::Bytes;
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::Value;
use wagate_core::ValidationErrors;

/// A JSON body; a bad one says why.
pub fn json<T: DeserializeOwned>(bytes: &Bytes) -> Answer<T> {
    serde_json::from_slice(bytes).map_err(|error| {
        Refusal::bad_request(format!(
            "the request body is not valid JSON for this route: {error}"
        ))
    })
}

/// Whom a body is for: a phone number (a JSON string or number) or a group id.
#[derive(Debug, Default, Deserialize)]
pub struct Recipient {
    number: Option<Value>,
    group: Option<String>,
}

impl Recipient {
    /// The recipient as the services take it (`to` or `group`).
    fn into_send(self) -> Answer<SendRequest> {
        let number = match self.number {
            None | Some(Value::Null) => None,
            Some(Value::String(number)) => Some(number),
            Some(Value::Number(number)) => Some(number.to_string()),
            Some(_) => return Err(Refusal::bad_request("number must be a phone number")),
        };
        if number.is_none() && self.group.is_none() {
            return Err(
                Refusal::bad_request("either number or group must be provided")
                    .with_field("number", "is required (or group)"),
            );
        }
        Ok(SendRequest {
            to: number,
            group: self.group,
            ..SendRequest::default()
        })
    }

    /// The chat a message key is looked up in, when the body names one.
    pub fn chat(&self) -> Option<String> {
        match (&self.number, &self.group) {
            (_, Some(group)) if group.contains('@') => Some(group.clone()),
            (_, Some(group)) => Some(format!("{}@g.us", group.trim())),
            (Some(Value::String(number)), None) => Some(number.clone()),
            (Some(Value::Number(number)), None) => Some(number.to_string()),
            _ => None,
        }
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct TextBody {
    #[serde(flatten)]
    to: Recipient,
    message: Option<String>,
}

pub fn text(body: TextBody) -> Answer<SendRequest> {
    let message = body.message.ok_or_else(|| Refusal::missing("message"))?;
    Ok(SendRequest {
        text: Some(message),
        ..body.to.into_send()?
    })
}

#[derive(Debug, Default, Deserialize)]
pub struct LocationBody {
    #[serde(flatten)]
    to: Recipient,
    location: Option<Location>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Location {
    degrees_latitude: Option<f64>,
    degrees_longitude: Option<f64>,
    name: Option<String>,
    address: Option<String>,
}

pub fn location(body: LocationBody) -> Answer<SendRequest> {
    let location = body.location.ok_or_else(|| Refusal::missing("location"))?;
    let latitude = location
        .degrees_latitude
        .ok_or_else(|| Refusal::missing("location.degreesLatitude"))?;
    let longitude = location
        .degrees_longitude
        .ok_or_else(|| Refusal::missing("location.degreesLongitude"))?;
    Ok(SendRequest {
        location: Some(LocationInput {
            latitude: Some(latitude),
            longitude: Some(longitude),
            name: location.name,
            address: location.address,
        }),
        ..body.to.into_send()?
    })
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PollBody {
    #[serde(flatten)]
    to: Recipient,
    name: Option<String>,
    values: Option<Vec<String>>,
    selectable_count: Option<u32>,
    /// Baileys' flag for polls in a community's announcement group; here the group's own id
    /// says where the poll goes, so it changes nothing.
    #[allow(dead_code)]
    to_announcement_group: Option<bool>,
}

pub fn poll(body: PollBody) -> Answer<SendRequest> {
    let name = body.name.ok_or_else(|| Refusal::missing("name"))?;
    let values = body.values.ok_or_else(|| Refusal::missing("values"))?;
    Ok(SendRequest {
        poll: Some(PollInput {
            name: Some(name),
            values: Some(values),
            selectable_count: Some(body.selectable_count.unwrap_or(1)),
        }),
        ..body.to.into_send()?
    })
}

/// A body about an earlier message: a reaction (with `emoji`) or a deletion.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct KeyedBody {
    #[serde(flatten)]
    pub to: Recipient,
    message_key: Option<Value>,
    emoji: Option<String>,
}

impl KeyedBody {
    /// The message's id: the string the send answered, or a Baileys-style key's `id`.
    pub fn message_key(&self) -> Answer<String> {
        let key = match &self.message_key {
            Some(Value::String(key)) => key.trim(),
            Some(Value::Object(key)) => key.get("id").and_then(Value::as_str).unwrap_or(""),
            _ => "",
        };
        if key.is_empty() {
            return Err(Refusal::missing("messageKey"));
        }
        Ok(key.to_owned())
    }
}

/// A reaction to the stored message `message_id`; no emoji (or an empty one) removes it.
pub fn reaction(body: &KeyedBody, message_id: String) -> SendRequest {
    SendRequest {
        reaction: Some(ReactionInput {
            message_id: Some(message_id),
            emoji: Some(body.emoji.clone().unwrap_or_default()),
        }),
        ..SendRequest::default()
    }
}

/// The services' field names, as seed 003 names them.
const SEED_FIELDS: [(&str, &str); 8] = [
    ("to", "number"),
    ("text", "message"),
    ("location.latitude", "location.degreesLatitude"),
    ("location.longitude", "location.degreesLongitude"),
    ("poll.name", "name"),
    ("poll.values", "values"),
    ("poll.selectableCount", "selectableCount"),
    ("reaction.emoji", "emoji"),
];

/// A services' refusal of a send, naming the seed's fields.
pub fn seed_fields(error: ServiceError) -> Refusal {
    match error {
        ServiceError::Validation(errors) => {
            let renamed = errors
                .0
                .into_iter()
                .map(|mut field| {
                    if let Some((_, seed)) =
                        SEED_FIELDS.iter().find(|(ours, _)| *ours == field.field)
                    {
                        field.field = (*seed).to_owned();
                    }
                    field
                })
                .collect();
            ServiceError::Validation(ValidationErrors(renamed)).into()
        }
        other => other.into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::StatusCode;
    use serde_json::json;

    fn read<T: DeserializeOwned>(value: Value) -> T {
        serde_json::from_value(value).unwrap()
    }

    #[test]
    fn a_text_goes_to_a_number_or_a_group() {
        let send = text(read(json!({ "number": 15550002222u64, "message": "Hi" }))).unwrap();
        assert_eq!(send.to.as_deref(), Some("15550002222"));
        assert_eq!(send.text.as_deref(), Some("Hi"));
        let send = text(read(
            json!({ "group": "120363012345678901", "message": "Hi" }),
        ))
        .unwrap();
        assert_eq!(send.group.as_deref(), Some("120363012345678901"));
        let refused = text(read(json!({ "message": "Hi" }))).unwrap_err();
        assert_eq!(refused.status, StatusCode::BAD_REQUEST);
        assert_eq!(refused.details[0].field, "number");
        let refused = text(read(json!({ "number": "15550002222" }))).unwrap_err();
        assert_eq!(refused.details[0].field, "message");
    }

    #[test]
    fn locations_and_polls_read_the_seeds_names() {
        let send = location(read(json!({
            "number": "15550002222",
            "location": { "degreesLatitude": 40.7128, "degreesLongitude": -74.006 }
        })))
        .unwrap();
        let pin = send.location.unwrap();
        assert_eq!(
            (pin.latitude, pin.longitude),
            (Some(40.7128), Some(-74.006))
        );
        let refused = location(read(json!({
            "number": "15550002222", "location": { "degreesLatitude": 1.0 }
        })))
        .unwrap_err();
        assert_eq!(refused.details[0].field, "location.degreesLongitude");
        let send = poll(read(
            json!({ "group": "1203@g.us", "name": "Lunch?", "values": ["A", "B"] }),
        ))
        .unwrap();
        assert_eq!(
            send.poll.unwrap().selectable_count,
            Some(1),
            "one choice by default"
        );
    }

    #[test]
    fn message_keys_are_strings_or_baileys_keys_and_an_absent_emoji_removes() {
        let body: KeyedBody = read(json!({ "number": "1555", "messageKey": " 3EB0 " }));
        assert_eq!(body.message_key().unwrap(), "3EB0");
        let body: KeyedBody =
            read(json!({ "group": "1203", "messageKey": { "id": "3EB1", "fromMe": true } }));
        assert_eq!(body.message_key().unwrap(), "3EB1");
        assert_eq!(body.to.chat().as_deref(), Some("1203@g.us"));
        let reaction = reaction(&body, "0192".to_owned()).reaction.unwrap();
        assert_eq!(reaction.emoji.as_deref(), Some(""));
        let body: KeyedBody = read(json!({ "number": "1555" }));
        assert_eq!(
            body.message_key().unwrap_err().details[0].field,
            "messageKey"
        );
    }

    #[test]
    fn refusals_name_the_seeds_fields() {
        let mut errors = ValidationErrors::default();
        errors.push("to", "is not a phone number");
        errors.push("poll.values", "must have between 2 and 12 options");
        let refused = seed_fields(ServiceError::Validation(errors));
        assert_eq!(refused.status, StatusCode::BAD_REQUEST);
        let fields: Vec<_> = refused.details.iter().map(|d| d.field.as_str()).collect();
        assert_eq!(fields, ["number", "values"]);
        assert!(refused.message.contains("values"), "{}", refused.message);
    }
}
