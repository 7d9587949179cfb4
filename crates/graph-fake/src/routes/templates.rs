//! `GET|POST /{version}/{waba-id}/message_templates`: the business account's templates, listed
//! a page at a time with Meta's cursors, and new ones filed as `PENDING`.

use super::{json_body, record, refusal};
use crate::state::{State, Violation};
use crate::{errors, spec};
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, Query, State as Shared};
use axum::http::{HeaderMap, Uri};
use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Value, json};
use std::collections::HashMap;
use std::sync::Arc;

/// Meta's page size when the request names none.
const DEFAULT_LIMIT: usize = 25;

pub(super) async fn list(
    Shared(state): Shared<Arc<State>>,
    headers: HeaderMap,
    uri: Uri,
    Path((version, account)): Path<(String, String)>,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    let access = state.access(super::bearer(&headers), |n| {
        n.business_account_id == account
    });
    let answer = refusal(access, "GET", &account)
        .unwrap_or_else(|| page(&state, &version, &account, &query));
    record(&state, "GET", &uri, Value::Null, &answer);
    answer
}

fn cursor(index: usize) -> String {
    URL_SAFE_NO_PAD.encode(index.to_string())
}

fn position(cursor: &str) -> Option<usize> {
    let raw = URL_SAFE_NO_PAD.decode(cursor).ok()?;
    String::from_utf8(raw).ok()?.parse().ok()
}

fn page(state: &State, version: &str, account: &str, query: &HashMap<String, String>) -> Response {
    let name = query.get("name");
    let templates = state.templates.lock().expect("templates lock");
    let matching: Vec<&Value> = templates
        .get(account)
        .into_iter()
        .flatten()
        .filter(|template| name.is_none_or(|name| template["name"] == name.as_str()))
        .collect();
    let limit = query
        .get("limit")
        .and_then(|limit| limit.parse().ok())
        .unwrap_or(DEFAULT_LIMIT)
        .max(1);
    let start = query
        .get("after")
        .and_then(|after| position(after))
        .unwrap_or(0)
        .min(matching.len());
    let end = (start + limit).min(matching.len());
    let mut paging = json!({"cursors": {"before": cursor(start), "after": cursor(end)}});
    if end < matching.len() {
        let mut next = format!(
            "{}/{version}/{account}/message_templates?limit={limit}&after={}",
            state.base_url,
            cursor(end)
        );
        if let Some(name) =
            name.filter(|name| name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'))
        {
            next.push_str(&format!("&name={name}"));
        }
        paging["next"] = json!(next);
    }
    Json(json!({"data": &matching[start..end], "paging": paging})).into_response()
}

pub(super) async fn create(
    Shared(state): Shared<Arc<State>>,
    headers: HeaderMap,
    uri: Uri,
    Path((_version, account)): Path<(String, String)>,
    body: Bytes,
) -> Response {
    let body = json_body(&body);
    let access = state.access(super::bearer(&headers), |n| {
        n.business_account_id == account
    });
    let answer =
        refusal(access, "POST", &account).unwrap_or_else(|| file(&state, &uri, &account, &body));
    record(&state, "POST", &uri, body, &answer);
    answer
}

/// Files a valid template as `PENDING`; refuses an invalid one, or a second one with the same
/// name and language.
fn file(state: &State, uri: &Uri, account: &str, body: &Value) -> Response {
    let errors = if body.is_object() {
        spec::violations(spec::NEW_TEMPLATE, body)
    } else {
        vec!["the body is not a JSON object".to_owned()]
    };
    if !errors.is_empty() {
        let details = errors.join("; ");
        state.refuse(Violation {
            method: "POST".to_owned(),
            path: uri.path().to_owned(),
            body: body.clone(),
            errors,
        });
        return errors::invalid_parameter(&details);
    }
    let id = state.next_id();
    let mut templates = state.templates.lock().expect("templates lock");
    let filed = templates.entry(account.to_owned()).or_default();
    if filed
        .iter()
        .any(|t| t["name"] == body["name"] && t["language"] == body["language"])
    {
        return errors::invalid_parameter(&format!(
            "a template named {} already exists in language {}",
            body["name"], body["language"]
        ));
    }
    filed.push(json!({
        "id": id,
        "name": body["name"],
        "language": body["language"],
        "status": "PENDING",
        "category": body["category"],
        "components": body["components"],
    }));
    Json(json!({"id": id, "status": "PENDING", "category": body["category"]})).into_response()
}
