//! `/instance/*`: creating, linking, listing, restarting, logging out and deleting instances
//! as Evolution does. An account key plays Evolution's global key (it creates and lists the
//! account's instances), an instance key plays the instance's token.
//!
//! `WHATSAPP-BAILEYS` instances run on the linked-device engine the server is set to
//! (`[evolution] linked_device_engine`), `WHATSAPP-BUSINESS` ones on the Cloud API with the
//! number's own credentials, `SANDBOX` ones on the simulated network.

use super::auth::EvoCaller;
use super::body;
use super::error::{EvoError, EvoErrorBody, EvoResult};
use super::instance_shapes::{engine_of, integration_of, listed, qr_answer, state_answer};
use super::route::{self, created, ok, on, param, required};
use super::settings::{self, EvoSettings};
use super::webhook::{WebhookSettings, request_of};
use super::{EvolutionSettings, TAG};
use crate::services::{
    CloudCredentialsRequest, CloudNumberView, ConnectRequest, CreatedInstance, Gateway,
    NewInstanceRequest, ServiceError, WebhookRecord,
};
use axum::Extension;
use axum::body::Bytes;
use axum::extract::{FromRef, Path, Query, State};
use axum::response::Response;
use serde::Deserialize;
use serde_json::{Value, json};
use std::collections::HashMap;
use std::sync::Arc;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use wagate_core::{EngineKind, InstanceSettings, InstanceStatus};

pub fn routes<S>() -> OpenApiRouter<S>
where
    S: Clone + Send + Sync + 'static,
    Arc<Gateway>: FromRef<S>,
{
    OpenApiRouter::new()
        .routes(routes!(create_instance))
        .routes(routes!(connect))
        .routes(routes!(connection_state))
        .routes(routes!(fetch_instances))
        .routes(routes!(restart))
        .routes(routes!(set_presence))
        .routes(routes!(logout))
        .routes(routes!(delete_instance))
}

/// `POST /instance/create`.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct CreateBody {
    instance_name: Option<String>,
    integration: Option<String>,
    /// The instance's token (its key); for `WHATSAPP-BUSINESS`, the Meta access token.
    token: Option<String>,
    /// A number to link with a pairing code; for `WHATSAPP-BUSINESS`, the phone number id.
    number: Option<String>,
    qrcode: Option<bool>,
    business_id: Option<String>,
    /// wagate's addition: the Meta app's secret, which Meta's webhooks are checked with.
    app_secret: Option<String>,
    webhook: Option<WebhookSettings>,
    #[serde(flatten)]
    settings: EvoSettings,
}

/// Evolution's success answer of the routes that have nothing else to say.
fn success(message: &str) -> EvoResult<Response> {
    ok(json!({ "status": "SUCCESS", "error": false, "response": { "message": message } }))
}

/// The create request in the services' terms.
fn new_instance(
    body: &mut CreateBody,
    name: &str,
    engine: EngineKind,
) -> EvoResult<NewInstanceRequest> {
    let settings = std::mem::take(&mut body.settings).applied_to(InstanceSettings::default());
    let (cloud, api_key) = if engine == EngineKind::Cloud {
        let token = required(&body.token, "token")?.to_owned();
        let number = required(&body.number, "number")?.to_owned();
        // The Meta token stays a Meta credential: the instance's own key is generated.
        let cloud = CloudCredentialsRequest {
            access_token: Some(token),
            phone_number_id: Some(number),
            business_account_id: body.business_id.take(),
            app_secret: body.app_secret.take(),
            ..Default::default()
        };
        (Some(cloud), None)
    } else {
        (
            None,
            body.token.take().filter(|token| !token.trim().is_empty()),
        )
    };
    Ok(NewInstanceRequest {
        name: Some(name.to_owned()),
        engine: Some(engine.as_str().to_owned()),
        webhook: None,
        settings: Some(settings),
        cloud,
        api_key,
    })
}

/// Evolution's `webhook` of a create answer.
fn created_webhook(webhook: Option<&WebhookRecord>) -> Value {
    webhook.map_or_else(
        || json!({}),
        |webhook| {
            let headers: serde_json::Map<String, Value> = webhook
                .headers
                .keys()
                .map(|name| (name.clone(), json!("***")))
                .collect();
            json!({
                "webhookUrl": webhook.url,
                "webhookHeaders": headers,
                "webhookByEvents": webhook.by_events,
                "webhookBase64": webhook.inline_media,
            })
        },
    )
}

