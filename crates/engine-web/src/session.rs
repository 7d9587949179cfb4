//! One linked number on WhatsApp Web: a `whatsapp-rust` client whose keys live in wagate's
//! database, driven through wagate's `Session` trait.
//!
//! The client runs in the background and reconnects by itself (WhatsApp Web's Fibonacci
//! backoff with jitter, capped at 15 minutes). `connect` answers with the first QR or pairing
//! code, or at once with `Connecting` when it resumes a linked number; everything after that
//! (QR rotations, the phone linking, drops, logouts) is reported on the event sink. Arrived
//! messages are taken through the library's durability hook: WhatsApp is told a message was
//! received only after the gateway has it, so a crash means redelivery rather than a loss.

use async_trait::async_trait;
use chrono::Utc;
use std::collections::HashMap;
use std::sync::{Arc, Mutex as SyncMutex};
use std::time::Duration;
use tokio::sync::{Mutex, oneshot};
use wagate_core::{InstanceId, LinkedAccount, MessageContent, PhoneNumber};
use wagate_engine::{
    ChatAction, ChatPresence, Community, ConnectMode, ConnectOutcome, ContactInfo, EngineError,
    EventSink, GroupActivity, GroupChange, GroupEvent, GroupInfo, IncomingCall, IncomingChange,
    JoinRequest, Joined, JpegImage, Label, LinkResult, MediaSink, MediaSource, MemberAction,
    MemberResult, MessageOperation, NewCommunity, NewGroup, NewNewsletter, Newsletter,
    NewsletterPost, NumberCheck, OutgoingMessage, Picture, PrivacySetting, PrivacyValue,
    SendFailure, SendReceipt, Session, SessionEvent, SubGroup,
};
use wagate_store::{Direction, MessageRecord, Store};
use whatsapp_rust::bot::{Bot, BotHandle};
use whatsapp_rust::pair_code::PairCodeOptions;
use whatsapp_rust::transport::TokioWebSocketTransportFactory;
use whatsapp_rust::types::call::{CallAction as WaCallAction, IncomingCall as WaIncomingCall};
use whatsapp_rust::types::events::Event;
use whatsapp_rust::upload::UploadOptions;
use whatsapp_rust::wacore::download::MediaType;
use whatsapp_rust::wacore_binary::JidExt;
use whatsapp_rust::waproto::whatsapp as wa;
use whatsapp_rust::{Client, InboundDurabilityHook, Jid as WaJid, TokioRuntime};
use whatsapp_rust::{PinDuration, RevokeType, SendError, SendOptions};

use crate::communities;
use crate::contacts;
use crate::groups;
use crate::history;
use crate::inbound::{self, Classified, MediaKind, Pending};
use crate::key_store::KeyStore;
use crate::labels;
use crate::newsletters;
use crate::outbound::{self, Quoted, ReactionTarget, Resolved, Uploaded};
use crate::polls::{self, SentPoll};
use crate::presence;
use crate::privacy;
use crate::status;
use whatsapp_rust::features::PollVoteCiphertext;

/// How the web engine reaches WhatsApp.
#[derive(Clone, Debug)]
pub struct WebConfig {
    /// WebSocket address of WhatsApp Web; `None` is WhatsApp's own.
    pub url: Option<String>,
    /// The WhatsApp Web version announced; `None` fetches the current one from WhatsApp
    /// (once a day).
    pub version: Option<(u32, u32, u32)>,
    /// How long `connect` waits for the first QR or pairing code.
    pub link_timeout: Duration,
    /// The least time between two sessions starting, so that a restart does not reconnect a
    /// thousand numbers at once.
    pub start_spacing: Duration,
}

impl Default for WebConfig {
    fn default() -> Self {
        Self {
            url: None,
            version: None,
            link_timeout: Duration::from_secs(30),
            start_spacing: Duration::from_millis(200),
        }
    }
}

/// Hands out start times `spacing` apart, engine-wide.
pub(crate) struct Stagger {
    next: SyncMutex<tokio::time::Instant>,
    spacing: Duration,
}

impl Stagger {
    pub(crate) fn new(spacing: Duration) -> Self {
        Self {
            next: SyncMutex::new(tokio::time::Instant::now()),
            spacing,
        }
    }

    /// Waits for this caller's turn.
    async fn turn(&self) {
        let at = {
            let mut next = self.next.lock().expect("stagger lock poisoned");
            let at = (*next).max(tokio::time::Instant::now());
            *next = at + self.spacing;
            at
        };
        tokio::time::sleep_until(at).await;
    }
}

/// What the engine shares with every session.
pub(crate) struct Shared {
    pub(crate) store: Store,
    pub(crate) media: Arc<dyn MediaSource>,
    pub(crate) files: Arc<dyn MediaSink>,
    pub(crate) config: WebConfig,
    pub(crate) stagger: Stagger,
}

pub struct WebSession {
    instance: InstanceId,
    shared: Arc<Shared>,
    events: EventSink,
    running: Mutex<Option<BotHandle>>,
    ringing: Ringing,
    /// Whether WhatsApp's history is wanted (`syncHistory`); the library drops it otherwise.
    sync_history: std::sync::atomic::AtomicBool,
}

/// Calls ringing now, by id, as the library reported them (rejecting needs all of it).
type Ringing = Arc<SyncMutex<HashMap<String, WaIncomingCall>>>;

/// Turns the library's events into wagate's, for one run of the client.
struct Reporter {
    instance: InstanceId,
    shared: Arc<Shared>,
    events: EventSink,
    /// The first QR or pairing code answers `connect`; later ones are events.
    first: SyncMutex<Option<oneshot::Sender<ConnectOutcome>>>,
    ringing: Ringing,
}

fn expires_in(timeout: Duration) -> chrono::DateTime<Utc> {
    Utc::now() + chrono::Duration::from_std(timeout).unwrap_or_else(|_| chrono::Duration::zero())
}

/// The linked number as the client knows it once paired.
fn linked_account(client: &Client) -> Option<LinkedAccount> {
    let pn = client.pn()?;
    let phone = PhoneNumber::parse(pn.user_base()).ok()?;
    let push_name = client.push_name();
    Some(LinkedAccount {
        jid: pn.to_non_ad().to_string(),
        phone,
        push_name: (!push_name.is_empty()).then_some(push_name),
        lid: client.lid().map(|lid| lid.to_non_ad().to_string()),
    })
}

impl Reporter {
    /// Answers `connect` if it still waits; false when it no longer does.
    fn answer(&self, outcome: ConnectOutcome) -> bool {
        let waiting = self.first.lock().expect("reporter lock poisoned").take();
        match waiting {
            Some(sender) => sender.send(outcome).is_ok(),
            None => false,
        }
    }

