//! Evolution API's webhooks: wagate's events rendered, when a delivery is attempted, as
//! Evolution posts them — its envelope `{event, instance, data, destination, date_time,
//! sender, server_url, apikey}` (plus `timestamp`, which Evolution's own docs print), its event
//! names, and `data` shaped as Baileys and Evolution give it.
//!
//! A rendering depends on the event and the records it names, so a retry and a replay post
//! the same body: times are the event's own, a message is shown with the content and the status
//! the event reported. What is read from the instance at delivery time (its own JID and
//! profile name) is what changes least.

use super::event_names::{evolution_event, renders_kind, reported_status, url_segment};
use super::shapes;
use crate::services::{
    Direction, Gateway, InstanceRecord, MessageRecord, NativeEvent, RenderedDelivery, ServiceError,
    ServiceResult, WebhookRecord, WebhookRenderer, qr_image,
};
use base64::Engine as _;
use chrono::{DateTime, SecondsFormat, Utc};
use serde_json::{Value, json};
use wagate_core::{EventKind, InstanceStatus, MessageContent, MessageStatus};

/// The largest received file put inline (`webhookBase64`); larger ones come without
/// `base64`, as their media id still lets a receiver download them.
pub const MAX_INLINE_MEDIA: u64 = 32 * 1024 * 1024;

/// Renders deliveries to Evolution-format endpoints.
///
/// `apikey` is always `null`: Evolution puts the instance's token there, but wagate keeps API
/// keys only as hashes, so it has none to show (and a key in every delivery would be a leak).
pub struct EvolutionWebhooks {
    server_url: String,
}

impl EvolutionWebhooks {
    /// `server_url` is what `server_url` shows: the gateway's public base URL.
    pub fn new(server_url: String) -> Self {
        Self { server_url }
    }
}

/// Evolution's time: RFC 3339 in UTC with milliseconds. (Evolution's own `date_time` is the
/// server's local time labelled as UTC; wagate's is UTC.)
fn time(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Millis, true)
}

fn text<'a>(data: &'a Value, name: &str) -> Option<&'a str> {
    data.get(name).and_then(Value::as_str)
}

/// What one rendering needs: the instance (when it still exists) and the gateway.
struct Context<'a> {
    gateway: &'a Gateway,
    webhook: &'a WebhookRecord,
    event: &'a NativeEvent,
    instance: Option<InstanceRecord>,
}

impl Context<'_> {
    fn instance(&self) -> ServiceResult<&InstanceRecord> {
        self.instance
            .as_ref()
            .ok_or(ServiceError::NotFound("instance"))
    }

    fn instance_name(&self) -> Option<String> {
        self.instance
            .as_ref()
            .map(|instance| instance.name.as_str().to_owned())
            .or_else(|| self.event.instance.clone())
            .or_else(|| text(&self.event.data, "name").map(str::to_owned))
    }

    /// The message the event is about (`data.messageId`).
    async fn message(&self) -> ServiceResult<MessageRecord> {
        let instance = self.instance()?;
        let id = text(&self.event.data, "messageId").ok_or(ServiceError::NotFound("message"))?;
        self.gateway
            .instance_message(&instance.id, id)
            .await?
            .ok_or(ServiceError::NotFound("message"))
    }

    /// The id WhatsApp knows a message by: what send answers and `key.id` show.
    fn key_id(&self, message: &MessageRecord) -> String {
        let engine = self.instance.as_ref().map(|instance| instance.engine);
        engine
            .and_then(|engine| self.gateway.whatsapp_id(engine, message))
            .or_else(|| message.provider_message_id.clone())
            .unwrap_or_else(|| message.id.to_string())
    }
}

/// What `data` is, and whether it carries inline media the log leaves out.
struct Data {
    value: Value,
    inline_media: bool,
}

impl From<Value> for Data {
    fn from(value: Value) -> Self {
        Self {
            value,
            inline_media: false,
        }
    }
}

#[async_trait::async_trait]
impl WebhookRenderer for EvolutionWebhooks {
    fn renders_kind(&self, kind: EventKind) -> bool {
        renders_kind(kind)
    }

