//! Webhooks: endpoints users register, which events reach which endpoint, and what each
//! attempt means for the delivery (retry when, give up when, disable when). An endpoint's
//! secret and header values reach the store sealed (`webhook_secrets`); the secret is handed
//! back in clear only by the calls that make one.

use super::event_payloads::envelope;
use super::webhook_formats::WebhookFormats;
use super::{Gateway, Principal, ServiceError, ServiceResult};
use crate::webhooks::{DeliveryResponse, WebhookSecret};
use chrono::{DateTime, Duration, Utc};
use rand::Rng;
use serde::Deserialize;
use serde_json::json;
use std::collections::BTreeMap;
use std::str::FromStr;
use wagate_core::{EventKind, InstanceId, ValidationErrors, WebhookFormat};
use wagate_store::{
    AttemptOutcome, AttemptRecord, DeliveryRecord, DeliveryStatus, EventRecord, NewDelivery,
    NewEvent, WebhookRecord,
};

/// The fan-out's cursor in the outbox.
pub const FAN_OUT_CURSOR: &str = "webhooks";
/// Headers wagate sets itself, which an endpoint's custom headers may not replace, and those
/// that frame or route the request (a custom `Content-Length` or `Transfer-Encoding` would
/// make the delivery's framing disagree with its body).
const RESERVED_HEADERS: [&str; 15] = [
    "content-type",
    "webhook-id",
    "webhook-timestamp",
    "webhook-signature",
    "host",
    "content-length",
    "transfer-encoding",
    "connection",
    "keep-alive",
    "upgrade",
    "te",
    "trailer",
    "expect",
    "proxy-authorization",
    "proxy-connection",
];
/// Retry-After is honoured up to a day.
const MAX_RETRY_AFTER_SECS: i64 = 24 * 3600;

/// `POST /api/v1/webhooks`.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct WebhookRequest {
    #[schema(example = "https://example.com/hooks/wagate")]
    pub url: Option<String>,
    /// Event names, or `["*"]` for all (the default).
    #[schema(example = json!(["message.received", "message.status_updated"]))]
    pub events: Option<Vec<String>>,
    /// Only this instance's events (id or name); all of the account's when absent.
    pub instance_id: Option<String>,
    /// Extra headers sent with every delivery. Their values are kept sealed and never shown
    /// again (answers list the names); on `PATCH` they replace every header the endpoint had.
    #[schema(example = json!({ "Authorization": "Bearer receiver-token" }))]
    pub headers: Option<BTreeMap<String, String>>,
    pub description: Option<String>,
    /// `PATCH` only: re-enable (clearing the reason) or disable the endpoint.
    pub enabled: Option<bool>,
    /// `native` (the default): wagate's envelope. `evolution`: Evolution API's envelope
    /// (`{event, instance, data, destination, date_time, sender, server_url, apikey}`), event
    /// names (`messages.upsert`, `connection.update`, …) and Baileys-shaped data, for receivers
    /// written for Evolution API; `events` still takes wagate's names, and only events with an
    /// Evolution rendering reach the endpoint. `whatsapi`: whatsapi.cc's status webhook
    /// (`{event: "message.status_updated", timestamp, data}`), only status changes of sent
    /// messages. `sessions`: seed 002's `{event, sessionId, timestamp, data}` with its names
    /// (`message.received`, `message.sent`, `session.connected`, `session.disconnected`).
    /// All are signed alike.
    #[schema(example = "native")]
    pub format: Option<String>,
    /// Evolution format only: the event's name is appended to the URL, as Evolution's
    /// `webhookByEvents` does (`…/messages-upsert`, `…/connection-update`).
    #[schema(example = false)]
    pub by_events: Option<bool>,
    /// Evolution format only: received media comes inline as base64 in
    /// `data.message.base64`, as Evolution's `webhookBase64` does.
    #[schema(example = false)]
    pub base64: Option<bool>,
}

