//! The sandbox's phone: linking a sandbox instance by the code it shows.

use super::send_parse::{SendRequest, parse_send};
use super::{Gateway, Principal, ServiceError, ServiceResult};
use serde::Deserialize;
use wagate_core::{EngineKind, Jid, JidKind, PhoneNumber, ValidationErrors};
use wagate_engine::sandbox::{Inbound, LinkError, lid_for};
use wagate_engine::{IncomingChange, PresenceState, Sender};
use wagate_store::InstanceRecord;

/// `POST /api/v1/sandbox/link`.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
pub struct SandboxLinkRequest {
    /// The QR code (`qr.code` from connect) or the pairing code the instance shows.
    pub code: Option<String>,
    /// The simulated phone's number. Required for a QR code; for a pairing code it defaults to
    /// the number the code was requested for.
    #[schema(example = "15550001111")]
    pub phone: Option<String>,
}

/// `POST /api/v1/sandbox/instances/{id}/inbound`: what someone else sends to the instance.
/// Give `from` and either content (as for sends: `text`, `image`, `poll`, `reaction`, …) or one
/// of `edit`, `revoke`, `pollVote` acting on an earlier message.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SandboxInboundRequest {
    /// The sender's phone number.
    #[schema(example = "15550002222")]
    pub from: Option<String>,
    /// The sender's LID (default: the sandbox's LID for their number).
    pub from_lid: Option<String>,
    pub push_name: Option<String>,
    /// A group the message is sent in (instead of a direct chat).
    pub group: Option<String>,
    /// The sender edits their earlier message.
    pub edit: Option<InboundEdit>,
    /// The sender deletes their earlier message for everyone.
    pub revoke: Option<InboundTarget>,
    /// The sender votes on a poll.
    pub poll_vote: Option<InboundVote>,
    #[serde(flatten)]
    pub message: SendRequest,
}

/// `POST /api/v1/sandbox/instances/{id}/call`: someone calls the instance.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SandboxCallRequest {
    /// The caller's phone number.
    #[schema(example = "15550002222")]
    pub from: Option<String>,
    pub push_name: Option<String>,
    #[serde(default)]
    pub video: bool,
}

/// `POST /api/v1/sandbox/instances/{id}/presence`: someone's presence as the number sees it.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SandboxPresenceRequest {
    /// Whose presence: a phone number.
    #[schema(example = "15550002222")]
    pub from: Option<String>,
    /// `available`, `unavailable`, or in a chat `composing`, `recording`, `paused`.
    #[schema(example = "composing")]
    pub state: Option<String>,
    /// A group they type in (with or without `@g.us`); without it, their chat with the number.
    pub group: Option<String>,
}

#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct InboundTarget {
    /// wagate's or WhatsApp's id of the message.
    pub message_id: Option<String>,
}

#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct InboundEdit {
    pub message_id: Option<String>,
    pub text: Option<String>,
}

#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct InboundVote {
    pub message_id: Option<String>,
    pub values: Option<Vec<String>>,
}

/// The simulated sender's (or caller's) phone number, required.
fn sender_phone(from: Option<&str>) -> ServiceResult<PhoneNumber> {
    let raw = from.ok_or_else(|| ServiceError::field("from", "is required"))?;
    PhoneNumber::parse(raw).map_err(|e| ServiceError::field("from", e.to_string()))
}

/// Pairing codes are typed by people: `abcdefgh` and `ABCD-EFGH` are the same code.
fn as_pairing_code(code: &str) -> Option<String> {
    let chars: String = code
        .chars()
        .filter(|c| *c != '-' && !c.is_whitespace())
        .map(|c| c.to_ascii_uppercase())
        .collect();
    (chars.len() == 8 && chars.chars().all(|c| c.is_ascii_alphanumeric()))
        .then(|| format!("{}-{}", &chars[..4], &chars[4..]))
}

