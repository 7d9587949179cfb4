//! The cloud engine: one session per cloud number, speaking to the Graph API with the number's
//! own credentials.
//!
//! A cloud session has no socket. `connect` with [`ConnectMode::Cloud`] verifies the
//! credentials (`GET /{phone-number-id}`) and keeps them; sending maps the message to a Graph
//! body, uploads wagate's file first when it carries one, and answers WhatsApp's id. Message
//! templates are the business account's, listed and submitted with the number's token. Receipts
//! and inbound messages arrive later through Meta's webhooks (see `webhook`), not through the
//! session.

use super::graph::{Credentials, GraphClient, PhoneNumberInfo};
use super::graph_error::{GraphError, GraphErrorKind};
use super::payload::{GraphMedia, GraphSend, message_body};
use crate::{
    ConnectMode, ConnectOutcome, Engine, EngineError, EventSink, MessageOperation, MessageTemplate,
    NewTemplate, OutgoingMessage, SendFailure, SendReceipt, Session, SessionEvent,
};
use async_trait::async_trait;
use chrono::Utc;
use std::sync::{Arc, RwLock};
use wagate_core::{
    Capability, EngineKind, InstanceId, LinkedAccount, MediaRef, MessageContent, PhoneNumber,
};

/// What the Cloud API lets a number do.
pub const CAPABILITIES: &[Capability] = &[
    Capability::ReadReceipts,
    Capability::SendText,
    Capability::SendMedia,
    Capability::SendLocation,
    Capability::SendContacts,
    Capability::SendReaction,
    Capability::SendTemplate,
    Capability::SendInteractive,
    Capability::Replies,
    Capability::ReceiveMessages,
    Capability::MarkRead,
];

/// The Cloud API needs a file uploaded to the number before a message can carry it.
pub use crate::media::MediaSource;

pub struct CloudEngine {
    graph: GraphClient,
    media: Arc<dyn MediaSource>,
}

impl CloudEngine {
    pub fn new(graph: GraphClient, media: Arc<dyn MediaSource>) -> Self {
        Self { graph, media }
    }

    /// What Meta says of the number (`GET /{phone-number-id}`): proves the credentials and
    /// gives its name and quality rating.
    pub async fn describe(&self, credentials: &Credentials) -> Result<PhoneNumberInfo, GraphError> {
        self.graph.phone_number(credentials).await
    }

    /// A file a customer sent, fetched from Meta: its bytes and its type.
    pub async fn download_media(
        &self,
        credentials: &Credentials,
        media_id: &str,
    ) -> Result<(Vec<u8>, String), GraphError> {
        let info = self.graph.media_info(credentials, media_id).await?;
        let bytes = self.graph.download(credentials, &info.url).await?;
        Ok((bytes, info.mime_type))
    }
}

impl Engine for CloudEngine {
    fn kind(&self) -> EngineKind {
        EngineKind::Cloud
    }

    fn capabilities(&self) -> &'static [Capability] {
        CAPABILITIES
    }

    fn planned_message_id(&self, _id: &wagate_core::MessageId) -> Option<String> {
        None
    }

    fn session(&self, instance: InstanceId, events: EventSink) -> Arc<dyn Session> {
        Arc::new(CloudSession {
            instance,
            graph: self.graph.clone(),
            media: self.media.clone(),
            events,
            credentials: RwLock::new(None),
        })
    }
}

pub struct CloudSession {
    instance: InstanceId,
    graph: GraphClient,
    media: Arc<dyn MediaSource>,
    events: EventSink,
    credentials: RwLock<Option<Credentials>>,
}

/// Meta's error in the dispatcher's terms.
fn engine_error(error: GraphError) -> EngineError {
    match error.kind() {
        GraphErrorKind::Throttled | GraphErrorKind::Unavailable => {
            EngineError::Transient(error.to_string())
        }
        GraphErrorKind::Credentials => EngineError::NotConnected,
        GraphErrorKind::Rejected if error.code == 131026 => EngineError::Permanent {
            failure: SendFailure::NotOnWhatsApp,
            message: error.to_string(),
        },
        GraphErrorKind::Rejected => EngineError::Refused {
            code: error.error_code(),
            message: error.to_string(),
        },
    }
}

