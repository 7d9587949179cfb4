//! Evolution's profile routes under `/chat/`: a contact's picture and profile, and the
//! number's own name, about ("status"), picture and privacy.

use super::auth::EvoCaller;
use super::body;
use super::error::{EvoError, EvoErrorBody, EvoResult};
use super::route::{created, jid_of, ok, on, phone_of, required};
use super::{TAG, shapes};
use crate::services::pictures::PictureRequest;
use crate::services::{Gateway, PrivacySetting, PrivacyValue};
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::response::Response;
use serde::Deserialize;
use serde_json::{Value, json};
use std::sync::Arc;
use wagate_core::{Jid, JidKind};

#[derive(Debug, Default, Deserialize)]
struct NumberRequest {
    number: Option<String>,
}

/// A contact's or a group's profile picture: `profilePictureUrl` is `null` when there is
/// none the number may see. The address is WhatsApp's CDN's, which expires.
#[utoipa::path(
    post, path = "/chat/fetchProfilePictureUrl/{instance}", tag = TAG,
    params(("instance" = String, Path, description = "The instance's name")),
    request_body(content = Object, example = json!({ "number": "5511999999999" })),
    responses(
        (status = 200, description = "The picture's address, or null", body = Object, example = json!({
            "wuid": "5511999999999@s.whatsapp.net",
            "profilePictureUrl": "https://pps.whatsapp.net/v/t61.24694-24/123_456.jpg"
        })),
        (status = 400, body = EvoErrorBody), (status = 401, body = EvoErrorBody),
        (status = 404, body = EvoErrorBody), (status = 501, body = EvoErrorBody),
    )
)]
pub async fn fetch_profile_picture_url(
    State(gateway): State<Arc<Gateway>>,
    EvoCaller(caller): EvoCaller,
    Path(instance): Path<String>,
    body: Bytes,
) -> EvoResult<Response> {
    let request: NumberRequest = body::json(&body)?;
    let number = required(&request.number, "number")?;
    let jid = jid_of(number);
    let picture = match Jid::parse(&jid).map(|jid| jid.kind()) {
        Ok(JidKind::Group) => gateway.group_picture(&caller, &instance, &jid).await,
        _ => {
            gateway
                .contact_picture(&caller, &instance, &phone_of(number))
                .await
        }
    }
    .map_err(on(&instance))?;
    ok(json!({
        "wuid": picture.jid.to_string(),
        "profilePictureUrl": picture.picture.map(|picture| picture.url),
    }))
}

/// A contact's profile (`number`), or the number's own without one: name, picture, about
/// (`status`; for the number itself, its connection state, as Evolution answers) and whether
/// it is a business. Business details (email, description, website) are not read: `null`.
#[utoipa::path(
    post, path = "/chat/fetchProfile/{instance}", tag = TAG,
    params(("instance" = String, Path, description = "The instance's name")),
    request_body(content = Object, example = json!({ "number": "5511999999999" })),
    responses(
        (status = 200, description = "The profile", body = Object, example = json!({
            "wuid": "5511999999999@s.whatsapp.net",
            "name": "Ann",
            "numberExists": true,
            "picture": "https://pps.whatsapp.net/v/t61.24694-24/123_456.jpg",
            "status": "Available",
            "isBusiness": false,
            "email": null,
            "description": null,
            "website": null
        })),
        (status = 400, description = "The number is not on WhatsApp", body = EvoErrorBody),
        (status = 401, body = EvoErrorBody), (status = 404, body = EvoErrorBody),
        (status = 501, body = EvoErrorBody),
    )
)]
pub async fn fetch_profile(
    State(gateway): State<Arc<Gateway>>,
    EvoCaller(caller): EvoCaller,
    Path(instance): Path<String>,
    body: Bytes,
) -> EvoResult<Response> {
    let request: NumberRequest = body::json(&body)?;
    let number = request
        .number
        .as_deref()
        .map(str::trim)
        .filter(|n| !n.is_empty());
    let Some(number) = number else {
        let record = gateway
            .resolve_instance(&caller, &instance)
            .await
            .map_err(on(&instance))?;
        let own = gateway
            .own_profile(&caller, &instance)
            .await
            .map_err(on(&instance))?;
        return ok(json!({
            "wuid": own.me.jid,
            "name": own.me.push_name,
            "numberExists": true,
            "picture": own.info.picture_url,
            "status": shapes::connection_state(record.status),
            "isBusiness": own.info.business,
            "email": null,
            "description": null,
            "website": null,
        }));
    };
    let profile = gateway
        .contact_profile(&caller, &instance, &phone_of(number))
        .await
        .map_err(on(&instance))?;
    let wuid = profile.jid.to_string();
    if !profile.info.exists {
        return Err(EvoError::bad_request(format!(
            "{wuid} is not on WhatsApp (exists: false)"
        )));
    }
    let name = profile
        .known
        .and_then(|contact| contact.push_name.or(contact.name));
    ok(json!({
        "wuid": wuid,
        "name": name,
        "numberExists": true,
        "picture": profile.info.picture_url,
        "status": profile.info.about,
        "isBusiness": profile.info.business,
        "email": null,
        "description": null,
        "website": null,
    }))
}