impl Gateway {
    /// Plays the phone that scans a QR code or types a pairing code.
    pub async fn sandbox_link(
        &self,
        principal: &Principal,
        request: SandboxLinkRequest,
    ) -> ServiceResult<InstanceRecord> {
        let account = principal.account()?.clone();
        let mut errors = ValidationErrors::default();
        let code = request
            .code
            .as_deref()
            .map(str::trim)
            .unwrap_or_default()
            .to_owned();
        if code.is_empty() {
            errors.push("code", "is required");
        }
        let phone = request
            .phone
            .as_deref()
            .map(PhoneNumber::parse)
            .transpose()
            .map_err(|e| errors.push("phone", e.to_string()))
            .ok()
            .flatten();
        if !errors.is_empty() {
            return Err(errors.into());
        }
        let mut instance = self
            .store
            .find_instance_by_link_code(&account, &code)
            .await?;
        if instance.is_none()
            && let Some(pairing) = as_pairing_code(&code)
        {
            instance = self
                .store
                .find_instance_by_link_code(&account, &pairing)
                .await?;
        }
        let not_found = || ServiceError::NotFound("sandbox instance showing this code");
        let instance = instance.ok_or_else(not_found)?;
        let allowed = principal
            .instance_limit()
            .is_none_or(|only| only == &instance.id);
        if instance.engine != EngineKind::Sandbox || !allowed {
            return Err(not_found());
        }
        let shown = instance
            .qr_code
            .clone()
            .or(instance.pairing_code.clone())
            .unwrap_or(code);
        let me = self
            .sessions
            .sandbox()
            .link(&instance.id, &shown, phone)
            .await
            .map_err(|error| match error {
                LinkError::PhoneRequired | LinkError::WrongPhone => {
                    ServiceError::field("phone", error.to_string())
                }
                LinkError::NotLinking | LinkError::CodeMismatch => {
                    ServiceError::Conflict(error.to_string())
                }
            })?;
        self.on_connected(&instance.id, &me).await?;
        self.store
            .get_instance(&instance.id)
            .await?
            .ok_or_else(not_found)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pairing_codes_are_read_as_typed() {
        assert_eq!(as_pairing_code("abcd efgh").as_deref(), Some("ABCD-EFGH"));
        assert_eq!(as_pairing_code("ABCD-EFGH").as_deref(), Some("ABCD-EFGH"));
        assert_eq!(as_pairing_code("2@abc,def"), None);
    }
}

/// What the simulated network does to an instance's connection.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SandboxNetworkChange {
    Drop,
    Restore,
}

impl Gateway {
    /// Drops or restores a linked sandbox instance's connection, as a flaky network would.
    /// The session reports the change as an event; the instance's status follows it.
    pub async fn sandbox_network(
        &self,
        principal: &Principal,
        id_or_name: &str,
        change: SandboxNetworkChange,
    ) -> ServiceResult<InstanceRecord> {
        let instance = self
            .sandbox_instance(principal, id_or_name, "have a simulated network")
            .await?;
        let sandbox = self.sessions.sandbox();
        let result = match change {
            SandboxNetworkChange::Drop => sandbox.drop_connection(&instance.id).await,
            SandboxNetworkChange::Restore => sandbox.restore_connection(&instance.id).await,
        };
        result.map_err(|error| ServiceError::Conflict(error.to_string()))?;
        Ok(instance)
    }

    /// Plays someone calling a sandbox instance; answers the call's id. The call arrives as
    /// `call.received` once the session reports it.
    pub async fn sandbox_call(
        &self,
        principal: &Principal,
        id_or_name: &str,
        request: SandboxCallRequest,
    ) -> ServiceResult<String> {
        let instance = self
            .sandbox_instance(principal, id_or_name, "be called by the simulated network")
            .await?;
        let phone = sender_phone(request.from.as_deref())?;
        let from = Sender {
            lid: Some(lid_for(phone.as_str())),
            push_name: request.push_name,
            phone: Some(phone),
        };
        self.sessions
            .sandbox()
            .ring(&instance.id, from, request.video)
            .await
            .map_err(|error| ServiceError::Conflict(error.to_string()))
    }

