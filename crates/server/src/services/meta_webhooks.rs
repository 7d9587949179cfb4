//! Meta's webhooks for cloud numbers: the subscription handshake, and deliveries turned into
//! what the rest of wagate knows — received messages (media downloaded into wagate's media
//! store), reactions, and the statuses of messages sent.
//!
//! A delivery is answered only after everything in it is stored, so an error makes Meta
//! deliver it again; every step is idempotent (messages by WhatsApp's id, statuses only move
//! forward), so a repeated delivery changes nothing twice.

use super::cloud::engine_credentials;
use super::{Gateway, ServiceError, ServiceResult};
use bytes::Bytes;
use chrono::{DateTime, Utc};
use wagate_core::{EngineKind, InstanceId, MediaRef, MessageContent, MessageStatus};
use wagate_engine::cloud::graph::Credentials;
use wagate_engine::cloud::webhook::{self, InboundContent, InboundMessage, StatusUpdate, Update};
use wagate_engine::{IncomingChange, IncomingMessage, Sender};
use wagate_store::{CloudCredentials, InstanceRecord, MessageTransition};

/// Meta's subscription check (`GET` on a callback URL), as its query string names it.
#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
pub struct MetaHandshake {
    /// `subscribe`.
    #[serde(rename = "hub.mode")]
    #[param(rename = "hub.mode")]
    pub mode: Option<String>,
    /// The number's verify token (`GET /api/v1/instances/{id}/cloud` shows it).
    #[serde(rename = "hub.verify_token")]
    #[param(rename = "hub.verify_token")]
    pub verify_token: Option<String>,
    /// Echoed back when the token matches.
    #[serde(rename = "hub.challenge")]
    #[param(rename = "hub.challenge")]
    pub challenge: Option<String>,
}

/// What one delivery did.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct MetaDelivery {
    pub messages: usize,
    pub statuses: usize,
    /// Updates for numbers this gateway does not serve under the URL's account.
    pub ignored: usize,
}

fn not_found() -> ServiceError {
    ServiceError::NotFound("cloud instance")
}

impl Gateway {
    /// The cloud instance a webhook URL names, with its credentials in clear.
    async fn webhook_target(
        &self,
        instance_id: &str,
    ) -> ServiceResult<(InstanceRecord, CloudCredentials)> {
        let id = InstanceId::parse(instance_id).ok_or_else(not_found)?;
        let instance = self
            .store
            .get_instance(&id)
            .await?
            .filter(|instance| instance.engine == EngineKind::Cloud)
            .ok_or_else(not_found)?;
        let number = self
            .store
            .cloud_number(&instance.id)
            .await?
            .ok_or_else(not_found)?;
        let clear = self
            .cloud_settings()?
            .open(&number.credentials)
            .map_err(|error| {
                tracing::error!(%error, instance = %instance.id, "stored cloud credentials cannot be opened");
                not_found()
            })?;
        Ok((instance, clear))
    }

    /// `GET /webhooks/meta/{instanceId}`: the challenge to echo when Meta presents the
    /// instance's verify token.
    pub async fn meta_handshake(
        &self,
        instance_id: &str,
        mode: Option<&str>,
        token: Option<&str>,
        challenge: Option<&str>,
    ) -> ServiceResult<String> {
        let (_, clear) = self.webhook_target(instance_id).await?;
        webhook::handshake(mode, token, challenge, &clear.verify_token)
            .map(str::to_owned)
            .ok_or_else(|| {
                ServiceError::Forbidden(
                    "the verify token does not match the instance's, or hub.mode is not subscribe"
                        .to_owned(),
                )
            })
    }

    /// Meta's handshake at a callback URL that names no number (seed 004's
    /// `GET /webhooks/whatsapp`): the number is the one whose verify token Meta presents.
    /// A token two numbers share names neither.
    pub async fn meta_handshake_by_token(
        &self,
        mode: Option<&str>,
        token: Option<&str>,
        challenge: Option<&str>,
    ) -> ServiceResult<String> {
        let refused = || {
            ServiceError::Forbidden(
                "the verify token is not one of this server's numbers', or hub.mode is not \
                 subscribe"
                    .to_owned(),
            )
        };
        let token = token
            .filter(|token| !token.is_empty())
            .ok_or_else(refused)?;
        let numbers = self.store.cloud_numbers_by_verify_token(token).await?;
        let [number] = numbers.as_slice() else {
            return Err(refused());
        };
        self.meta_handshake(number.instance_id.as_str(), mode, Some(token), challenge)
            .await
            .map_err(|error| match error {
                ServiceError::NotFound(_) => refused(),
                other => other,
            })
    }