/// Not in wagate's Evolution dialect: a business's profile (description, email, website,
/// address). Whether a number is a business is in `fetchProfile` and `whatsappNumbers`.
#[utoipa::path(
    post, path = "/chat/fetchBusinessProfile/{instance}", tag = TAG,
    params(("instance" = String, Path, description = "The instance's name")),
    request_body(content = Object, example = json!({ "number": "5511999999999" })),
    responses((status = 501, description = "Not available", body = EvoErrorBody))
)]
pub async fn fetch_business_profile(
    EvoCaller(_caller): EvoCaller,
    Path(_instance): Path<String>,
) -> EvoResult<Response> {
    Err(EvoError::not_implemented(
        "Reading a business profile (fetchBusinessProfile; whether a number is a business is in fetchProfile)",
    ))
}

const UPDATED: &str = "success";

#[derive(Debug, Default, Deserialize)]
struct NameRequest {
    name: Option<String>,
}

/// Change the name the number shows (1 to 25 characters).
#[utoipa::path(
    post, path = "/chat/updateProfileName/{instance}", tag = TAG,
    params(("instance" = String, Path, description = "The instance's name")),
    request_body(content = Object, example = json!({ "name": "Acme Support" })),
    responses(
        (status = 200, description = "Changed", body = Object, example = json!({ "update": "success" })),
        (status = 400, body = EvoErrorBody), (status = 401, body = EvoErrorBody),
        (status = 404, body = EvoErrorBody), (status = 501, body = EvoErrorBody),
    )
)]
pub async fn update_profile_name(
    State(gateway): State<Arc<Gateway>>,
    EvoCaller(caller): EvoCaller,
    Path(instance): Path<String>,
    body: Bytes,
) -> EvoResult<Response> {
    let request: NameRequest = body::json(&body)?;
    let name = required(&request.name, "name")?;
    gateway
        .set_profile_name(&caller, &instance, name)
        .await
        .map_err(on(&instance))?;
    ok(json!({ "update": UPDATED }))
}

#[derive(Debug, Default, Deserialize)]
struct StatusRequest {
    status: Option<String>,
}

/// Change the number's "about" text (at most 139 characters).
#[utoipa::path(
    post, path = "/chat/updateProfileStatus/{instance}", tag = TAG,
    params(("instance" = String, Path, description = "The instance's name")),
    request_body(content = Object, example = json!({ "status": "We answer 9 to 5" })),
    responses(
        (status = 200, description = "Changed", body = Object, example = json!({ "update": "success" })),
        (status = 400, body = EvoErrorBody), (status = 401, body = EvoErrorBody),
        (status = 404, body = EvoErrorBody), (status = 501, body = EvoErrorBody),
    )
)]
pub async fn update_profile_status(
    State(gateway): State<Arc<Gateway>>,
    EvoCaller(caller): EvoCaller,
    Path(instance): Path<String>,
    body: Bytes,
) -> EvoResult<Response> {
    let request: StatusRequest = body::json(&body)?;
    let status = required(&request.status, "status")?;
    gateway
        .set_about(&caller, &instance, status)
        .await
        .map_err(on(&instance))?;
    ok(json!({ "update": UPDATED }))
}

/// An image Evolution takes as a URL or base64 (a `data:` URL too).
pub fn picture_request(image: &str) -> PictureRequest {
    let image = image.trim();
    if image.starts_with("http://") || image.starts_with("https://") {
        PictureRequest {
            url: Some(image.to_owned()),
            ..Default::default()
        }
    } else {
        PictureRequest {
            base64: Some(image.to_owned()),
            ..Default::default()
        }
    }
}

#[derive(Debug, Default, Deserialize)]
struct PictureBody {
    picture: Option<String>,
}

/// Set the number's profile picture from a JPEG, PNG or WebP image, given as a URL or as
/// base64 (cropped to its centre square, at most 640×640).
#[utoipa::path(
    post, path = "/chat/updateProfilePicture/{instance}", tag = TAG,
    params(("instance" = String, Path, description = "The instance's name")),
    request_body(content = Object, example = json!({ "picture": "https://example.com/logo.png" })),
    responses(
        (status = 200, description = "Changed", body = Object, example = json!({ "update": "success" })),
        (status = 400, body = EvoErrorBody), (status = 401, body = EvoErrorBody),
        (status = 404, body = EvoErrorBody),
        (status = 413, description = "The image is larger than 10 MiB", body = EvoErrorBody),
        (status = 415, description = "Not a JPEG, PNG or WebP image", body = EvoErrorBody),
        (status = 501, body = EvoErrorBody),
    )
)]
pub async fn update_profile_picture(
    State(gateway): State<Arc<Gateway>>,
    EvoCaller(caller): EvoCaller,
    Path(instance): Path<String>,
    body: Bytes,
) -> EvoResult<Response> {
    let request: PictureBody = body::json(&body)?;
    let picture = required(&request.picture, "picture")?;
    gateway
        .set_own_picture(&caller, &instance, Some(picture_request(picture)))
        .await
        .map_err(on(&instance))?;
    ok(json!({ "update": UPDATED }))
}