    async fn on_event(&self, event: &Event, client: &Arc<Client>) {
        let reported = match event {
            Event::PairingQrCode(qr) => {
                let expires_at = expires_in(qr.timeout);
                let outcome = ConnectOutcome::Qr {
                    code: qr.code.clone(),
                    expires_at,
                };
                if self.answer(outcome) {
                    return;
                }
                Some(SessionEvent::Qr {
                    code: qr.code.clone(),
                    expires_at,
                })
            }
            Event::PairingCode(code) => {
                self.answer(ConnectOutcome::PairingCode {
                    code: code.code.clone(),
                    expires_at: expires_in(code.timeout),
                });
                None
            }
            Event::PairingQrCodesExhausted(_) => Some(SessionEvent::LinkFailed {
                reason: "every QR code expired before one was scanned".to_owned(),
            }),
            Event::PairingCodeError(error) => Some(SessionEvent::LinkFailed {
                reason: format!("WhatsApp refused the pairing code: {error:?}"),
            }),
            Event::PairError(error) => Some(SessionEvent::LinkFailed {
                reason: format!("linking failed: {}", error.error),
            }),
            Event::Connected(_) => linked_account(client).map(|me| SessionEvent::Connected { me }),
            Event::Disconnected(disconnected) => Some(SessionEvent::Reconnecting {
                reason: format!("the connection dropped ({})", disconnected.reason),
            }),
            Event::LoggedOut(logged_out) => {
                if let Err(error) = self.shared.store.wipe_engine_keys(&self.instance).await {
                    tracing::error!(instance = %self.instance, %error, "could not wipe the keys of a logged-out device");
                }
                Some(SessionEvent::LoggedOut {
                    reason: format!("the phone removed this device ({:?})", logged_out.reason),
                })
            }
            Event::TemporaryBan(ban) => Some(SessionEvent::Halted {
                reason: format!(
                    "WhatsApp banned the number temporarily ({}) for {} s",
                    ban.code,
                    ban.expire.num_seconds()
                ),
            }),
            Event::ClientOutdated(_) => Some(SessionEvent::Halted {
                reason: "WhatsApp refuses this client version as outdated".to_owned(),
            }),
            Event::StreamReplaced(_) => Some(SessionEvent::Halted {
                reason: "another connection of this number took over".to_owned(),
            }),
            Event::ConnectFailure(failure) => Some(SessionEvent::Reconnecting {
                reason: format!("WhatsApp refused the connection ({:?})", failure.reason),
            }),
            Event::IncomingCall(call) => self.ringing(call),
            Event::MissedCall(missed) => self.stopped_ringing(&missed.call_id),
            Event::CallEndedElsewhere(ended) => self.stopped_ringing(&ended.call_id),
            Event::GroupUpdate(update) => {
                let own = update
                    .participant_pn
                    .as_ref()
                    .or(update.participant.as_ref())
                    .is_some_and(|by| {
                        client.pn().is_some_and(|pn| pn.user == by.user)
                            || client.lid().is_some_and(|lid| lid.user == by.user)
                    });
                // The number's own changes were reported when it made them.
                if own {
                    None
                } else {
                    groups::event(update).map(SessionEvent::Group)
                }
            }
            Event::LabelEditUpdate(update) => labels::edited(
                &update.label_id,
                update.action.name.as_deref(),
                update.action.color,
                update.action.deleted == Some(true),
            ),
            Event::LabelAssociationUpdate(update) => labels::associated(
                &update.label_id,
                &update.chat_jid,
                update.action.labeled == Some(true),
            ),
            Event::ContactUpdate(update) => {
                contacts::saved_contact(&update.jid, update.action.full_name.clone())
            }
            Event::HistorySync(chunk) => {
                // Decoding a chunk takes milliseconds to tens of them: off the runtime.
                let chunk = chunk.as_ref().clone();
                match tokio::task::spawn_blocking(move || chunk.get().map(history::batch)).await {
                    Ok(Some(batch)) => Some(SessionEvent::History(batch)),
                    Ok(None) => {
                        tracing::warn!(instance = %self.instance, "a history chunk could not be decoded");
                        None
                    }
                    Err(error) => {
                        tracing::error!(instance = %self.instance, %error, "decoding a history chunk failed");
                        None
                    }
                }
            }
            Event::Presence(update) => presence::online(update),
            Event::ChatPresence(update) => presence::in_chat(update),
            Event::Receipt(receipt) => {
                for event in inbound::receipts(receipt) {
                    self.events.emit(event).await;
                }
                None
            }
            _ => None,
        };
        if let Some(event) = reported {
            self.events.emit(event).await;
        }
    }

    /// A call that ended is no longer kept to be rejected.
    fn stopped_ringing(&self, call_id: &str) -> Option<SessionEvent> {
        self.ringing
            .lock()
            .expect("ringing lock poisoned")
            .remove(call_id);
        None
    }

    /// A call offer rings: kept to be rejected, reported as a call. A call accepted,
    /// rejected or hung up stops ringing; other call signals are not reported.
    fn ringing(&self, call: &WaIncomingCall) -> Option<SessionEvent> {
        if matches!(
            call.action,
            WaCallAction::Accept { .. }
                | WaCallAction::Reject { .. }
                | WaCallAction::Terminate { .. }
        ) {
            return self.stopped_ringing(call.action.call_id());
        }
        let WaCallAction::Offer {
            call_id,
            call_creator,
            caller_pn,
            is_video,
            group_jid,
            ..
        } = &call.action
        else {
            return None;
        };
        let from_jid = inbound::jid(caller_pn.as_ref().unwrap_or(call_creator))?;
        self.ringing
            .lock()
            .expect("ringing lock poisoned")
            .insert(call_id.clone(), call.clone());
        Some(SessionEvent::Call(IncomingCall {
            id: call_id.clone(),
            from: wagate_engine::Sender {
                phone: from_jid.phone(),
                lid: call_creator
                    .is_lid()
                    .then(|| call_creator.to_non_ad().to_string()),
                push_name: call.notify.clone(),
            },
            from_jid,
            video: *is_video,
            group: group_jid.as_ref().and_then(inbound::jid),
            at: call.timestamp,
        }))
    }

    /// Reports an arrived message and waits until the gateway stored it; an error leaves it
    /// unacknowledged, so WhatsApp delivers it again.
    async fn applied(&self, event: SessionEvent) -> anyhow::Result<()> {
        if self.events.emit_applied(event).await {
            Ok(())
        } else {
            anyhow::bail!("the gateway did not store an arrived message")
        }
    }

    /// Completes what a message needed after it was sorted, and reports it.
    async fn report(&self, classified: Classified, client: &Client) -> anyhow::Result<()> {
        match classified {
            Classified::Ready(event) => self.applied(event).await?,
            Classified::Skipped(why) => {
                tracing::debug!(instance = %self.instance, why, "an arrived message was not reported");
            }
            Classified::Pending(Pending::Media {
                kind,
                mimetype,
                caption,
                file_name,
                flag,
                view_once,
                message,
                envelope,
            }) => {
                let bytes = download(client, &message, &kind).await?;
                let media = self
                    .shared
                    .files
                    .save(&self.instance, bytes, &mimetype, file_name.clone())
                    .await
                    .map_err(|e| anyhow::anyhow!("the received file could not be stored: {e}"))?;
                let content = match kind {
                    MediaKind::Image => MessageContent::Image {
                        media,
                        caption,
                        view_once,
                    },
                    MediaKind::Video => MessageContent::Video {
                        media,
                        caption,
                        gif: flag,
                        view_once,
                    },
                    MediaKind::Audio => MessageContent::Audio {
                        media,
                        voice: flag,
                        view_once,
                    },
                    MediaKind::Document => MessageContent::Document {
                        media,
                        caption,
                        file_name,
                    },
                    MediaKind::Sticker => MessageContent::Sticker { media },
                };
                self.applied(envelope.with(content)).await?;
            }
            Classified::Pending(Pending::PollVote {
                chat,
                target,
                sender,
                voter,
                poll_creator,
                encrypted_payload,
                iv,
                at,
            }) => {
                if poll_creator.is_some() {
                    // A vote on someone else's poll: its secret is theirs.
                    tracing::debug!(instance = %self.instance, poll = %target, "a vote on another number's poll");
                    return Ok(());
                }
                let Some(poll) = polls::recall(&self.shared.store, &self.instance, &target)
                    .await
                    .map_err(|e| anyhow::anyhow!("{e}"))?
                else {
                    tracing::warn!(instance = %self.instance, poll = %target, "a vote on a poll this gateway did not send");
                    return Ok(());
                };
                // The vote is keyed with our id in the namespace the voter used.
                let own = if voter.is_lid() {
                    client.lid()
                } else {
                    client.pn()
                };
                let own = own.ok_or_else(|| anyhow::anyhow!("the number's own id is unknown"))?;
                let hashes = client
                    .polls()
                    .decrypt_vote(
                        PollVoteCiphertext {
                            enc_payload: &encrypted_payload,
                            enc_iv: &iv,
                        },
                        &poll.secret_bytes(),
                        &target,
                        &own,
                        &voter,
                    )
                    .await;
                match hashes {
                    Ok(hashes) => {
                        self.applied(SessionEvent::Changed {
                            chat,
                            target,
                            sender,
                            change: IncomingChange::PollVote {
                                values: poll.chosen(&hashes),
                            },
                            at,
                        })
                        .await?;
                    }
                    Err(error) => {
                        tracing::warn!(instance = %self.instance, poll = %target, %error, "a poll vote could not be decrypted");
                    }
                }
            }
        }
        Ok(())
    }
}

