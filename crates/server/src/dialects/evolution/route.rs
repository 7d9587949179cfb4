//! What the chat and group routes do alike: answer with Evolution's status (200 or 201, route
//! by route), read the instance their path names (a service's "instance not found" becomes
//! Evolution's 404 naming it), say what a body lacks in Evolution's words, and read the
//! addresses Evolution takes (digits, a JID, a group id with or without `@g.us`).

use super::error::{EvoError, EvoResult};
use crate::services::{Gateway, InstanceRecord, Principal, ServiceError};
use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::Value;
use std::collections::HashMap;
use wagate_core::Recipient;

/// Evolution's 200 answer.
pub fn ok(body: Value) -> EvoResult<Response> {
    Ok(Json(body).into_response())
}

/// Evolution's 201 answer (most routes that change something).
pub fn created(body: Value) -> EvoResult<Response> {
    Ok((StatusCode::CREATED, Json(body)).into_response())
}

/// Maps a service's error on the instance `name`: an instance it cannot find (or that the
/// caller's key does not reach) is Evolution's 404 naming it.
pub fn on(name: &str) -> impl Fn(ServiceError) -> EvoError + '_ {
    move |error| match error {
        ServiceError::NotFound("instance") => EvoError::instance_not_found(name),
        other => other.into(),
    }
}

/// The instance the path names, if the caller's key reaches it: Evolution's 404 otherwise.
pub async fn instance(
    gateway: &Gateway,
    caller: &Principal,
    name: &str,
) -> EvoResult<InstanceRecord> {
    gateway
        .resolve_instance(caller, name)
        .await
        .map_err(on(name))
}

/// A required field the body left out, as Evolution's validator says it.
pub fn missing(field: &str) -> EvoError {
    EvoError::bad_request(format!("instance requires property \"{field}\""))
}

/// A required text field: present and not blank.
pub fn required<'a>(value: &'a Option<String>, field: &str) -> EvoResult<&'a str> {
    match value.as_deref().map(str::trim) {
        Some(text) if !text.is_empty() => Ok(text),
        Some(_) => Err(EvoError::bad_request(format!(
            "The \"{field}\" cannot be empty"
        ))),
        None => Err(missing(field)),
    }
}

/// A query parameter, when given and not blank.
pub fn param<'a>(query: &'a HashMap<String, String>, name: &str) -> Option<&'a str> {
    query
        .get(name)
        .map(|value| value.trim())
        .filter(|value| !value.is_empty())
}

/// The group a route acts on: `groupJid` from the body, else from the query, with `@g.us`
/// added when it is missing (as Evolution does).
pub fn group_jid(body: Option<&str>, query: &HashMap<String, String>) -> EvoResult<String> {
    let raw = body
        .map(str::trim)
        .filter(|value| !value.is_empty())
        .or_else(|| param(query, "groupJid"))
        .ok_or_else(|| EvoError {
            status: StatusCode::BAD_REQUEST,
            messages: vec![
                "The group id needs to be informed in the query".to_owned(),
                "ex: \"groupJid=120362@g.us\"".to_owned(),
            ],
        })?;
    Ok(if raw.ends_with("@g.us") {
        raw.to_owned()
    } else {
        format!("{raw}@g.us")
    })
}

/// The JID an Evolution `number` names, read as Evolution reads it: a JID stays as it is (a
/// device suffix dropped), a group id without its server (with a dash and 24 characters or
/// more, or 18 digits and more) gets `@g.us`, anything else is a phone number's digits.
pub fn jid_of(number: &str) -> String {
    let number = number.trim();
    let number = match number.split_once(':') {
        Some((user, rest)) => {
            let server = rest.split_once('@').map_or("", |(_, server)| server);
            if server.is_empty() {
                user.to_owned()
            } else {
                format!("{user}@{server}")
            }
        }
        None => number.to_owned(),
    };
    if [
        "@g.us",
        "@s.whatsapp.net",
        "@lid",
        "@broadcast",
        "@newsletter",
    ]
    .iter()
    .any(|server| number.contains(server))
    {
        return number;
    }
    let user = number.split('@').next().unwrap_or_default();
    if user.contains('-') && user.len() >= 24 {
        let id: String = user
            .chars()
            .filter(|c| c.is_ascii_digit() || *c == '-')
            .collect();
        return format!("{id}@g.us");
    }
    let digits: String = user.chars().filter(char::is_ascii_digit).collect();
    if digits.len() >= 18 {
        format!("{digits}@g.us")
    } else {
        format!("{digits}@s.whatsapp.net")
    }
}

