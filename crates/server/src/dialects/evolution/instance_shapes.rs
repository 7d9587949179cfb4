//! An instance as Evolution's instance routes show it: its `integration`, the QR answer of
//! `/instance/connect`, its connection state, and the listing of `/instance/fetchInstances`.

use super::settings;
use super::shapes::connection_state;
use crate::services::{InstanceCounts, InstanceRecord, qr_image};
use chrono::SecondsFormat;
use serde_json::{Value, json};
use wagate_core::EngineKind;

/// Evolution's integration of a linked device (Baileys).
pub const BAILEYS: &str = "WHATSAPP-BAILEYS";
/// Evolution's integration of a Cloud API number.
pub const BUSINESS: &str = "WHATSAPP-BUSINESS";
/// wagate's simulated WhatsApp, by its own name.
pub const SANDBOX: &str = "SANDBOX";

/// The engine an `integration` names, with `linked_device` as the engine of Baileys
/// instances. `None` when the name is not an integration wagate has.
pub fn engine_of(integration: Option<&str>, linked_device: EngineKind) -> Option<EngineKind> {
    match integration.map(str::trim) {
        None | Some("") => Some(linked_device),
        Some(name) if name.eq_ignore_ascii_case(BAILEYS) => Some(linked_device),
        Some(name) if name.eq_ignore_ascii_case(BUSINESS) => Some(EngineKind::Cloud),
        Some(name) if name.eq_ignore_ascii_case(SANDBOX) => Some(EngineKind::Sandbox),
        Some(_) => None,
    }
}

/// The integration an instance shows: the sandbox passes for Baileys where it plays the
/// linked-device engine (so clients that check the name keep working in tests).
pub fn integration_of(engine: EngineKind, linked_device: EngineKind) -> &'static str {
    match engine {
        EngineKind::Cloud => BUSINESS,
        EngineKind::Web => BAILEYS,
        EngineKind::Sandbox if linked_device == EngineKind::Sandbox => BAILEYS,
        EngineKind::Sandbox => SANDBOX,
    }
}

/// `{instance: {instanceName, state}}`.
pub fn state_answer(instance: &InstanceRecord) -> Value {
    json!({ "instance": {
        "instanceName": instance.name.as_str(),
        "state": connection_state(instance.status),
    } })
}

/// `{pairingCode, code, base64, count}`: what the instance shows to be linked with now.
pub fn qr_answer(instance: &InstanceRecord) -> Value {
    let base64 = instance.qr_code.as_deref().and_then(|code| {
        qr_image::data_url(code)
            .map_err(|error| tracing::warn!(%error, "a QR code could not be drawn"))
            .ok()
    });
    json!({
        "pairingCode": instance.pairing_code,
        "code": instance.qr_code,
        "base64": base64,
        "count": instance.qr_count,
    })
}

fn time(at: chrono::DateTime<chrono::Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// One instance of `/instance/fetchInstances`. `token` is always `null`: wagate keeps only a
/// key's hash, so it cannot show a key again.
pub fn listed(
    instance: &InstanceRecord,
    counts: InstanceCounts,
    linked_device: EngineKind,
) -> Value {
    let me = instance.me.as_ref();
    let mut setting = settings::view(&instance.settings);
    setting["instanceId"] = json!(instance.id.as_str());
    json!({
        "id": instance.id.as_str(),
        "name": instance.name.as_str(),
        "connectionStatus": connection_state(instance.status),
        "ownerJid": me.map(|me| me.jid.clone()),
        "profileName": me.and_then(|me| me.push_name.clone()),
        "profilePicUrl": null,
        "integration": integration_of(instance.engine, linked_device),
        "number": me.map(|me| me.phone.as_str().to_owned()),
        "businessId": null,
        "token": null,
        "clientName": "wagate",
        "disconnectionReasonCode": null,
        "disconnectionObject": instance.status_reason,
        "disconnectionAt": null,
        "createdAt": time(instance.created_at),
        "updatedAt": time(instance.updated_at),
        "Setting": setting,
        "_count": {
            "Message": counts.messages,
            "Contact": counts.contacts,
            "Chat": counts.chats,
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integrations_name_engines_both_ways() {
        let web = EngineKind::Web;
        assert_eq!(engine_of(None, web), Some(EngineKind::Web));
        assert_eq!(
            engine_of(Some("WHATSAPP-BAILEYS"), web),
            Some(EngineKind::Web)
        );
        assert_eq!(
            engine_of(Some("whatsapp-business"), web),
            Some(EngineKind::Cloud)
        );
        assert_eq!(engine_of(Some("SANDBOX"), web), Some(EngineKind::Sandbox));
        assert_eq!(engine_of(Some("EVOLUTION"), web), None);
        assert_eq!(integration_of(EngineKind::Web, web), BAILEYS);
        assert_eq!(integration_of(EngineKind::Sandbox, web), SANDBOX);
        assert_eq!(
            integration_of(EngineKind::Sandbox, EngineKind::Sandbox),
            BAILEYS
        );
        assert_eq!(integration_of(EngineKind::Cloud, web), BUSINESS);
    }
}