async fn download(
    client: &Client,
    message: &wa::Message,
    kind: &MediaKind,
) -> anyhow::Result<Vec<u8>> {
    let missing = || anyhow::anyhow!("the media message lost its file");
    match kind {
        MediaKind::Image => {
            let mut image = message
                .image_message
                .as_option()
                .ok_or_else(missing)?
                .clone();
            image.static_url = inbound::whatsapp_static_url(image.static_url.take());
            client.download(&image).await
        }
        MediaKind::Video => {
            let mut video = message
                .video_message
                .as_option()
                .ok_or_else(missing)?
                .clone();
            video.static_url = inbound::whatsapp_static_url(video.static_url.take());
            client.download(&video).await
        }
        MediaKind::Audio => {
            client
                .download(message.audio_message.as_option().ok_or_else(missing)?)
                .await
        }
        MediaKind::Document => {
            client
                .download(message.document_message.as_option().ok_or_else(missing)?)
                .await
        }
        MediaKind::Sticker => {
            client
                .download(message.sticker_message.as_option().ok_or_else(missing)?)
                .await
        }
    }
}

/// Takes arrived messages before WhatsApp is told they arrived.
struct Durable(Arc<Reporter>);

#[async_trait]
impl InboundDurabilityHook for Durable {
    async fn on_messages(
        &self,
        client: Arc<Client>,
        batch: &[whatsapp_rust::types::events::InboundMessage],
    ) -> anyhow::Result<()> {
        for arrived in batch {
            let classified = inbound::classify(&arrived.message, &arrived.info);
            self.0.report(classified, &client).await?;
        }
        Ok(())
    }
}

fn wa_jid(jid: &wagate_core::Jid) -> Result<WaJid, EngineError> {
    jid.to_string().parse().map_err(|e| EngineError::Permanent {
        failure: SendFailure::InvalidContent,
        message: format!("{jid} is not an address WhatsApp takes: {e}"),
    })
}

fn label_error(error: impl std::fmt::Display) -> EngineError {
    EngineError::Transient(format!("WhatsApp did not take the label change: {error}"))
}

fn send_error(error: SendError) -> EngineError {
    match error {
        SendError::NotLoggedIn => EngineError::NotConnected,
        SendError::InvalidRequest(message) => EngineError::Permanent {
            failure: SendFailure::InvalidContent,
            message,
        },
        other => EngineError::Transient(other.to_string()),
    }
}

fn media_type(content: &MessageContent) -> Option<MediaType> {
    Some(match content {
        MessageContent::Image { .. } => MediaType::Image,
        MessageContent::Video { .. } => MediaType::Video,
        MessageContent::Audio { .. } => MediaType::Audio,
        MessageContent::Document { .. } => MediaType::Document,
        MessageContent::Sticker { .. } => MediaType::Sticker,
        _ => return None,
    })
}

impl WebSession {
    pub(crate) fn new(instance: InstanceId, shared: Arc<Shared>, events: EventSink) -> Self {
        Self {
            instance,
            shared,
            events,
            running: Mutex::new(None),
            ringing: Ringing::default(),
            sync_history: std::sync::atomic::AtomicBool::new(false),
        }
    }

    /// Reports a group change this number made: WhatsApp's notifications of a change go to
    /// the other members, so the number's own changes are reported here, once.
    async fn report_own(&self, client: &Client, group: &wagate_core::Jid, activity: GroupActivity) {
        self.events
            .emit(SessionEvent::Group(GroupEvent {
                group: group.clone(),
                by: linked_account(client).map(|me| me.phone.to_jid()),
                activity,
                at: Utc::now(),
            }))
            .await;
    }

    fn key_store(&self) -> KeyStore {
        KeyStore::new(self.shared.store.clone(), self.instance.clone())
    }

    /// Starts a client; `pairing` asks for a pairing code instead of QR codes.
    async fn start(
        &self,
        pairing: Option<&PhoneNumber>,
        first: Option<oneshot::Sender<ConnectOutcome>>,
    ) -> Result<BotHandle, EngineError> {
        let reporter = Arc::new(Reporter {
            instance: self.instance.clone(),
            shared: self.shared.clone(),
            events: self.events.clone(),
            first: SyncMutex::new(first),
            ringing: self.ringing.clone(),
        });
        let mut transport = TokioWebSocketTransportFactory::new();
        if let Some(url) = &self.shared.config.url {
            transport = transport.with_url(url.clone());
        }
        let on_event = reporter.clone();
        let mut builder = Bot::builder()
            .with_backend(self.key_store())
            .with_transport_factory(transport)
            .with_http_client(whatsapp_rust::http::UreqHttpClient::new())
            .with_runtime(TokioRuntime)
            .with_inbound_durability_hook(Durable(reporter))
            .on_event(move |event, client| {
                let reporter = on_event.clone();
                async move { reporter.on_event(&event, &client).await }
            });
        if !self.sync_history.load(std::sync::atomic::Ordering::Relaxed) {
            builder = builder.skip_history_sync();
        }
        if let Some(version) = self.shared.config.version {
            builder = builder.with_version(version);
        }
        if let Some(phone) = pairing {
            builder = builder.with_pair_code(PairCodeOptions {
                phone_number: phone.as_str().to_owned(),
                ..PairCodeOptions::default()
            });
        }
        let bot = builder.build().await.map_err(|e| {
            EngineError::Transient(format!("the WhatsApp client could not start: {e}"))
        })?;
        Ok(bot.spawn())
    }

    async fn stop_running(&self) {
        let running = self.running.lock().await.take();
        if let Some(handle) = running {
            handle.shutdown().await;
        }
    }

    /// The connected client, or `NotConnected`.
    async fn client(&self) -> Result<Arc<Client>, EngineError> {
        let running = self.running.lock().await;
        let client = running.as_ref().map(BotHandle::client);
        match client {
            Some(client) if client.is_connected() && client.is_logged_in() => Ok(client),
            _ => Err(EngineError::NotConnected),
        }
    }

    async fn link(&self, pairing: Option<&PhoneNumber>) -> Result<ConnectOutcome, EngineError> {
        self.stop_running().await;
        // Linking makes a new device: whatever keys an earlier link left are void.
        self.shared
            .store
            .wipe_engine_keys(&self.instance)
            .await
            .map_err(|e| EngineError::Transient(format!("the key store failed: {e}")))?;
        let (first, answer) = oneshot::channel();
        let handle = self.start(pairing, Some(first)).await?;
        let client = handle.client();
        *self.running.lock().await = Some(handle);
        match tokio::time::timeout(self.shared.config.link_timeout, answer).await {
            Ok(Ok(outcome)) => Ok(outcome),
            _ => {
                self.stop_running().await;
                let state = if client.is_connected() {
                    "connected, but WhatsApp sent no code"
                } else {
                    "could not reach WhatsApp"
                };
                Err(EngineError::Transient(format!(
                    "no {} within {} s: {state}",
                    if pairing.is_some() {
                        "pairing code"
                    } else {
                        "QR code"
                    },
                    self.shared.config.link_timeout.as_secs()
                )))
            }
        }
    }

    async fn resume(&self) -> Result<ConnectOutcome, EngineError> {
        use whatsapp_rust::wacore::store::traits::DeviceStore;
        let linked = self
            .key_store()
            .exists()
            .await
            .map_err(|e| EngineError::Transient(format!("the key store failed: {e}")))?;
        if !linked {
            return Err(EngineError::InvalidState(
                "this number's keys are gone; link it again with a QR or pairing code".to_owned(),
            ));
        }
        self.stop_running().await;
        self.shared.stagger.turn().await;
        let handle = self.start(None, None).await?;
        *self.running.lock().await = Some(handle);
        Ok(ConnectOutcome::Connecting)
    }

