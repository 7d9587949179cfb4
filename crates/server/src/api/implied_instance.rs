//! Seed 001's way of naming the instance: every instance-scoped route
//! `/api/v1/instances/{id}/<rest>` is also served as `/api/v1/<rest>`, the instance taken from
//! `X-Instance-Id` (its id or name) or, without that header, from an instance key. The request
//! is rewritten before routing, so both forms reach one handler and behave as one route;
//! `/api/v1/instance` (and `/api/v1/instance/<rest>`) is the instance itself.

use super::AppState;
use super::error::ApiError;
use crate::services::{Caller, Gateway};
use axum::extract::{FromRequestParts, Request, State};
use axum::http::{Method, Uri};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use wagate_core::ErrorCode;

/// The header that names the instance.
const INSTANCE_HEADER: &str = "x-instance-id";

/// The first segments of the routes under `/api/v1/instances/{id}/` that no route directly
/// under `/api/v1/` has.
const INSTANCE_SCOPED: [&str; 19] = [
    "calls",
    "chats",
    "cloud",
    "communities",
    "connect",
    "contacts",
    "groups",
    "labels",
    "logout",
    "newsletters",
    "on-whatsapp",
    "presence",
    "profile",
    "qr",
    "restart",
    "settings",
    "status",
    "templates",
    "verify",
];

/// What a path segment keeps unescaped (RFC 3986's unreserved characters).
const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// The part of `path` after the instance, when `method path` is an instance-scoped route
/// without its instance: `/api/v1/chats` → `/chats`, `/api/v1/instance` → ``.
fn instance_route<'a>(method: &Method, path: &'a str) -> Option<&'a str> {
    let rest = path.strip_prefix("/api/v1")?;
    let first = rest.strip_prefix('/')?.split('/').next()?;
    match first {
        "instance" => Some(&rest["/instance".len()..]),
        // `/api/v1/messages…` is the account's messages, except the two instance sends.
        "messages" => (*method == Method::POST && matches!(rest, "/messages" | "/messages/bulk"))
            .then_some(rest),
        first if INSTANCE_SCOPED.contains(&first) => Some(rest),
        _ => None,
    }
}

/// Rewrites `/api/v1/<rest>` to `/api/v1/instances/{instance}/<rest>` for the instance the
/// request names or its key is limited to; other requests pass unchanged.
pub async fn layer(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let Some(suffix) = instance_route(request.method(), request.uri().path()) else {
        return next.run(request).await;
    };
    let suffix = suffix.to_owned();
    let (mut parts, body) = request.into_parts();
    let named = match parts.headers.get(INSTANCE_HEADER).map(|v| v.to_str()) {
        None => None,
        Some(Ok(named)) => Some(named.to_owned()),
        Some(Err(_)) => {
            return ApiError::new(
                ErrorCode::BadRequest,
                "X-Instance-Id must be an instance id or name",
            )
            .into_response();
        }
    };
    let instance = match named {
        Some(named) if !named.trim().is_empty() => named.trim().to_owned(),
        _ => {
            // The rate limiter reuses this caller rather than authenticating again.
            let caller = match Caller::from_request_parts(&mut parts, &state).await {
                Ok(caller) => caller,
                Err(error) => return error.into_response(),
            };
            let implied = Gateway::implied_instance(&caller.principal, None);
            parts.extensions.insert(caller);
            match implied {
                Some(instance) => instance,
                None => {
                    return ApiError::new(
                        ErrorCode::BadRequest,
                        "name the instance in the X-Instance-Id header (its id or name), or use an instance key",
                    )
                    .into_response();
                }
            }
        }
    };
    let mut path = format!(
        "/api/v1/instances/{}{suffix}",
        utf8_percent_encode(&instance, SEGMENT)
    );
    if let Some(query) = parts.uri.query() {
        path.push('?');
        path.push_str(query);
    }
    match path.parse::<Uri>() {
        Ok(uri) => parts.uri = uri,
        Err(_) => {
            return ApiError::new(ErrorCode::BadRequest, "the request's path is not valid")
                .into_response();
        }
    }
    next.run(Request::from_parts(parts, body)).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn instance_routes_without_their_instance_are_recognised() {
        let get = Method::GET;
        let post = Method::POST;
        assert_eq!(instance_route(&get, "/api/v1/chats"), Some("/chats"));
        assert_eq!(
            instance_route(&post, "/api/v1/groups/1203@g.us/leave"),
            Some("/groups/1203@g.us/leave")
        );
        assert_eq!(instance_route(&get, "/api/v1/qr"), Some("/qr"));
        assert_eq!(instance_route(&get, "/api/v1/instance"), Some(""));
        assert_eq!(
            instance_route(&get, "/api/v1/instance/settings"),
            Some("/settings")
        );
        assert_eq!(instance_route(&post, "/api/v1/messages"), Some("/messages"));
        assert_eq!(
            instance_route(&post, "/api/v1/messages/bulk"),
            Some("/messages/bulk")
        );
    }

    #[test]
    fn routes_of_the_account_are_left_alone() {
        let get = Method::GET;
        let post = Method::POST;
        for path in [
            "/api/v1/messages",
            "/api/v1/messages/0192f0c5",
            "/api/v1/instances",
            "/api/v1/instances/sales/chats",
            "/api/v1/webhooks",
            "/api/v1/media",
            "/api/v1/events",
            "/api/v1/auth/me",
            "/api/v1/chatsy",
            "/api/v2/chats",
            "/healthz",
        ] {
            assert_eq!(instance_route(&get, path), None, "{path}");
        }
        assert_eq!(
            instance_route(&post, "/api/v1/messages/0192f0c5/react"),
            None
        );
        assert_eq!(instance_route(&get, "/api/v1/instances/x"), None);
    }
}
