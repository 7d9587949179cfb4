//! Linking numbers and following their connection: connect, QR codes, pairing codes, logout,
//! and the session events engines report afterwards.
//!
//! Every change is one `update_instance` call that writes the new state and its events in
//! one transaction, and each decision is idempotent: the same engine event applied twice (the
//! sandbox's link answers the HTTP call and is also reported as an event) changes nothing the
//! second time.

use super::event_payloads as payloads;
use super::{Gateway, Principal, ServiceError, ServiceResult};
use chrono::{DateTime, Utc};
use serde::Deserialize;
use wagate_core::{EngineKind, InstanceId, InstanceStatus, LinkedAccount, PhoneNumber};
use wagate_engine::{ConnectMode, ConnectOutcome, EngineEvent, SessionEvent};
use wagate_store::{InstanceRecord, InstanceState, NewEvent, QrState};

/// `POST /api/v1/instances/{id}/connect`.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ConnectRequest {
    /// Link with a pairing code for this number instead of a QR code.
    #[schema(example = "15550001111")]
    pub phone_number: Option<String>,
}

/// The state after a status change, and the `session.status` event when the status changed.
fn with_status(
    current: &InstanceRecord,
    state: &mut InstanceState,
    status: InstanceStatus,
    reason: Option<String>,
    events: &mut Vec<NewEvent>,
) {
    if current.status != status || current.status_reason != reason {
        events.push(payloads::session_status(current, status, reason.as_deref()));
    }
    state.status = status;
    state.status_reason = reason;
}

fn opened(current: &InstanceRecord, me: &LinkedAccount) -> Option<(InstanceState, Vec<NewEvent>)> {
    if current.status == InstanceStatus::Open && current.me.as_ref() == Some(me) {
        return None;
    }
    let mut state = InstanceState::of(current);
    let mut events = vec![payloads::session_connected(current, me)];
    with_status(current, &mut state, InstanceStatus::Open, None, &mut events);
    state.linked = true;
    state.me = Some(me.clone());
    state.qr = None;
    state.pairing_code = None;
    Some((state, events))
}

fn unlinked(
    current: &InstanceRecord,
    status: InstanceStatus,
    reason: &str,
) -> Option<(InstanceState, Vec<NewEvent>)> {
    let mut state = InstanceState::of(current);
    let mut events = Vec::new();
    if current.linked {
        events.push(payloads::session_logged_out(current, reason));
    }
    with_status(
        current,
        &mut state,
        status,
        Some(reason.to_owned()),
        &mut events,
    );
    state.linked = false;
    state.me = None;
    state.qr = None;
    state.pairing_code = None;
    Some((state, events))
}

/// A linked instance whose connection is (re)opening; an unlinked one is left as it is.
fn connecting(current: &InstanceRecord, reason: &str) -> Option<(InstanceState, Vec<NewEvent>)> {
    current.linked.then_some(())?;
    let mut state = InstanceState::of(current);
    let mut events = Vec::new();
    with_status(
        current,
        &mut state,
        InstanceStatus::Connecting,
        Some(reason.to_owned()),
        &mut events,
    );
    Some((state, events))
}

fn showing_qr(
    current: &InstanceRecord,
    code: &str,
    expires_at: DateTime<Utc>,
) -> Option<(InstanceState, Vec<NewEvent>)> {
    let mut state = InstanceState::of(current);
    let mut events = Vec::new();
    with_status(current, &mut state, InstanceStatus::Qr, None, &mut events);
    events.push(payloads::qrcode_updated(current, code, expires_at));
    state.qr = Some(QrState {
        code: code.to_owned(),
        expires_at,
    });
    state.pairing_code = None;
    Some((state, events))
}

