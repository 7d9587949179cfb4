//! A group as Evolution answers it: Baileys' group metadata (`id`, `subject`, `creation`,
//! `owner`, `desc`, `restrict`, `announce`, `participants[{id, admin}]`, …). What WhatsApp
//! does not tell wagate (who set the subject, and when) is `null`.

use crate::services::{GroupInfo, GroupMember, MemberRole};
use serde_json::{Value, json};
use wagate_core::JidKind;

/// A member as Baileys lists them: `admin` is `superadmin`, `admin` or `null`.
pub fn participant(member: &GroupMember) -> Value {
    let admin = match member.role {
        MemberRole::SuperAdmin => Some("superadmin"),
        MemberRole::Admin => Some("admin"),
        MemberRole::Member => None,
    };
    let mut shown = json!({ "id": member.jid.to_string(), "admin": admin });
    if member.jid.kind() == JidKind::Lid
        && let Some(phone) = &member.phone
    {
        shown["phoneNumber"] = json!(phone.to_jid().to_string());
    }
    shown
}

/// The group's metadata; its participants when `with_participants`.
pub fn metadata(group: &GroupInfo, with_participants: bool) -> Value {
    let mut shown = json!({
        "id": group.jid.to_string(),
        "subject": group.subject,
        "subjectOwner": null,
        "subjectTime": null,
        "size": group.members.len(),
        "creation": group.created_at.map(|at| at.timestamp()),
        "owner": group.owner.as_ref().map(ToString::to_string),
        "desc": group.description,
        "descId": null,
        "restrict": group.settings.locked,
        "announce": group.settings.announce,
        "joinApprovalMode": group.settings.approval,
        "isCommunity": false,
        "isCommunityAnnounce": false,
    });
    if group.settings.ephemeral_seconds > 0 {
        shown["ephemeralDuration"] = json!(group.settings.ephemeral_seconds);
    }
    if with_participants {
        shown["participants"] = group.members.iter().map(participant).collect();
    }
    shown
}

/// The example the OpenAPI document shows for a group.
pub fn example() -> Value {
    json!({
        "id": "120363012345678901@g.us",
        "subject": "Launch team",
        "subjectOwner": null,
        "subjectTime": null,
        "size": 2,
        "creation": 1709312400,
        "owner": "5511999999999@s.whatsapp.net",
        "desc": "Everything about the launch",
        "descId": null,
        "restrict": false,
        "announce": false,
        "joinApprovalMode": false,
        "isCommunity": false,
        "isCommunityAnnounce": false,
        "participants": [
            { "id": "5511999999999@s.whatsapp.net", "admin": "superadmin" },
            { "id": "5511888888888@s.whatsapp.net", "admin": null }
        ]
    })
}
