//! One sandbox session: linking by QR or pairing code, and sending with simulated receipts.

use super::groups::GroupRegistry;
use super::history;
use super::network::{ConnectionError, LinkError, Shared};
use super::newsletters::NewsletterBoard;
use super::pictures::PictureBoard;
use super::wire::{FaultKind, WireActivity};
use super::{codes, is_on_whatsapp, lid_for};
use crate::{
    ChatAction, ChatPresence, Community, ConnectMode, ConnectOutcome, ContactInfo, EngineError,
    EventSink, GroupActivity, GroupChange, GroupEvent, GroupInfo, IncomingCall, IncomingChange,
    IncomingMessage, JoinRequest, Joined, JpegImage, Label, LinkResult, MemberAction,
    MemberOutcome, MemberResult, MessageOperation, NewCommunity, NewGroup, NewNewsletter,
    Newsletter, NewsletterPost, NumberCheck, OutgoingMessage, Picture, PresenceState,
    PrivacySetting, PrivacyValue, SendFailure, SendReceipt, Sender, Session, SessionEvent,
    SubGroup,
};
use async_trait::async_trait;
use chrono::Utc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, Weak};
use std::time::Duration;
use tokio_util::sync::CancellationToken;
use wagate_core::{
    InstanceId, Jid, JidKind, LinkedAccount, MessageContent, MessageStatus, PhoneNumber,
};

#[derive(Debug)]
enum Phase {
    Idle,
    LinkingQr {
        code: String,
        cancel: CancellationToken,
    },
    LinkingPairing {
        code: String,
        phone: PhoneNumber,
        cancel: CancellationToken,
    },
    Open(LinkedAccount),
    /// Linked, but the simulated network dropped the connection.
    Dropped(LinkedAccount),
}

impl Phase {
    fn stop_linking(&self) {
        if let Self::LinkingQr { cancel, .. } | Self::LinkingPairing { cancel, .. } = self {
            cancel.cancel();
        }
    }
}

#[derive(Debug)]
pub(super) struct SandboxSession {
    this: Weak<SandboxSession>,
    instance: InstanceId,
    events: EventSink,
    shared: Arc<Shared>,
    phase: Mutex<Phase>,
    /// The contacts this number blocked, in the order blocked; their messages are dropped.
    blocked: Mutex<Vec<Jid>>,
    /// The number's "about" text, once set.
    about: Mutex<Option<String>>,
    /// Privacy settings changed from WhatsApp's defaults.
    privacy: Mutex<std::collections::BTreeMap<PrivacySetting, PrivacyValue>>,
    /// Calls ringing now: id and caller.
    ringing: Mutex<Vec<(String, Jid)>>,
    /// The phone hands its chat history over when it links this device.
    sync_history: AtomicBool,
}

fn expires_in(ttl: Duration) -> chrono::DateTime<Utc> {
    Utc::now() + chrono::Duration::from_std(ttl).unwrap_or(chrono::Duration::MAX)
}

/// Pairing codes are compared the way a person types them: any case, with or without the dash.
fn same_pairing_code(a: &str, b: &str) -> bool {
    let norm = |s: &str| -> String {
        s.chars()
            .filter(|c| *c != '-' && !c.is_whitespace())
            .map(|c| c.to_ascii_uppercase())
            .collect()
    };
    norm(a) == norm(b)
}

impl SandboxSession {
    pub fn new(instance: InstanceId, events: EventSink, shared: Arc<Shared>) -> Arc<Self> {
        Arc::new_cyclic(|this| Self {
            this: this.clone(),
            instance,
            events,
            shared,
            phase: Mutex::new(Phase::Idle),
            blocked: Mutex::new(Vec::new()),
            about: Mutex::new(None),
            privacy: Mutex::default(),
            ringing: Mutex::new(Vec::new()),
            sync_history: AtomicBool::new(false),
        })
    }

