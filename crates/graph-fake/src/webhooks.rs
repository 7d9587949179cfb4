//! The webhooks Meta posts to a number's callback URL: bodies in Meta's exact shape
//! (`whatsapp_business_account` → `entry` → `changes` → `value`, field `messages`), and
//! [`post_webhook`] to deliver one signed with the app secret as Meta signs it.

use hmac::{Hmac, Mac};
use serde_json::{Value, json};
use sha2::Sha256;
use std::time::{SystemTime, UNIX_EPOCH};

/// Seconds since the epoch, as Meta's webhooks write them (a string).
fn now() -> String {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |elapsed| elapsed.as_secs())
        .to_string()
}

/// One `messages` change of business account `account`, around `value`.
fn envelope(account: &str, value: Value) -> Vec<u8> {
    let body = json!({
        "object": "whatsapp_business_account",
        "entry": [{"id": account, "changes": [{"value": value, "field": "messages"}]}],
    });
    serde_json::to_vec(&body).expect("a webhook body serialises")
}

/// A status of a message the number sent; a failure carries Meta's `(code, title, details)`.
pub fn status_body(
    business_account_id: &str,
    phone_number_id: &str,
    display_phone_number: &str,
    wamid: &str,
    recipient: &str,
    status: &str,
    error: Option<(i64, &str, &str)>,
) -> Vec<u8> {
    let mut entry = json!({
        "id": wamid,
        "status": status,
        "timestamp": now(),
        "recipient_id": recipient,
    });
    match error {
        Some((code, title, details)) => {
            entry["errors"] = json!([{
                "code": code,
                "title": title,
                "message": title,
                "error_data": {"details": details},
            }]);
        }
        None if status != "failed" => {
            entry["pricing"] =
                json!({"billable": true, "pricing_model": "PMP", "category": "utility"});
        }
        None => {}
    }
    envelope(
        business_account_id,
        json!({
            "messaging_product": "whatsapp",
            "metadata": {"display_phone_number": display_phone_number, "phone_number_id": phone_number_id},
            "statuses": [entry],
        }),
    )
}

/// Meta's message types, by the field that carries each one's content.
const TYPES: [&str; 12] = [
    "text",
    "image",
    "video",
    "audio",
    "document",
    "sticker",
    "location",
    "contacts",
    "reaction",
    "button",
    "interactive",
    "order",
];

/// A message a customer sent: `message` is Meta's message object; `from`, `id` (a fresh
/// `wamid`), `timestamp` (now) and `type` (from its content field) are filled in when missing.
pub fn message_body(
    business_account_id: &str,
    phone_number_id: &str,
    display_phone_number: &str,
    from: &str,
    name: &str,
    mut message: Value,
) -> Vec<u8> {
    if let Some(object) = message.as_object_mut() {
        object.entry("from").or_insert_with(|| json!(from));
        object
            .entry("id")
            .or_insert_with(|| json!(crate::routes::wamid(from)));
        object.entry("timestamp").or_insert_with(|| json!(now()));
        if !object.contains_key("type")
            && let Some(kind) = TYPES.iter().find(|kind| object.contains_key(**kind))
        {
            object.insert("type".to_owned(), json!(kind));
        }
    }
    envelope(
        business_account_id,
        json!({
            "messaging_product": "whatsapp",
            "metadata": {"display_phone_number": display_phone_number, "phone_number_id": phone_number_id},
            "contacts": [{"profile": {"name": name}, "wa_id": from}],
            "messages": [message],
        }),
    )
}

/// `X-Hub-Signature-256` for `body`: `sha256=` and the hex HMAC-SHA256 under the app secret.
pub fn signature(app_secret: &str, body: &[u8]) -> String {
    let mut mac =
        Hmac::<Sha256>::new_from_slice(app_secret.as_bytes()).expect("HMAC takes any key");
    mac.update(body);
    format!("sha256={}", hex::encode(mac.finalize().into_bytes()))
}

/// Posts a webhook body to `url` as Meta does (JSON, signed with `X-Hub-Signature-256`);
/// answers the receiver's status and text, or status 0 and the error when it was unreachable.
pub async fn post_webhook(url: &str, app_secret: &str, body: &[u8]) -> (u16, String) {
    let sent = reqwest::Client::new()
        .post(url)
        .header("content-type", "application/json")
        .header("x-hub-signature-256", signature(app_secret, body))
        .body(body.to_vec())
        .send()
        .await;
    match sent {
        Ok(response) => {
            let status = response.status().as_u16();
            (status, response.text().await.unwrap_or_default())
        }
        Err(error) => (0, error.to_string()),
    }
}