/// Creates an instance. With `qrcode: true` it starts linking and answers the first QR code;
/// with a `number` (and a linked-device integration) it answers a pairing code for it. A
/// `webhook` is set with it, in Evolution's format. `WHATSAPP-BUSINESS` needs the Meta access
/// `token` and the phone number id as `number`; it is verified with Meta and opened at once.
#[utoipa::path(
    post, path = "/instance/create", tag = TAG,
    request_body(content = Object, example = json!({
        "instanceName": "sales", "integration": "WHATSAPP-BAILEYS", "qrcode": true,
        "token": "0c7f6a0e-6a4f-4d0e-9a51-3d2f8b1c9e77", "rejectCall": true, "msgCall": "I do not take calls",
        "groupsIgnore": true, "alwaysOnline": false, "readMessages": false, "readStatus": false, "syncFullHistory": false,
        "webhook": { "url": "https://example.com/hooks/evolution", "byEvents": false, "base64": false, "events": ["MESSAGES_UPSERT", "CONNECTION_UPDATE"] }
    })),
    responses(
        (status = 201, description = "The instance, its token (`hash`, shown only this once), its webhook and settings, and the first QR code when asked", body = Object, example = json!({
            "instance": { "instanceName": "sales", "instanceId": "ins_0192f0c5e2b47a39b1d2c3e4f5a6b7c8", "integration": "WHATSAPP-BAILEYS", "webhookWaBusiness": null, "accessTokenWaBusiness": "", "status": "connecting" },
            "hash": "0c7f6a0e-6a4f-4d0e-9a51-3d2f8b1c9e77",
            "webhook": { "webhookUrl": "https://example.com/hooks/evolution", "webhookHeaders": {}, "webhookByEvents": false, "webhookBase64": false },
            "settings": { "rejectCall": true, "msgCall": "I do not take calls", "groupsIgnore": true, "alwaysOnline": false, "readMessages": false, "readStatus": false, "syncFullHistory": false },
            "qrcode": { "pairingCode": null, "code": "2@y8eK+bjtEjUWy9/FOM...", "base64": "data:image/png;base64,iVBORw0KGgo...", "count": 1 }
        })),
        (status = 400, description = "A bad name, integration, token or setting", body = EvoErrorBody),
        (status = 401, body = EvoErrorBody),
        (status = 403, description = "The name is taken, or an instance key tried to create", body = EvoErrorBody),
        (status = 501, description = "An integration wagate does not have", body = EvoErrorBody),
    )
)]
pub async fn create_instance(
    State(gateway): State<Arc<Gateway>>,
    Extension(evolution): Extension<EvolutionSettings>,
    EvoCaller(caller): EvoCaller,
    bytes: Bytes,
) -> EvoResult<Response> {
    let mut body: CreateBody = body::json(&bytes)?;
    let name = required(&body.instance_name, "instanceName")?.to_owned();
    let engine = engine_of(body.integration.as_deref(), evolution.linked_device_engine)
        .ok_or_else(|| match body.integration.as_deref() {
            Some(other) if other.eq_ignore_ascii_case("EVOLUTION") => {
                EvoError::not_implemented("The EVOLUTION integration")
            }
            _ => EvoError::bad_request("Invalid integration"),
        })?;
    // A webhook that cannot be set keeps the instance from being made at all.
    let webhook = body.webhook.take().map(request_of).transpose()?;
    let pairing_number = match engine {
        EngineKind::Cloud => None,
        _ => body
            .number
            .take()
            .filter(|number| !number.trim().is_empty()),
    };
    let link = body.qrcode.unwrap_or(false) || pairing_number.is_some();
    let request = new_instance(&mut body, &name, engine)?;
    let made: CreatedInstance = gateway
        .create_instance_with(&caller, request, false)
        .await?;
    let webhook = match webhook {
        None => None,
        Some(webhook) => match gateway.set_instance_webhook(&caller, &name, webhook).await {
            Ok((webhook, _)) => Some(webhook),
            Err(error) => {
                if let Err(undo) = gateway.delete_instance(&caller, &name).await {
                    tracing::warn!(instance = %made.instance.id, error = %undo, "an instance whose webhook was refused could not be removed");
                }
                return Err(error.into());
            }
        },
    };
    let mut instance = made.instance;
    if link || engine == EngineKind::Cloud {
        let connect = ConnectRequest {
            phone_number: pairing_number,
        };
        instance = gateway
            .connect(&caller, instance.id.as_str(), connect)
            .await
            .map_err(|error| {
                let mut failed = EvoError::from(error);
                failed.messages.push(format!(
                    "the instance \"{name}\" was created; connect it with /instance/connect/{name}"
                ));
                failed
            })?;
    }
    let cloud = made.cloud.as_ref().map(CloudNumberView::new);
    let mut answer = json!({
        "instance": {
            "instanceName": instance.name.as_str(),
            "instanceId": instance.id.as_str(),
            "integration": integration_of(instance.engine, evolution.linked_device_engine),
            "webhookWaBusiness": cloud.as_ref().map(|cloud| format!("{}{}", evolution.server_url, cloud.webhook_path)),
            "accessTokenWaBusiness": cloud.as_ref().map_or(String::new(), |cloud| cloud.verify_token.clone()),
            "status": super::shapes::connection_state(instance.status),
        },
        "hash": made.api_key,
        "webhook": created_webhook(webhook.as_ref()),
        "settings": settings::view(&instance.settings),
    });
    if link {
        answer["qrcode"] = qr_answer(&instance);
    }
    created(answer)
}

