//! The live sessions of this node, one per instance, and the engines that make them.
//!
//! Sessions report events on one bounded channel; the supervisor worker drains it into the
//! services (see `workers::supervisor`).

use crate::services::ServiceError;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use tokio::sync::mpsc;
use wagate_core::{Capability, EngineKind, InstanceId};
use wagate_engine::cloud::engine::CloudEngine;
use wagate_engine::sandbox::SandboxEngine;
use wagate_engine::{Engine, EngineEvent, EventSink, Session};
use wagate_store::InstanceRecord;

/// How many engine events may wait for the supervisor before engines slow down.
pub const EVENT_BUFFER: usize = 4096;

pub struct SessionRegistry {
    sandbox: SandboxEngine,
    cloud: Option<Arc<CloudEngine>>,
    engines: HashMap<EngineKind, Arc<dyn Engine>>,
    live: Mutex<HashMap<InstanceId, Arc<dyn Session>>>,
    events: mpsc::Sender<EngineEvent>,
}

impl SessionRegistry {
    /// The registry and the receiving end of its sessions' events.
    pub fn new(sandbox: SandboxEngine) -> (Self, mpsc::Receiver<EngineEvent>) {
        let (events, receiver) = mpsc::channel(EVENT_BUFFER);
        let mut engines: HashMap<EngineKind, Arc<dyn Engine>> = HashMap::new();
        engines.insert(EngineKind::Sandbox, Arc::new(sandbox.clone()));
        let registry = Self {
            sandbox,
            cloud: None,
            engines,
            live: Mutex::new(HashMap::new()),
            events,
        };
        (registry, receiver)
    }

    /// Adds the cloud engine (numbers of Meta's Cloud API).
    pub fn with_cloud(mut self, cloud: CloudEngine) -> Self {
        let cloud = Arc::new(cloud);
        self.engines.insert(EngineKind::Cloud, cloud.clone());
        self.cloud = Some(cloud);
        self
    }

    /// Adds the web engine (numbers linked by QR or pairing code).
    pub fn with_web(mut self, web: wagate_engine_web::WebEngine) -> Self {
        self.engines.insert(EngineKind::Web, Arc::new(web));
        self
    }

    /// The cloud engine, for what only it does (checking credentials, fetching media).
    pub fn cloud(&self) -> Result<&CloudEngine, ServiceError> {
        self.cloud.as_deref().ok_or_else(|| {
            ServiceError::NotSupported("the cloud engine is not available in this build".into())
        })
    }

    pub fn supports(&self, engine: EngineKind) -> bool {
        self.engines.contains_key(&engine)
    }

    pub fn available_names(&self) -> Vec<&'static str> {
        let mut names: Vec<_> = self.engines.keys().map(|kind| kind.as_str()).collect();
        names.sort_unstable();
        names
    }

    pub fn capabilities(&self, engine: EngineKind) -> &'static [Capability] {
        self.engines
            .get(&engine)
            .map_or(&[], |engine| engine.capabilities())
    }

    /// The id WhatsApp will know an outbound message by, when its engine chooses it.
    pub fn planned_message_id(
        &self,
        engine: EngineKind,
        id: &wagate_core::MessageId,
    ) -> Option<String> {
        self.engines.get(&engine)?.planned_message_id(id)
    }

    pub fn sandbox(&self) -> &SandboxEngine {
        &self.sandbox
    }

    fn table(&self) -> std::sync::MutexGuard<'_, HashMap<InstanceId, Arc<dyn Session>>> {
        self.live.lock().expect("session table poisoned")
    }

    /// The instance's session, created on first use.
    pub fn session_for(&self, instance: &InstanceRecord) -> Result<Arc<dyn Session>, ServiceError> {
        let mut live = self.table();
        if let Some(session) = live.get(&instance.id) {
            return Ok(session.clone());
        }
        let engine = self.engines.get(&instance.engine).ok_or_else(|| {
            ServiceError::NotSupported(format!(
                "the {} engine is not available in this build",
                instance.engine.as_str()
            ))
        })?;
        let sink = EventSink::new(instance.id.clone(), self.events.clone());
        let session = engine.session(instance.id.clone(), sink);
        session.sync_history(instance.settings.sync_history);
        live.insert(instance.id.clone(), session.clone());
        Ok(session)
    }

    /// The instance's session if it has one on this node.
    pub fn live(&self, instance: &InstanceId) -> Option<Arc<dyn Session>> {
        self.table().get(instance).cloned()
    }

    /// Closes and forgets the instance's session (its credentials stay with the engine).
    pub async fn close(&self, instance: &InstanceId) {
        let session = self.table().remove(instance);
        if let Some(session) = session {
            session.disconnect().await;
        }
    }

    /// Closes every session, for shutdown.
    pub async fn close_all(&self) {
        let sessions: Vec<_> = self.table().drain().map(|(_, session)| session).collect();
        for session in sessions {
            session.disconnect().await;
        }
    }
}