/// An instance's one endpoint of a format, as a dialect sets it (Evolution's
/// `/webhook/set/{instance}`): made the first time, replaced after.
#[derive(Clone, Debug)]
pub struct InstanceWebhookRequest {
    pub format: WebhookFormat,
    pub url: String,
    /// `false` keeps the endpoint, disabled.
    pub enabled: bool,
    /// wagate's event names; empty is every event the format renders.
    pub events: Vec<EventKind>,
    pub by_events: bool,
    pub inline_media: bool,
    /// Replaces the custom headers; `None` keeps them.
    pub headers: Option<BTreeMap<String, String>>,
}

/// `PUT /api/v1/auth/me/webhook`: the account's default endpoint, for every event.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
pub struct DefaultWebhookRequest {
    #[schema(example = "https://example.com/hooks/wagate")]
    pub url: Option<String>,
}

/// `POST /api/v1/webhooks/{id}/replay`.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
pub struct ReplayRequest {
    /// RFC 3339: every matching event from this time on is delivered again.
    #[schema(example = "2026-11-22T00:00:00Z")]
    pub since: Option<String>,
}

/// `GET /api/v1/webhooks/{id}/deliveries`.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DeliveriesQuery {
    /// `pending`, `succeeded` or `failed`.
    pub status: Option<String>,
    /// At most this many, newest first (1 to 500, default 50).
    pub limit: Option<i64>,
    /// Page number from 1 (default 1).
    pub page: Option<i64>,
}

/// An endpoint as stored, with its signing secret in clear: shown only by the call that made
/// the secret.
#[derive(Clone, Debug)]
pub struct CreatedWebhook {
    pub webhook: WebhookRecord,
    pub secret: WebhookSecret,
}

/// What `PUT /auth/me/webhook` did: made the endpoint (with its new secret) or changed it.
#[derive(Clone, Debug)]
pub enum DefaultWebhook {
    Created(CreatedWebhook),
    Updated(WebhookRecord),
}

/// Whether an endpoint wants an event: enabled, of its account (and instance), named by its
/// filter, and with a rendering in its format.
pub fn wants(webhook: &WebhookRecord, event: &EventRecord, formats: &WebhookFormats) -> bool {
    webhook.enabled
        && webhook.account_id == event.account_id
        && event.kind != EventKind::WebhookTest
        && webhook
            .instance_id
            .as_ref()
            .is_none_or(|only| Some(only) == event.instance_id.as_ref())
        && webhook
            .events
            .iter()
            .any(|name| name == "*" || name == event.kind.as_str())
        && formats.routes(webhook.format, event.kind, &event.data)
}

/// The deliveries a batch of events makes. Every delivery stores the native envelope; an
/// endpoint of another format gets it rendered when the delivery is attempted.
pub fn route(
    events: &[EventRecord],
    webhooks: &[WebhookRecord],
    formats: &WebhookFormats,
) -> Vec<NewDelivery> {
    let mut deliveries = Vec::new();
    for event in events {
        let matching: Vec<_> = webhooks
            .iter()
            .filter(|w| wants(w, event, formats))
            .collect();
        if matching.is_empty() {
            continue;
        }
        let body = envelope(event);
        let event_id = body["id"].as_str().unwrap_or_default().to_owned();
        let payload = body.to_string();
        for webhook in matching {
            deliveries.push(NewDelivery {
                webhook_id: webhook.id.clone(),
                event_id: event_id.clone(),
                event_kind: event.kind.as_str().to_owned(),
                payload: payload.clone(),
            });
        }
    }
    deliveries
}

fn check_headers(headers: &BTreeMap<String, String>, errors: &mut ValidationErrors) {
    if headers.len() > 20 {
        errors.push("headers", "at most 20 headers");
    }
    for (name, value) in headers {
        let lower = name.to_ascii_lowercase();
        if RESERVED_HEADERS.contains(&lower.as_str()) {
            errors.push("headers", format!("'{name}' is set by wagate"));
        } else if reqwest::header::HeaderName::from_bytes(name.as_bytes()).is_err()
            || reqwest::header::HeaderValue::from_str(value).is_err()
        {
            errors.push("headers", format!("'{name}' is not a valid header"));
        }
    }
}

fn disabled_event(webhook: &WebhookRecord, reason: &str) -> NewEvent {
    NewEvent {
        account_id: webhook.account_id.clone(),
        instance_id: webhook.instance_id.clone(),
        instance_name: None,
        kind: EventKind::WebhookDisabled,
        data: json!({ "webhookId": webhook.id, "url": webhook.url, "reason": reason }),
    }
}