impl Gateway {
    /// Starts linking (QR code, or pairing code with a phone number), or reconnects a linked
    /// instance. Answers with the instance as it is afterwards.
    pub async fn connect(
        &self,
        principal: &Principal,
        id_or_name: &str,
        request: ConnectRequest,
    ) -> ServiceResult<InstanceRecord> {
        let instance = self.resolve_instance(principal, id_or_name).await?;
        let phone = request
            .phone_number
            .as_deref()
            .map(PhoneNumber::parse)
            .transpose()
            .map_err(|e| ServiceError::field("phoneNumber", e.to_string()))?;
        if instance.status == InstanceStatus::Open {
            return Err(ServiceError::Conflict(
                "the instance is already connected; log out first to link another phone".to_owned(),
            ));
        }
        if instance.engine == EngineKind::Cloud {
            if phone.is_some() {
                return Err(ServiceError::field(
                    "phoneNumber",
                    "a cloud number connects with its credentials, not a pairing code",
                ));
            }
            self.open_cloud_number(&instance).await?;
            return self
                .store
                .get_instance(&instance.id)
                .await?
                .ok_or(ServiceError::NotFound("instance"));
        }
        let mode = match (&instance.me, instance.linked, phone) {
            (Some(me), true, None) => ConnectMode::Resume(me.clone()),
            (_, true, Some(_)) => {
                return Err(ServiceError::Conflict(
                    "the instance is already linked; log out first to link another phone"
                        .to_owned(),
                ));
            }
            (_, _, Some(phone)) => ConnectMode::PairingCode(phone),
            _ => ConnectMode::Qr,
        };
        let session = self.sessions.session_for(&instance)?;
        let outcome = session.connect(mode).await?;
        let updated = match outcome {
            ConnectOutcome::Qr { code, expires_at } => {
                self.store
                    .update_instance(&instance.id, |current| {
                        showing_qr(current, &code, expires_at)
                    })
                    .await?
            }
            ConnectOutcome::PairingCode { code, expires_at } => {
                self.store
                    .update_instance(&instance.id, |current| {
                        let mut state = InstanceState::of(current);
                        let mut events = Vec::new();
                        with_status(
                            current,
                            &mut state,
                            InstanceStatus::Pairing,
                            None,
                            &mut events,
                        );
                        events.push(payloads::pairing_code_issued(current, &code, expires_at));
                        state.qr = None;
                        state.pairing_code = Some(code.clone());
                        Some((state, events))
                    })
                    .await?
            }
            ConnectOutcome::Open(me) => {
                self.store
                    .update_instance(&instance.id, |current| opened(current, &me))
                    .await?;
                self.dispatcher_wake.notify_one();
                self.store.get_instance(&instance.id).await?
            }
            ConnectOutcome::Connecting => {
                self.store
                    .update_instance(&instance.id, |current| {
                        connecting(current, "connecting to WhatsApp")
                    })
                    .await?;
                self.store.get_instance(&instance.id).await?
            }
        };
        updated.ok_or(ServiceError::NotFound("instance"))
    }

    /// Ends a linked instance's connection and opens it again, resuming its device.
    pub async fn restart(
        &self,
        principal: &Principal,
        id_or_name: &str,
    ) -> ServiceResult<InstanceRecord> {
        let instance = self.resolve_instance(principal, id_or_name).await?;
        if !instance.linked {
            return Err(ServiceError::Conflict(format!(
                "the instance is not linked (status: {}); connect it to link a number",
                instance.status.as_str()
            )));
        }
        self.sessions.close(&instance.id).await;
        self.store
            .update_instance(&instance.id, |current| {
                connecting(current, "restarted through the API")
            })
            .await?;
        self.connect(principal, instance.id.as_str(), ConnectRequest::default())
            .await
    }

    /// The QR code the instance shows now.
    pub async fn current_qr(
        &self,
        principal: &Principal,
        id_or_name: &str,
    ) -> ServiceResult<QrState> {
        let instance = self.resolve_instance(principal, id_or_name).await?;
        match (instance.qr_code, instance.qr_expires_at) {
            (Some(code), Some(expires_at)) if instance.status == InstanceStatus::Qr => {
                Ok(QrState { code, expires_at })
            }
            _ => Err(ServiceError::Conflict(format!(
                "the instance shows no QR code (status: {}); call connect to get one",
                instance.status.as_str()
            ))),
        }
    }

    /// Unlinks the device: the engine forgets the credentials and the instance is free to
    /// link another phone.
    pub async fn logout(
        &self,
        principal: &Principal,
        id_or_name: &str,
    ) -> ServiceResult<InstanceRecord> {
        let instance = self.resolve_instance(principal, id_or_name).await?;
        let linking = matches!(
            instance.status,
            InstanceStatus::Qr | InstanceStatus::Pairing
        );
        if !instance.linked && !linking {
            return Err(ServiceError::Conflict(format!(
                "the instance is not linked (status: {}); nothing to log out",
                instance.status.as_str()
            )));
        }
        if let Some(session) = self.sessions.live(&instance.id) {
            session.logout().await?;
        }
        self.store
            .update_instance(&instance.id, |current| {
                unlinked(
                    current,
                    InstanceStatus::Disconnected,
                    "logged out through the API",
                )
            })
            .await?
            .ok_or(ServiceError::NotFound("instance"))
    }

    /// The phone linked the device (or a resumed connection came up).
    pub async fn on_connected(
        &self,
        instance: &InstanceId,
        me: &LinkedAccount,
    ) -> ServiceResult<()> {
        let opened = self
            .store
            .update_instance(instance, |current| opened(current, me))
            .await?;
        self.dispatcher_wake.notify_one();
        if let Some(instance) = opened
            && instance.settings.always_online
        {
            // On a task of its own: telling WhatsApp must not hold up the session's events.
            let gateway = self.clone();
            tokio::spawn(async move { gateway.show_online(&instance, true).await });
        }
        Ok(())
    }