/// The phone number an Evolution `number` names, as the services take it; anything that is
/// not a phone number passes as Evolution reads it, for the services to refuse.
pub fn phone_of(number: &str) -> String {
    let jid = jid_of(number);
    match Recipient::parse(&jid).map(|recipient| recipient.jid().phone()) {
        Ok(Some(phone)) => phone.as_str().to_owned(),
        _ if number.contains('@') => jid,
        _ => number.trim().to_owned(),
    }
}

/// A count or size Evolution's clients send as a number or a numeric string.
pub fn integer(value: Option<&Value>, field: &str) -> EvoResult<Option<i64>> {
    match value {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Number(number)) => number
            .as_i64()
            .or_else(|| {
                number
                    .as_f64()
                    .filter(|f| f.fract() == 0.0)
                    .map(|f| f as i64)
            })
            .map(Some)
            .ok_or_else(|| EvoError::bad_request(format!("{field} is not an integer"))),
        Some(Value::String(text)) => text
            .trim()
            .parse()
            .map(Some)
            .map_err(|_| EvoError::bad_request(format!("{field} is not an integer"))),
        Some(_) => Err(EvoError::bad_request(format!("{field} is not an integer"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_group_comes_from_the_body_or_the_query_and_gets_its_server() {
        let query = HashMap::from([("groupJid".to_owned(), "120363000000000001".to_owned())]);
        assert_eq!(group_jid(None, &query).unwrap(), "120363000000000001@g.us");
        assert_eq!(
            group_jid(Some("120363000000000002@g.us"), &query).unwrap(),
            "120363000000000002@g.us"
        );
        let error = group_jid(Some(" "), &HashMap::new()).unwrap_err();
        assert_eq!(error.status, StatusCode::BAD_REQUEST);
        assert_eq!(error.messages.len(), 2);
    }

    #[test]
    fn numbers_read_as_evolution_reads_them() {
        assert_eq!(phone_of("+1 555 000 2222"), "15550002222");
        assert_eq!(phone_of("15550002222@s.whatsapp.net"), "15550002222");
        assert_eq!(phone_of("hello"), "hello");
        assert_eq!(jid_of("15550002222"), "15550002222@s.whatsapp.net");
        assert_eq!(jid_of("120363000000000001@g.us"), "120363000000000001@g.us");
        assert_eq!(
            jid_of("5511999990000-1600000000"),
            "5511999990000-1600000000@g.us"
        );
        assert_eq!(jid_of("120363000000000001"), "120363000000000001@g.us");
        assert_eq!(
            jid_of("15550002222:12@s.whatsapp.net"),
            "15550002222@s.whatsapp.net"
        );
    }

    #[test]
    fn counts_may_be_numbers_or_numeric_strings() {
        assert_eq!(integer(Some(&json!(50)), "offset").unwrap(), Some(50));
        assert_eq!(integer(Some(&json!("2")), "page").unwrap(), Some(2));
        assert_eq!(integer(Some(&json!(3.0)), "page").unwrap(), Some(3));
        assert_eq!(integer(None, "page").unwrap(), None);
        assert!(integer(Some(&json!("x")), "page").is_err());
        assert!(integer(Some(&json!(true)), "page").is_err());
    }

    #[test]
    fn a_missing_instance_is_named() {
        let error = on("sales")(ServiceError::NotFound("instance"));
        assert_eq!(error.status, StatusCode::NOT_FOUND);
        assert!(error.messages[0].contains("\"sales\""));
        let error = on("sales")(ServiceError::NotFound("message"));
        assert_eq!(error.messages, ["message not found"]);
    }
}
