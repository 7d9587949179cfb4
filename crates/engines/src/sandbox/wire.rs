//! What the simulated network saw, and what it is told to get wrong.
//!
//! Tests and users of the sandbox need to see pacing from the outside — when each message
//! reached WhatsApp and when "typing…" showed — and to make the network fail on purpose, the
//! way a real connection does, to watch retries and the circuit breaker. The delivery ledger
//! can live in a file so that it outlives the gateway process, as a real phone would: a crash
//! test kills the gateway and still asks how often each message arrived.

use chrono::{DateTime, Utc};
use std::collections::HashMap;
use std::io::{BufRead, Write};
use std::path::Path;
use std::sync::Mutex;
use wagate_core::{InstanceId, MessageId};

/// One thing an instance put on the wire.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct WireActivity {
    /// `message`, `typing`, `recording`, `paused` (typing stopped), `check` (a number looked
    /// up), `available` / `unavailable` (presence) or `reject_call`.
    pub kind: &'static str,
    pub chat: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message_id: Option<MessageId>,
    pub at: DateTime<Utc>,
}

/// How the next sends of an instance fail.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FaultKind {
    /// As a dropped socket or a timeout: worth retrying.
    Transient,
    /// As WhatsApp refusing the message: not worth retrying.
    Permanent,
}

/// The most activity kept per instance; older entries are dropped first.
const ACTIVITY_KEPT: usize = 10_000;

/// Deliveries per message id, optionally appended to a file that outlives the process.
#[derive(Debug)]
pub(super) struct DeliveryLedger {
    counts: Mutex<HashMap<MessageId, u32>>,
    file: Option<Mutex<std::fs::File>>,
}

impl DeliveryLedger {
    /// A ledger in memory, or one that continues the file at `path`.
    pub fn open(path: Option<&Path>) -> std::io::Result<Self> {
        let mut counts = HashMap::new();
        let file = match path {
            None => None,
            Some(path) => {
                if let Ok(existing) = std::fs::File::open(path) {
                    for line in std::io::BufReader::new(existing).lines() {
                        if let Some(id) = MessageId::parse(line?.trim()) {
                            *counts.entry(id).or_insert(0) += 1;
                        }
                    }
                }
                let file = std::fs::OpenOptions::new()
                    .create(true)
                    .append(true)
                    .open(path)?;
                Some(Mutex::new(file))
            }
        };
        Ok(Self {
            counts: Mutex::new(counts),
            file,
        })
    }

    /// Records a delivery; returns true the first time this id is delivered. A resend of the
    /// same id is recognised, as WhatsApp recognises a message id it has seen, and not
    /// delivered again.
    pub fn record(&self, id: MessageId) -> bool {
        let mut counts = self.counts.lock().expect("delivery ledger poisoned");
        let count = counts.entry(id).or_insert(0);
        let first = *count == 0;
        if first {
            *count = 1;
            if let Some(file) = &self.file {
                let mut file = file.lock().expect("ledger file poisoned");
                if let Err(error) = writeln!(file, "{id}") {
                    tracing::error!(%error, "sandbox delivery ledger not written");
                }
            }
        }
        first
    }

    pub fn count(&self, id: &MessageId) -> u32 {
        self.counts
            .lock()
            .expect("delivery ledger poisoned")
            .get(id)
            .copied()
            .unwrap_or(0)
    }
}

/// Activity and faults of every instance on the network.
#[derive(Debug, Default)]
pub(super) struct Wire {
    activity: Mutex<HashMap<InstanceId, Vec<WireActivity>>>,
    faults: Mutex<HashMap<InstanceId, (FaultKind, u32)>>,
}

impl Wire {
    pub fn record(&self, instance: &InstanceId, activity: WireActivity) {
        let mut all = self.activity.lock().expect("wire log poisoned");
        let log = all.entry(instance.clone()).or_default();
        if log.len() >= ACTIVITY_KEPT {
            log.remove(0);
        }
        log.push(activity);
    }

    pub fn activity(&self, instance: &InstanceId) -> Vec<WireActivity> {
        self.activity
            .lock()
            .expect("wire log poisoned")
            .get(instance)
            .cloned()
            .unwrap_or_default()
    }

    /// The next `count` sends of the instance fail as `kind`; a count of 0 clears the fault.
    pub fn set_fault(&self, instance: &InstanceId, kind: FaultKind, count: u32) {
        let mut faults = self.faults.lock().expect("fault table poisoned");
        if count == 0 {
            faults.remove(instance);
        } else {
            faults.insert(instance.clone(), (kind, count));
        }
    }

    /// Takes one fault for a send of the instance, if any is set.
    pub fn take_fault(&self, instance: &InstanceId) -> Option<FaultKind> {
        let mut faults = self.faults.lock().expect("fault table poisoned");
        let (kind, left) = faults.get_mut(instance)?;
        let kind = *kind;
        *left -= 1;
        if *left == 0 {
            faults.remove(instance);
        }
        Some(kind)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_ledger_file_carries_deliveries_across_processes() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("deliveries");
        let id = MessageId::generate();
        let ledger = DeliveryLedger::open(Some(&path)).unwrap();
        assert!(ledger.record(id));
        assert!(!ledger.record(id));
        drop(ledger);
        let reopened = DeliveryLedger::open(Some(&path)).unwrap();
        assert_eq!(reopened.count(&id), 1);
        assert!(!reopened.record(id), "delivered before the restart");
    }

    #[test]
    fn faults_are_taken_one_send_at_a_time() {
        let wire = Wire::default();
        let instance = InstanceId::generate();
        wire.set_fault(&instance, FaultKind::Transient, 2);
        assert_eq!(wire.take_fault(&instance), Some(FaultKind::Transient));
        assert_eq!(wire.take_fault(&instance), Some(FaultKind::Transient));
        assert_eq!(wire.take_fault(&instance), None);
        wire.set_fault(&instance, FaultKind::Permanent, 5);
        wire.set_fault(&instance, FaultKind::Permanent, 0);
        assert_eq!(wire.take_fault(&instance), None);
    }
}