    fn phase(&self) -> std::sync::MutexGuard<'_, Phase> {
        self.phase.lock().expect("sandbox session state poisoned")
    }

    /// Replaces the QR code every `qr_next_ttl` until the device is linked or the last code
    /// expires.
    fn rotate_qr_codes(&self, cancel: CancellationToken) {
        let this = self.this.clone();
        let config = self.shared.config.clone();
        tokio::spawn(async move {
            let mut ttl = config.qr_first_ttl;
            for shown in 1..=config.qr_max_codes {
                tokio::select! {
                    _ = cancel.cancelled() => return,
                    _ = tokio::time::sleep(ttl) => {}
                }
                let Some(session) = this.upgrade() else {
                    return;
                };
                let event = {
                    let mut phase = session.phase();
                    if cancel.is_cancelled() {
                        return;
                    }
                    if shown == config.qr_max_codes {
                        *phase = Phase::Idle;
                        SessionEvent::LinkFailed {
                            reason: format!(
                                "no QR code was scanned: all {} codes expired; call connect again",
                                config.qr_max_codes
                            ),
                        }
                    } else {
                        let code = codes::qr_code();
                        ttl = config.qr_next_ttl;
                        *phase = Phase::LinkingQr {
                            code: code.clone(),
                            cancel: cancel.clone(),
                        };
                        SessionEvent::Qr {
                            code,
                            expires_at: expires_in(ttl),
                        }
                    }
                };
                session.events.emit(event).await;
            }
        });
    }

    fn expire_pairing_code(&self, cancel: CancellationToken) {
        let this = self.this.clone();
        let ttl = self.shared.config.pairing_code_ttl;
        tokio::spawn(async move {
            tokio::select! {
                _ = cancel.cancelled() => return,
                _ = tokio::time::sleep(ttl) => {}
            }
            let Some(session) = this.upgrade() else {
                return;
            };
            {
                let mut phase = session.phase();
                if cancel.is_cancelled() {
                    return;
                }
                *phase = Phase::Idle;
            }
            session
                .events
                .emit(SessionEvent::LinkFailed {
                    reason: "the pairing code was not entered in time; call connect again"
                        .to_owned(),
                })
                .await;
        });
    }

    /// The simulated phone scans `code` (or types it, for a pairing code).
    pub async fn link(
        &self,
        code: &str,
        phone: Option<PhoneNumber>,
    ) -> Result<LinkedAccount, LinkError> {
        let me = {
            let mut phase = self.phase();
            let phone = match &*phase {
                Phase::LinkingQr { code: shown, .. } => {
                    if shown != code {
                        return Err(LinkError::CodeMismatch);
                    }
                    phone.ok_or(LinkError::PhoneRequired)?
                }
                Phase::LinkingPairing {
                    code: shown,
                    phone: requested,
                    ..
                } => {
                    if !same_pairing_code(shown, code) {
                        return Err(LinkError::CodeMismatch);
                    }
                    match phone {
                        Some(phone) if &phone != requested => return Err(LinkError::WrongPhone),
                        _ => requested.clone(),
                    }
                }
                Phase::Idle | Phase::Open(_) | Phase::Dropped(_) => {
                    return Err(LinkError::NotLinking);
                }
            };
            let last_digits = &phone.as_str()[phone.as_str().len() - 4..];
            let me = LinkedAccount {
                jid: phone.to_jid().to_string(),
                push_name: Some(format!("Sandbox {last_digits}")),
                phone,
                lid: None,
            };
            phase.stop_linking();
            *phase = Phase::Open(me.clone());
            self.shared.register_phone(&me, &self.instance);
            me
        };
        if self.sync_history.load(Ordering::Relaxed) {
            let events = self.events.clone();
            let past = history::past_of(&me);
            tokio::spawn(async move {
                for chunk in past {
                    events.emit(SessionEvent::History(chunk)).await;
                }
            });
        }
        // Answered, not reported: the caller applies it, and a copy of it queued behind
        // later events (a logout) would reopen the instance.
        Ok(me)
    }

    /// The simulated network drops the connection; the session reports that it is reconnecting
    /// and sends nothing until [`Self::restore_connection`].
    pub async fn drop_connection(&self) -> Result<(), ConnectionError> {
        {
            let mut phase = self.phase();
            let Phase::Open(me) = &*phase else {
                return Err(ConnectionError::NotOpen);
            };
            *phase = Phase::Dropped(me.clone());
        }
        self.events
            .emit(SessionEvent::Reconnecting {
                reason: "the sandbox network dropped the connection".to_owned(),
            })
            .await;
        Ok(())
    }

    /// The simulated network is back; the session reports that it is connected again.
    pub async fn restore_connection(&self) -> Result<(), ConnectionError> {
        let me = {
            let mut phase = self.phase();
            let Phase::Dropped(me) = &*phase else {
                return Err(ConnectionError::NotDropped);
            };
            let me = me.clone();
            *phase = Phase::Open(me.clone());
            me
        };
        self.events.emit(SessionEvent::Connected { me }).await;
        Ok(())
    }

    /// Someone comes online, goes offline, or types, records or stops in a chat.
    pub async fn show_presence(
        &self,
        from: Jid,
        chat: Jid,
        state: PresenceState,
    ) -> Result<(), ConnectionError> {
        self.me().ok_or(ConnectionError::NotOpen)?;
        let last_seen = (state == PresenceState::Unavailable).then(Utc::now);
        self.events
            .emit(SessionEvent::Presence {
                chat,
                from,
                state,
                last_seen,
            })
            .await;
        Ok(())
    }

    /// Someone calls the number: the call rings until it is rejected.
    pub async fn ring(&self, from: Sender, video: bool) -> Result<String, ConnectionError> {
        self.me().ok_or(ConnectionError::NotOpen)?;
        let from_jid = from
            .phone
            .as_ref()
            .map(PhoneNumber::to_jid)
            .ok_or(ConnectionError::NotOpen)?;
        let id = format!(
            "SBXCALL{}",
            uuid::Uuid::new_v4().simple().to_string().to_uppercase()
        );
        self.ringing
            .lock()
            .expect("ringing poisoned")
            .push((id.clone(), from_jid.clone()));
        self.events
            .emit(SessionEvent::Call(IncomingCall {
                id: id.clone(),
                from,
                from_jid,
                video,
                group: None,
                at: Utc::now(),
            }))
            .await;
        Ok(id)
    }

    /// The number's own address, when it is open.
    fn my_jid(&self) -> Result<Jid, EngineError> {
        Ok(self.me().ok_or(EngineError::NotConnected)?.phone.to_jid())
    }

    fn group_registry(&self) -> std::sync::MutexGuard<'_, GroupRegistry> {
        self.shared.groups.lock().expect("group registry poisoned")
    }

    /// A change to the number's app state (chats, contacts, labels) recorded on the wire.
    fn record_app_state(&self, kind: &'static str, target: String) -> Result<(), EngineError> {
        self.my_jid()?;
        self.shared.wire.record(
            &self.instance,
            WireActivity {
                kind,
                chat: target,
                message_id: None,
                at: Utc::now(),
            },
        );
        Ok(())
    }

    fn newsletter_board(&self) -> std::sync::MutexGuard<'_, NewsletterBoard> {
        self.shared
            .newsletters
            .lock()
            .expect("newsletter board poisoned")
    }

    fn picture_board(&self) -> std::sync::MutexGuard<'_, PictureBoard> {
        self.shared.pictures.lock().expect("picture board poisoned")
    }

    /// Reports a group event to every sandbox number among `members` (the actor included,
    /// as WhatsApp tells all of a member's devices).
    async fn tell(&self, members: &[Jid], event: GroupEvent) {
        let mine = self.me().map(|me| me.phone.to_jid());
        for member in members {
            let session = if Some(member) == mine.as_ref() {
                self.this.upgrade()
            } else {
                self.shared.peer(member.user())
            };
            if let Some(session) = session {
                session
                    .events
                    .emit(SessionEvent::Group(event.clone()))
                    .await;
            }
        }
    }

    async fn tell_group(&self, group: &Jid, activity: GroupActivity, by: &Jid) {
        let members = self.group_registry().members(group);
        self.tell(
            &members,
            GroupEvent {
                group: group.clone(),
                by: Some(by.clone()),
                activity,
                at: Utc::now(),
            },
        )
        .await;
    }

    fn me(&self) -> Option<LinkedAccount> {
        match &*self.phase() {
            Phase::Open(me) => Some(me.clone()),
            _ => None,
        }
    }

    /// When the recipient is another sandbox number, its session receives the message.
    /// A direct message reaches the number it was sent to, a status each of its viewers,
    /// when that number is linked in this sandbox too.
    async fn deliver_to_peers(
        &self,
        message: &OutgoingMessage,
        viewers: Option<&[PhoneNumber]>,
        provider_message_id: &str,
    ) {
        let Some(me) = self.me() else {
            return;
        };
        let (chat, reached) = match viewers {
            Some(viewers) => (Jid::status_broadcast(), viewers.to_vec()),
            None => (me.phone.to_jid(), message.to.phone().into_iter().collect()),
        };
        for phone in reached {
            let Some(peer) = self.shared.peer(phone.as_str()) else {
                continue;
            };
            peer.events
                .emit(SessionEvent::Incoming(IncomingMessage {
                    provider_message_id: provider_message_id.to_owned(),
                    chat: chat.clone(),
                    sender: sender_of(&me),
                    content: message.content.clone(),
                    reply_to: message.reply_to.clone(),
                    at: Utc::now(),
                }))
                .await;
        }
    }

    fn blocked(&self) -> std::sync::MutexGuard<'_, Vec<Jid>> {
        self.blocked.lock().expect("blocklist poisoned")
    }

    /// Delivers simulated traffic from someone else; answers the new message's id. As on
    /// WhatsApp, nothing a blocked contact sends in a direct chat arrives (no id).
    pub async fn receive(&self, inbound: Inbound) -> Result<Option<String>, ConnectionError> {
        self.me().ok_or(ConnectionError::NotOpen)?;
        let (Inbound::Message { from, group, .. } | Inbound::Change { from, group, .. }) = &inbound;
        if group.is_none() && self.blocked().contains(&chat_of(from, group)) {
            return Ok(None);
        }
        let (event, id) = match inbound {
            Inbound::Message {
                from,
                group,
                content,
                reply_to,
            } => {
                let id = format!(
                    "SBX{}",
                    uuid::Uuid::new_v4().simple().to_string().to_uppercase()
                );
                let event = SessionEvent::Incoming(IncomingMessage {
                    provider_message_id: id.clone(),
                    chat: chat_of(&from, &group),
                    sender: from,
                    content,
                    reply_to,
                    at: Utc::now(),
                });
                (event, Some(id))
            }
            Inbound::Change {
                from,
                group,
                target,
                change,
            } => (
                SessionEvent::Changed {
                    chat: chat_of(&from, &group),
                    target,
                    sender: from,
                    change,
                    at: Utc::now(),
                },
                None,
            ),
        };
        self.events.emit(event).await;
        Ok(id)
    }

    /// Plays the recipient's phone: a delivery receipt, then a read receipt.
    fn simulate_receipts(&self, provider_message_id: String) {
        let events = self.events.clone();
        let config = self.shared.config.clone();
        tokio::spawn(async move {
            tokio::time::sleep(config.delivered_after).await;
            let delivered = SessionEvent::Receipt {
                provider_message_id: provider_message_id.clone(),
                status: MessageStatus::Delivered,
                at: Utc::now(),
            };
            if !events.emit(delivered).await {
                return;
            }
            tokio::time::sleep(config.read_after).await;
            events
                .emit(SessionEvent::Receipt {
                    provider_message_id,
                    status: MessageStatus::Read,
                    at: Utc::now(),
                })
                .await;
        });
    }
}