    async fn resolve(
        &self,
        client: &Client,
        message: &OutgoingMessage,
    ) -> Result<Resolved, EngineError> {
        let mut resolved = Resolved {
            now_ms: Utc::now().timestamp_millis(),
            ..Resolved::default()
        };
        if let (Some(media), Some(kind)) = (message.content.media(), media_type(&message.content)) {
            let bytes = self.shared.media.read(media).await?;
            let uploaded = client
                .upload(bytes, kind, UploadOptions::default())
                .await
                .map_err(|e| {
                    EngineError::Transient(format!("the upload to WhatsApp failed: {e}"))
                })?;
            resolved.upload = Some(Uploaded::from(uploaded));
        }
        if matches!(message.content, MessageContent::Poll { .. }) {
            let mut secret = [0u8; 32];
            rand::Rng::fill(&mut rand::rng(), &mut secret[..]);
            resolved.poll_secret = Some(secret);
        }
        let to = wa_jid(&message.to)?;
        for mention in &message.mentions {
            match mention {
                wagate_core::Mention::Phone(digits) => {
                    resolved.mentioned.push(format!("{digits}@s.whatsapp.net"));
                }
                // Everyone: the group's members, as WhatsApp addresses them.
                wagate_core::Mention::All if to.is_group() => {
                    let group = client.groups().get_metadata(&to).await.map_err(|e| {
                        EngineError::Transient(format!(
                            "the group's members could not be read: {e}"
                        ))
                    })?;
                    resolved.mentioned.extend(
                        group
                            .participants
                            .iter()
                            .map(|p| p.jid.to_non_ad().to_string()),
                    );
                }
                wagate_core::Mention::All => {}
            }
        }
        if let Some(reply_to) = &message.reply_to {
            let known = self.known(reply_to).await;
            resolved.quoted = Some(Quoted {
                id: reply_to.clone(),
                participant: match &known {
                    Some(record) if to.is_group() => self.author(record, client),
                    _ => None,
                },
                message: known
                    .map(|record| record.content.summary())
                    .filter(|summary| !summary.is_empty())
                    .map(|summary| wa::Message {
                        conversation: Some(summary),
                        ..Default::default()
                    }),
            });
        }
        if let MessageContent::Reaction { target_id, .. } = &message.content {
            let key = self.target_key(client, &to, target_id).await;
            resolved.reaction_target = Some(ReactionTarget {
                from_me: key.from_me == Some(true),
                participant: key.participant,
            });
        }
        Ok(resolved)
    }

    /// A message of this instance the gateway keeps, by WhatsApp's id.
    async fn known(&self, whatsapp_id: &str) -> Option<MessageRecord> {
        match self
            .shared
            .store
            .find_instance_message(&self.instance, whatsapp_id)
            .await
        {
            Ok(found) => found,
            Err(error) => {
                tracing::warn!(instance = %self.instance, %error, "a message could not be looked up");
                None
            }
        }
    }

    /// Who wrote a message, as a JID: this number for its own, else the sender.
    fn author(&self, record: &MessageRecord, client: &Client) -> Option<String> {
        match record.direction {
            Direction::Outbound => client.pn().map(|pn| pn.to_non_ad().to_string()),
            Direction::Inbound => record
                .sender
                .as_deref()
                .and_then(|sender| PhoneNumber::parse(sender).ok())
                .map(|phone| format!("{}@s.whatsapp.net", phone.as_str()))
                .or_else(|| record.sender_lid.clone()),
        }
    }

    /// WhatsApp's key of a message in `chat`: whether it is ours, and its author in a group.
    async fn target_key(&self, client: &Client, chat: &WaJid, target: &str) -> wa::MessageKey {
        let known = self.known(target).await;
        let from_me = known
            .as_ref()
            .is_some_and(|record| record.direction == Direction::Outbound);
        let participant = match &known {
            Some(record) if chat.is_group() && !from_me => self.author(record, client),
            _ => None,
        };
        wa::MessageKey {
            remote_jid: Some(chat.to_string()),
            from_me: Some(from_me),
            id: Some(target.to_owned()),
            participant,
        }
    }
}

#[async_trait]
impl Session for WebSession {
    async fn connect(&self, mode: ConnectMode) -> Result<ConnectOutcome, EngineError> {
        match mode {
            ConnectMode::Qr => self.link(None).await,
            ConnectMode::PairingCode(phone) => self.link(Some(&phone)).await,
            ConnectMode::Resume(_) => self.resume().await,
            ConnectMode::Cloud(_) => Err(EngineError::NotSupported {
                engine: "web",
                what: "Cloud API credentials",
            }),
        }
    }

    async fn logout(&self) -> Result<(), EngineError> {
        let running = self.running.lock().await.take();
        if let Some(handle) = running {
            let client = handle.client();
            client.logout().await;
            handle.shutdown().await;
        }
        // The library keeps the keys on logout; a removed device's keys are of no use.
        self.shared
            .store
            .wipe_engine_keys(&self.instance)
            .await
            .map(drop)
            .map_err(|e| EngineError::Transient(format!("the key store failed: {e}")))
    }

    async fn disconnect(&self) {
        self.stop_running().await;
    }

    fn sync_history(&self, wanted: bool) {
        self.sync_history
            .store(wanted, std::sync::atomic::Ordering::Relaxed);
        // A client starting or stopping now reads the flag itself.
        if let Ok(running) = self.running.try_lock()
            && let Some(handle) = running.as_ref()
        {
            handle.client().set_skip_history_sync(!wanted);
        }
    }

    async fn send(&self, message: &OutgoingMessage) -> Result<SendReceipt, EngineError> {
        let client = self.client().await?;
        let resolved = self.resolve(&client, message).await?;
        let built = outbound::build(message, &resolved)?;
        let whatsapp_id = outbound::whatsapp_message_id(&message.id);
        if let (MessageContent::Poll { values, .. }, Some(secret)) =
            (&message.content, &resolved.poll_secret)
        {
            let poll = SentPoll::new(secret, values);
            polls::remember(&self.shared.store, &self.instance, &whatsapp_id, &poll).await?;
        }
        let sent = if message.to.is_status_broadcast() {
            let post = message.status_audience()?;
            client
                .status()
                .send_raw(
                    status::styled(built, post),
                    &status::viewers(&post.recipients),
                    status::options(Some(post), Some(whatsapp_id)),
                )
                .await
        } else {
            let options = SendOptions::default().with_message_id(whatsapp_id);
            client
                .send_message_with_options(wa_jid(&message.to)?, built, options)
                .await
        }
        .map_err(send_error)?;
        Ok(SendReceipt {
            provider_message_id: sent.message_id,
            sent_at: Utc::now(),
        })
    }

    async fn perform(&self, operation: &MessageOperation) -> Result<(), EngineError> {
        let client = self.client().await?;
        match operation {
            MessageOperation::React {
                chat,
                target,
                emoji,
            } => {
                let chat = wa_jid(chat)?;
                client
                    .send_reaction(
                        chat.clone(),
                        self.target_key(&client, &chat, target).await,
                        emoji,
                    )
                    .await
                    .map(drop)
                    .map_err(send_error)
            }
            MessageOperation::Edit { chat, target, text } => {
                use whatsapp_rust::wacore::proto_helpers::MessageBuilderExt;
                client
                    .edit_message(
                        wa_jid(chat)?,
                        target.clone(),
                        wa::Message::text(text.clone()),
                    )
                    .await
                    .map(drop)
                    .map_err(send_error)
            }
            MessageOperation::Revoke { chat, target } => client
                .revoke_message(wa_jid(chat)?, target.clone(), RevokeType::Sender)
                .await
                .map_err(send_error),
            MessageOperation::RevokeStatus { target, recipients } => client
                .status()
                .revoke(
                    target.clone(),
                    &status::viewers(recipients),
                    status::options(None, None),
                )
                .await
                .map(drop)
                .map_err(send_error),
            MessageOperation::MarkRead {
                chat,
                target,
                sender,
            } => {
                let sender = sender.as_ref().map(wa_jid).transpose()?;
                client
                    .mark_as_read(&wa_jid(chat)?, sender.as_ref(), &[target.as_str()])
                    .await
                    .map_err(|e| EngineError::Transient(e.to_string()))
            }
            MessageOperation::Pin {
                chat,
                target,
                seconds,
            } => {
                let chat = wa_jid(chat)?;
                let key = self.target_key(&client, &chat, target).await;
                match seconds {
                    None => client.unpin_message(chat, key).await,
                    Some(seconds) => {
                        let duration = match seconds {
                            0..=86_400 => PinDuration::Hours24,
                            86_401..=604_800 => PinDuration::Days7,
                            _ => PinDuration::Days30,
                        };
                        client.pin_message(chat, key, duration).await
                    }
                }
                .map_err(send_error)
            }
        }
    }