impl Gateway {
    fn check_webhook(
        &self,
        request: &WebhookRequest,
        errors: &mut ValidationErrors,
        creating: bool,
    ) -> (Option<Vec<String>>, Option<WebhookFormat>) {
        match request.url.as_deref() {
            None if creating => errors.push("url", "is required"),
            None => {}
            Some(url) => {
                if let Err(message) = self.webhook_client.check_target(url) {
                    errors.push("url", message);
                }
            }
        }
        if let Some(events) = &request.events {
            if events.is_empty() {
                errors.push("events", "give at least one event name, or \"*\" for all");
            }
            for name in events {
                if name != "*" && EventKind::from_str(name).is_err() {
                    errors.push("events", format!("'{name}' is not an event wagate emits"));
                }
            }
        }
        if let Some(headers) = &request.headers {
            check_headers(headers, errors);
        }
        let format = match request.format.as_deref().map(str::parse::<WebhookFormat>) {
            None => None,
            Some(Ok(format)) => Some(format),
            Some(Err(message)) => {
                errors.push("format", message);
                None
            }
        };
        if request
            .description
            .as_ref()
            .is_some_and(|d| d.chars().count() > 500)
        {
            errors.push("description", "must be at most 500 characters");
        }
        (request.events.clone(), format)
    }

    /// What an endpoint's format allows: the Evolution options only there, and only events
    /// the format renders.
    fn check_format(&self, webhook: &WebhookRecord, errors: &mut ValidationErrors) {
        let formats = &self.webhook_formats;
        if webhook.format != WebhookFormat::Evolution {
            if webhook.by_events {
                errors.push("byEvents", "applies to the evolution format only");
            }
            if webhook.inline_media {
                errors.push("base64", "applies to the evolution format only");
            }
        }
        if webhook.format == WebhookFormat::Native {
            return;
        }
        if formats.renderer(webhook.format).is_none() {
            errors.push("format", format!("'{}' is not served here", webhook.format));
            return;
        }
        for name in &webhook.events {
            if let Ok(kind) = EventKind::from_str(name)
                && !formats.can_render(webhook.format, kind)
            {
                errors.push(
                    "events",
                    format!("'{name}' has no rendering in the {} format", webhook.format),
                );
            }
        }
    }

    async fn webhook_instance(
        &self,
        principal: &Principal,
        ident: Option<&str>,
    ) -> ServiceResult<Option<InstanceId>> {
        match (ident, principal.instance_limit()) {
            (Some(ident), _) => Ok(Some(
                self.resolve_instance(principal, ident)
                    .await
                    .map_err(|_| ServiceError::field("instanceId", "no such instance"))?
                    .id,
            )),
            (None, only) => Ok(only.cloned()),
        }
    }

    /// Registers an endpoint; its secret is in the answer, shown only this once.
    pub async fn create_webhook(
        &self,
        principal: &Principal,
        request: WebhookRequest,
    ) -> ServiceResult<CreatedWebhook> {
        let account = principal.account()?.clone();
        let mut errors = ValidationErrors::default();
        let (events, format) = self.check_webhook(&request, &mut errors, true);
        if !errors.is_empty() {
            return Err(errors.into());
        }
        let instance_id = self
            .webhook_instance(principal, request.instance_id.as_deref())
            .await?;
        let now = Utc::now();
        let id = format!("whk_{}", uuid::Uuid::now_v7().simple());
        let secret = WebhookSecret::generate();
        let webhook = WebhookRecord {
            account_id: account,
            instance_id,
            url: request.url.unwrap_or_default(),
            events: events.unwrap_or_else(|| vec!["*".to_owned()]),
            headers: self.seal_webhook_headers(&id, request.headers.unwrap_or_default()),
            description: request.description,
            secret: self.seal_webhook_secret(&id, &secret),
            id,
            enabled: true,
            disabled_reason: None,
            failing_since: None,
            is_default: false,
            format: format.unwrap_or_default(),
            by_events: request.by_events.unwrap_or(false),
            inline_media: request.base64.unwrap_or(false),
            created_at: now,
            updated_at: now,
        };
        self.check_format(&webhook, &mut errors);
        if !errors.is_empty() {
            return Err(errors.into());
        }
        self.store.insert_webhook(&webhook).await?;
        Ok(CreatedWebhook { webhook, secret })
    }