    /// A delivery at a callback URL that names no number (seed 004's
    /// `POST /webhooks/whatsapp`): it goes to the number its first update is for, and is
    /// checked against that number's app secret like any other.
    pub async fn receive_meta_webhook_by_number(
        &self,
        signature: Option<&str>,
        body: &[u8],
    ) -> ServiceResult<MetaDelivery> {
        let updates = webhook::parse(body).map_err(|e| ServiceError::field("body", e))?;
        let Some(first) = updates.first() else {
            return Ok(MetaDelivery::default());
        };
        let (Update::Message {
            phone_number_id, ..
        }
        | Update::Status {
            phone_number_id, ..
        }) = first;
        let number = self
            .store
            .cloud_number_by_phone_number_id(phone_number_id)
            .await?
            .ok_or_else(not_found)?;
        self.receive_meta_webhook(number.instance_id.as_str(), signature, body)
            .await
    }

    /// `POST /webhooks/meta/{instanceId}`: a delivery signed with the app secret.
    pub async fn receive_meta_webhook(
        &self,
        instance_id: &str,
        signature: Option<&str>,
        body: &[u8],
    ) -> ServiceResult<MetaDelivery> {
        let (instance, clear) = self.webhook_target(instance_id).await?;
        if clear.app_secret.is_empty() {
            return Err(ServiceError::Unauthorized(
                "the instance has no app secret to check Meta's signature with; set it first"
                    .to_owned(),
            ));
        }
        if !webhook::signature_matches(&clear.app_secret, body, signature) {
            return Err(ServiceError::Unauthorized(
                "X-Hub-Signature-256 does not match the body under the instance's app secret"
                    .to_owned(),
            ));
        }
        let updates = webhook::parse(body).map_err(|e| ServiceError::field("body", e))?;
        let mut delivery = MetaDelivery::default();
        for update in updates {
            let phone_number_id = match &update {
                Update::Message {
                    phone_number_id, ..
                }
                | Update::Status {
                    phone_number_id, ..
                } => phone_number_id.clone(),
            };
            let Some((target, credentials)) = self
                .number_of_account(&instance, &clear, &phone_number_id)
                .await?
            else {
                tracing::warn!(%phone_number_id, instance = %instance.id, "a Meta webhook for a number this account does not have");
                delivery.ignored += 1;
                continue;
            };
            match update {
                Update::Status { status, .. } => {
                    self.apply_meta_status(&target.id, status).await?;
                    delivery.statuses += 1;
                }
                Update::Message { message, .. } => {
                    self.apply_meta_message(&target, &credentials, message)
                        .await?;
                    delivery.messages += 1;
                }
            }
        }
        Ok(delivery)
    }

    /// One Meta app may serve several numbers of an account through one webhook URL; each
    /// update goes to the instance of its own number.
    async fn number_of_account(
        &self,
        instance: &InstanceRecord,
        clear: &CloudCredentials,
        phone_number_id: &str,
    ) -> ServiceResult<Option<(InstanceRecord, Credentials)>> {
        if clear.phone_number_id == phone_number_id {
            return Ok(Some((instance.clone(), engine_credentials(clear))));
        }
        let Some(number) = self
            .store
            .cloud_number_by_phone_number_id(phone_number_id)
            .await?
        else {
            return Ok(None);
        };
        let Some(other) = self
            .store
            .get_instance(&number.instance_id)
            .await?
            .filter(|other| other.account_id == instance.account_id)
        else {
            return Ok(None);
        };
        let Ok(other_clear) = self.cloud_settings()?.open(&number.credentials) else {
            return Ok(None);
        };
        Ok(Some((other, engine_credentials(&other_clear))))
    }