#[derive(Debug, Default, Deserialize)]
pub struct ConnectQuery {
    pub number: Option<String>,
}

/// Starts linking and answers the QR code (with `?number=`, a pairing code for that number),
/// or the one the instance shows already; a linked instance reconnects. An open instance
/// answers its connection state instead.
#[utoipa::path(
    get, path = "/instance/connect/{instance}", tag = TAG,
    params(
        ("instance" = String, Path, description = "The instance's name"),
        ("number" = Option<String>, Query, description = "Link with a pairing code for this number"),
    ),
    responses(
        (status = 200, description = "The QR code or pairing code, and how many QR codes this link has shown; or, when open, `{instance: {instanceName, state}}`", body = Object, example = json!({
            "pairingCode": null, "code": "2@y8eK+bjtEjUWy9/FOM...", "base64": "data:image/png;base64,iVBORw0KGgo...", "count": 1
        })),
        (status = 400, body = EvoErrorBody), (status = 401, body = EvoErrorBody), (status = 404, body = EvoErrorBody),
    )
)]
pub async fn connect(
    State(gateway): State<Arc<Gateway>>,
    EvoCaller(caller): EvoCaller,
    Path(name): Path<String>,
    Query(query): Query<ConnectQuery>,
) -> EvoResult<Response> {
    let instance = route::instance(&gateway, &caller, &name).await?;
    let number = query.number.filter(|number| !number.trim().is_empty());
    let showing_qr = instance.status == InstanceStatus::Qr && instance.qr_code.is_some();
    let showing_code = instance.status == InstanceStatus::Pairing && number.is_none();
    match instance.status {
        InstanceStatus::Open => return ok(state_answer(&instance)),
        _ if (showing_qr && number.is_none()) || showing_code => {
            return ok(qr_answer(&instance));
        }
        _ => {}
    }
    let connect = ConnectRequest {
        phone_number: number,
    };
    let instance = gateway
        .connect(&caller, instance.id.as_str(), connect)
        .await
        .map_err(on(&name))?;
    if instance.status == InstanceStatus::Open {
        return ok(state_answer(&instance));
    }
    ok(qr_answer(&instance))
}

/// The instance's connection: `open`, `connecting` (linking or reconnecting) or `close`.
#[utoipa::path(
    get, path = "/instance/connectionState/{instance}", tag = TAG,
    params(("instance" = String, Path, description = "The instance's name")),
    responses(
        (status = 200, description = "The state", body = Object, example = json!({ "instance": { "instanceName": "sales", "state": "open" } })),
        (status = 401, body = EvoErrorBody), (status = 404, body = EvoErrorBody),
    )
)]
pub async fn connection_state(
    State(gateway): State<Arc<Gateway>>,
    EvoCaller(caller): EvoCaller,
    Path(name): Path<String>,
) -> EvoResult<Response> {
    ok(state_answer(
        &route::instance(&gateway, &caller, &name).await?,
    ))
}