    pub async fn list_webhooks(&self, principal: &Principal) -> ServiceResult<Vec<WebhookRecord>> {
        let account = principal.account()?;
        let mut webhooks = self.store.list_webhooks(account).await?;
        if let Some(only) = principal.instance_limit() {
            webhooks.retain(|w| w.instance_id.as_ref() == Some(only));
        }
        Ok(webhooks)
    }

    /// Deliveries still to be made, per endpoint of the caller's account.
    pub async fn webhook_backlog(
        &self,
        principal: &Principal,
    ) -> ServiceResult<std::collections::HashMap<String, i64>> {
        Ok(self.store.pending_deliveries(principal.account()?).await?)
    }

    pub async fn get_webhook(
        &self,
        principal: &Principal,
        id: &str,
    ) -> ServiceResult<WebhookRecord> {
        let account = principal.account()?;
        let webhook = self
            .store
            .find_webhook(account, id.trim())
            .await?
            .ok_or(ServiceError::NotFound("webhook"))?;
        match principal.instance_limit() {
            Some(only) if webhook.instance_id.as_ref() != Some(only) => {
                Err(ServiceError::NotFound("webhook"))
            }
            _ => Ok(webhook),
        }
    }

    pub async fn update_webhook(
        &self,
        principal: &Principal,
        id: &str,
        request: WebhookRequest,
    ) -> ServiceResult<WebhookRecord> {
        let mut webhook = self.get_webhook(principal, id).await?;
        let mut errors = ValidationErrors::default();
        let (events, format) = self.check_webhook(&request, &mut errors, false);
        if !errors.is_empty() {
            return Err(errors.into());
        }
        if let Some(format) = format {
            webhook.format = format;
        }
        if let Some(by_events) = request.by_events {
            webhook.by_events = by_events;
        }
        if let Some(inline_media) = request.base64 {
            webhook.inline_media = inline_media;
        }
        if let Some(url) = request.url {
            webhook.url = url;
        }
        if let Some(events) = events {
            webhook.events = events;
        }
        if request.instance_id.is_some() {
            webhook.instance_id = self
                .webhook_instance(principal, request.instance_id.as_deref())
                .await?;
        }
        if let Some(headers) = request.headers {
            webhook.headers = self.seal_webhook_headers(&webhook.id, headers);
        }
        if request.description.is_some() {
            webhook.description = request.description;
        }
        match request.enabled {
            Some(true) => {
                webhook.enabled = true;
                webhook.disabled_reason = None;
                webhook.failing_since = None;
            }
            Some(false) => {
                webhook.enabled = false;
                webhook.disabled_reason = Some("disabled through the API".to_owned());
            }
            None => {}
        }
        self.check_format(&webhook, &mut errors);
        if !errors.is_empty() {
            return Err(errors.into());
        }
        self.store.save_webhook(&webhook).await?;
        Ok(webhook)
    }

    /// The instance's one endpoint of `format` (what a dialect's `/webhook/find` shows).
    pub async fn instance_webhook(
        &self,
        principal: &Principal,
        instance: &str,
        format: WebhookFormat,
    ) -> ServiceResult<Option<WebhookRecord>> {
        let instance = self.resolve_instance(principal, instance).await?;
        Ok(self
            .store
            .list_webhooks(&instance.account_id)
            .await?
            .into_iter()
            .find(|w| {
                !w.is_default && w.format == format && w.instance_id.as_ref() == Some(&instance.id)
            }))
    }

