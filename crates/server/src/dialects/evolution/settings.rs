//! Evolution's instance settings (`rejectCall`, `msgCall`, `groupsIgnore`, `alwaysOnline`,
//! `readMessages`, `readStatus`, `syncFullHistory`) as wagate's instance settings, and
//! `/settings/set|find/{instance}`.

use super::TAG;
use super::auth::EvoCaller;
use super::body;
use super::error::{EvoErrorBody, EvoResult};
use super::route;
use crate::services::{Gateway, InstanceRecord, InstanceUpdateRequest};
use axum::Json;
use axum::body::Bytes;
use axum::extract::{FromRef, Path, State};
use axum::http::StatusCode;
use serde::Deserialize;
use serde_json::{Value, json};
use std::sync::Arc;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use wagate_core::InstanceSettings;

pub fn routes<S>() -> OpenApiRouter<S>
where
    S: Clone + Send + Sync + 'static,
    Arc<Gateway>: FromRef<S>,
{
    OpenApiRouter::new()
        .routes(routes!(set_settings))
        .routes(routes!(find_settings))
}

/// Evolution's settings fields; those left out keep their value.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EvoSettings {
    pub reject_call: Option<bool>,
    pub msg_call: Option<String>,
    pub groups_ignore: Option<bool>,
    pub always_online: Option<bool>,
    pub read_messages: Option<bool>,
    /// Evolution's `readStatus`: contacts' statuses are received (off: ignored).
    pub read_status: Option<bool>,
    pub sync_full_history: Option<bool>,
}

impl EvoSettings {
    /// `current` with these changes.
    pub fn applied_to(self, mut current: InstanceSettings) -> InstanceSettings {
        if let Some(on) = self.reject_call {
            current.reject_calls = on;
        }
        if let Some(text) = self.msg_call {
            current.call_reject_message = Some(text).filter(|text| !text.trim().is_empty());
        }
        if let Some(on) = self.groups_ignore {
            current.ignore_groups = on;
        }
        if let Some(on) = self.always_online {
            current.always_online = on;
        }
        if let Some(on) = self.read_messages {
            current.auto_read_messages = on;
        }
        if let Some(on) = self.read_status {
            current.ignore_status = !on;
        }
        if let Some(on) = self.sync_full_history {
            current.sync_history = on;
        }
        current
    }
}

/// An instance's settings as Evolution shows them.
pub fn view(settings: &InstanceSettings) -> Value {
    json!({
        "rejectCall": settings.reject_calls,
        "msgCall": settings.call_reject_message.clone().unwrap_or_default(),
        "groupsIgnore": settings.ignore_groups,
        "alwaysOnline": settings.always_online,
        "readMessages": settings.auto_read_messages,
        "readStatus": !settings.ignore_status,
        "syncFullHistory": settings.sync_history,
    })
}

/// Changes the settings of `instance`; answers them as they are afterwards.
pub async fn apply(
    gateway: &Gateway,
    caller: &EvoCaller,
    instance: &InstanceRecord,
    changes: EvoSettings,
) -> EvoResult<InstanceRecord> {
    let settings = changes.applied_to(instance.settings.clone());
    Ok(gateway
        .update_instance(
            &caller.0,
            instance.id.as_str(),
            InstanceUpdateRequest {
                settings: Some(settings),
            },
        )
        .await?)
}

/// Sets the instance's behaviour: reject calls (with a message), ignore groups, stay online,
/// mark messages read, receive statuses, import the history.
#[utoipa::path(
    post, path = "/settings/set/{instance}", tag = TAG,
    params(("instance" = String, Path, description = "The instance name")),
    request_body(content = Object, example = json!({
        "rejectCall": true, "msgCall": "I do not take calls", "groupsIgnore": false,
        "alwaysOnline": false, "readMessages": false, "readStatus": true, "syncFullHistory": false
    })),
    responses(
        (status = 201, description = "The settings now", body = Object, example = json!({"settings": {"instanceName": "sales", "settings": {"rejectCall": true, "msgCall": "I do not take calls", "groupsIgnore": false, "alwaysOnline": false, "readMessages": false, "readStatus": true, "syncFullHistory": false}}})),
        (status = 400, body = EvoErrorBody), (status = 401, body = EvoErrorBody), (status = 404, body = EvoErrorBody),
    )
)]
pub async fn set_settings(
    State(gateway): State<Arc<Gateway>>,
    caller: EvoCaller,
    Path(name): Path<String>,
    bytes: Bytes,
) -> EvoResult<(StatusCode, Json<Value>)> {
    let changes: EvoSettings = body::json(&bytes)?;
    let instance = route::instance(&gateway, &caller.0, &name).await?;
    let updated = apply(&gateway, &caller, &instance, changes).await?;
    Ok((
        StatusCode::CREATED,
        Json(json!({ "settings": {
            "instanceName": updated.name.as_str(),
            "settings": view(&updated.settings),
        } })),
    ))
}

/// The instance's settings.
#[utoipa::path(
    get, path = "/settings/find/{instance}", tag = TAG,
    params(("instance" = String, Path, description = "The instance name")),
    responses(
        (status = 200, description = "The settings", body = Object, example = json!({"rejectCall": false, "msgCall": "", "groupsIgnore": false, "alwaysOnline": false, "readMessages": false, "readStatus": true, "syncFullHistory": false})),
        (status = 401, body = EvoErrorBody), (status = 404, body = EvoErrorBody),
    )
)]
pub async fn find_settings(
    State(gateway): State<Arc<Gateway>>,
    caller: EvoCaller,
    Path(name): Path<String>,
) -> EvoResult<Json<Value>> {
    let instance = route::instance(&gateway, &caller.0, &name).await?;
    Ok(Json(view(&instance.settings)))
}