#[async_trait]
impl Session for SandboxSession {
    async fn connect(&self, mode: ConnectMode) -> Result<ConnectOutcome, EngineError> {
        let mut phase = self.phase();
        if let (Phase::Open(_) | Phase::Dropped(_), ConnectMode::Qr | ConnectMode::PairingCode(_)) =
            (&*phase, &mode)
        {
            return Err(EngineError::InvalidState(
                "the instance is already linked; log out first to link another phone".to_owned(),
            ));
        }
        phase.stop_linking();
        let cancel = CancellationToken::new();
        match mode {
            ConnectMode::Qr => {
                let code = codes::qr_code();
                *phase = Phase::LinkingQr {
                    code: code.clone(),
                    cancel: cancel.clone(),
                };
                drop(phase);
                self.rotate_qr_codes(cancel);
                Ok(ConnectOutcome::Qr {
                    code,
                    expires_at: expires_in(self.shared.config.qr_first_ttl),
                })
            }
            ConnectMode::PairingCode(phone) => {
                let code = codes::pairing_code();
                *phase = Phase::LinkingPairing {
                    code: code.clone(),
                    phone,
                    cancel: cancel.clone(),
                };
                drop(phase);
                self.expire_pairing_code(cancel);
                Ok(ConnectOutcome::PairingCode {
                    code,
                    expires_at: expires_in(self.shared.config.pairing_code_ttl),
                })
            }
            ConnectMode::Resume(me) => {
                *phase = Phase::Open(me.clone());
                self.shared.register_phone(&me, &self.instance);
                Ok(ConnectOutcome::Open(me))
            }
            ConnectMode::Cloud(_) => Err(EngineError::NotSupported {
                engine: "sandbox",
                what: "Cloud API credentials",
            }),
        }
    }