    /// Makes or replaces the instance's one endpoint of `request.format` (a dialect's
    /// `/webhook/set`); answers it and whether it was made now. A new endpoint gets a signing
    /// secret like any other (shown by the native API's rotate call).
    pub async fn set_instance_webhook(
        &self,
        principal: &Principal,
        instance: &str,
        request: InstanceWebhookRequest,
    ) -> ServiceResult<(WebhookRecord, bool)> {
        let existing = self
            .instance_webhook(principal, instance, request.format)
            .await?;
        let instance = self.resolve_instance(principal, instance).await?;
        let mut errors = ValidationErrors::default();
        if let Err(message) = self.webhook_client.check_target(&request.url) {
            errors.push("url", message);
        }
        if let Some(headers) = &request.headers {
            check_headers(headers, &mut errors);
        }
        if !errors.is_empty() {
            return Err(errors.into());
        }
        let events = if request.events.is_empty() {
            vec!["*".to_owned()]
        } else {
            let mut names: Vec<String> = Vec::new();
            for kind in &request.events {
                if !names.iter().any(|name| name == kind.as_str()) {
                    names.push(kind.as_str().to_owned());
                }
            }
            names
        };
        let now = Utc::now();
        let created = existing.is_none();
        let mut webhook = match existing {
            Some(webhook) => webhook,
            None => {
                let id = format!("whk_{}", uuid::Uuid::now_v7().simple());
                WebhookRecord {
                    secret: self.seal_webhook_secret(&id, &WebhookSecret::generate()),
                    id,
                    account_id: instance.account_id.clone(),
                    instance_id: Some(instance.id.clone()),
                    url: String::new(),
                    events: Vec::new(),
                    headers: BTreeMap::new(),
                    description: Some(format!(
                        "the instance's {} webhook",
                        request.format.as_str()
                    )),
                    enabled: true,
                    disabled_reason: None,
                    failing_since: None,
                    is_default: false,
                    format: request.format,
                    by_events: false,
                    inline_media: false,
                    created_at: now,
                    updated_at: now,
                }
            }
        };
        webhook.url = request.url;
        webhook.events = events;
        webhook.by_events = request.by_events;
        webhook.inline_media = request.inline_media;
        if let Some(headers) = request.headers {
            webhook.headers = self.seal_webhook_headers(&webhook.id, headers);
        }
        if request.enabled {
            if !webhook.enabled {
                webhook.failing_since = None;
            }
            webhook.enabled = true;
            webhook.disabled_reason = None;
        } else {
            webhook.enabled = false;
            webhook.disabled_reason = Some("disabled through the API".to_owned());
        }
        self.check_format(&webhook, &mut errors);
        if !errors.is_empty() {
            return Err(errors.into());
        }
        if created {
            self.store.insert_webhook(&webhook).await?;
        } else {
            webhook.updated_at = now;
            self.store.save_webhook(&webhook).await?;
        }
        Ok((webhook, created))
    }

    pub async fn delete_webhook(&self, principal: &Principal, id: &str) -> ServiceResult<()> {
        let webhook = self.get_webhook(principal, id).await?;
        self.store
            .delete_webhook(&webhook.account_id, &webhook.id)
            .await?;
        Ok(())
    }

    /// A new secret; the old one stops signing at once.
    pub async fn rotate_webhook_secret(
        &self,
        principal: &Principal,
        id: &str,
    ) -> ServiceResult<CreatedWebhook> {
        let mut webhook = self.get_webhook(principal, id).await?;
        let secret = WebhookSecret::generate();
        webhook.secret = self.seal_webhook_secret(&webhook.id, &secret);
        self.store.save_webhook(&webhook).await?;
        Ok(CreatedWebhook { webhook, secret })
    }

    /// Sends a `webhook.test` event to this endpoint only.
    pub async fn test_webhook(&self, principal: &Principal, id: &str) -> ServiceResult<String> {
        let webhook = self.get_webhook(principal, id).await?;
        let event_id = format!("evt_{}", uuid::Uuid::now_v7().simple());
        let payload = json!({
            "id": event_id,
            "event": EventKind::WebhookTest.as_str(),
            "instanceId": webhook.instance_id,
            "instance": null,
            "timestamp": super::event_payloads::rfc3339(Utc::now()),
            "data": { "webhookId": webhook.id, "message": "This is a test delivery from wagate." },
        });
        self.store
            .insert_deliveries(vec![NewDelivery {
                webhook_id: webhook.id.clone(),
                event_id: event_id.clone(),
                event_kind: EventKind::WebhookTest.as_str().to_owned(),
                payload: payload.to_string(),
            }])
            .await?;
        Ok(event_id)
    }

