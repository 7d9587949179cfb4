//! Calls that go straight to an instance's engine and answer at once (number checks,
//! blocking, …): the instance must be the caller's, its engine able to do it, its number open.

use super::{Gateway, Principal, ServiceError, ServiceResult};
use std::sync::Arc;
use wagate_core::{Capability, InstanceStatus};
use wagate_engine::Session;
use wagate_store::InstanceRecord;

impl Gateway {
    /// The caller's instance and its open session, when its engine has `capability`;
    /// `what` names the call in the refusal ("check whether numbers are on WhatsApp").
    pub(crate) async fn open_session_for(
        &self,
        principal: &Principal,
        id_or_name: &str,
        capability: Capability,
        what: &str,
    ) -> ServiceResult<(InstanceRecord, Arc<dyn Session>)> {
        let instance = self.resolve_instance(principal, id_or_name).await?;
        self.require_capability(&instance, capability, what)?;
        match self.sessions.live(&instance.id) {
            Some(session) if instance.status == InstanceStatus::Open => Ok((instance, session)),
            _ => Err(ServiceError::InstanceNotConnected(format!(
                "the number is not open (status: {}); connect it first",
                instance.status.as_str()
            ))),
        }
    }

    /// 501 unless the instance's engine has `capability`; `what` names the call.
    pub(crate) fn require_capability(
        &self,
        instance: &InstanceRecord,
        capability: Capability,
        what: &str,
    ) -> ServiceResult<()> {
        if self.capabilities(instance.engine).contains(&capability) {
            Ok(())
        } else {
            Err(ServiceError::NotSupported(format!(
                "the {} engine cannot {what}",
                instance.engine.as_str()
            )))
        }
    }
}