fn file_name(media: &MediaRef) -> String {
    media.file_name.clone().unwrap_or_else(|| {
        let extension = media.mimetype.split('/').nth(1).unwrap_or("bin");
        let extension = extension.split(';').next().unwrap_or("bin");
        format!("{}.{extension}", media.media_id)
    })
}

impl CloudSession {
    fn credentials(&self) -> Result<Credentials, EngineError> {
        self.credentials
            .read()
            .expect("credentials lock poisoned")
            .clone()
            .ok_or(EngineError::NotConnected)
    }

    /// A refused token ends the session: the number sends nothing until its credentials are
    /// replaced and verified again.
    async fn on_failure(&self, error: GraphError) -> EngineError {
        if error.kind() == GraphErrorKind::Credentials {
            self.credentials
                .write()
                .expect("credentials lock poisoned")
                .take();
            tracing::warn!(instance = %self.instance, %error, "Meta refused the number's credentials");
            self.events
                .emit(SessionEvent::LoggedOut {
                    reason: format!("Meta refused the credentials: {error}"),
                })
                .await;
        }
        engine_error(error)
    }

    /// The credentials, when they name the business account templates belong to.
    fn account_credentials(&self) -> Result<Credentials, EngineError> {
        let credentials = self.credentials()?;
        match credentials.business_account_id.as_deref() {
            Some(id) if !id.is_empty() => Ok(credentials),
            _ => Err(EngineError::InvalidState(format!(
                "message templates need the business account id (WABA id) of number {}",
                credentials.phone_number_id
            ))),
        }
    }

    async fn post(
        &self,
        credentials: &Credentials,
        body: &serde_json::Value,
    ) -> Result<String, EngineError> {
        match self.graph.send(credentials, body).await {
            Ok(id) => Ok(id),
            Err(error) => Err(self.on_failure(error).await),
        }
    }
}

#[async_trait]
impl Session for CloudSession {
    async fn connect(&self, mode: ConnectMode) -> Result<ConnectOutcome, EngineError> {
        let ConnectMode::Cloud(credentials) = mode else {
            return Err(EngineError::NotSupported {
                engine: "cloud",
                what: "QR codes or pairing codes (a cloud number connects with its credentials)",
            });
        };
        let info = self
            .graph
            .phone_number(&credentials)
            .await
            .map_err(|error| match error.kind() {
                GraphErrorKind::Credentials | GraphErrorKind::Rejected => {
                    EngineError::InvalidState(format!(
                        "Meta refused the credentials for number {}: {error}",
                        credentials.phone_number_id
                    ))
                }
                _ => engine_error(error),
            })?;
        let digits: String = info
            .display_phone_number
            .chars()
            .filter(char::is_ascii_digit)
            .collect();
        let phone = PhoneNumber::parse(&digits).map_err(|e| {
            EngineError::InvalidState(format!(
                "Meta described the number as {:?}, which is not a phone number: {e}",
                info.display_phone_number
            ))
        })?;
        *self.credentials.write().expect("credentials lock poisoned") = Some(credentials);
        Ok(ConnectOutcome::Open(LinkedAccount {
            jid: phone.to_jid().to_string(),
            phone,
            push_name: info.verified_name,
            lid: None,
        }))
    }

    async fn logout(&self) -> Result<(), EngineError> {
        self.credentials
            .write()
            .expect("credentials lock poisoned")
            .take();
        Ok(())
    }

    async fn disconnect(&self) {}