    /// Sets the account's default endpoint (every event of the account), as seed 004 does.
    pub async fn set_default_webhook(
        &self,
        principal: &Principal,
        request: DefaultWebhookRequest,
    ) -> ServiceResult<DefaultWebhook> {
        self.set_default_webhook_as(principal, request, WebhookFormat::Native)
            .await
    }

    /// Sets the account's default endpoint, delivering in `format` (whatsapi.cc's root
    /// `PUT /auth/me/webhook` sets it in seed 004's shape). Setting it again changes the
    /// format too: the endpoint delivers as the last caller asked.
    pub async fn set_default_webhook_as(
        &self,
        principal: &Principal,
        request: DefaultWebhookRequest,
        format: WebhookFormat,
    ) -> ServiceResult<DefaultWebhook> {
        let account = principal.account_manager()?.clone();
        let url = request
            .url
            .ok_or_else(|| ServiceError::field("url", "is required"))?;
        self.webhook_client
            .check_target(&url)
            .map_err(|m| ServiceError::field("url", m))?;
        let existing = self
            .store
            .list_webhooks(&account)
            .await?
            .into_iter()
            .find(|w| w.is_default);
        match existing {
            Some(mut webhook) => {
                webhook.url = url;
                webhook.format = format;
                webhook.enabled = true;
                webhook.disabled_reason = None;
                self.store.save_webhook(&webhook).await?;
                Ok(DefaultWebhook::Updated(webhook))
            }
            None => {
                let now = Utc::now();
                let id = format!("whk_{}", uuid::Uuid::now_v7().simple());
                let secret = WebhookSecret::generate();
                let webhook = WebhookRecord {
                    secret: self.seal_webhook_secret(&id, &secret),
                    id,
                    account_id: account,
                    instance_id: None,
                    url,
                    events: vec!["*".to_owned()],
                    headers: BTreeMap::new(),
                    description: Some("the account's default webhook".to_owned()),
                    enabled: true,
                    disabled_reason: None,
                    failing_since: None,
                    is_default: true,
                    format,
                    by_events: false,
                    inline_media: false,
                    created_at: now,
                    updated_at: now,
                };
                self.store.insert_webhook(&webhook).await?;
                Ok(DefaultWebhook::Created(CreatedWebhook { webhook, secret }))
            }
        }
    }

    pub async fn delete_default_webhook(&self, principal: &Principal) -> ServiceResult<()> {
        let account = principal.account_manager()?;
        let existing = self
            .store
            .list_webhooks(account)
            .await?
            .into_iter()
            .find(|w| w.is_default);
        let webhook = existing.ok_or(ServiceError::NotFound("default webhook"))?;
        self.store.delete_webhook(account, &webhook.id).await?;
        Ok(())
    }

    pub async fn webhook_deliveries(
        &self,
        principal: &Principal,
        id: &str,
        query: DeliveriesQuery,
    ) -> ServiceResult<Vec<(DeliveryRecord, Vec<AttemptRecord>)>> {
        let webhook = self.get_webhook(principal, id).await?;
        let mut errors = ValidationErrors::default();
        let status = match query.status.as_deref() {
            None => None,
            Some(raw) => {
                let status = DeliveryStatus::parse(raw);
                if status.is_none() {
                    errors.push("status", "must be pending, succeeded or failed");
                }
                status
            }
        };
        let limit = query.limit.unwrap_or(50);
        if !(1..=500).contains(&limit) {
            errors.push("limit", "must be between 1 and 500");
        }
        let page = query.page.unwrap_or(1);
        if page < 1 {
            errors.push("page", "must be 1 or more");
        }
        if !errors.is_empty() {
            return Err(errors.into());
        }
        Ok(self
            .store
            .list_deliveries(&webhook.id, status, limit, (page - 1).saturating_mul(limit))
            .await?)
    }

    pub async fn retry_webhook_delivery(
        &self,
        principal: &Principal,
        id: &str,
        delivery_id: &str,
    ) -> ServiceResult<()> {
        let webhook = self.get_webhook(principal, id).await?;
        if !self
            .store
            .retry_delivery(&webhook.id, delivery_id.trim())
            .await?
        {
            return Err(ServiceError::NotFound("delivery"));
        }
        Ok(())
    }