    fn renders(&self, kind: EventKind, data: &Value) -> bool {
        evolution_event(kind, data).is_some()
    }

    async fn render(
        &self,
        gateway: &Gateway,
        webhook: &WebhookRecord,
        event: &NativeEvent,
    ) -> ServiceResult<RenderedDelivery> {
        let name = evolution_event(event.kind, &event.data).ok_or(ServiceError::NotFound(
            "an Evolution rendering of the event",
        ))?;
        let instance_id = event
            .instance_id
            .clone()
            .or_else(|| webhook.instance_id.clone());
        let instance = match &instance_id {
            Some(id) => gateway.instance_record(id).await?,
            None => None,
        };
        let context = Context {
            gateway,
            webhook,
            event,
            instance,
        };
        let data = data(&context).await?;
        let url = if webhook.by_events {
            format!(
                "{}/{}",
                webhook.url.trim_end_matches('/'),
                url_segment(name)
            )
        } else {
            webhook.url.clone()
        };
        let mut body = json!({
            "event": name,
            "instance": context.instance_name(),
            "data": data.value,
            "destination": url,
            "date_time": time(event.at),
            "timestamp": time(event.at),
            "sender": context.instance.as_ref().and_then(|i| i.me.as_ref()).map(|me| me.jid.clone()),
            "server_url": self.server_url,
            // Evolution shows the instance's token here; wagate keeps keys only as hashes, so
            // there is none to show (and a key in every delivery would be a leak).
            "apikey": Value::Null,
        });
        let text = body.to_string();
        let logged = if data.inline_media {
            if let Some(base64) = body["data"]["message"].get_mut("base64") {
                let length = base64.as_str().map_or(0, str::len);
                *base64 = json!(format!(
                    "({length} characters of base64 media, left out of the log)"
                ));
            }
            body.to_string()
        } else {
            text.clone()
        };
        Ok(RenderedDelivery {
            url,
            body: text,
            logged,
        })
    }
}

