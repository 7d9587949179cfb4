//! Groups on WhatsApp Web: the library's group calls, their answers and its group
//! notifications, in wagate's terms.

use chrono::{TimeZone, Utc};
use wagate_core::Jid;
use wagate_engine::{
    EngineError, GroupActivity, GroupChange, GroupEvent, GroupInfo, GroupMember, GroupSettings,
    GroupSettingsChange, MemberAction, MemberOutcome, MemberResult, MemberRole, SendFailure,
};
use whatsapp_rust::types::events::GroupUpdate;
use whatsapp_rust::wacore::stanza::groups::GroupNotificationAction;
use whatsapp_rust::{
    Client, GroupDescription, GroupError, GroupMetadata, GroupSubject, IqError, Jid as WaJid,
    MembershipApprovalMode, ParticipantChangeResponse, ParticipantType, PreviousDescription,
};

use crate::inbound::jid;

/// A group address WhatsApp takes.
pub(crate) fn group_jid(group: &Jid) -> Result<WaJid, EngineError> {
    group
        .to_string()
        .parse()
        .map_err(|e| EngineError::Permanent {
            failure: SendFailure::InvalidContent,
            message: format!("{group} is not a group address: {e}"),
        })
}

/// What a refused group call means: WhatsApp answers 404 for a group the number is not in,
/// 403 (or 401) for a change only admins may make.
pub(crate) fn group_error(error: GroupError) -> EngineError {
    match error {
        GroupError::Iq(IqError::NotConnected) => EngineError::NotConnected,
        GroupError::Iq(IqError::ServerError { code: 404, .. }) => {
            EngineError::NotFound { what: "group" }
        }
        GroupError::Iq(IqError::ServerError {
            code: 401 | 403, ..
        }) => EngineError::Forbidden(
            "WhatsApp allows that only to the group's admins (or the number is not in it)"
                .to_owned(),
        ),
        GroupError::InvalidRequest(message) => EngineError::Permanent {
            failure: SendFailure::InvalidContent,
            message,
        },
        other => EngineError::Transient(format!("WhatsApp did not take the group call: {other}")),
    }
}

fn role(kind: &ParticipantType) -> MemberRole {
    match kind {
        ParticipantType::SuperAdmin => MemberRole::SuperAdmin,
        ParticipantType::Admin => MemberRole::Admin,
        _ => MemberRole::Member,
    }
}

pub(crate) fn info(metadata: &GroupMetadata) -> Option<GroupInfo> {
    let members = metadata
        .participants
        .iter()
        .filter_map(|participant| {
            // Named by phone number when WhatsApp tells it, else by LID.
            let address = participant
                .phone_number
                .as_ref()
                .unwrap_or(&participant.jid);
            let member = jid(address)?;
            Some(GroupMember {
                phone: member.phone(),
                jid: member,
                role: role(&participant.participant_type),
            })
        })
        .collect();
    Some(GroupInfo {
        jid: jid(&metadata.id)?,
        subject: metadata.subject.clone(),
        description: metadata.description.clone(),
        owner: metadata
            .creator_pn
            .as_ref()
            .or(metadata.creator.as_ref())
            .and_then(jid),
        created_at: metadata
            .creation_time
            .and_then(|secs| Utc.timestamp_opt(i64::try_from(secs).ok()?, 0).single()),
        members,
        settings: GroupSettings {
            announce: metadata.is_announcement,
            locked: metadata.is_locked,
            approval: metadata.membership_approval,
            ephemeral_seconds: metadata
                .ephemeral
                .as_ref()
                .and_then(|ephemeral| ephemeral.expiration)
                .unwrap_or(0),
        },
    })
}

/// How one member fared, from WhatsApp's per-participant error code.
pub(crate) fn member_result(
    action: MemberAction,
    response: &ParticipantChangeResponse,
) -> Option<MemberResult> {
    let address = response.phone_number.as_ref().unwrap_or(&response.jid);
    let outcome = match response.error.as_deref().map(str::parse::<u16>) {
        None => MemberOutcome::Done,
        Some(Ok(409)) if action == MemberAction::Add => MemberOutcome::AlreadyMember,
        Some(Ok(404)) if action == MemberAction::Add => MemberOutcome::NotOnWhatsApp,
        Some(Ok(404)) => MemberOutcome::NotMember,
        Some(Ok(code)) => MemberOutcome::Refused(code),
        Some(Err(_)) => MemberOutcome::Refused(0),
    };
    Some(MemberResult {
        jid: jid(address)?,
        outcome,
    })
}