    /// Plays someone's presence on a sandbox instance: it arrives as `presence.updated`.
    pub async fn sandbox_presence(
        &self,
        principal: &Principal,
        id_or_name: &str,
        request: SandboxPresenceRequest,
    ) -> ServiceResult<()> {
        let instance = self
            .sandbox_instance(principal, id_or_name, "show others' presence")
            .await?;
        let mut errors = ValidationErrors::default();
        let phone = match request.from.as_deref().map(PhoneNumber::parse) {
            None => {
                errors.push("from", "is required");
                None
            }
            Some(Ok(phone)) => Some(phone),
            Some(Err(error)) => {
                errors.push("from", error.to_string());
                None
            }
        };
        let state = match request.state.as_deref().map(str::trim) {
            None | Some("") => {
                errors.push("state", "is required");
                None
            }
            Some(raw) => PresenceState::parse(raw).or_else(|| {
                errors.push(
                    "state",
                    "must be available, unavailable, composing, recording or paused",
                );
                None
            }),
        };
        let group = match request.group.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(raw) => {
                let raw = if raw.contains('@') {
                    raw.to_owned()
                } else {
                    format!("{raw}@g.us")
                };
                match Jid::parse(&raw) {
                    Ok(jid) if jid.kind() == JidKind::Group => Some(jid),
                    _ => {
                        errors.push("group", "must be a group id");
                        None
                    }
                }
            }
        };
        if group.is_some()
            && matches!(
                state,
                Some(PresenceState::Available | PresenceState::Unavailable)
            )
        {
            errors.push(
                "group",
                "online and offline are not shown in a chat: leave it out",
            );
        }
        let (Some(phone), Some(state), true) = (phone, state, errors.is_empty()) else {
            return Err(ServiceError::Validation(errors));
        };
        let from = phone.to_jid();
        let chat = group.unwrap_or_else(|| from.clone());
        self.sessions
            .sandbox()
            .show_presence(&instance.id, from, chat, state)
            .await
            .map_err(|error| ServiceError::Conflict(error.to_string()))
    }

    /// The caller's sandbox instance; `what` says what only sandbox instances can do.
    pub(super) async fn sandbox_instance(
        &self,
        principal: &Principal,
        id_or_name: &str,
        what: &str,
    ) -> ServiceResult<InstanceRecord> {
        let instance = self.resolve_instance(principal, id_or_name).await?;
        if instance.engine != EngineKind::Sandbox {
            return Err(ServiceError::NotSupported(format!(
                "only sandbox instances can {what} (this one uses the {} engine)",
                instance.engine.as_str()
            )));
        }
        Ok(instance)
    }

    /// Plays someone else on WhatsApp writing to a sandbox instance. Answers WhatsApp's id of
    /// the new message (none for edits, revokes, reactions and votes); the message itself
    /// arrives as `message.received` once the session reports it.
    pub async fn sandbox_inbound(
        &self,
        principal: &Principal,
        id_or_name: &str,
        request: SandboxInboundRequest,
    ) -> ServiceResult<Option<String>> {
        let instance = self
            .sandbox_instance(principal, id_or_name, "be sent simulated messages")
            .await?;
        let phone = sender_phone(request.from.as_deref())?;
        let from = Sender {
            lid: Some(
                request
                    .from_lid
                    .clone()
                    .unwrap_or_else(|| lid_for(phone.as_str())),
            ),
            push_name: request.push_name.clone(),
            phone: Some(phone.clone()),
        };
        let group = request
            .group
            .as_deref()
            .map(|g| {
                Jid::parse(&if g.contains('@') {
                    g.to_owned()
                } else {
                    format!("{g}@g.us")
                })
            })
            .transpose()
            .map_err(|e| ServiceError::field("group", e.to_string()))?;
        let provider_id = |id: Option<String>, field: &'static str| {
            let store = self.store.clone();
            let instance_id = instance.id.clone();
            async move {
                let id = id
                    .filter(|i| !i.trim().is_empty())
                    .ok_or_else(|| ServiceError::field(field, "is required"))?;
                let found = store.find_instance_message(&instance_id, id.trim()).await?;
                Ok::<_, ServiceError>(found.and_then(|m| m.provider_message_id).unwrap_or(id))
            }
        };
        let inbound = if let Some(edit) = request.edit {
            let text = edit
                .text
                .filter(|t| !t.trim().is_empty())
                .ok_or_else(|| ServiceError::field("edit.text", "is required"))?;
            Inbound::Change {
                target: provider_id(edit.message_id, "edit.messageId").await?,
                change: IncomingChange::Edit { text },
                from,
                group,
            }
        } else if let Some(revoke) = request.revoke {
            Inbound::Change {
                target: provider_id(revoke.message_id, "revoke.messageId").await?,
                change: IncomingChange::Revoke,
                from,
                group,
            }
        } else if let Some(vote) = request.poll_vote {
            Inbound::Change {
                target: provider_id(vote.message_id, "pollVote.messageId").await?,
                change: IncomingChange::PollVote {
                    values: vote.values.unwrap_or_default(),
                },
                from,
                group,
            }
        } else if let Some(reaction) = request.message.reaction {
            let emoji = reaction.emoji.unwrap_or_default();
            Inbound::Change {
                target: provider_id(reaction.message_id, "reaction.messageId").await?,
                change: IncomingChange::Reaction { emoji },
                from,
                group,
            }
        } else {
            let mut message = request.message;
            message.to = Some(phone.as_str().to_owned());
            message.group = None;
            let parsed = parse_send(message)?;
            let reply_to = match parsed.reply_to.clone() {
                Some(id) => Some(provider_id(Some(id), "replyTo").await?),
                None => None,
            };
            let content = self
                .complete_content(&instance, super::media::MediaReach::of(principal), parsed)
                .await?;
            Inbound::Message {
                from,
                group,
                content,
                reply_to,
            }
        };
        self.sessions
            .sandbox()
            .inject(&instance.id, inbound)
            .await
            .map_err(|error| ServiceError::Conflict(error.to_string()))
    }

    /// How often the sandbox network delivered a message (tests assert exactly once).
    pub fn sandbox_deliveries(&self, id: &wagate_core::MessageId) -> u32 {
        self.sessions.sandbox().deliveries(id)
    }
}
