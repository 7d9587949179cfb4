//! `/webhook/set/{instance}` and `/webhook/find/{instance}`: the instance's one
//! Evolution-format webhook, as Evolution sets and shows it. Underneath it is a wagate webhook
//! endpoint like any other (same outbox, retries, delivery log and replay under
//! `/api/v1/webhooks`), whose deliveries are rendered in Evolution's envelope.

use super::TAG;
use super::auth::EvoCaller;
use super::body;
use super::error::{EvoError, EvoErrorBody, EvoResult};
use super::event_names::{subscription_kinds, subscription_names};
use super::route::on;
use crate::services::{Gateway, InstanceWebhookRequest, WebhookRecord};
use axum::Json;
use axum::body::Bytes;
use axum::extract::{FromRef, Path, State};
use axum::http::StatusCode;
use chrono::SecondsFormat;
use serde::Deserialize;
use serde_json::{Map, Value, json};
use std::collections::BTreeMap;
use std::sync::Arc;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use wagate_core::WebhookFormat;

pub fn routes<S>() -> OpenApiRouter<S>
where
    S: Clone + Send + Sync + 'static,
    Arc<Gateway>: FromRef<S>,
{
    OpenApiRouter::new()
        .routes(routes!(set_webhook))
        .routes(routes!(find_webhook))
}

/// The webhook settings, in `webhook` (Evolution v2) or flat (the form Evolution's public docs
/// still show).
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[schema(example = json!({ "webhook": {
    "enabled": true,
    "url": "https://example.com/hooks/evolution",
    "events": ["MESSAGES_UPSERT", "CONNECTION_UPDATE", "QRCODE_UPDATED", "SEND_MESSAGE"],
    "byEvents": false,
    "base64": false,
    "headers": { "Authorization": "Bearer receiver-token" }
} }))]
pub struct WebhookSetBody {
    pub webhook: Option<WebhookSettings>,
    #[serde(flatten)]
    pub flat: WebhookSettings,
}

#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
pub struct WebhookSettings {
    /// `false` keeps the webhook, disabled. Default `true`.
    pub enabled: Option<bool>,
    pub url: Option<String>,
    /// Evolution's event names (`MESSAGES_UPSERT`, `CONNECTION_UPDATE`, …); empty is every
    /// event. Names of events wagate does not emit (contacts, chats, presence) select nothing.
    pub events: Option<Vec<String>>,
    /// Appends the event's name to the URL (`…/messages-upsert`).
    #[serde(alias = "webhookByEvents", alias = "webhook_by_events")]
    #[serde(rename = "byEvents")]
    pub by_events: Option<bool>,
    /// Received media inline as base64 in `data.message.base64`.
    #[serde(alias = "webhookBase64", alias = "webhook_base64")]
    pub base64: Option<bool>,
    /// Headers sent with every delivery. Values are kept sealed and shown hidden.
    #[schema(value_type = Option<Object>)]
    pub headers: Option<Map<String, Value>>,
}

fn time(at: chrono::DateTime<chrono::Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// Evolution's webhook object.
fn webhook_object(webhook: &WebhookRecord) -> Value {
    let headers: Map<String, Value> = webhook
        .headers
        .keys()
        .map(|name| (name.clone(), json!("***")))
        .collect();
    json!({
        "id": webhook.id,
        "url": webhook.url,
        "enabled": webhook.enabled,
        "events": subscription_names(&webhook.events),
        "headers": headers,
        "webhookByEvents": webhook.by_events,
        "webhookBase64": webhook.inline_media,
        "createdAt": time(webhook.created_at),
        "updatedAt": time(webhook.updated_at),
        "instanceId": webhook.instance_id,
    })
}

/// The request in the services' terms: Evolution's event names become wagate's.
fn translate(body: WebhookSetBody) -> EvoResult<InstanceWebhookRequest> {
    request_of(body.webhook.unwrap_or(body.flat))
}

/// One webhook's settings (`/webhook/set`'s, or those `/instance/create` carries) in the
/// services' terms.
pub fn request_of(settings: WebhookSettings) -> EvoResult<InstanceWebhookRequest> {
    let url = settings
        .url
        .map(|url| url.trim().to_owned())
        .filter(|url| !url.is_empty())
        .ok_or_else(|| EvoError::bad_request("Invalid \"url\" property"))?;
    let names = settings.events.unwrap_or_default();
    let mut events = Vec::new();
    for name in &names {
        let kinds = subscription_kinds(name).map_err(EvoError::bad_request)?;
        events.extend_from_slice(kinds);
    }
    if !names.is_empty() && events.is_empty() {
        return Err(EvoError::bad_request(
            "none of these events is emitted by wagate; leave events empty for every event",
        ));
    }
    let headers = settings.headers.map(|headers| {
        headers
            .into_iter()
            .map(|(name, value)| {
                let value = match value {
                    Value::String(text) => text,
                    other => other.to_string(),
                };
                (name, value)
            })
            .collect::<BTreeMap<_, _>>()
    });
    Ok(InstanceWebhookRequest {
        format: WebhookFormat::Evolution,
        url,
        enabled: settings.enabled.unwrap_or(true),
        events,
        by_events: settings.by_events.unwrap_or(false),
        inline_media: settings.base64.unwrap_or(false),
        headers,
    })
}

/// Sets the instance's webhook (made the first time, replaced after). Deliveries come in
/// Evolution's envelope with its event names, retried on failure, and are listed with every
/// attempt under `/api/v1/webhooks/{id}/deliveries`.
#[utoipa::path(
    post, path = "/webhook/set/{instance}", tag = TAG,
    params(("instance" = String, Path, description = "The instance's name")),
    request_body = WebhookSetBody,
    responses(
        (status = 201, description = "The webhook", body = Object, example = json!({
            "id": "whk_0192f0c5e2b47a39b1d2c3e4f5a6b7c8",
            "url": "https://example.com/hooks/evolution",
            "enabled": true,
            "events": ["QRCODE_UPDATED", "CONNECTION_UPDATE", "MESSAGES_UPSERT", "SEND_MESSAGE"],
            "headers": { "Authorization": "***" },
            "webhookByEvents": false,
            "webhookBase64": false,
            "createdAt": "2026-03-02T10:00:00.000Z",
            "updatedAt": "2026-03-02T10:00:00.000Z",
            "instanceId": "inst_0192f0c5e2b47a39b1d2c3e4f5a6b7c8"
        })),
        (status = 400, description = "A bad URL, an unknown event name", body = EvoErrorBody),
        (status = 401, body = EvoErrorBody),
        (status = 404, body = EvoErrorBody),
    )
)]
pub async fn set_webhook(
    State(gateway): State<Arc<Gateway>>,
    EvoCaller(principal): EvoCaller,
    Path(instance): Path<String>,
    bytes: Bytes,
) -> EvoResult<(StatusCode, Json<Value>)> {
    let request = translate(body::json(&bytes)?)?;
    let (webhook, _) = gateway
        .set_instance_webhook(&principal, &instance, request)
        .await
        .map_err(on(&instance))?;
    Ok((StatusCode::CREATED, Json(webhook_object(&webhook))))
}