    async fn logout(&self) -> Result<(), EngineError> {
        let mut phase = self.phase();
        phase.stop_linking();
        *phase = Phase::Idle;
        self.shared.forget_phone(&self.instance);
        Ok(())
    }

    async fn disconnect(&self) {
        let mut phase = self.phase();
        phase.stop_linking();
        *phase = Phase::Idle;
        self.shared.forget_phone(&self.instance);
    }

    fn sync_history(&self, wanted: bool) {
        self.sync_history.store(wanted, Ordering::Relaxed);
    }

    async fn send(&self, message: &OutgoingMessage) -> Result<SendReceipt, EngineError> {
        self.me().ok_or(EngineError::NotConnected)?;
        if message.to.kind() == JidKind::User && !is_on_whatsapp(message.to.user()) {
            return Err(EngineError::Permanent {
                failure: SendFailure::NotOnWhatsApp,
                message: format!("{} is not on WhatsApp", message.to.user()),
            });
        }
        let viewers = message
            .to
            .is_status_broadcast()
            .then(|| status_viewers(message))
            .transpose()?;
        let channel = message.to.kind() == JidKind::Newsletter;
        if channel {
            let me = self.my_jid()?;
            self.newsletter_board()
                .may_post(&me, &message.to)
                .map_err(|error| EngineError::Permanent {
                    failure: SendFailure::InvalidContent,
                    message: error.to_string(),
                })?;
        }
        match self.shared.wire.take_fault(&self.instance) {
            Some(FaultKind::Transient) => {
                return Err(EngineError::Transient(
                    "the connection to WhatsApp dropped while sending (simulated fault)".to_owned(),
                ));
            }
            Some(FaultKind::Permanent) => {
                return Err(EngineError::Permanent {
                    failure: SendFailure::InvalidContent,
                    message: "WhatsApp refused the message (simulated fault)".to_owned(),
                });
            }
            None => {}
        }
        // The sandbox uses wagate's id as WhatsApp's, so a resend after a crash is the same
        // message and is delivered once.
        let provider_message_id = message.id.to_string();
        if self.shared.record_delivery(message.id) {
            if channel {
                let text = Some(message.content.summary()).filter(|text| !text.is_empty());
                self.newsletter_board().post(&message.to, text, Utc::now());
            }
            self.shared.wire.record(
                &self.instance,
                WireActivity {
                    kind: if viewers.is_some() {
                        "status"
                    } else {
                        "message"
                    },
                    chat: message.to.to_string(),
                    message_id: Some(message.id),
                    at: Utc::now(),
                },
            );
            self.simulate_receipts(provider_message_id.clone());
            self.deliver_to_peers(message, viewers.as_deref(), &provider_message_id)
                .await;
        } else {
            tracing::info!(instance = %self.instance, message = %message.id, "resend recognised; not delivered again");
        }
        Ok(SendReceipt {
            provider_message_id,
            sent_at: Utc::now(),
        })
    }

