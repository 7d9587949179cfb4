//! Meta's error answers: `{"error": {"message", "type", "code", "error_subcode"?, "error_data":
//! {"messaging_product", "details"}, "fbtrace_id"}}` with the HTTP status Meta uses.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

/// A Meta error body (`subcode` and `details` when Meta gives them).
pub(crate) fn body(code: i64, message: &str, subcode: Option<i64>, details: Option<&str>) -> Value {
    let mut error = json!({
        "message": message,
        "type": "OAuthException",
        "code": code,
        "fbtrace_id": format!("A{}", uuid::Uuid::new_v4().simple()),
    });
    if let Some(subcode) = subcode {
        error["error_subcode"] = json!(subcode);
    }
    if let Some(details) = details {
        error["error_data"] = json!({"messaging_product": "whatsapp", "details": details});
    }
    json!({ "error": error })
}

fn answer(status: u16, body: Value) -> Response {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_REQUEST);
    (status, Json(body)).into_response()
}

/// A token that is wrong, expired or revoked (190).
pub(crate) fn token_refused() -> Response {
    answer(
        401,
        body(
            190,
            "Error validating access token: Session has expired or the user has revoked the token.",
            Some(463),
            None,
        ),
    )
}

/// An object the token cannot see, or that does not exist (100, subcode 33).
pub(crate) fn no_such_object(method: &str, id: &str) -> Response {
    let message = format!(
        "Unsupported {} request. Object with ID '{id}' does not exist, cannot be loaded due to missing permissions, or does not support this operation.",
        method.to_lowercase()
    );
    answer(400, body(100, &message, Some(33), None))
}

/// A body Meta would refuse (100).
pub(crate) fn invalid_parameter(details: &str) -> Response {
    answer(
        400,
        body(100, "(#100) Invalid parameter", None, Some(details)),
    )
}

/// An error a test injected, as Meta words it (`(#131026) Message undeliverable`).
pub(crate) fn injected(code: i64, http_status: u16, title: &str, details: &str) -> Response {
    answer(
        http_status,
        body(code, &format!("(#{code}) {title}"), None, Some(details)),
    )
}

/// Meta's title and explanation for the codes tests inject most.
pub(crate) fn known(code: i64) -> (&'static str, &'static str) {
    match code {
        130429 => (
            "Rate limit hit",
            "Message failed to send because there were too many messages sent from this phone number in a short period of time.",
        ),
        131056 => (
            "(Business Account, Consumer Account) pair rate limit hit",
            "Message failed to send because there were too many messages sent from this phone number to the same phone number in a short period of time.",
        ),
        131000 => (
            "Something went wrong",
            "Message failed to send due to an unknown error.",
        ),
        131016 => (
            "Service unavailable",
            "A service is temporarily unavailable.",
        ),
        131026 => ("Message undeliverable", "Message Undeliverable."),
        131047 => (
            "Re-engagement message",
            "Message failed to send because more than 24 hours have passed since the customer last replied to this number.",
        ),
        4 => (
            "Application request limit reached",
            "The app has reached its API call rate limit.",
        ),
        _ => ("Error", "The fake Graph API was told to fail this message."),
    }
}
