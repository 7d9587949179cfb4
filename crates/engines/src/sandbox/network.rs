//! The simulated network shared by all sandbox sessions: which sessions exist, which phone
//! numbers are linked where, and which messages were delivered how often.

use super::SandboxConfig;
use super::groups::GroupRegistry;
use super::newsletters::NewsletterBoard;
use super::pictures::PictureBoard;
use super::session::SandboxSession;
use super::wire::{DeliveryLedger, Wire};
use crate::{EventSink, Session};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, Weak};
use wagate_core::{InstanceId, LinkedAccount, MessageId, PhoneNumber};

/// Why the simulated phone could not link a device.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum LinkError {
    #[error("the instance is not waiting to be linked; call connect first")]
    NotLinking,
    #[error(
        "this code is not the one the instance shows now (it may have expired); fetch the current QR code and try again"
    )]
    CodeMismatch,
    #[error("a phone number is required to scan a QR code")]
    PhoneRequired,
    #[error("this pairing code was requested for another phone number")]
    WrongPhone,
}

/// Why a simulation on a session did not apply.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ConnectionError {
    #[error("the instance has no sandbox session on this server")]
    NoSession,
    #[error("the instance is not connected")]
    NotOpen,
    #[error("the connection was not dropped, so there is nothing to restore")]
    NotDropped,
}

/// What all sessions of one sandbox share.
#[derive(Debug)]
pub(super) struct Shared {
    pub config: SandboxConfig,
    deliveries: DeliveryLedger,
    pub wire: Wire,
    sessions: Mutex<HashMap<InstanceId, Weak<SandboxSession>>>,
    /// Linked phone number → the instance it is linked to.
    phones: Mutex<HashMap<String, InstanceId>>,
    /// Every group on the simulated network.
    pub groups: Mutex<GroupRegistry>,
    pub pictures: Mutex<PictureBoard>,
    pub newsletters: Mutex<NewsletterBoard>,
}

impl Shared {
    /// Records a delivery; returns true the first time this id is delivered.
    pub fn record_delivery(&self, id: MessageId) -> bool {
        self.deliveries.record(id)
    }

    pub fn session(&self, instance: &InstanceId) -> Option<Arc<SandboxSession>> {
        self.sessions
            .lock()
            .expect("session table poisoned")
            .get(instance)
            .and_then(Weak::upgrade)
    }

    /// The session linked to `phone`, when it is another sandbox number.
    pub fn peer(&self, phone: &str) -> Option<Arc<SandboxSession>> {
        let instance = self
            .phones
            .lock()
            .expect("phone directory poisoned")
            .get(phone)
            .cloned()?;
        self.session(&instance)
    }

    pub fn register_phone(&self, me: &LinkedAccount, instance: &InstanceId) {
        self.phones
            .lock()
            .expect("phone directory poisoned")
            .insert(me.phone.as_str().to_owned(), instance.clone());
    }

    pub fn forget_phone(&self, instance: &InstanceId) {
        self.phones
            .lock()
            .expect("phone directory poisoned")
            .retain(|_, linked| linked != instance);
    }
}

#[derive(Debug)]
pub(super) struct Network {
    pub(super) shared: Arc<Shared>,
}

impl Network {
    pub fn new(config: SandboxConfig) -> std::io::Result<Self> {
        let deliveries = DeliveryLedger::open(config.delivery_ledger.as_deref())?;
        Ok(Self {
            shared: Arc::new(Shared {
                config,
                deliveries,
                wire: Wire::default(),
                sessions: Mutex::new(HashMap::new()),
                phones: Mutex::new(HashMap::new()),
                groups: Mutex::new(GroupRegistry::default()),
                pictures: Mutex::new(PictureBoard::default()),
                newsletters: Mutex::new(NewsletterBoard::default()),
            }),
        })
    }

    pub fn session(&self, instance: InstanceId, events: EventSink) -> Arc<dyn Session> {
        let session = SandboxSession::new(instance.clone(), events, self.shared.clone());
        let mut sessions = self.shared.sessions.lock().expect("session table poisoned");
        sessions.retain(|_, weak| weak.strong_count() > 0);
        sessions.insert(instance, Arc::downgrade(&session));
        session
    }

    pub fn live_session(
        &self,
        instance: &InstanceId,
    ) -> Result<Arc<SandboxSession>, ConnectionError> {
        self.shared
            .session(instance)
            .ok_or(ConnectionError::NoSession)
    }

    pub async fn link(
        &self,
        instance: &InstanceId,
        code: &str,
        phone: Option<PhoneNumber>,
    ) -> Result<LinkedAccount, LinkError> {
        let session = self.shared.session(instance).ok_or(LinkError::NotLinking)?;
        session.link(code, phone).await
    }

    pub fn deliveries(&self, id: &MessageId) -> u32 {
        self.shared.deliveries.count(id)
    }
}