    async fn check_numbers(
        &self,
        numbers: &[PhoneNumber],
    ) -> Result<Vec<NumberCheck>, EngineError> {
        self.me().ok_or(EngineError::NotConnected)?;
        Ok(numbers
            .iter()
            .map(|number| {
                let jid = number.to_jid();
                self.shared.wire.record(
                    &self.instance,
                    WireActivity {
                        kind: "check",
                        chat: jid.to_string(),
                        message_id: None,
                        at: Utc::now(),
                    },
                );
                let exists = is_on_whatsapp(number.as_str());
                NumberCheck {
                    number: number.clone(),
                    exists,
                    jid: exists.then_some(jid),
                    lid: exists.then(|| lid_for(number.as_str())),
                    business: false,
                }
            })
            .collect())
    }

    async fn set_blocked(&self, contact: &Jid, blocked: bool) -> Result<(), EngineError> {
        self.me().ok_or(EngineError::NotConnected)?;
        let mut list = self.blocked();
        list.retain(|jid| jid != contact);
        if blocked {
            list.push(contact.clone());
        }
        Ok(())
    }

    async fn blocklist(&self) -> Result<Vec<Jid>, EngineError> {
        self.me().ok_or(EngineError::NotConnected)?;
        Ok(self.blocked().clone())
    }

    async fn chat_action(&self, chat: &Jid, action: ChatAction) -> Result<(), EngineError> {
        self.record_app_state(action.name(), chat.to_string())
    }

    async fn newsletters(&self) -> Result<Vec<Newsletter>, EngineError> {
        let me = self.my_jid()?;
        Ok(self.newsletter_board().of(&me))
    }

    async fn newsletter(&self, jid: &Jid) -> Result<Newsletter, EngineError> {
        let me = self.my_jid()?;
        self.newsletter_board().get(&me, jid)
    }

    async fn create_newsletter(&self, new: &NewNewsletter) -> Result<Newsletter, EngineError> {
        let me = self.my_jid()?;
        Ok(self.newsletter_board().create(&me, new, Utc::now()))
    }

    async fn follow_newsletter(&self, jid: &Jid, follow: bool) -> Result<(), EngineError> {
        let me = self.my_jid()?;
        self.newsletter_board().follow(&me, jid, follow)
    }

    async fn mute_newsletter(&self, jid: &Jid, muted: bool) -> Result<(), EngineError> {
        let me = self.my_jid()?;
        self.newsletter_board().get(&me, jid)?;
        self.record_app_state(if muted { "mute" } else { "unmute" }, jid.to_string())
    }

    async fn newsletter_posts(
        &self,
        jid: &Jid,
        count: u32,
        before: Option<u64>,
    ) -> Result<Vec<NewsletterPost>, EngineError> {
        self.my_jid()?;
        self.newsletter_board().posts(jid, count as usize, before)
    }

