//! The sandbox network seen from outside: what an instance put on the wire, and faults to
//! make its sends fail, for testing retries, pacing and the circuit breaker.

use super::{Gateway, Principal, ServiceResult};
use serde::Deserialize;
use wagate_core::ValidationErrors;
use wagate_engine::sandbox::{FaultKind, WireActivity};
use wagate_store::InstanceRecord;

/// `POST /api/v1/sandbox/instances/{id}/faults`.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
pub struct SandboxFaultRequest {
    /// `transient` (a dropped connection: retried) or `permanent` (refused: fails at once).
    #[schema(example = "transient")]
    pub kind: Option<String>,
    /// How many of the next sends fail, 0 to 100000; 0 clears the fault.
    #[schema(example = 3)]
    pub count: Option<u32>,
}

impl Gateway {
    /// Makes the instance's next sends fail on the simulated network.
    pub async fn sandbox_fault(
        &self,
        principal: &Principal,
        id_or_name: &str,
        request: SandboxFaultRequest,
    ) -> ServiceResult<InstanceRecord> {
        let mut errors = ValidationErrors::default();
        let kind = match request.kind.as_deref().map(str::trim) {
            Some("transient") => Some(FaultKind::Transient),
            Some("permanent") => Some(FaultKind::Permanent),
            Some(_) => {
                errors.push("kind", "must be 'transient' or 'permanent'");
                None
            }
            None => {
                errors.push("kind", "is required");
                None
            }
        };
        let count = match request.count {
            Some(count) if count <= 100_000 => Some(count),
            Some(_) => {
                errors.push("count", "must be from 0 to 100000");
                None
            }
            None => {
                errors.push("count", "is required");
                None
            }
        };
        let (Some(kind), Some(count)) = (kind, count) else {
            return Err(errors.into());
        };
        let instance = self
            .sandbox_instance(principal, id_or_name, "have a simulated network")
            .await?;
        self.sessions.sandbox().set_fault(&instance.id, kind, count);
        Ok(instance)
    }

    /// What the instance put on the simulated wire, oldest first.
    pub async fn sandbox_activity(
        &self,
        principal: &Principal,
        id_or_name: &str,
    ) -> ServiceResult<Vec<WireActivity>> {
        let instance = self
            .sandbox_instance(principal, id_or_name, "have a simulated network")
            .await?;
        Ok(self.sessions.sandbox().activity(&instance.id))
    }
}