    async fn send(&self, message: &OutgoingMessage) -> Result<SendReceipt, EngineError> {
        let credentials = self.credentials()?;
        let uploaded = match message.content.media() {
            None => None,
            Some(media) => {
                let bytes = self.media.read(media).await?;
                match self
                    .graph
                    .upload_media(&credentials, bytes, &media.mimetype, &file_name(media))
                    .await
                {
                    Ok(id) => Some(id),
                    Err(error) => return Err(self.on_failure(error).await),
                }
            }
        };
        let body = message_body(&GraphSend {
            to: message.to.user(),
            content: &message.content,
            reply_to: message.reply_to.as_deref(),
            media: uploaded.as_deref().map(GraphMedia::Id),
        })?;
        let provider_message_id = self.post(&credentials, &body).await?;
        Ok(SendReceipt {
            provider_message_id,
            sent_at: Utc::now(),
        })
    }

    async fn perform(&self, operation: &MessageOperation) -> Result<(), EngineError> {
        let credentials = self.credentials()?;
        match operation {
            MessageOperation::React {
                chat,
                target,
                emoji,
            } => {
                let content = MessageContent::Reaction {
                    target_id: target.clone(),
                    emoji: emoji.clone(),
                };
                let body = message_body(&GraphSend {
                    to: chat.user(),
                    content: &content,
                    reply_to: None,
                    media: None,
                })?;
                self.post(&credentials, &body).await.map(drop)
            }
            MessageOperation::MarkRead { target, .. } => {
                match self.graph.mark_read(&credentials, target, false).await {
                    Ok(()) => Ok(()),
                    Err(error) => Err(self.on_failure(error).await),
                }
            }
            MessageOperation::Edit { .. } => Err(EngineError::NotSupported {
                engine: "cloud",
                what: "editing sent messages",
            }),
            MessageOperation::Revoke { .. } | MessageOperation::RevokeStatus { .. } => {
                Err(EngineError::NotSupported {
                    engine: "cloud",
                    what: "deleting sent messages",
                })
            }
            MessageOperation::Pin { .. } => Err(EngineError::NotSupported {
                engine: "cloud",
                what: "pinning messages",
            }),
        }
    }

    async fn templates(&self) -> Result<Vec<MessageTemplate>, EngineError> {
        let credentials = self.account_credentials()?;
        match self.graph.templates(&credentials).await {
            Ok(templates) => Ok(templates),
            Err(error) => Err(self.on_failure(error).await),
        }
    }

    async fn create_template(
        &self,
        template: &NewTemplate,
    ) -> Result<MessageTemplate, EngineError> {
        let credentials = self.account_credentials()?;
        match self.graph.create_template(&credentials, template).await {
            Ok(template) => Ok(template),
            Err(error) => Err(self.on_failure(error).await),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn error(code: i64) -> GraphError {
        GraphError {
            code,
            message: "Meta's title".to_owned(),
            details: Some("Meta's explanation".to_owned()),
        }
    }

    #[test]
    fn metas_codes_become_what_the_dispatcher_does() {
        assert!(matches!(
            engine_error(error(130429)),
            EngineError::Transient(_)
        ));
        assert!(matches!(
            engine_error(error(131056)),
            EngineError::Transient(_)
        ));
        assert!(matches!(
            engine_error(error(131016)),
            EngineError::Transient(_)
        ));
        assert!(matches!(
            engine_error(error(190)),
            EngineError::NotConnected
        ));
        assert!(matches!(
            engine_error(error(131026)),
            EngineError::Permanent {
                failure: SendFailure::NotOnWhatsApp,
                ..
            }
        ));
        match engine_error(error(131047)) {
            EngineError::Refused { code, message } => {
                assert_eq!(code, "META_131047");
                assert!(message.contains("Meta's explanation"), "{message}");
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn files_without_a_name_are_named_by_their_id_and_type() {
        let media = MediaRef {
            media_id: "abc".to_owned(),
            mimetype: "audio/ogg; codecs=opus".to_owned(),
            size: 1,
            sha256: String::new(),
            file_name: None,
        };
        assert_eq!(file_name(&media), "abc.ogg");
        let named = MediaRef {
            file_name: Some("report.pdf".to_owned()),
            ..media
        };
        assert_eq!(file_name(&named), "report.pdf");
    }
}