/// Changes subject, description, picture or settings, one WhatsApp call per setting given.
pub(crate) async fn change(
    client: &Client,
    group: &WaJid,
    change: &GroupChange,
) -> Result<(), EngineError> {
    let groups = client.groups();
    let invalid = |e: anyhow::Error| EngineError::Permanent {
        failure: SendFailure::InvalidContent,
        message: e.to_string(),
    };
    match change {
        GroupChange::Subject(subject) => groups
            .set_subject(
                group.clone(),
                GroupSubject::new(subject.clone()).map_err(invalid)?,
            )
            .await
            .map_err(group_error),
        GroupChange::Description(description) => {
            let description = description
                .as_ref()
                .map(|text| GroupDescription::new(text.clone()))
                .transpose()
                .map_err(invalid)?;
            groups
                .set_description(group.clone(), description, PreviousDescription::Resolve)
                .await
                .map_err(group_error)
        }
        GroupChange::Settings(settings) => change_settings(client, group, settings).await,
        GroupChange::Picture(Some(image)) => groups
            .set_profile_picture(group.clone(), image.bytes().to_vec())
            .await
            .map(|_| ())
            .map_err(group_error),
        GroupChange::Picture(None) => groups
            .remove_profile_picture(group.clone())
            .await
            .map(|_| ())
            .map_err(group_error),
    }
}

async fn change_settings(
    client: &Client,
    group: &WaJid,
    settings: &GroupSettingsChange,
) -> Result<(), EngineError> {
    let groups = client.groups();
    if let Some(announce) = settings.announce {
        groups
            .set_announce(group.clone(), announce)
            .await
            .map_err(group_error)?;
    }
    if let Some(locked) = settings.locked {
        groups
            .set_locked(group.clone(), locked)
            .await
            .map_err(group_error)?;
    }
    if let Some(approval) = settings.approval {
        let mode = if approval {
            MembershipApprovalMode::On
        } else {
            MembershipApprovalMode::Off
        };
        groups
            .set_membership_approval(group.clone(), mode)
            .await
            .map_err(group_error)?;
    }
    if let Some(seconds) = settings.ephemeral_seconds {
        groups
            .set_ephemeral(group.clone(), seconds)
            .await
            .map_err(group_error)?;
    }
    Ok(())
}

fn members(
    participants: &[whatsapp_rust::wacore::stanza::groups::GroupParticipantInfo],
) -> Vec<Jid> {
    participants
        .iter()
        .filter_map(|p| jid(p.phone_number.as_ref().unwrap_or(&p.jid)))
        .collect()
}