    async fn save_label(&self, label: &Label) -> Result<(), EngineError> {
        self.record_app_state("save_label", format!("label:{}", label.id))
    }

    async fn delete_label(&self, id: &str) -> Result<(), EngineError> {
        self.record_app_state("delete_label", format!("label:{id}"))
    }

    async fn label_chat(&self, chat: &Jid, _label: &str, labeled: bool) -> Result<(), EngineError> {
        let kind = if labeled {
            "label_chat"
        } else {
            "unlabel_chat"
        };
        self.record_app_state(kind, chat.to_string())
    }

    async fn save_contact(&self, contact: &Jid, _name: &str) -> Result<(), EngineError> {
        self.record_app_state("save_contact", contact.to_string())
    }

    async fn reject_call(&self, call: &str, from: &Jid) -> Result<(), EngineError> {
        self.my_jid()?;
        let mut ringing = self.ringing.lock().expect("ringing poisoned");
        let at = ringing
            .iter()
            .position(|(id, caller)| id == call && caller == from)
            .ok_or(EngineError::NotFound {
                what: "ringing call",
            })?;
        ringing.remove(at);
        self.shared.wire.record(
            &self.instance,
            WireActivity {
                kind: "reject_call",
                chat: from.to_string(),
                message_id: None,
                at: Utc::now(),
            },
        );
        Ok(())
    }

    async fn contact_info(&self, contact: &Jid) -> Result<ContactInfo, EngineError> {
        let me = self.my_jid()?;
        let Some(phone) = contact.phone() else {
            return Ok(ContactInfo::default());
        };
        let session = if *contact == me {
            self.this.upgrade()
        } else {
            self.shared.peer(phone.as_str())
        };
        let exists = session.is_some() || is_on_whatsapp(phone.as_str());
        if !exists {
            return Ok(ContactInfo::default());
        }
        Ok(ContactInfo {
            exists,
            lid: Some(lid_for(phone.as_str())),
            about: session
                .and_then(|session| session.about.lock().expect("about poisoned").clone()),
            picture_url: self.picture_board().get(contact).map(|picture| picture.url),
            business: false,
        })
    }

    async fn picture(&self, of: &Jid) -> Result<Option<Picture>, EngineError> {
        let me = self.my_jid()?;
        if of.kind() == JidKind::Group {
            self.group_registry().info(&me, of)?;
        }
        Ok(self.picture_board().get(of))
    }

    async fn set_own_picture(&self, image: Option<&JpegImage>) -> Result<(), EngineError> {
        let me = self.my_jid()?;
        self.picture_board().set(&me, image);
        Ok(())
    }

    async fn privacy(&self) -> Result<Vec<(PrivacySetting, PrivacyValue)>, EngineError> {
        self.my_jid()?;
        let changed = self.privacy.lock().expect("privacy poisoned");
        Ok(PrivacySetting::ALL
            .into_iter()
            .map(|setting| {
                let value = changed
                    .get(&setting)
                    .copied()
                    .unwrap_or_else(|| setting.default_value());
                (setting, value)
            })
            .collect())
    }

    async fn set_privacy(
        &self,
        setting: PrivacySetting,
        value: PrivacyValue,
    ) -> Result<(), EngineError> {
        self.my_jid()?;
        self.privacy
            .lock()
            .expect("privacy poisoned")
            .insert(setting, value);
        Ok(())
    }

    async fn set_profile_name(&self, name: &str) -> Result<(), EngineError> {
        let mut phase = self.phase();
        let Phase::Open(me) = &mut *phase else {
            return Err(EngineError::NotConnected);
        };
        me.push_name = Some(name.to_owned());
        Ok(())
    }

    async fn set_about(&self, about: &str) -> Result<(), EngineError> {
        self.my_jid()?;
        *self.about.lock().expect("about poisoned") = Some(about.to_owned());
        Ok(())
    }

    async fn groups(&self) -> Result<Vec<GroupInfo>, EngineError> {
        let me = self.my_jid()?;
        Ok(self.group_registry().of_member(&me))
    }

    async fn communities(&self) -> Result<Vec<Community>, EngineError> {
        let me = self.my_jid()?;
        Ok(self.group_registry().communities_of(&me))
    }

    async fn create_community(&self, new: &NewCommunity) -> Result<Community, EngineError> {
        let me = self.my_jid()?;
        Ok(self.group_registry().create_community(&me, new, Utc::now()))
    }

    async fn community_groups(&self, community: &Jid) -> Result<Vec<SubGroup>, EngineError> {
        let me = self.my_jid()?;
        self.group_registry().community_groups(&me, community)
    }