    async fn check_numbers(
        &self,
        numbers: &[PhoneNumber],
    ) -> Result<Vec<NumberCheck>, EngineError> {
        let client = self.client().await?;
        let jids: Vec<WaJid> = numbers.iter().map(contacts::query_jid).collect();
        let results = client.contacts().is_on_whatsapp(&jids).await.map_err(|e| {
            EngineError::Transient(format!("WhatsApp did not answer the number check: {e}"))
        })?;
        let answers: Vec<_> = results
            .iter()
            .filter_map(contacts::Answer::from_result)
            .collect();
        Ok(contacts::checks(numbers, &answers))
    }

    async fn set_blocked(
        &self,
        contact: &wagate_core::Jid,
        blocked: bool,
    ) -> Result<(), EngineError> {
        let client = self.client().await?;
        let contact = wa_jid(contact)?;
        let blocking = client.blocking();
        let done = if blocked {
            blocking.block(&contact).await
        } else {
            blocking.unblock(&contact).await
        };
        done.map_err(|e| EngineError::Transient(format!("WhatsApp did not take the change: {e}")))
    }

    async fn chat_action(
        &self,
        chat: &wagate_core::Jid,
        action: ChatAction,
    ) -> Result<(), EngineError> {
        let client = self.client().await?;
        let chat = wa_jid(chat)?;
        let actions = client.chat_actions();
        let done = match action {
            ChatAction::Archive => actions.archive_chat(&chat, None).await,
            ChatAction::Unarchive => actions.unarchive_chat(&chat, None).await,
            ChatAction::Pin => actions.pin_chat(&chat).await,
            ChatAction::Unpin => actions.unpin_chat(&chat).await,
            ChatAction::Mute(None) => actions.mute_chat(&chat).await,
            ChatAction::Mute(Some(until)) => {
                actions
                    .mute_chat_until(&chat, until.timestamp_millis())
                    .await
            }
            ChatAction::Unmute => actions.unmute_chat(&chat).await,
            ChatAction::MarkUnread(unread) => actions.mark_chat_as_read(&chat, !unread, None).await,
            ChatAction::Delete => actions.delete_chat(&chat, true, None).await,
            ChatAction::Disappearing(seconds) if chat.is_group() => {
                return client
                    .groups()
                    .set_ephemeral(chat, seconds)
                    .await
                    .map_err(groups::group_error);
            }
            ChatAction::Disappearing(seconds) => {
                return client
                    .set_chat_disappearing_timer(chat, seconds)
                    .await
                    .map(|_| ())
                    .map_err(send_error);
            }
        };
        done.map_err(|e| {
            EngineError::Transient(format!("WhatsApp did not take the chat change: {e}"))
        })
    }

    async fn communities(&self) -> Result<Vec<Community>, EngineError> {
        communities::list(&*self.client().await?).await
    }

    async fn create_community(&self, new: &NewCommunity) -> Result<Community, EngineError> {
        communities::create(&*self.client().await?, new).await
    }

    async fn community_groups(
        &self,
        community: &wagate_core::Jid,
    ) -> Result<Vec<SubGroup>, EngineError> {
        communities::groups(&*self.client().await?, community).await
    }

    async fn link_groups(
        &self,
        community: &wagate_core::Jid,
        groups: &[wagate_core::Jid],
        link: bool,
    ) -> Result<Vec<LinkResult>, EngineError> {
        communities::link(&*self.client().await?, community, groups, link).await
    }

    async fn newsletters(&self) -> Result<Vec<Newsletter>, EngineError> {
        newsletters::list(&*self.client().await?).await
    }

    async fn newsletter(&self, jid: &wagate_core::Jid) -> Result<Newsletter, EngineError> {
        newsletters::get(&*self.client().await?, jid).await
    }

    async fn create_newsletter(&self, new: &NewNewsletter) -> Result<Newsletter, EngineError> {
        newsletters::create(&*self.client().await?, new).await
    }

    async fn follow_newsletter(
        &self,
        jid: &wagate_core::Jid,
        follow: bool,
    ) -> Result<(), EngineError> {
        newsletters::follow(&*self.client().await?, jid, follow).await
    }

    async fn mute_newsletter(
        &self,
        jid: &wagate_core::Jid,
        muted: bool,
    ) -> Result<(), EngineError> {
        newsletters::mute(&*self.client().await?, jid, muted).await
    }

    async fn newsletter_posts(
        &self,
        jid: &wagate_core::Jid,
        count: u32,
        before: Option<u64>,
    ) -> Result<Vec<NewsletterPost>, EngineError> {
        newsletters::posts(&*self.client().await?, jid, count, before).await
    }

    async fn save_label(&self, label: &Label) -> Result<(), EngineError> {
        let client = self.client().await?;
        client
            .labels()
            .create_label(&label.id, &label.name, i32::from(label.color))
            .await
            .map_err(label_error)
    }

    async fn delete_label(&self, id: &str) -> Result<(), EngineError> {
        let client = self.client().await?;
        client.labels().delete_label(id).await.map_err(label_error)
    }

    async fn label_chat(
        &self,
        chat: &wagate_core::Jid,
        label: &str,
        labeled: bool,
    ) -> Result<(), EngineError> {
        let client = self.client().await?;
        let chat = wa_jid(chat)?;
        let labels = client.labels();
        if labeled {
            labels.add_chat_label(label, &chat).await
        } else {
            labels.remove_chat_label(label, &chat).await
        }
        .map_err(label_error)
    }

    async fn save_contact(
        &self,
        contact: &wagate_core::Jid,
        name: &str,
    ) -> Result<(), EngineError> {
        let client = self.client().await?;
        client
            .chat_actions()
            .save_contact(&wa_jid(contact)?, Some(name.to_owned()), None, true)
            .await
            .map_err(|e| EngineError::Transient(format!("WhatsApp did not save the contact: {e}")))
    }

    async fn reject_call(&self, call: &str, from: &wagate_core::Jid) -> Result<(), EngineError> {
        let client = self.client().await?;
        let ringing = self
            .ringing
            .lock()
            .expect("ringing lock poisoned")
            .remove(call);
        let rejected = match ringing {
            Some(incoming) => client.voip().reject(&incoming).await,
            None => {
                let caller = wa_jid(from)?;
                client.voip().reject_call(call, &caller, &caller).await
            }
        };
        rejected
            .map_err(|e| EngineError::Transient(format!("WhatsApp did not reject the call: {e}")))
    }

    async fn contact_info(&self, contact: &wagate_core::Jid) -> Result<ContactInfo, EngineError> {
        let client = self.client().await?;
        let target = wa_jid(contact)?;
        let unanswered = |e: &dyn std::fmt::Display| {
            EngineError::Transient(format!("WhatsApp did not answer: {e}"))
        };
        let contacts = client.contacts();
        let info = contacts
            .get_user_info(std::slice::from_ref(&target))
            .await
            .map_err(|e| unanswered(&e))?;
        let Some(info) = info.into_values().next() else {
            return Ok(ContactInfo::default());
        };
        let picture = contacts
            .get_profile_picture(&target, false)
            .await
            .map_err(|e| unanswered(&e))?;
        Ok(ContactInfo {
            exists: true,
            lid: info.lid.map(|lid| lid.to_non_ad().to_string()),
            about: info.status.filter(|about| !about.is_empty()),
            picture_url: picture.map(|picture| picture.url),
            business: info.is_business,
        })
    }

    async fn picture(&self, of: &wagate_core::Jid) -> Result<Option<Picture>, EngineError> {
        let client = self.client().await?;
        let picture = client
            .contacts()
            .get_profile_picture(&wa_jid(of)?, false)
            .await
            .map_err(|e| EngineError::Transient(format!("WhatsApp did not answer: {e}")))?;
        Ok(picture.map(|picture| Picture {
            id: picture.id,
            url: picture.url,
        }))
    }

    async fn set_own_picture(&self, image: Option<&JpegImage>) -> Result<(), EngineError> {
        let client = self.client().await?;
        let profile = client.profile();
        match image {
            Some(image) => profile.set_profile_picture(image.bytes().to_vec()).await,
            None => profile.remove_profile_picture().await,
        }
        .map(|_| ())
        .map_err(|e| EngineError::Transient(format!("WhatsApp did not take the picture: {e}")))
    }