/// The event's `data`, as Evolution gives it.
async fn data(context: &Context<'_>) -> ServiceResult<Data> {
    let event = context.event;
    let data = &event.data;
    Ok(match event.kind {
        EventKind::MessageReceived => return received(context).await,
        EventKind::MessageSent => {
            let message = context.message().await?;
            let mut object = message_object(context, &message)?;
            object["status"] = json!("SERVER_ACK");
            object.into()
        }
        EventKind::MessageReaction => reaction(context).await?.into(),
        EventKind::MessageStatusUpdated | EventKind::MessageRead => {
            let message = context.message().await?;
            let status = match event.kind {
                EventKind::MessageRead => Some("READ"),
                _ => serde_json::from_value::<MessageStatus>(data["status"].clone())
                    .ok()
                    .and_then(reported_status),
            };
            let mut update = key_fields(context, &message);
            update["status"] = json!(status);
            update["instanceId"] = json!(message.instance_id);
            update["messageId"] = json!(message.id);
            update.into()
        }
        EventKind::MessageRevoked => {
            let message = context.message().await?;
            if message.direction == Direction::Outbound {
                // Evolution's answer to its own delete: the message, marked deleted.
                let mut object = message_object(context, &message)?;
                object["status"] = json!("DELETED");
                object["id"] = json!(message.id);
                object["participant"] = object["key"]["participant"].clone();
                object.into()
            } else {
                key(context, &message).into()
            }
        }
        EventKind::MessageEdited => {
            let message = context.message().await?;
            json!({
                "key": key(context, &message),
                "type": "MESSAGE_EDIT",
                "editedMessage": { "conversation": text(data, "text") },
                "timestampMs": event.at.timestamp_millis().to_string(),
            })
            .into()
        }
        EventKind::SessionStatus => connection_update(context)?.into(),
        EventKind::QrcodeUpdated => {
            let code = text(data, "code");
            let base64 = code
                .map(qr_image::data_url)
                .transpose()
                .map_err(ServiceError::EngineUnavailable)?;
            json!({ "qrcode": {
                "instance": context.instance_name(),
                "pairingCode": text(data, "pairingCode"),
                "code": code,
                "base64": base64,
            } })
            .into()
        }
        EventKind::SessionLoggedOut => json!({
            "instance": context.instance_name(),
            "reason": text(data, "reason"),
        })
        .into(),
        EventKind::InstanceCreated | EventKind::InstanceDeleted => json!({
            "instanceName": context.instance_name(),
            "instanceId": event.instance_id,
        })
        .into(),
        EventKind::GroupUpdated => group_update(data).into(),
        EventKind::GroupParticipantsUpdated => {
            let members = data["participants"].as_array().cloned().unwrap_or_default();
            json!({
                "id": data["groupJid"],
                "author": data["by"]["jid"],
                "participants": members.iter().map(|member| member["jid"].clone()).collect::<Vec<_>>(),
                "participantsData": members.iter().map(|member| json!({
                    "jid": member["jid"],
                    "phoneNumber": member["phone"],
                })).collect::<Vec<_>>(),
                "action": data["action"],
            })
            .into()
        }
        EventKind::CallReceived => {
            let from = data["fromJid"].clone();
            json!({
                "id": data["callId"],
                "from": from,
                "chatId": data["groupJid"].as_str().map_or(from.clone(), |group| json!(group)),
                "groupJid": data["groupJid"],
                "isGroup": data["groupJid"].is_string(),
                "isVideo": data["video"],
                "status": "offer",
                "date": data["at"],
                "offline": false,
            })
            .into()
        }
        // Baileys' shape: the chat, and each participant's presence with its last-seen time
        // in seconds.
        EventKind::PresenceUpdated => {
            let mut presence = json!({ "lastKnownPresence": data["state"] });
            if let Some(seen) = data["lastSeen"]
                .as_str()
                .and_then(|at| chrono::DateTime::parse_from_rfc3339(at).ok())
            {
                presence["lastSeen"] = json!(seen.timestamp());
            }
            let from = data["fromJid"].as_str().unwrap_or_default().to_owned();
            json!({ "id": data["chatJid"], "presences": { from: presence } }).into()
        }
        EventKind::LabelUpdated => json!({
            "id": data["labelId"],
            "name": data["name"],
            "color": data["color"],
            "deleted": data["deleted"],
            "instance": context.instance_name(),
        })
        .into(),
        EventKind::LabelChatUpdated => json!({
            "instance": context.instance_name(),
            "type": if data["labeled"] == true { "add" } else { "remove" },
            "chatId": data["chat"],
            "labelId": data["labelId"],
        })
        .into(),
        EventKind::WebhookTest => data.clone().into(),
        _ => {
            return Err(ServiceError::NotFound(
                "an Evolution rendering of the event",
            ));
        }
    })
}

/// A message as Baileys shows it, with `messageTimestamp` as a string of Unix seconds (as
/// Evolution's webhooks print it).
fn message_object(context: &Context<'_>, message: &MessageRecord) -> ServiceResult<Value> {
    let mut object = shapes::message_object(message, &context.key_id(message), context.instance()?);
    object["messageTimestamp"] = json!(shapes::timestamp(message).to_string());
    Ok(object)
}

/// `{remoteJid, fromMe, id, participant?}` of a message.
fn key(context: &Context<'_>, message: &MessageRecord) -> Value {
    let from_me = message.direction == Direction::Outbound;
    let remote_jid = shapes::jid_of(&message.chat_jid);
    let mut key =
        json!({ "remoteJid": remote_jid, "fromMe": from_me, "id": context.key_id(message) });
    if let Some(participant) = participant(message) {
        key["participant"] = json!(participant);
    }
    key
}

/// The sender of a received group message.
fn participant(message: &MessageRecord) -> Option<String> {
    (message.direction == Direction::Inbound && message.chat_jid.ends_with("@g.us"))
        .then(|| message.sender.as_deref().map(shapes::jid_of))
        .flatten()
}