/// Remove the number's profile picture.
#[utoipa::path(
    delete, path = "/chat/removeProfilePicture/{instance}", tag = TAG,
    params(("instance" = String, Path, description = "The instance's name")),
    responses(
        (status = 200, description = "Removed", body = Object, example = json!({ "update": "success" })),
        (status = 400, body = EvoErrorBody), (status = 401, body = EvoErrorBody),
        (status = 404, body = EvoErrorBody), (status = 501, body = EvoErrorBody),
    )
)]
pub async fn remove_profile_picture(
    State(gateway): State<Arc<Gateway>>,
    EvoCaller(caller): EvoCaller,
    Path(instance): Path<String>,
) -> EvoResult<Response> {
    gateway
        .set_own_picture(&caller, &instance, None)
        .await
        .map_err(on(&instance))?;
    ok(json!({ "update": UPDATED }))
}

/// Evolution's privacy names and the settings they are.
const PRIVACY: [(&str, PrivacySetting); 6] = [
    ("readreceipts", PrivacySetting::ReadReceipts),
    ("profile", PrivacySetting::ProfilePicture),
    ("status", PrivacySetting::About),
    ("online", PrivacySetting::Online),
    ("last", PrivacySetting::LastSeen),
    ("groupadd", PrivacySetting::GroupAdd),
];

fn privacy_answer(settings: &[(PrivacySetting, PrivacyValue)]) -> Value {
    let mut answer = serde_json::Map::new();
    for (name, setting) in PRIVACY {
        let value = settings
            .iter()
            .find(|(s, _)| *s == setting)
            .map(|(_, value)| value.as_str());
        answer.insert(name.to_owned(), json!(value));
    }
    Value::Object(answer)
}

/// The number's privacy settings, with WhatsApp's values (`all`, `contacts`,
/// `contact_blacklist`, `none`, `match_last_seen`).
#[utoipa::path(
    get, path = "/chat/fetchPrivacySettings/{instance}", tag = TAG,
    params(("instance" = String, Path, description = "The instance's name")),
    responses(
        (status = 200, description = "The settings", body = Object, example = json!({
            "readreceipts": "all", "profile": "all", "status": "contacts",
            "online": "all", "last": "contacts", "groupadd": "all"
        })),
        (status = 400, body = EvoErrorBody), (status = 401, body = EvoErrorBody),
        (status = 404, body = EvoErrorBody), (status = 501, body = EvoErrorBody),
    )
)]
pub async fn fetch_privacy_settings(
    State(gateway): State<Arc<Gateway>>,
    EvoCaller(caller): EvoCaller,
    Path(instance): Path<String>,
) -> EvoResult<Response> {
    let settings = gateway
        .privacy(&caller, &instance)
        .await
        .map_err(on(&instance))?;
    ok(privacy_answer(&settings))
}

/// Change privacy settings (`readreceipts`: all or none; `profile`, `status`, `last`,
/// `groupadd`: all, contacts, contact_blacklist or none; `online`: all or match_last_seen).
/// Those left out stay as they are; a refused change leaves every setting as it was.
#[utoipa::path(
    post, path = "/chat/updatePrivacySettings/{instance}", tag = TAG,
    params(("instance" = String, Path, description = "The instance's name")),
    request_body(content = Object, example = json!({
        "readreceipts": "all", "profile": "all", "status": "contacts",
        "online": "all", "last": "contacts", "groupadd": "contacts"
    })),
    responses(
        (status = 201, description = "Changed; `data` has every setting after", body = Object, example = json!({
            "update": "success",
            "data": {
                "readreceipts": "all", "profile": "all", "status": "contacts",
                "online": "all", "last": "contacts", "groupadd": "contacts"
            }
        })),
        (status = 400, body = EvoErrorBody), (status = 401, body = EvoErrorBody),
        (status = 404, body = EvoErrorBody), (status = 501, body = EvoErrorBody),
    )
)]
pub async fn update_privacy_settings(
    State(gateway): State<Arc<Gateway>>,
    EvoCaller(caller): EvoCaller,
    Path(instance): Path<String>,
    body: Bytes,
) -> EvoResult<Response> {
    let request: serde_json::Map<String, Value> = body::json(&body)?;
    let mut changes = Vec::new();
    for (name, setting) in PRIVACY {
        match request.get(name) {
            None | Some(Value::Null) => {}
            Some(Value::String(value)) => changes.push((setting, value.trim().to_owned())),
            Some(_) => {
                return Err(EvoError::bad_request(format!(
                    "{name} is not of a type(s) string"
                )));
            }
        }
    }
    let settings = gateway
        .set_privacy(&caller, &instance, &changes)
        .await
        .map_err(on(&instance))?;
    created(json!({ "update": UPDATED, "data": privacy_answer(&settings) }))
}