/// A group notification as a group event; `None` for what wagate does not report.
pub(crate) fn event(update: &GroupUpdate) -> Option<GroupEvent> {
    let settings =
        |change: GroupSettingsChange| Some(GroupActivity::Changed(GroupChange::Settings(change)));
    let activity = match &update.action {
        GroupNotificationAction::Add { participants, .. } => Some(GroupActivity::Members {
            action: MemberAction::Add,
            members: members(participants),
        }),
        GroupNotificationAction::Remove { participants, .. } => Some(GroupActivity::Members {
            action: MemberAction::Remove,
            members: members(participants),
        }),
        GroupNotificationAction::Promote { participants } => Some(GroupActivity::Members {
            action: MemberAction::Promote,
            members: members(participants),
        }),
        GroupNotificationAction::Demote { participants } => Some(GroupActivity::Members {
            action: MemberAction::Demote,
            members: members(participants),
        }),
        GroupNotificationAction::Subject { subject, .. } => Some(GroupActivity::Changed(
            GroupChange::Subject(subject.clone()),
        )),
        GroupNotificationAction::Description { description, .. } => Some(GroupActivity::Changed(
            GroupChange::Description(description.clone()),
        )),
        GroupNotificationAction::Locked { .. } => settings(GroupSettingsChange {
            locked: Some(true),
            ..Default::default()
        }),
        GroupNotificationAction::Unlocked => settings(GroupSettingsChange {
            locked: Some(false),
            ..Default::default()
        }),
        GroupNotificationAction::Announce => settings(GroupSettingsChange {
            announce: Some(true),
            ..Default::default()
        }),
        GroupNotificationAction::NotAnnounce => settings(GroupSettingsChange {
            announce: Some(false),
            ..Default::default()
        }),
        GroupNotificationAction::Ephemeral { expiration, .. } => settings(GroupSettingsChange {
            ephemeral_seconds: Some(*expiration),
            ..Default::default()
        }),
        GroupNotificationAction::MembershipApprovalMode { enabled } => {
            settings(GroupSettingsChange {
                approval: Some(*enabled),
                ..Default::default()
            })
        }
        _ => None,
    }?;
    Some(GroupEvent {
        group: jid(&update.group_jid)?,
        by: update
            .participant_pn
            .as_ref()
            .or(update.participant.as_ref())
            .and_then(jid),
        activity,
        at: update.timestamp,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use whatsapp_rust::wacore::stanza::groups::GroupParticipantInfo;

    fn wa(raw: &str) -> WaJid {
        raw.parse().unwrap()
    }

    fn update(action: GroupNotificationAction) -> GroupUpdate {
        GroupUpdate::builder()
            .group_jid(wa("120363000000000001@g.us"))
            .participant(wa("100000012345678@lid"))
            .participant_pn(wa("15550001111@s.whatsapp.net"))
            .timestamp(Utc.timestamp_opt(1_800_000_000, 0).unwrap())
            .is_lid_addressing_mode(true)
            .action(action)
            .build()
    }

    #[test]
    fn members_added_by_someone_are_reported_by_phone_number() {
        let added = GroupParticipantInfo {
            jid: wa("100000099999999@lid"),
            phone_number: Some(wa("15550002222@s.whatsapp.net")),
            display_name: None,
            r#type: None,
            lid: None,
            username: None,
            join_time: None,
            group_history_sent_state: None,
        };
        let event = event(&update(GroupNotificationAction::Add {
            participants: vec![added],
            reason: None,
        }))
        .unwrap();
        assert_eq!(event.group.to_string(), "120363000000000001@g.us");
        assert_eq!(event.by.unwrap().to_string(), "15550001111@s.whatsapp.net");
        assert_eq!(
            event.activity,
            GroupActivity::Members {
                action: MemberAction::Add,
                members: vec![Jid::parse("15550002222@s.whatsapp.net").unwrap()],
            }
        );
    }

    #[test]
    fn subject_and_settings_changes_are_reported() {
        let subject = event(&update(GroupNotificationAction::Subject {
            subject: "Launch".to_owned(),
            subject_owner: None,
            subject_time: None,
        }))
        .unwrap();
        assert_eq!(
            subject.activity,
            GroupActivity::Changed(GroupChange::Subject("Launch".to_owned()))
        );
        let locked = event(&update(GroupNotificationAction::Locked { threshold: None })).unwrap();
        assert_eq!(
            locked.activity,
            GroupActivity::Changed(GroupChange::Settings(GroupSettingsChange {
                locked: Some(true),
                ..Default::default()
            }))
        );
    }

    #[test]
    fn per_member_codes_become_outcomes() {
        // As WhatsApp answers: `<participant jid=… error=…/>`.
        let response = |error: Option<&str>| {
            use whatsapp_rust::wacore::protocol::ProtocolNode;
            let mut node = whatsapp_rust::NodeBuilder::new("participant")
                .attr("jid", "15550002222@s.whatsapp.net");
            if let Some(code) = error {
                node = node.attr("error", code);
            }
            ParticipantChangeResponse::try_from_node(&node.build()).unwrap()
        };
        let outcome = |action, error| member_result(action, &response(error)).unwrap().outcome;
        assert_eq!(outcome(MemberAction::Add, None), MemberOutcome::Done);
        assert_eq!(
            outcome(MemberAction::Add, Some("409")),
            MemberOutcome::AlreadyMember
        );
        assert_eq!(
            outcome(MemberAction::Add, Some("404")),
            MemberOutcome::NotOnWhatsApp
        );
        assert_eq!(
            outcome(MemberAction::Remove, Some("404")),
            MemberOutcome::NotMember
        );
        assert_eq!(
            outcome(MemberAction::Add, Some("403")),
            MemberOutcome::Refused(403)
        );
    }
}