/// The instance's webhook, or `null` when it has none.
#[utoipa::path(
    get, path = "/webhook/find/{instance}", tag = TAG,
    params(("instance" = String, Path, description = "The instance's name")),
    responses(
        (status = 200, description = "The webhook, or null", body = Object, example = json!({
            "id": "whk_0192f0c5e2b47a39b1d2c3e4f5a6b7c8",
            "url": "https://example.com/hooks/evolution",
            "enabled": true,
            "events": ["MESSAGES_UPSERT"],
            "headers": {},
            "webhookByEvents": true,
            "webhookBase64": false,
            "createdAt": "2026-03-02T10:00:00.000Z",
            "updatedAt": "2026-03-02T10:05:00.000Z",
            "instanceId": "inst_0192f0c5e2b47a39b1d2c3e4f5a6b7c8"
        })),
        (status = 401, body = EvoErrorBody),
        (status = 404, body = EvoErrorBody),
    )
)]
pub async fn find_webhook(
    State(gateway): State<Arc<Gateway>>,
    EvoCaller(principal): EvoCaller,
    Path(instance): Path<String>,
) -> EvoResult<Json<Value>> {
    let webhook = gateway
        .instance_webhook(&principal, &instance, WebhookFormat::Evolution)
        .await
        .map_err(on(&instance))?;
    Ok(Json(webhook.as_ref().map_or(Value::Null, webhook_object)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use wagate_core::EventKind;

    fn parse(body: Value) -> EvoResult<InstanceWebhookRequest> {
        translate(serde_json::from_value(body).unwrap())
    }

    #[test]
    fn the_nested_and_the_flat_forms_mean_the_same() {
        let nested = parse(json!({ "webhook": {
            "enabled": true, "url": "https://example.com/hook",
            "events": ["MESSAGES_UPSERT", "CONNECTION_UPDATE"], "byEvents": true, "base64": true,
            "headers": { "X-Token": "abc", "X-Number": 7 }
        } }))
        .unwrap();
        let flat = parse(json!({
            "enabled": true, "url": "https://example.com/hook",
            "events": ["MESSAGES_UPSERT", "CONNECTION_UPDATE"],
            "webhook_by_events": true, "webhook_base64": true,
            "headers": { "X-Token": "abc", "X-Number": 7 }
        }))
        .unwrap();
        for request in [&nested, &flat] {
            assert_eq!(request.url, "https://example.com/hook");
            assert!(request.enabled && request.by_events && request.inline_media);
            assert_eq!(
                request.events,
                vec![
                    EventKind::MessageReceived,
                    EventKind::MessageReaction,
                    EventKind::SessionStatus
                ]
            );
            let headers = request.headers.as_ref().unwrap();
            assert_eq!(headers["X-Token"], "abc");
            assert_eq!(headers["X-Number"], "7");
        }
    }

    #[test]
    fn bad_settings_are_evolutions_400() {
        let no_url = parse(json!({ "webhook": { "enabled": true } })).unwrap_err();
        assert_eq!(no_url.status, StatusCode::BAD_REQUEST);
        let unknown = parse(json!({ "url": "https://e.com", "events": ["NOPE"] })).unwrap_err();
        assert_eq!(unknown.status, StatusCode::BAD_REQUEST);
        let nothing =
            parse(json!({ "url": "https://e.com", "events": ["CONTACTS_UPSERT"] })).unwrap_err();
        assert_eq!(nothing.status, StatusCode::BAD_REQUEST);
        let all = parse(json!({ "url": "https://e.com", "events": [] })).unwrap();
        assert!(all.events.is_empty() && all.enabled);
    }
}
