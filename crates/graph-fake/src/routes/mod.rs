//! The fake's HTTP surface: one file per Graph API area, and what they share — reading the
//! bearer token, refusing a token that may not act, recording the call.

mod media;
mod messages;
mod objects;
mod templates;

pub(crate) use messages::wamid;

use crate::errors;
use crate::state::{Access, Call, State};
use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderMap, Method, Uri, header};
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Router, extract::State as Shared};
use serde_json::Value;
use std::sync::Arc;

/// Meta takes files up to 100 MB; the fake takes a little more.
const MAX_BODY: usize = 128 * 1024 * 1024;

pub(crate) fn router(state: Arc<State>) -> Router {
    Router::new()
        .route("/files/{id}", get(media::download))
        .route("/{version}/{id}", get(objects::read))
        .route("/{version}/{id}/messages", post(messages::post))
        .route("/{version}/{id}/media", post(media::upload))
        .route(
            "/{version}/{id}/message_templates",
            get(templates::list).post(templates::create),
        )
        .fallback(unknown)
        .layer(DefaultBodyLimit::max(MAX_BODY))
        .with_state(state)
}

/// The token of `Authorization: Bearer …`.
fn bearer(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(header::AUTHORIZATION)?
        .to_str()
        .ok()?
        .strip_prefix("Bearer ")
}

/// Meta's refusal when the token may not act on object `id`.
fn refusal(access: Access, method: &str, id: &str) -> Option<Response> {
    match access {
        Access::Granted => None,
        Access::Refused => Some(errors::token_refused()),
        Access::Elsewhere => Some(errors::no_such_object(method, id)),
    }
}

fn record(state: &State, method: &str, uri: &Uri, body: Value, answer: &Response) {
    state.record(Call {
        method: method.to_owned(),
        path: uri.path().to_owned(),
        query: uri.query().unwrap_or_default().to_owned(),
        body,
        status: answer.status().as_u16(),
    });
}

/// A body read as JSON; `null` when it is empty or not JSON.
fn json_body(bytes: &[u8]) -> Value {
    serde_json::from_slice(bytes).unwrap_or(Value::Null)
}

async fn unknown(
    Shared(state): Shared<Arc<State>>,
    method: Method,
    uri: Uri,
    body: axum::body::Bytes,
) -> Response {
    let id = uri.path().trim_start_matches('/').to_owned();
    let answer = errors::no_such_object(method.as_str(), &id);
    record(&state, method.as_str(), &uri, json_body(&body), &answer);
    answer
}