/// The instances the key reaches (an instance key: its own), or the one `instanceName` or
/// `instanceId` names, with their linked number and how many messages, contacts and chats
/// they hold. `token` is `null`: keys are kept only as hashes.
#[utoipa::path(
    get, path = "/instance/fetchInstances", tag = TAG,
    params(
        ("instanceName" = Option<String>, Query, description = "Only this instance"),
        ("instanceId" = Option<String>, Query, description = "Only the instance with this id"),
    ),
    responses(
        (status = 200, description = "The instances", body = [Object], example = json!([{
            "id": "ins_0192f0c5e2b47a39b1d2c3e4f5a6b7c8", "name": "sales", "connectionStatus": "open",
            "ownerJid": "15550001111@s.whatsapp.net", "profileName": "Acme Sales", "profilePicUrl": null,
            "integration": "WHATSAPP-BAILEYS", "number": "15550001111", "businessId": null, "token": null,
            "clientName": "wagate", "disconnectionReasonCode": null, "disconnectionObject": null, "disconnectionAt": null,
            "createdAt": "2026-03-02T10:00:00.000Z", "updatedAt": "2026-03-02T10:01:00.000Z",
            "Setting": { "rejectCall": false, "msgCall": "", "groupsIgnore": false, "alwaysOnline": false, "readMessages": false, "readStatus": true, "syncFullHistory": false, "instanceId": "ins_0192f0c5e2b47a39b1d2c3e4f5a6b7c8" },
            "_count": { "Message": 12, "Contact": 3, "Chat": 2 }
        }])),
        (status = 401, body = EvoErrorBody), (status = 404, description = "No instance has that name or id", body = EvoErrorBody),
    )
)]
pub async fn fetch_instances(
    State(gateway): State<Arc<Gateway>>,
    Extension(evolution): Extension<EvolutionSettings>,
    EvoCaller(caller): EvoCaller,
    Query(query): Query<HashMap<String, String>>,
) -> EvoResult<Response> {
    let wanted = param(&query, "instanceName").or_else(|| param(&query, "instanceId"));
    let instances = match wanted {
        Some(name) => vec![route::instance(&gateway, &caller, name).await?],
        None => gateway.list_instances(&caller).await?,
    };
    let mut answer = Vec::with_capacity(instances.len());
    for instance in &instances {
        let counts = gateway.instance_counts(&caller, instance).await?;
        answer.push(listed(instance, counts, evolution.linked_device_engine));
    }
    ok(Value::Array(answer))
}

/// Closes the instance's connection and opens it again, resuming its device.
#[utoipa::path(
    post, path = "/instance/restart/{instance}", tag = TAG,
    params(("instance" = String, Path, description = "The instance's name")),
    responses(
        (status = 200, description = "The state after the restart", body = Object, example = json!({ "instance": { "instanceName": "sales", "state": "open" } })),
        (status = 400, description = "The instance is not linked", body = EvoErrorBody),
        (status = 401, body = EvoErrorBody), (status = 404, body = EvoErrorBody),
    )
)]
pub async fn restart(
    State(gateway): State<Arc<Gateway>>,
    EvoCaller(caller): EvoCaller,
    Path(name): Path<String>,
) -> EvoResult<Response> {
    let instance = gateway
        .restart(&caller, &name)
        .await
        .map_err(not_connected(&name))?;
    ok(state_answer(&instance))
}

#[derive(Debug, Default, Deserialize)]
struct PresenceBody {
    presence: Option<String>,
}

/// Shows the number `available` (online) or `unavailable` to its contacts.
#[utoipa::path(
    post, path = "/instance/setPresence/{instance}", tag = TAG,
    params(("instance" = String, Path, description = "The instance's name")),
    request_body(content = Object, example = json!({ "presence": "available" })),
    responses(
        (status = 201, description = "The presence shown", body = Object, example = json!({ "presence": "available" })),
        (status = 400, body = EvoErrorBody), (status = 401, body = EvoErrorBody), (status = 404, body = EvoErrorBody),
    )
)]
pub async fn set_presence(
    State(gateway): State<Arc<Gateway>>,
    EvoCaller(caller): EvoCaller,
    Path(name): Path<String>,
    bytes: Bytes,
) -> EvoResult<Response> {
    let body: PresenceBody = body::json(&bytes)?;
    let presence = required(&body.presence, "presence")?;
    gateway
        .set_presence(&caller, &name, presence)
        .await
        .map_err(on(&name))?;
    created(json!({ "presence": presence }))
}

/// A service's "not linked" (a conflict) is Evolution's 400 "not connected".
fn not_connected(name: &str) -> impl Fn(ServiceError) -> EvoError + '_ {
    move |error| match error {
        ServiceError::Conflict(_) => {
            EvoError::bad_request(format!("The \"{name}\" instance is not connected"))
        }
        other => on(name)(other),
    }
}