    async fn link_groups(
        &self,
        community: &Jid,
        groups: &[Jid],
        link: bool,
    ) -> Result<Vec<LinkResult>, EngineError> {
        let me = self.my_jid()?;
        self.group_registry().link(&me, community, groups, link)
    }

    async fn group(&self, group: &Jid) -> Result<GroupInfo, EngineError> {
        let me = self.my_jid()?;
        self.group_registry().info(&me, group)
    }

    async fn create_group(&self, new: &NewGroup) -> Result<GroupInfo, EngineError> {
        let me = self.my_jid()?;
        let (info, _) = self.group_registry().create(&me, new, Utc::now());
        self.tell_group(
            &info.jid,
            GroupActivity::Created {
                subject: info.subject.clone(),
            },
            &me,
        )
        .await;
        Ok(info)
    }

    async fn change_group(&self, group: &Jid, change: &GroupChange) -> Result<(), EngineError> {
        let me = self.my_jid()?;
        self.group_registry().change(&me, group, change)?;
        if let GroupChange::Picture(image) = change {
            self.picture_board().set(group, image.as_ref());
        }
        self.tell_group(group, GroupActivity::Changed(change.clone()), &me)
            .await;
        Ok(())
    }

    async fn change_members(
        &self,
        group: &Jid,
        action: MemberAction,
        members: &[Jid],
    ) -> Result<Vec<MemberResult>, EngineError> {
        let me = self.my_jid()?;
        let before = self.group_registry().members(group);
        let results = self
            .group_registry()
            .change_members(&me, group, action, members)?;
        let changed: Vec<Jid> = results
            .iter()
            .filter(|result| result.outcome == MemberOutcome::Done)
            .map(|result| result.jid.clone())
            .collect();
        if !changed.is_empty() {
            // Whoever was removed hears of it too.
            let added: Vec<Jid> = self
                .group_registry()
                .members(group)
                .into_iter()
                .filter(|jid| !before.contains(jid))
                .collect();
            let told = [before, added].concat();
            self.tell(
                &told,
                GroupEvent {
                    group: group.clone(),
                    by: Some(me),
                    activity: GroupActivity::Members {
                        action,
                        members: changed,
                    },
                    at: Utc::now(),
                },
            )
            .await;
        }
        Ok(results)
    }

    async fn group_invite(&self, group: &Jid, revoke: bool) -> Result<String, EngineError> {
        let me = self.my_jid()?;
        self.group_registry().invite(&me, group, revoke)
    }

    async fn join_group(&self, code: &str) -> Result<Joined, EngineError> {
        let me = self.my_jid()?;
        let joined = self.group_registry().join(&me, code, Utc::now())?;
        if !joined.pending {
            self.tell_group(
                &joined.group,
                GroupActivity::Members {
                    action: MemberAction::Add,
                    members: vec![me.clone()],
                },
                &me,
            )
            .await;
        }
        Ok(joined)
    }

    async fn group_invite_info(&self, code: &str) -> Result<GroupInfo, EngineError> {
        self.my_jid()?;
        self.group_registry().invite_info(code)
    }

    async fn join_requests(&self, group: &Jid) -> Result<Vec<JoinRequest>, EngineError> {
        let me = self.my_jid()?;
        self.group_registry().join_requests(&me, group)
    }

    async fn answer_join_requests(
        &self,
        group: &Jid,
        approve: bool,
        members: &[Jid],
    ) -> Result<Vec<MemberResult>, EngineError> {
        let me = self.my_jid()?;
        let results = self
            .group_registry()
            .answer_join_requests(&me, group, approve, members)?;
        let added: Vec<Jid> = results
            .iter()
            .filter(|result| approve && result.outcome == MemberOutcome::Done)
            .map(|result| result.jid.clone())
            .collect();
        if !added.is_empty() {
            self.tell_group(
                group,
                GroupActivity::Members {
                    action: MemberAction::Add,
                    members: added,
                },
                &me,
            )
            .await;
        }
        Ok(results)
    }

    async fn leave_group(&self, group: &Jid) -> Result<(), EngineError> {
        let me = self.my_jid()?;
        let before = self.group_registry().leave(&me, group)?;
        self.tell(
            &before,
            GroupEvent {
                group: group.clone(),
                by: Some(me.clone()),
                activity: GroupActivity::Members {
                    action: MemberAction::Remove,
                    members: vec![me],
                },
                at: Utc::now(),
            },
        )
        .await;
        Ok(())
    }

    async fn set_chat_presence(
        &self,
        chat: &Jid,
        presence: ChatPresence,
    ) -> Result<(), EngineError> {
        self.me().ok_or(EngineError::NotConnected)?;
        self.shared.wire.record(
            &self.instance,
            WireActivity {
                kind: match presence {
                    ChatPresence::Composing => "typing",
                    ChatPresence::Recording => "recording",
                    ChatPresence::Paused => "paused",
                },
                chat: chat.to_string(),
                message_id: None,
                at: Utc::now(),
            },
        );
        Ok(())
    }