    /// Delivers again every event the endpoint wants from `since` on, with their original ids.
    pub async fn replay_webhook(
        &self,
        principal: &Principal,
        id: &str,
        request: ReplayRequest,
    ) -> ServiceResult<usize> {
        let webhook = self.get_webhook(principal, id).await?;
        let since = request
            .since
            .ok_or_else(|| ServiceError::field("since", "is required (RFC 3339)"))?;
        let since = DateTime::parse_from_rfc3339(&since)
            .map_err(|e| ServiceError::field("since", format!("is not an RFC 3339 time: {e}")))?
            .with_timezone(&Utc);
        let mut deliveries = Vec::new();
        let mut from = since;
        loop {
            let events = self
                .store
                .events_since(&webhook.account_id, from, 1000)
                .await?;
            let Some(last) = events.last() else { break };
            let next = last.created_at + Duration::milliseconds(1);
            let full = events.len() == 1000;
            let mut candidate = webhook.clone();
            candidate.enabled = true;
            deliveries.extend(route(
                &events,
                std::slice::from_ref(&candidate),
                &self.webhook_formats,
            ));
            if !full {
                break;
            }
            from = next;
        }
        let count = deliveries.len();
        self.store.insert_deliveries(deliveries).await?;
        Ok(count)
    }

    /// Turns new outbox events into deliveries; answers how many events were read.
    pub async fn fan_out(&self, batch: i64) -> ServiceResult<usize> {
        Ok(self
            .store
            .fan_out_events(FAN_OUT_CURSOR, batch, |events, webhooks| {
                route(events, webhooks, &self.webhook_formats)
            })
            .await?)
    }

    /// What an attempt means: done, again later (and when), given up, or the endpoint disabled.
    pub fn attempt_outcome(
        &self,
        delivery: &DeliveryRecord,
        webhook: &WebhookRecord,
        response: &DeliveryResponse,
    ) -> AttemptOutcome {
        let now = Utc::now();
        let config = &self.webhook_config;
        let attempt = AttemptRecord {
            at: now,
            status_code: response.status.map(i64::from),
            duration_ms: response.duration.as_millis() as i64,
            response_body: response.body.clone(),
            error: response.error.clone(),
            request_url: None,
            request_body: None,
        };
        let succeeded = response.status.is_some_and(|s| (200..300).contains(&s));
        if succeeded {
            return AttemptOutcome {
                attempt,
                status: DeliveryStatus::Succeeded,
                next_attempt_at: now,
                failing_since: webhook.failing_since.map(|_| None),
                disable: None,
                events: Vec::new(),
            };
        }
        let failing_since = webhook.failing_since.unwrap_or(now);
        let disable_after =
            Duration::milliseconds((config.disable_after_hours * 3_600_000.0) as i64);
        let disable = if response.status == Some(410) {
            Some("the endpoint answered 410 Gone".to_owned())
        } else if now - failing_since >= disable_after && webhook.failing_since.is_some() {
            Some(format!(
                "every delivery failed for {} hours",
                config.disable_after_hours
            ))
        } else {
            None
        };
        let made = delivery.attempts + 1;
        let (status, next_attempt_at) = match config.retry_schedule_secs.get((made - 1) as usize) {
            Some(delay) if disable.is_none() => {
                let jitter = rand::rng().random_range(0.0..=0.2);
                let mut wait_ms = (delay * (1.0 + jitter) * 1000.0) as i64;
                if let Some(after) = response.retry_after {
                    wait_ms =
                        wait_ms.max((after.as_secs() as i64).min(MAX_RETRY_AFTER_SECS) * 1000);
                }
                (
                    DeliveryStatus::Pending,
                    now + Duration::milliseconds(wait_ms),
                )
            }
            _ => (DeliveryStatus::Failed, now),
        };
        AttemptOutcome {
            attempt,
            status,
            next_attempt_at,
            failing_since: webhook.failing_since.is_none().then_some(Some(now)),
            events: disable
                .iter()
                .map(|reason| disabled_event(webhook, reason))
                .collect(),
            disable,
        }
    }
}