    async fn privacy(&self) -> Result<Vec<(PrivacySetting, PrivacyValue)>, EngineError> {
        let client = self.client().await?;
        let answer = client
            .fetch_privacy_settings()
            .await
            .map_err(|e| EngineError::Transient(format!("WhatsApp did not answer: {e}")))?;
        let mut settings: Vec<(PrivacySetting, PrivacyValue)> = answer
            .settings
            .iter()
            .filter_map(|s| Some((privacy::setting(&s.category)?, privacy::value(&s.value)?)))
            .collect();
        settings.sort_by_key(|(setting, _)| *setting);
        Ok(settings)
    }

    async fn set_privacy(
        &self,
        setting: PrivacySetting,
        value: PrivacyValue,
    ) -> Result<(), EngineError> {
        let client = self.client().await?;
        client
            .set_privacy_setting(privacy::category(setting), privacy::wa_value(value))
            .await
            .map(|_| ())
            .map_err(|e| EngineError::Transient(format!("WhatsApp did not take the setting: {e}")))
    }

    async fn set_profile_name(&self, name: &str) -> Result<(), EngineError> {
        let client = self.client().await?;
        client
            .profile()
            .set_push_name(name)
            .await
            .map_err(|e| EngineError::Transient(format!("WhatsApp did not take the name: {e}")))
    }

    async fn set_about(&self, about: &str) -> Result<(), EngineError> {
        let client = self.client().await?;
        client
            .profile()
            .set_status_text(about)
            .await
            .map_err(|e| EngineError::Transient(format!("WhatsApp did not take the about: {e}")))
    }

    async fn groups(&self) -> Result<Vec<GroupInfo>, EngineError> {
        let client = self.client().await?;
        let groups = client
            .groups()
            .get_participating()
            .await
            .map_err(groups::group_error)?;
        let mut groups: Vec<GroupInfo> = groups.values().filter_map(groups::info).collect();
        groups.sort_by_key(|group| group.created_at);
        Ok(groups)
    }

    async fn group(&self, group: &wagate_core::Jid) -> Result<GroupInfo, EngineError> {
        let client = self.client().await?;
        let metadata = client
            .groups()
            .get_metadata(&groups::group_jid(group)?)
            .await
            .map_err(groups::group_error)?;
        groups::info(&metadata).ok_or(EngineError::NotFound { what: "group" })
    }

    async fn create_group(&self, new: &NewGroup) -> Result<GroupInfo, EngineError> {
        let client = self.client().await?;
        let mut options = whatsapp_rust::GroupCreateOptions::new(new.subject.clone());
        for member in &new.members {
            options = options
                .with_participant(whatsapp_rust::GroupParticipantOptions::new(wa_jid(member)?));
        }
        let created = client
            .groups()
            .create_group(options)
            .await
            .map_err(groups::group_error)?;
        let group = created.metadata.id.clone();
        if let Some(description) = &new.description {
            groups::change(
                &client,
                &group,
                &GroupChange::Description(Some(description.clone())),
            )
            .await?;
        }
        let mut info =
            groups::info(&created.metadata).ok_or(EngineError::NotFound { what: "group" })?;
        info.description = new.description.clone();
        self.report_own(
            &client,
            &info.jid,
            GroupActivity::Created {
                subject: info.subject.clone(),
            },
        )
        .await;
        Ok(info)
    }

    async fn change_group(
        &self,
        group: &wagate_core::Jid,
        change: &GroupChange,
    ) -> Result<(), EngineError> {
        let client = self.client().await?;
        groups::change(&client, &groups::group_jid(group)?, change).await?;
        self.report_own(&client, group, GroupActivity::Changed(change.clone()))
            .await;
        Ok(())
    }

    async fn change_members(
        &self,
        group: &wagate_core::Jid,
        action: MemberAction,
        members: &[wagate_core::Jid],
    ) -> Result<Vec<MemberResult>, EngineError> {
        let client = self.client().await?;
        let target = groups::group_jid(group)?;
        let members = members.iter().map(wa_jid).collect::<Result<Vec<_>, _>>()?;
        let calls = client.groups();
        let responses = match action {
            MemberAction::Add => calls.add_participants(target, &members).await,
            MemberAction::Remove => calls.remove_participants(target, &members).await,
            MemberAction::Promote => calls.promote_participants(target, &members).await,
            MemberAction::Demote => calls.demote_participants(target, &members).await,
        }
        .map_err(groups::group_error)?;
        let results: Vec<MemberResult> = responses
            .iter()
            .filter_map(|response| groups::member_result(action, response))
            .collect();
        let changed: Vec<wagate_core::Jid> = results
            .iter()
            .filter(|result| result.outcome == wagate_engine::MemberOutcome::Done)
            .map(|result| result.jid.clone())
            .collect();
        if !changed.is_empty() {
            self.report_own(
                &client,
                group,
                GroupActivity::Members {
                    action,
                    members: changed,
                },
            )
            .await;
        }
        Ok(results)
    }

    async fn group_invite(
        &self,
        group: &wagate_core::Jid,
        revoke: bool,
    ) -> Result<String, EngineError> {
        let client = self.client().await?;
        let link = client
            .groups()
            .get_invite_link(groups::group_jid(group)?, revoke)
            .await
            .map_err(groups::group_error)?;
        Ok(link.rsplit('/').next().unwrap_or(&link).to_owned())
    }

    async fn join_group(&self, code: &str) -> Result<Joined, EngineError> {
        let client = self.client().await?;
        let joined = client
            .groups()
            .join_with_invite_code(code)
            .await
            .map_err(groups::group_error)?;
        let (group, pending) = match &joined {
            whatsapp_rust::JoinGroupResult::Joined(group) => (group, false),
            whatsapp_rust::JoinGroupResult::PendingApproval(group) => (group, true),
        };
        let group = inbound::jid(group).ok_or(EngineError::NotFound { what: "group" })?;
        Ok(Joined { group, pending })
    }

    async fn group_invite_info(&self, code: &str) -> Result<GroupInfo, EngineError> {
        let client = self.client().await?;
        let metadata = client
            .groups()
            .get_invite_info(code)
            .await
            .map_err(groups::group_error)?;
        groups::info(&metadata).ok_or(EngineError::NotFound { what: "group" })
    }

    async fn join_requests(
        &self,
        group: &wagate_core::Jid,
    ) -> Result<Vec<JoinRequest>, EngineError> {
        let client = self.client().await?;
        let requests = client
            .groups()
            .get_membership_requests(groups::group_jid(group)?)
            .await
            .map_err(groups::group_error)?;
        Ok(requests
            .iter()
            .filter_map(|request| {
                Some(JoinRequest {
                    jid: inbound::jid(&request.jid)?,
                    at: request.request_time.and_then(|secs| {
                        chrono::DateTime::from_timestamp(i64::try_from(secs).ok()?, 0)
                    }),
                })
            })
            .collect())
    }

    async fn answer_join_requests(
        &self,
        group: &wagate_core::Jid,
        approve: bool,
        members: &[wagate_core::Jid],
    ) -> Result<Vec<MemberResult>, EngineError> {
        let client = self.client().await?;
        let target = groups::group_jid(group)?;
        let members = members.iter().map(wa_jid).collect::<Result<Vec<_>, _>>()?;
        let calls = client.groups();
        let responses = if approve {
            calls.approve_membership_requests(target, &members).await
        } else {
            calls.reject_membership_requests(target, &members).await
        }
        .map_err(groups::group_error)?;
        Ok(responses
            .iter()
            .filter_map(|response| groups::member_result(MemberAction::Remove, response))
            .collect())
    }

    async fn leave_group(&self, group: &wagate_core::Jid) -> Result<(), EngineError> {
        let client = self.client().await?;
        client
            .groups()
            .leave(groups::group_jid(group)?)
            .await
            .map_err(groups::group_error)?;
        let me = linked_account(&client).map(|me| me.phone.to_jid());
        self.report_own(
            &client,
            group,
            GroupActivity::Members {
                action: MemberAction::Remove,
                members: me.into_iter().collect(),
            },
        )
        .await;
        Ok(())
    }

    async fn blocklist(&self) -> Result<Vec<wagate_core::Jid>, EngineError> {
        let client = self.client().await?;
        let entries = client
            .blocking()
            .get_blocklist()
            .await
            .map_err(|e| EngineError::Transient(format!("WhatsApp did not answer: {e}")))?;
        Ok(entries
            .iter()
            .filter_map(|entry| wagate_core::Jid::parse(&entry.jid.to_string()).ok())
            .collect())
    }