    async fn set_presence(&self, available: bool) -> Result<(), EngineError> {
        let me = self.my_jid()?;
        self.shared.wire.record(
            &self.instance,
            WireActivity {
                kind: if available {
                    "available"
                } else {
                    "unavailable"
                },
                chat: me.to_string(),
                message_id: None,
                at: Utc::now(),
            },
        );
        Ok(())
    }

    async fn perform(&self, operation: &MessageOperation) -> Result<(), EngineError> {
        let me = self.me().ok_or(EngineError::NotConnected)?;
        // Who hears of the change, and the chat it is in on their side.
        let direct = |chat: &Jid| (chat.phone().into_iter().collect(), me.phone.to_jid());
        let (target, change, (told, chat_there)): (_, _, (Vec<PhoneNumber>, Jid)) = match operation
        {
            MessageOperation::React {
                chat,
                target,
                emoji,
            } => (
                target,
                Some(IncomingChange::Reaction {
                    emoji: emoji.clone(),
                }),
                direct(chat),
            ),
            MessageOperation::Edit { chat, target, text } => (
                target,
                Some(IncomingChange::Edit { text: text.clone() }),
                direct(chat),
            ),
            MessageOperation::Revoke { chat, target } => {
                (target, Some(IncomingChange::Revoke), direct(chat))
            }
            MessageOperation::RevokeStatus { target, recipients } => (
                target,
                Some(IncomingChange::Revoke),
                (recipients.clone(), Jid::status_broadcast()),
            ),
            MessageOperation::MarkRead { chat, target, .. } => {
                // The sender's phone shows blue ticks.
                if let Some(peer) = chat
                    .phone()
                    .and_then(|phone| self.shared.peer(phone.as_str()))
                {
                    peer.events
                        .emit(SessionEvent::Receipt {
                            provider_message_id: target.clone(),
                            status: MessageStatus::Read,
                            at: Utc::now(),
                        })
                        .await;
                }
                (target, None, direct(chat))
            }
            MessageOperation::Pin { chat, target, .. } => (target, None, direct(chat)),
        };
        let Some(change) = change else {
            return Ok(());
        };
        for peer in told
            .iter()
            .filter_map(|phone| self.shared.peer(phone.as_str()))
        {
            peer.events
                .emit(SessionEvent::Changed {
                    chat: chat_there.clone(),
                    target: target.clone(),
                    sender: sender_of(&me),
                    change: change.clone(),
                    at: Utc::now(),
                })
                .await;
        }
        Ok(())
    }
}

/// The recipients of a status who are on WhatsApp; a status nobody can see is refused.
fn status_viewers(message: &OutgoingMessage) -> Result<Vec<PhoneNumber>, EngineError> {
    let post = message.status_audience()?;
    let viewers: Vec<PhoneNumber> = post
        .recipients
        .iter()
        .filter(|phone| is_on_whatsapp(phone.as_str()))
        .cloned()
        .collect();
    if viewers.is_empty() {
        return Err(EngineError::Permanent {
            failure: SendFailure::NotOnWhatsApp,
            message: "none of the status's recipients is on WhatsApp".to_owned(),
        });
    }
    Ok(viewers)
}

/// How the sandbox presents a linked number to the numbers it writes to.
fn sender_of(me: &LinkedAccount) -> Sender {
    Sender {
        phone: Some(me.phone.clone()),
        lid: Some(lid_for(me.phone.as_str())),
        push_name: me.push_name.clone(),
    }
}

/// Traffic the sandbox delivers to an instance as if someone else had sent it.
#[derive(Clone, Debug, PartialEq)]
pub enum Inbound {
    /// A new message from `from`, in a direct chat or in `group`.
    Message {
        from: Sender,
        group: Option<Jid>,
        content: MessageContent,
        reply_to: Option<String>,
    },
    /// `from` reacted to, edited, revoked or voted on the message with WhatsApp's id `target`.
    Change {
        from: Sender,
        group: Option<Jid>,
        target: String,
        change: IncomingChange,
    },
}

fn chat_of(from: &Sender, group: &Option<Jid>) -> Jid {
    match (group, &from.phone) {
        (Some(group), _) => group.clone(),
        (None, Some(phone)) => phone.to_jid(),
        (None, None) => Jid::parse(from.lid.as_deref().unwrap_or("0@lid"))
            .unwrap_or_else(|_| PhoneNumber::parse("10000000").expect("valid").to_jid()),
    }
}
