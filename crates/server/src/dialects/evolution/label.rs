//! `/label/findLabels` and `/label/handleLabel`: WhatsApp Business labels as Evolution shows
//! them and puts them on chats.

use super::TAG;
use super::auth::EvoCaller;
use super::body;
use super::error::{EvoError, EvoErrorBody, EvoResult};
use super::route::{created, jid_of, ok, on, required};
use crate::services::{Gateway, LabelRecord};
use axum::body::Bytes;
use axum::extract::{FromRef, Path, State};
use axum::response::Response;
use serde::Deserialize;
use serde_json::{Value, json};
use std::sync::Arc;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn routes<S>() -> OpenApiRouter<S>
where
    S: Clone + Send + Sync + 'static,
    Arc<Gateway>: FromRef<S>,
{
    OpenApiRouter::new()
        .routes(routes!(find_labels))
        .routes(routes!(handle_label))
}

/// A label as Evolution lists it: `color` is the index in WhatsApp's palette.
fn label(label: &LabelRecord) -> Value {
    json!({
        "id": label.id,
        "name": label.name,
        "color": label.color,
        "predefinedId": null,
    })
}

/// The number's labels.
#[utoipa::path(
    get, path = "/label/findLabels/{instance}", tag = TAG,
    params(("instance" = String, Path, description = "The instance's name")),
    responses(
        (status = 200, description = "The labels", body = [Object], example = json!([
            { "id": "1", "name": "New customer", "color": 0, "predefinedId": null },
            { "id": "2", "name": "Paid", "color": 3, "predefinedId": null }
        ])),
        (status = 401, body = EvoErrorBody), (status = 404, body = EvoErrorBody),
    )
)]
pub async fn find_labels(
    State(gateway): State<Arc<Gateway>>,
    EvoCaller(caller): EvoCaller,
    Path(instance): Path<String>,
) -> EvoResult<Response> {
    let labels = gateway
        .list_labels(&caller, &instance)
        .await
        .map_err(on(&instance))?;
    ok(Value::Array(labels.iter().map(label).collect()))
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct HandleLabelBody {
    number: Option<String>,
    label_id: Option<String>,
    action: Option<String>,
}

/// Puts a label on the chat with `number` (`"action": "add"`) or takes it off (`"remove"`).
#[utoipa::path(
    post, path = "/label/handleLabel/{instance}", tag = TAG,
    params(("instance" = String, Path, description = "The instance's name")),
    request_body(content = Object, example = json!({ "number": "5511999999999", "labelId": "2", "action": "add" })),
    responses(
        (status = 201, description = "Done", body = Object, example = json!({ "numberJid": "5511999999999@s.whatsapp.net", "labelId": "2", "add": true })),
        (status = 400, body = EvoErrorBody), (status = 401, body = EvoErrorBody), (status = 404, body = EvoErrorBody),
    )
)]
pub async fn handle_label(
    State(gateway): State<Arc<Gateway>>,
    EvoCaller(caller): EvoCaller,
    Path(instance): Path<String>,
    bytes: Bytes,
) -> EvoResult<Response> {
    let request: HandleLabelBody = body::json(&bytes)?;
    let number = jid_of(required(&request.number, "number")?);
    let label_id = required(&request.label_id, "labelId")?;
    let add = match required(&request.action, "action")? {
        "add" => true,
        "remove" => false,
        _ => {
            return Err(EvoError::bad_request("action must be one of: add, remove"));
        }
    };
    let chat = gateway
        .label_chat(&caller, &instance, &number, label_id, add)
        .await
        .map_err(on(&instance))?;
    let done = if add { "add" } else { "remove" };
    created(json!({ "numberJid": chat.to_string(), "labelId": label_id, done: true }))
}