/// `messages.update`'s key fields: `{keyId, remoteJid, fromMe, participant}`.
fn key_fields(context: &Context<'_>, message: &MessageRecord) -> Value {
    json!({
        "keyId": context.key_id(message),
        "remoteJid": shapes::jid_of(&message.chat_jid),
        "fromMe": message.direction == Direction::Outbound,
        "participant": participant(message),
    })
}

/// `messages.upsert` of a received message: its content as it arrived, and with
/// `webhookBase64` its media inline as `message.base64`.
async fn received(context: &Context<'_>) -> ServiceResult<Data> {
    let mut message = context.message().await?;
    if let Ok(content) =
        serde_json::from_value::<MessageContent>(context.event.data["content"].clone())
    {
        message.content = content;
    }
    let mut object = message_object(context, &message)?;
    // Baileys' status of a message that reached this device.
    object["status"] = json!("DELIVERY_ACK");
    let mut inline_media = false;
    if context.webhook.inline_media
        && let Some(bytes) = context
            .gateway
            .message_media(&message, MAX_INLINE_MEDIA)
            .await?
    {
        object["message"]["base64"] =
            json!(base64::engine::general_purpose::STANDARD.encode(bytes));
        inline_media = true;
    }
    Ok(Data {
        value: object,
        inline_media,
    })
}

/// A reaction as Baileys shows it: a message of its own carrying `reactionMessage`. WhatsApp's
/// id of the reaction itself is not kept, so `key.id` is the event's id.
async fn reaction(context: &Context<'_>) -> ServiceResult<Value> {
    let data = &context.event.data;
    let from_me = data["from"] == "me";
    let target = context.message().await.ok();
    let chat = text(data, "chat")
        .map(str::to_owned)
        .or_else(|| target.as_ref().map(|message| message.chat_jid.clone()))
        .ok_or(ServiceError::NotFound("the reaction's chat"))?;
    let remote_jid = shapes::jid_of(&chat);
    let target_id = text(data, "providerMessageId")
        .unwrap_or_default()
        .to_owned();
    let (message_type, mut body) = shapes::content(
        &MessageContent::Reaction {
            target_id,
            emoji: text(data, "emoji").unwrap_or_default().to_owned(),
        },
        &remote_jid,
    );
    if let Some(target) = &target {
        body[message_type]["key"]["fromMe"] = json!(target.direction == Direction::Outbound);
    }
    let mut key = json!({ "remoteJid": remote_jid, "fromMe": from_me, "id": context.event.id });
    if !from_me && remote_jid.ends_with("@g.us") {
        key["participant"] = json!(text(data, "from").map(shapes::jid_of));
    }
    let push_name = if from_me {
        context
            .instance
            .as_ref()
            .and_then(|instance| instance.me.as_ref())
            .and_then(|me| me.push_name.clone())
    } else {
        text(data, "pushName").map(str::to_owned)
    };
    Ok(json!({
        "key": key,
        "pushName": push_name.unwrap_or_default(),
        "status": if from_me { "SERVER_ACK" } else { "DELIVERY_ACK" },
        "message": body,
        "messageType": message_type,
        "messageTimestamp": context.event.at.timestamp().to_string(),
        "instanceId": context.instance()?.id,
        "source": if from_me { "web" } else { "unknown" },
    }))
}

/// Evolution's connection state of a status change, and Baileys' disconnect reason with it.
/// A connection that drops while open is `close` (wagate then reconnects on its own, as
/// Evolution does after it reports the close).
pub fn connection_state(
    status: InstanceStatus,
    previous: Option<InstanceStatus>,
) -> (&'static str, u16) {
    match status {
        InstanceStatus::Connecting if previous == Some(InstanceStatus::Open) => ("close", 428),
        // Linking gave up (every QR code expired): Evolution's `refused`.
        InstanceStatus::Failed => ("refused", 428),
        InstanceStatus::LoggedOut | InstanceStatus::CredentialsInvalid => ("close", 401),
        other => {
            let state = shapes::connection_state(other);
            (state, if state == "close" { 428 } else { 200 })
        }
    }
}