    async fn apply_meta_status(
        &self,
        instance: &InstanceId,
        status: StatusUpdate,
    ) -> ServiceResult<()> {
        if status.status != MessageStatus::Failed {
            return self
                .on_receipt(instance, &status.id, status.status, status.at)
                .await;
        }
        let (code, message) = match &status.error {
            Some(error) => (error.error_code(), error.to_string()),
            None => (
                "META_UNKNOWN".to_owned(),
                "Meta reported the message failed without saying why".to_owned(),
            ),
        };
        self.on_remote_failure(instance, &status.id, code, message, status.at)
            .await
    }

    /// WhatsApp gave up on a message it had accepted: it ends `failed` with WhatsApp's reason.
    async fn on_remote_failure(
        &self,
        instance: &InstanceId,
        provider_message_id: &str,
        code: String,
        message: String,
        at: DateTime<Utc>,
    ) -> ServiceResult<()> {
        self.store
            .transition_message(
                instance,
                provider_message_id,
                |current| {
                    if !current.status.can_move_to(MessageStatus::Failed) {
                        return None;
                    }
                    Some(MessageTransition {
                        steps: vec![(MessageStatus::Failed, at)],
                        provider_message_id: current
                            .provider_message_id
                            .is_none()
                            .then(|| provider_message_id.to_owned()),
                        error_code: Some(code.clone()),
                        error_message: Some(message.clone()),
                        ..Default::default()
                    })
                },
                super::messages::transition_events,
            )
            .await?;
        Ok(())
    }

    async fn apply_meta_message(
        &self,
        instance: &InstanceRecord,
        credentials: &Credentials,
        message: InboundMessage,
    ) -> ServiceResult<()> {
        let chat = message.from.to_jid();
        let sender = Sender {
            phone: Some(message.from.clone()),
            lid: None,
            push_name: message.push_name.clone(),
        };
        let content = match message.content {
            InboundContent::Ready(content) => content,
            InboundContent::Media {
                kind,
                file,
                caption,
                file_name,
                voice,
            } => {
                let media = self
                    .download_meta_media(instance, credentials, &file, file_name)
                    .await?;
                media_content(kind, media, caption, voice)
            }
            InboundContent::Reaction { target, emoji } => {
                return self
                    .on_changed(
                        &instance.id,
                        chat,
                        target,
                        sender,
                        IncomingChange::Reaction { emoji },
                        message.at,
                    )
                    .await;
            }
            InboundContent::Other { kind } => {
                tracing::info!(instance = %instance.id, %kind, "a Meta message type wagate does not model was skipped");
                return Ok(());
            }
        };
        self.on_incoming(
            &instance.id,
            IncomingMessage {
                provider_message_id: message.id,
                chat,
                sender,
                content,
                reply_to: message.reply_to,
                at: message.at,
            },
        )
        .await
    }

    /// Fetches a file a customer sent from Meta into wagate's media store.
    async fn download_meta_media(
        &self,
        instance: &InstanceRecord,
        credentials: &Credentials,
        file: &webhook::GraphMediaFile,
        file_name: Option<String>,
    ) -> ServiceResult<MediaRef> {
        let (bytes, mime_type) = self
            .sessions
            .cloud()?
            .download_media(credentials, &file.id)
            .await
            .map_err(|e| {
                ServiceError::EngineUnavailable(format!(
                    "the file {} could not be fetched from Meta: {e}",
                    file.id
                ))
            })?;
        let size = bytes.len() as u64;
        let chunks = futures_util::stream::iter([Ok(Bytes::from(bytes))]);
        let record = self
            .store_media(
                crate::media::Owner::instance(instance),
                chunks,
                Some(&mime_type),
                file_name,
                size,
            )
            .await?;
        Ok(MediaRef {
            media_id: record.id,
            mimetype: record.mimetype,
            size: record.size as u64,
            sha256: record.sha256,
            file_name: record.file_name,
        })
    }
}

/// The message a downloaded file makes, by the type Meta gave it.
fn media_content(
    kind: &str,
    media: MediaRef,
    caption: Option<String>,
    voice: bool,
) -> MessageContent {
    match kind {
        "image" => MessageContent::Image {
            media,
            caption,
            view_once: false,
        },
        "video" => MessageContent::Video {
            media,
            caption,
            gif: false,
            view_once: false,
        },
        "audio" => MessageContent::Audio {
            media,
            voice,
            view_once: false,
        },
        "sticker" => MessageContent::Sticker { media },
        _ => MessageContent::Document {
            file_name: media.file_name.clone(),
            media,
            caption,
        },
    }
}
