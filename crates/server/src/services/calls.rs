//! Calls: every call that rings becomes `call.received`; calls are rejected through the API
//! or, with the instance's `rejectCalls` setting, as they ring, with an optional text to the
//! caller (queued and paced like any send).

use super::event_payloads::rfc3339;
use super::send_parse::{ParsedSend, PendingContent};
use super::{Gateway, Principal, ServiceError, ServiceResult};
use serde_json::json;
use wagate_core::{Capability, EventKind, InstanceId, MessageContent, Recipient, TextBody};
use wagate_engine::IncomingCall;
use wagate_store::{InstanceRecord, NewEvent};

impl Gateway {
    /// Rejects a call ringing on the number; `from` is the caller (a phone number or JID).
    pub async fn reject_call(
        &self,
        principal: &Principal,
        id_or_name: &str,
        call: &str,
        from: &str,
    ) -> ServiceResult<()> {
        let from = Recipient::parse(from)
            .map_err(|e| ServiceError::field("from", e.to_string()))?
            .jid();
        let (_, session) = self
            .open_session_for(principal, id_or_name, Capability::Calls, "reject calls")
            .await?;
        Ok(session.reject_call(call.trim(), &from).await?)
    }

    /// A call rings: `call.received`, and with `rejectCalls` the call is rejected and the
    /// caller sent `callRejectMessage`. A failed rejection is logged; the event stands.
    pub(crate) async fn on_call(
        &self,
        instance: &InstanceId,
        call: IncomingCall,
    ) -> ServiceResult<()> {
        let Some(instance) = self.store.get_instance(instance).await? else {
            return Ok(());
        };
        let reject = instance.settings.reject_calls;
        self.store
            .append_events(vec![NewEvent {
                account_id: instance.account_id.clone(),
                instance_id: Some(instance.id.clone()),
                instance_name: Some(instance.name.as_str().to_owned()),
                kind: EventKind::CallReceived,
                data: json!({
                    "callId": call.id,
                    "from": call.from.phone.as_ref().map(|p| p.as_str().to_owned()).or_else(|| call.from.lid.clone()),
                    "fromJid": call.from_jid.to_string(),
                    "fromLid": call.from.lid,
                    "pushName": call.from.push_name,
                    "video": call.video,
                    "groupJid": call.group.as_ref().map(ToString::to_string),
                    "at": rfc3339(call.at),
                    "autoRejected": reject,
                }),
            }])
            .await?;
        if reject {
            let gateway = self.clone();
            tokio::spawn(async move { gateway.auto_reject(&instance, &call).await });
        }
        Ok(())
    }

    async fn auto_reject(&self, instance: &InstanceRecord, call: &IncomingCall) {
        let Some(session) = self.sessions.live(&instance.id) else {
            return;
        };
        if let Err(error) = session.reject_call(&call.id, &call.from_jid).await {
            tracing::warn!(instance = %instance.id, call = %call.id, %error, "a call could not be rejected");
            return;
        }
        let Some(text) = instance
            .settings
            .call_reject_message
            .as_deref()
            .and_then(|text| TextBody::parse(text).ok())
        else {
            return;
        };
        let reply = ParsedSend {
            to: Some(
                call.from_jid
                    .phone()
                    .map(Recipient::Phone)
                    .unwrap_or_else(|| Recipient::Jid(call.from_jid.clone())),
            ),
            content: PendingContent::Ready(MessageContent::Text {
                body: text,
                preview_url: false,
            }),
            reply_to: None,
            mentions: Vec::new(),
            metadata: None,
            send_at: None,
            typing: super::send_parse::Typing::Off,
            dry_run: false,
        };
        let queued = match self
            .complete_outbound(instance, super::media::MediaReach::Account, reply)
            .await
        {
            Ok(outbound) => {
                self.queue_outbound(instance, outbound, Default::default())
                    .await
            }
            Err(error) => Err(error),
        };
        if let Err(error) = queued {
            tracing::warn!(instance = %instance.id, call = %call.id, %error, "the call reject message could not be queued");
        }
    }
}