    async fn set_chat_presence(
        &self,
        chat: &wagate_core::Jid,
        presence: ChatPresence,
    ) -> Result<(), EngineError> {
        let client = self.client().await?;
        let chat = wa_jid(chat)?;
        let chatstate = client.chatstate();
        let sent = match presence {
            ChatPresence::Composing => chatstate.send_composing(&chat).await,
            ChatPresence::Recording => chatstate.send_recording(&chat).await,
            ChatPresence::Paused => chatstate.send_paused(&chat).await,
        };
        sent.map_err(|e| EngineError::Transient(e.to_string()))
    }

    async fn set_presence(&self, available: bool) -> Result<(), EngineError> {
        let client = self.client().await?;
        let presence = client.presence();
        let set = if available {
            presence.set_available().await
        } else {
            presence.set_unavailable().await
        };
        set.map_err(|e| EngineError::Transient(format!("WhatsApp did not take the presence: {e}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::sync::mpsc;
    use wagate_core::MediaRef;
    use wagate_engine::{EngineEvent, IncomingMessage};
    use whatsapp_rust::store::commands::DeviceCommand;
    use whatsapp_rust::types::events::{
        ClientOutdated, Connected, Disconnected, InboundMessage, LoggedOut, PairingCode,
        PairingQrCode, PairingQrCodesExhausted, Receipt, StreamReplaced, TemporaryBan,
    };
    use whatsapp_rust::wacore::net::DisconnectReason;
    use whatsapp_rust::wacore::store::traits::DeviceStore;
    use whatsapp_rust::wacore::types::events::{ConnectFailureReason, TempBanReason};
    use whatsapp_rust::wacore::types::message::{MessageInfo, MessageSource};
    use whatsapp_rust::wacore::types::presence::ReceiptType;

    /// The media store is not reached by these events.
    struct NoMedia;

    #[async_trait]
    impl MediaSource for NoMedia {
        async fn read(&self, _: &MediaRef) -> Result<Vec<u8>, EngineError> {
            Err(EngineError::Transient(
                "no media store in this test".to_owned(),
            ))
        }
    }

    #[async_trait]
    impl MediaSink for NoMedia {
        async fn save(
            &self,
            _: &InstanceId,
            _: Vec<u8>,
            _: &str,
            _: Option<String>,
        ) -> Result<MediaRef, EngineError> {
            Err(EngineError::Transient(
                "no media store in this test".to_owned(),
            ))
        }
    }

    struct Harness {
        reporter: Reporter,
        client: Arc<Client>,
        events: mpsc::Receiver<EngineEvent>,
        answer: oneshot::Receiver<ConnectOutcome>,
        store: Store,
        instance: InstanceId,
        _db: wagate_store::testing::TestStore,
    }

    /// A reporter for an instance with a device in the key store and a client built on it
    /// (never connected).
    async fn harness() -> Harness {
        let db = wagate_store::testing::sqlite().await;
        let store = db.store.clone();
        let instance = wagate_store::testing::seed_instance(&store, "web").await.id;
        let shared = Arc::new(Shared {
            store: store.clone(),
            media: Arc::new(NoMedia),
            files: Arc::new(NoMedia),
            config: WebConfig::default(),
            stagger: Stagger::new(Duration::ZERO),
        });
        let keys = KeyStore::new(store.clone(), instance.clone());
        keys.create().await.unwrap();
        let bot = Bot::builder()
            .with_backend(keys)
            .with_transport_factory(TokioWebSocketTransportFactory::new())
            .with_http_client(whatsapp_rust::http::UreqHttpClient::new())
            .with_runtime(TokioRuntime)
            .with_version((2, 3000, 1))
            .build()
            .await
            .unwrap();
        let client = bot.client();
        let (sender, events) = mpsc::channel(16);
        let (first, answer) = oneshot::channel();
        Harness {
            reporter: Reporter {
                instance: instance.clone(),
                shared,
                events: EventSink::new(instance.clone(), sender),
                first: SyncMutex::new(Some(first)),
                ringing: Ringing::default(),
            },
            client,
            events,
            answer,
            store,
            instance,
            _db: db,
        }
    }

    impl Harness {
        async fn feed(&mut self, event: Event) -> Vec<SessionEvent> {
            self.reporter.on_event(&event, &self.client).await;
            let mut reported = Vec::new();
            while let Ok(event) = self.events.try_recv() {
                reported.push(event.event);
            }
            reported
        }
    }

    #[tokio::test]
    async fn the_first_qr_code_answers_connect_and_later_ones_are_rotations() {
        let mut h = harness().await;
        let qr = |code: &str| {
            Event::PairingQrCode(
                PairingQrCode::builder()
                    .code(code.to_owned())
                    .timeout(Duration::from_secs(60))
                    .build(),
            )
        };
        assert!(h.feed(qr("2@first")).await.is_empty());
        let before = Utc::now();
        match (&mut h.answer).await.unwrap() {
            ConnectOutcome::Qr { code, expires_at } => {
                assert_eq!(code, "2@first");
                let lifetime = expires_at - before;
                assert!((55..=61).contains(&lifetime.num_seconds()), "{lifetime}");
            }
            other => panic!("{other:?}"),
        }
        let reported = h.feed(qr("2@second")).await;
        assert!(
            matches!(&reported[..], [SessionEvent::Qr { code, .. }] if code == "2@second"),
            "{reported:?}"
        );
        let reported = h
            .feed(Event::PairingQrCodesExhausted(
                PairingQrCodesExhausted::builder()
                    .disconnected(true)
                    .build(),
            ))
            .await;
        assert!(
            matches!(&reported[..], [SessionEvent::LinkFailed { .. }]),
            "{reported:?}"
        );
    }

    #[tokio::test]
    async fn a_pairing_code_answers_connect() {
        let mut h = harness().await;
        let event = Event::PairingCode(
            PairingCode::builder()
                .code("ABCD1234".to_owned())
                .timeout(Duration::from_secs(180))
                .build(),
        );
        assert!(h.feed(event).await.is_empty());
        assert!(matches!(
            (&mut h.answer).await.unwrap(),
            ConnectOutcome::PairingCode { code, .. } if code == "ABCD1234"
        ));
    }

    #[tokio::test]
    async fn connected_reports_the_number_its_lid_and_its_push_name() {
        let mut h = harness().await;
        let manager = h.client.persistence_manager();
        manager
            .process_command(DeviceCommand::SetId(Some(WaJid::pn_device(
                "15550001111",
                12,
            ))))
            .await;
        manager
            .process_command(DeviceCommand::SetLid(Some(WaJid::lid_device(
                "100000012345678",
                12,
            ))))
            .await;
        manager
            .process_command(DeviceCommand::SetPushName("Acme Support".to_owned()))
            .await;
        let reported = h.feed(Event::Connected(Connected::builder().build())).await;
        let [SessionEvent::Connected { me }] = &reported[..] else {
            panic!("{reported:?}")
        };
        assert_eq!(me.phone.as_str(), "15550001111");
        assert_eq!(me.jid, "15550001111@s.whatsapp.net");
        assert_eq!(me.lid.as_deref(), Some("100000012345678@lid"));
        assert_eq!(me.push_name.as_deref(), Some("Acme Support"));
    }

    #[tokio::test]
    async fn drops_reconnect_and_bans_outdated_clients_and_takeovers_halt() {
        let mut h = harness().await;
        let reported = h
            .feed(Event::Disconnected(
                Disconnected::builder()
                    .reason(DisconnectReason::StreamEnded)
                    .build(),
            ))
            .await;
        assert!(
            matches!(&reported[..], [SessionEvent::Reconnecting { .. }]),
            "{reported:?}"
        );

        let ban = Event::TemporaryBan(
            TemporaryBan::builder()
                .code(TempBanReason::SentToTooManyPeople)
                .expire(chrono::Duration::hours(24))
                .build(),
        );
        let reported = h.feed(ban).await;
        let [SessionEvent::Halted { reason }] = &reported[..] else {
            panic!("{reported:?}")
        };
        assert!(
            reason.contains("banned") && reason.contains("86400"),
            "{reason}"
        );

        for event in [
            Event::ClientOutdated(ClientOutdated::builder().build()),
            Event::StreamReplaced(StreamReplaced::builder().build()),
        ] {
            let reported = h.feed(event).await;
            assert!(
                matches!(&reported[..], [SessionEvent::Halted { .. }]),
                "{reported:?}"
            );
        }
    }

    #[tokio::test]
    async fn a_removed_device_loses_its_keys() {
        let mut h = harness().await;
        assert!(
            KeyStore::new(h.store.clone(), h.instance.clone())
                .exists()
                .await
                .unwrap()
        );
        let reported = h
            .feed(Event::LoggedOut(
                LoggedOut::builder()
                    .on_connect(false)
                    .reason(ConnectFailureReason::LoggedOut)
                    .build(),
            ))
            .await;
        assert!(
            matches!(&reported[..], [SessionEvent::LoggedOut { .. }]),
            "{reported:?}"
        );
        assert!(
            !KeyStore::new(h.store.clone(), h.instance.clone())
                .exists()
                .await
                .unwrap()
        );
    }

    #[tokio::test]
    async fn a_call_offer_is_reported_with_the_callers_number_and_kept_to_be_rejected() {
        let mut h = harness().await;
        let offer = WaIncomingCall::builder()
            .from(WaJid::pn("15550002222"))
            .stanza_id("stanza-1".to_owned())
            .notify("Ann".to_owned())
            .timestamp(Utc::now())
            .offline(false)
            .action(WaCallAction::Offer {
                call_id: "CALL1".to_owned(),
                call_creator: "100000099999999@lid".parse().unwrap(),
                caller_pn: Some(WaJid::pn("15550002222")),
                caller_country_code: None,
                device_class: None,
                joinable: false,
                is_video: true,
                audio: Vec::new(),
                group_jid: None,
            })
            .build();
        let reported = h.feed(Event::IncomingCall(offer)).await;
        match &reported[..] {
            [SessionEvent::Call(call)] => {
                assert_eq!(call.id, "CALL1");
                assert_eq!(call.from_jid.to_string(), "15550002222@s.whatsapp.net");
                assert_eq!(call.from.lid.as_deref(), Some("100000099999999@lid"));
                assert_eq!(call.from.push_name.as_deref(), Some("Ann"));
                assert!(call.video);
            }
            other => panic!("{other:?}"),
        }
        assert!(h.reporter.ringing.lock().unwrap().contains_key("CALL1"));

        // The caller hangs up: nothing is kept for it any more.
        let hangup = WaIncomingCall::builder()
            .from(WaJid::pn("15550002222"))
            .stanza_id("stanza-2".to_owned())
            .timestamp(Utc::now())
            .offline(false)
            .action(WaCallAction::Terminate {
                call_id: "CALL1".to_owned(),
                call_creator: "100000099999999@lid".parse().unwrap(),
                reason: None,
                duration: None,
                audio_duration: None,
            })
            .build();
        assert!(h.feed(Event::IncomingCall(hangup)).await.is_empty());
        assert!(h.reporter.ringing.lock().unwrap().is_empty());
    }

    #[tokio::test]
    async fn receipts_are_reported_and_arrived_messages_acknowledged_only_once_stored() {
        let mut h = harness().await;
        let receipt = Receipt::builder()
            .source(MessageSource {
                chat: WaJid::pn("15550002222"),
                ..MessageSource::default()
            })
            .message_ids(vec!["3EB0A".to_owned()])
            .timestamp(Utc::now())
            .r#type(ReceiptType::Delivered)
            .offline(false)
            .build();
        let reported = h.feed(Event::Receipt(receipt)).await;
        assert!(
            matches!(&reported[..], [SessionEvent::Receipt { provider_message_id, .. }] if provider_message_id == "3EB0A"),
            "{reported:?}"
        );

        let arrived = InboundMessage::builder()
            .message(Arc::new(wa::Message {
                conversation: Some("Hello".to_owned()),
                ..Default::default()
            }))
            .info(Arc::new(MessageInfo {
                id: "3A0009".to_owned(),
                source: MessageSource {
                    chat: WaJid::pn("15550002222"),
                    sender: WaJid::pn("15550002222"),
                    ..MessageSource::default()
                },
                ..MessageInfo::default()
            }))
            .build();
        let hook = Arc::new(Durable(Arc::new(Reporter {
            instance: h.instance.clone(),
            shared: h.reporter.shared.clone(),
            events: h.reporter.events.clone(),
            first: SyncMutex::new(None),
            ringing: Ringing::default(),
        })));
        let run = |hook: Arc<Durable>, client: Arc<Client>, arrived: InboundMessage| {
            tokio::spawn(async move { hook.on_messages(client, &[arrived]).await })
        };

        let acknowledging = run(hook.clone(), h.client.clone(), arrived.clone());
        let reported = h.events.recv().await.unwrap();
        tokio::task::yield_now().await;
        assert!(
            !acknowledging.is_finished(),
            "waits until the gateway stored it"
        );
        let SessionEvent::Incoming(IncomingMessage {
            provider_message_id,
            content,
            ..
        }) = &reported.event
        else {
            panic!("{:?}", reported.event)
        };
        assert_eq!(provider_message_id, "3A0009");
        assert_eq!(content.summary(), "Hello");
        reported.applied.confirm();
        acknowledging.await.unwrap().unwrap();

        // Not stored (the gateway failed to): WhatsApp is not told it arrived.
        let refusing = run(hook, h.client.clone(), arrived);
        drop(h.events.recv().await.unwrap());
        assert!(refusing.await.unwrap().is_err());
    }

    #[tokio::test]
    async fn reactions_and_replies_name_the_author_of_a_group_message_the_gateway_received() {
        let h = harness().await;
        let instance = h.store.get_instance(&h.instance).await.unwrap().unwrap();
        h.store
            .insert_inbound_message(
                wagate_store::NewInboundMessage {
                    account_id: instance.account_id.clone(),
                    instance_id: h.instance.clone(),
                    provider_message_id: "3A0INBOUND".to_owned(),
                    chat_jid: "120363000000000001@g.us".to_owned(),
                    sender: "15550002222".to_owned(),
                    sender_lid: Some("100000099999999@lid".to_owned()),
                    push_name: Some("Bo".to_owned()),
                    content: MessageContent::Text {
                        body: wagate_core::TextBody::parse("Lunch at noon?").unwrap(),
                        preview_url: false,
                    },
                    reply_to: None,
                    at: Utc::now(),
                },
                |_| Vec::new(),
            )
            .await
            .unwrap();
        let (sender, _events) = mpsc::channel(4);
        let session = WebSession::new(
            h.instance.clone(),
            h.reporter.shared.clone(),
            EventSink::new(h.instance.clone(), sender),
        );
        let group: WaJid = "120363000000000001@g.us".parse().unwrap();

        let key = session.target_key(&h.client, &group, "3A0INBOUND").await;
        assert_eq!(key.from_me, Some(false));
        assert_eq!(
            key.participant.as_deref(),
            Some("15550002222@s.whatsapp.net")
        );
        assert_eq!(key.remote_jid.as_deref(), Some("120363000000000001@g.us"));

        let unknown = session.target_key(&h.client, &group, "3A0UNKNOWN").await;
        assert_eq!(unknown.from_me, Some(false));
        assert_eq!(unknown.participant, None);

        let reply = OutgoingMessage {
            id: wagate_core::MessageId::generate(),
            to: wagate_core::Jid::parse("120363000000000001@g.us").unwrap(),
            content: MessageContent::Text {
                body: wagate_core::TextBody::parse("Yes!").unwrap(),
                preview_url: false,
            },
            reply_to: Some("3A0INBOUND".to_owned()),
            mentions: vec![wagate_core::Mention::Phone("15550002222".to_owned())],
            status_post: None,
        };
        let resolved = session.resolve(&h.client, &reply).await.unwrap();
        let quoted = resolved.quoted.unwrap();
        assert_eq!(quoted.id, "3A0INBOUND");
        assert_eq!(
            quoted.participant.as_deref(),
            Some("15550002222@s.whatsapp.net")
        );
        assert_eq!(
            quoted.message.unwrap().conversation.as_deref(),
            Some("Lunch at noon?")
        );
        assert_eq!(resolved.mentioned, vec!["15550002222@s.whatsapp.net"]);
    }
}