/// Unlinks the device from the phone; the instance stays, ready to link again.
#[utoipa::path(
    delete, path = "/instance/logout/{instance}", tag = TAG,
    params(("instance" = String, Path, description = "The instance's name")),
    responses(
        (status = 200, description = "Logged out", body = Object, example = json!({ "status": "SUCCESS", "error": false, "response": { "message": "Instance logged out" } })),
        (status = 400, description = "The instance is not connected", body = EvoErrorBody),
        (status = 401, body = EvoErrorBody), (status = 404, body = EvoErrorBody),
    )
)]
pub async fn logout(
    State(gateway): State<Arc<Gateway>>,
    EvoCaller(caller): EvoCaller,
    Path(name): Path<String>,
) -> EvoResult<Response> {
    gateway
        .logout(&caller, &name)
        .await
        .map_err(not_connected(&name))?;
    success("Instance logged out")
}

/// Logs the device out when it is linked, then removes the instance with its messages and
/// keys.
#[utoipa::path(
    delete, path = "/instance/delete/{instance}", tag = TAG,
    params(("instance" = String, Path, description = "The instance's name")),
    responses(
        (status = 200, description = "Deleted", body = Object, example = json!({ "status": "SUCCESS", "error": false, "response": { "message": "Instance deleted" } })),
        (status = 401, body = EvoErrorBody),
        (status = 403, description = "An instance key cannot delete its instance", body = EvoErrorBody),
        (status = 404, body = EvoErrorBody),
    )
)]
pub async fn delete_instance(
    State(gateway): State<Arc<Gateway>>,
    EvoCaller(caller): EvoCaller,
    Path(name): Path<String>,
) -> EvoResult<Response> {
    let instance = route::instance(&gateway, &caller, &name).await?;
    caller.account_manager()?;
    if instance.linked {
        match gateway.logout(&caller, &name).await {
            Ok(_) | Err(ServiceError::Conflict(_)) => {}
            Err(error) => return Err(on(&name)(error)),
        }
    }
    gateway
        .delete_instance(&caller, &name)
        .await
        .map_err(on(&name))?;
    success("Instance deleted")
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::StatusCode;

    fn body(value: Value) -> CreateBody {
        serde_json::from_value(value).unwrap()
    }

    #[test]
    fn a_baileys_create_keeps_its_token_and_settings() {
        let mut create = body(json!({
            "instanceName": "sales", "token": "0c7f6a0e-6a4f-4d0e-9a51-3d2f8b1c9e77",
            "rejectCall": true, "msgCall": "busy", "groupsIgnore": true, "readStatus": false
        }));
        let request = new_instance(&mut create, "sales", EngineKind::Web).unwrap();
        assert_eq!(request.engine.as_deref(), Some("web"));
        assert_eq!(
            request.api_key.as_deref(),
            Some("0c7f6a0e-6a4f-4d0e-9a51-3d2f8b1c9e77")
        );
        let settings = request.settings.unwrap();
        assert!(settings.reject_calls && settings.ignore_groups && settings.ignore_status);
        assert_eq!(settings.call_reject_message.as_deref(), Some("busy"));
        assert!(request.cloud.is_none());
    }

    #[test]
    fn a_business_create_needs_its_meta_token_and_number_id() {
        let mut create = body(
            json!({ "instanceName": "cloud", "integration": "WHATSAPP-BUSINESS", "token": "EAAG123" }),
        );
        let error = new_instance(&mut create, "cloud", EngineKind::Cloud).unwrap_err();
        assert_eq!(error.status, StatusCode::BAD_REQUEST);
        assert!(error.messages[0].contains("number"), "{:?}", error.messages);

        let mut create = body(json!({
            "instanceName": "cloud", "token": "EAAG123", "number": "106540352242922", "businessId": "102290129340398"
        }));
        let request = new_instance(&mut create, "cloud", EngineKind::Cloud).unwrap();
        let cloud = request.cloud.unwrap();
        assert_eq!(cloud.access_token.as_deref(), Some("EAAG123"));
        assert_eq!(cloud.phone_number_id.as_deref(), Some("106540352242922"));
        assert_eq!(
            cloud.business_account_id.as_deref(),
            Some("102290129340398")
        );
        // The Meta token is not made the instance's key.
        assert!(request.api_key.is_none());
    }
}