fn connection_update(context: &Context<'_>) -> ServiceResult<Value> {
    let data = &context.event.data;
    let status = serde_json::from_value::<InstanceStatus>(data["status"].clone())
        .map_err(|_| ServiceError::NotFound("the event's status"))?;
    let previous = serde_json::from_value::<InstanceStatus>(data["previousStatus"].clone()).ok();
    let (state, reason) = connection_state(status, previous);
    let me = context
        .instance
        .as_ref()
        .and_then(|instance| instance.me.as_ref());
    Ok(json!({
        "instance": context.instance_name(),
        "wuid": me.map(|me| me.jid.clone()),
        "profileName": me.and_then(|me| me.push_name.clone()),
        "profilePictureUrl": Value::Null,
        "state": state,
        "statusReason": reason,
    }))
}

/// `groups.upsert` (a new group) or `groups.update`: Baileys' partial group metadata, in a list.
fn group_update(data: &Value) -> Value {
    let mut group = json!({ "id": data["groupJid"], "author": data["by"]["jid"] });
    match text(data, "change") {
        Some("created") => {
            group["subject"] = data["subject"].clone();
            group["owner"] = data["by"]["jid"].clone();
            group["creation"] = json!(
                text(data, "at")
                    .and_then(|at| DateTime::parse_from_rfc3339(at).ok())
                    .map(|at| at.timestamp())
            );
        }
        Some("subject") => group["subject"] = data["subject"].clone(),
        Some("description") => group["desc"] = data["description"].clone(),
        Some("settings") => {
            let settings = &data["settings"];
            for (ours, theirs) in [
                ("announce", "announce"),
                ("locked", "restrict"),
                ("approval", "joinApprovalMode"),
                ("ephemeral", "ephemeralDuration"),
            ] {
                if let Some(value) = settings.get(ours) {
                    group[theirs] = value.clone();
                }
            }
        }
        _ => {}
    }
    json!([group])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn connection_states_are_evolutions() {
        use InstanceStatus::*;
        assert_eq!(connection_state(Open, Some(Connecting)), ("open", 200));
        assert_eq!(connection_state(Connecting, Some(Open)), ("close", 428));
        assert_eq!(
            connection_state(Connecting, Some(Disconnected)),
            ("connecting", 200)
        );
        assert_eq!(connection_state(Qr, None), ("connecting", 200));
        assert_eq!(connection_state(Failed, Some(Qr)), ("refused", 428));
        assert_eq!(connection_state(LoggedOut, Some(Open)), ("close", 401));
        assert_eq!(connection_state(Disconnected, Some(Open)), ("close", 428));
    }

    #[test]
    fn group_changes_are_baileys_partial_metadata() {
        let created = group_update(&json!({
            "change": "created", "subject": "Team", "groupJid": "123@g.us",
            "by": { "jid": "15550001111@s.whatsapp.net" }, "at": "2026-03-02T10:00:00.000Z",
        }));
        assert_eq!(created[0]["id"], "123@g.us");
        assert_eq!(created[0]["subject"], "Team");
        assert_eq!(created[0]["creation"], 1_772_445_600);
        let settings = group_update(&json!({
            "change": "settings", "groupJid": "123@g.us", "by": null,
            "settings": { "announce": true, "locked": false },
        }));
        assert_eq!(settings[0]["announce"], true);
        assert_eq!(settings[0]["restrict"], false);
        assert!(settings[0].get("joinApprovalMode").is_none());
        let description = group_update(&json!({
            "change": "description", "groupJid": "123@g.us", "description": "About",
        }));
        assert_eq!(description[0]["desc"], "About");
    }

    #[test]
    fn times_are_utc_with_milliseconds() {
        let at = DateTime::parse_from_rfc3339("2026-03-02T07:00:00.5-03:00")
            .unwrap()
            .with_timezone(&Utc);
        assert_eq!(time(at), "2026-03-02T10:00:00.500Z");
    }
}