    /// Applies what a session reported after the call that started it.
    pub async fn on_engine_event(&self, event: EngineEvent) -> ServiceResult<()> {
        let id = &event.instance_id;
        match event.event {
            SessionEvent::Qr { code, expires_at } => {
                self.store
                    .update_instance(id, |current| {
                        (current.status == InstanceStatus::Qr).then_some(())?;
                        showing_qr(current, &code, expires_at)
                    })
                    .await?;
            }
            SessionEvent::LinkFailed { reason } => {
                self.store
                    .update_instance(id, |current| {
                        matches!(current.status, InstanceStatus::Qr | InstanceStatus::Pairing)
                            .then_some(())?;
                        let mut state = InstanceState::of(current);
                        let mut events = Vec::new();
                        with_status(
                            current,
                            &mut state,
                            InstanceStatus::Failed,
                            Some(reason.clone()),
                            &mut events,
                        );
                        state.qr = None;
                        state.pairing_code = None;
                        Some((state, events))
                    })
                    .await?;
            }
            SessionEvent::Connected { me } => self.on_connected(id, &me).await?,
            SessionEvent::Reconnecting { reason } => {
                self.store
                    .update_instance(id, |current| connecting(current, &reason))
                    .await?;
            }
            SessionEvent::Halted { reason } => {
                self.store
                    .update_instance(id, |current| {
                        current.linked.then_some(())?;
                        let mut state = InstanceState::of(current);
                        let mut events = Vec::new();
                        with_status(
                            current,
                            &mut state,
                            InstanceStatus::Failed,
                            Some(reason.clone()),
                            &mut events,
                        );
                        Some((state, events))
                    })
                    .await?;
            }
            SessionEvent::LoggedOut { reason } => {
                self.store
                    .update_instance(id, |current| {
                        // A cloud number has no device to remove: Meta refused its token.
                        let status = match current.engine {
                            EngineKind::Cloud => InstanceStatus::CredentialsInvalid,
                            _ => InstanceStatus::LoggedOut,
                        };
                        unlinked(current, status, &reason)
                    })
                    .await?;
            }
            SessionEvent::Receipt {
                provider_message_id,
                status,
                at,
            } => {
                self.on_receipt(id, &provider_message_id, status, at)
                    .await?
            }
            SessionEvent::Incoming(message) => self.on_incoming(id, message).await?,
            SessionEvent::History(batch) => self.on_history(id, batch).await?,
            SessionEvent::Group(event) => self.on_group_event(id, event).await?,
            SessionEvent::Call(call) => self.on_call(id, call).await?,
            SessionEvent::Presence {
                chat,
                from,
                state,
                last_seen,
            } => {
                let change = super::presence_events::PresenceChange {
                    chat,
                    from,
                    state,
                    last_seen,
                };
                self.on_presence(id, change).await?
            }
            SessionEvent::Label(event) => self.on_label_event(id, event).await?,
            SessionEvent::ContactSaved { phone, name } => {
                self.on_contact_saved(id, &phone, name.as_deref()).await?
            }
            SessionEvent::Changed {
                chat,
                target,
                sender,
                change,
                at,
            } => {
                self.on_changed(id, chat, target, sender, change, at)
                    .await?
            }
        }
        Ok(())
    }

    /// At start-up: reconnects every linked instance without a new QR code, and closes links
    /// that were half-way through when the server stopped (their codes died with it).
    pub async fn restore_sessions(&self) -> ServiceResult<()> {
        for instance in self.store.list_unfinished_links().await? {
            self.store
                .update_instance(&instance.id, |current| {
                    unlinked(
                        current,
                        InstanceStatus::Disconnected,
                        "the server restarted before linking finished; call connect again",
                    )
                })
                .await?;
        }
        for instance in self.store.list_linked_instances().await? {
            if instance.engine == EngineKind::Cloud {
                self.restore_cloud_number(instance).await?;
                continue;
            }
            let Some(me) = instance.me.clone() else {
                continue;
            };
            let result = match self.sessions.session_for(&instance) {
                Ok(session) => session
                    .connect(ConnectMode::Resume(me))
                    .await
                    .map_err(ServiceError::from),
                Err(error) => Err(error),
            };
            match result {
                Ok(ConnectOutcome::Open(me)) => self.on_connected(&instance.id, &me).await?,
                Ok(ConnectOutcome::Connecting) => {
                    self.store
                        .update_instance(&instance.id, |current| {
                            connecting(current, "reconnecting after a restart")
                        })
                        .await?;
                }
                Ok(_) => {}
                Err(error) => {
                    tracing::warn!(instance = %instance.id, %error, "could not reconnect a linked instance");
                    self.on_engine_event(EngineEvent {
                        instance_id: instance.id.clone(),
                        event: SessionEvent::Reconnecting {
                            reason: format!("reconnecting after restart failed: {error}"),
                        },
                        applied: Default::default(),
                    })
                    .await?;
                }
            }
        }
        Ok(())
    }
}
