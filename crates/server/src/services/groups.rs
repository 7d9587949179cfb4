//! Groups: read, create and change them through the instance's engine, and turn every group
//! change the engine reports (made through wagate or by someone else) into `group.updated`
//! and `group.participants_updated` events.

use super::event_payloads::rfc3339;
use super::{Gateway, Principal, SendRequest, ServiceError, ServiceResult};
use serde_json::{Value, json};
use std::sync::Arc;
use wagate_core::{Capability, EventKind, InstanceId, Jid, JidKind, PhoneNumber, Recipient};
use wagate_engine::{
    GroupActivity, GroupChange, GroupEvent, GroupInfo, GroupSettingsChange, JoinRequest,
    MemberAction, MemberResult, NewGroup, Session,
};
use wagate_store::{MessageRecord, NewEvent};

const WHAT: &str = "manage groups";
/// WhatsApp's limits on a group's subject and description.
const SUBJECT_MAX_CHARS: usize = 100;
const DESCRIPTION_MAX_CHARS: usize = 2048;
/// How many members one call may add, remove, promote or demote.
pub const MAX_MEMBERS_PER_CALL: usize = 256;

/// A group address from the path: `120363…@g.us`, or its digits alone.
pub fn parse_group(raw: &str) -> ServiceResult<Jid> {
    let raw = raw.trim();
    let full = if raw.contains('@') {
        raw.to_owned()
    } else {
        format!("{raw}@g.us")
    };
    match Jid::parse(&full) {
        Ok(jid) if jid.kind() == JidKind::Group => Ok(jid),
        _ => Err(ServiceError::field(
            "groupJid",
            format!("'{raw}' is not a group address (120363…@g.us)"),
        )),
    }
}

/// Members as phone numbers or user addresses; `field` names the list in errors.
pub fn parse_members(field: &str, raw: &[String]) -> ServiceResult<Vec<Jid>> {
    if raw.is_empty() {
        return Err(ServiceError::field(field, "give at least one member"));
    }
    if raw.len() > MAX_MEMBERS_PER_CALL {
        return Err(ServiceError::field(
            field,
            format!("at most {MAX_MEMBERS_PER_CALL} members per call"),
        ));
    }
    let mut members = Vec::with_capacity(raw.len());
    for (index, member) in raw.iter().enumerate() {
        let jid = Recipient::parse(member)
            .map(|recipient| recipient.jid())
            .ok()
            .filter(|jid| jid.kind() == JidKind::User)
            .ok_or_else(|| {
                ServiceError::field(
                    &format!("{field}[{index}]"),
                    format!("'{member}' is not a phone number or user address"),
                )
            })?;
        if !members.contains(&jid) {
            members.push(jid);
        }
    }
    Ok(members)
}

pub fn parse_subject(raw: &str) -> ServiceResult<String> {
    let subject = raw.trim();
    if subject.is_empty() || subject.chars().count() > SUBJECT_MAX_CHARS {
        return Err(ServiceError::field(
            "subject",
            format!("a group subject has 1 to {SUBJECT_MAX_CHARS} characters"),
        ));
    }
    Ok(subject.to_owned())
}

pub fn parse_description(raw: Option<&str>) -> ServiceResult<Option<String>> {
    match raw.map(str::trim) {
        None | Some("") => Ok(None),
        Some(text) if text.chars().count() > DESCRIPTION_MAX_CHARS => Err(ServiceError::field(
            "description",
            format!("a group description has at most {DESCRIPTION_MAX_CHARS} characters"),
        )),
        Some(text) => Ok(Some(text.to_owned())),
    }
}

/// Disappearing-message timers WhatsApp offers: off, 24 hours, 7 days, 90 days.
pub fn parse_ephemeral(field: &str, seconds: u32) -> ServiceResult<u32> {
    const ALLOWED: [u32; 4] = [0, 86_400, 604_800, 7_776_000];
    if ALLOWED.contains(&seconds) {
        Ok(seconds)
    } else {
        Err(ServiceError::field(
            field,
            "disappearing messages last 0 (off), 86400, 604800 or 7776000 seconds",
        ))
    }
}

fn jid_data(jid: &Jid) -> Value {
    json!({ "jid": jid.to_string(), "phone": jid.phone().map(|p: PhoneNumber| p.as_str().to_owned()) })
}

fn settings_data(change: &GroupSettingsChange) -> Value {
    let mut data = serde_json::Map::new();
    if let Some(announce) = change.announce {
        data.insert("announce".into(), announce.into());
    }
    if let Some(locked) = change.locked {
        data.insert("locked".into(), locked.into());
    }
    if let Some(approval) = change.approval {
        data.insert("approval".into(), approval.into());
    }
    if let Some(seconds) = change.ephemeral_seconds {
        data.insert("ephemeral".into(), seconds.into());
    }
    Value::Object(data)
}

/// The event a group change becomes: its kind and `data`.
pub fn group_event_data(event: &GroupEvent) -> (EventKind, Value) {
    let by = event.by.as_ref().map(jid_data);
    let base = |mut data: Value| {
        data["groupJid"] = event.group.to_string().into();
        data["by"] = by.clone().unwrap_or(Value::Null);
        data["at"] = rfc3339(event.at).into();
        data
    };
    match &event.activity {
        GroupActivity::Created { subject } => (
            EventKind::GroupUpdated,
            base(json!({ "change": "created", "subject": subject })),
        ),
        GroupActivity::Changed(GroupChange::Subject(subject)) => (
            EventKind::GroupUpdated,
            base(json!({ "change": "subject", "subject": subject })),
        ),
        GroupActivity::Changed(GroupChange::Description(description)) => (
            EventKind::GroupUpdated,
            base(json!({ "change": "description", "description": description })),
        ),
        GroupActivity::Changed(GroupChange::Settings(settings)) => (
            EventKind::GroupUpdated,
            base(json!({ "change": "settings", "settings": settings_data(settings) })),
        ),
        GroupActivity::Changed(GroupChange::Picture(image)) => (
            EventKind::GroupUpdated,
            base(
                json!({ "change": "picture", "picture": if image.is_some() { "set" } else { "removed" } }),
            ),
        ),
        GroupActivity::Members { action, members } => (
            EventKind::GroupParticipantsUpdated,
            base(json!({
                "action": action,
                "participants": members.iter().map(jid_data).collect::<Vec<_>>(),
            })),
        ),
    }
}

/// The code of an invite code or link (`https://chat.whatsapp.com/<code>`).
fn invite_code(invite: &str) -> ServiceResult<&str> {
    invite
        .trim()
        .rsplit('/')
        .next()
        .filter(|code| !code.is_empty() && code.chars().all(|c| c.is_ascii_alphanumeric()))
        .ok_or_else(|| {
            ServiceError::field(
                "invite",
                "give an invite code or link (https://chat.whatsapp.com/…)",
            )
        })
}

/// The link an invite code opens.
pub fn invite_link(code: &str) -> String {
    format!("https://chat.whatsapp.com/{code}")
}

/// What joining by invite gave.
pub enum JoinAnswer {
    Joined(GroupInfo),
    /// The group needs an admin's approval; the request was sent.
    Pending(Jid),
}

impl Gateway {
    async fn groups_session(
        &self,
        principal: &Principal,
        id_or_name: &str,
    ) -> ServiceResult<Arc<dyn Session>> {
        let (_, session) = self
            .open_session_for(principal, id_or_name, Capability::Groups, WHAT)
            .await?;
        Ok(session)
    }

    pub async fn list_groups(
        &self,
        principal: &Principal,
        id_or_name: &str,
    ) -> ServiceResult<Vec<GroupInfo>> {
        let session = self.groups_session(principal, id_or_name).await?;
        Ok(session.groups().await?)
    }

    pub async fn group(
        &self,
        principal: &Principal,
        id_or_name: &str,
        group: &str,
    ) -> ServiceResult<GroupInfo> {
        let group = parse_group(group)?;
        let session = self.groups_session(principal, id_or_name).await?;
        Ok(session.group(&group).await?)
    }

    /// Creates a group; answers it as WhatsApp has it (members who could not be added are
    /// not in it).
    pub async fn create_group(
        &self,
        principal: &Principal,
        id_or_name: &str,
        group: NewGroup,
    ) -> ServiceResult<GroupInfo> {
        let session = self.groups_session(principal, id_or_name).await?;
        Ok(session.create_group(&group).await?)
    }

    /// Changes the subject, description or settings; answers the group after the change.
    pub async fn change_group(
        &self,
        principal: &Principal,
        id_or_name: &str,
        group: &str,
        change: GroupChange,
    ) -> ServiceResult<GroupInfo> {
        let group = parse_group(group)?;
        if let GroupChange::Settings(settings) = &change
            && settings.is_empty()
        {
            return Err(ServiceError::field(
                "settings",
                "give at least one of announce, locked, approval, ephemeral",
            ));
        }
        let session = self.groups_session(principal, id_or_name).await?;
        session.change_group(&group, &change).await?;
        Ok(session.group(&group).await?)
    }

    pub async fn change_group_members(
        &self,
        principal: &Principal,
        id_or_name: &str,
        group: &str,
        action: MemberAction,
        members: &[String],
    ) -> ServiceResult<Vec<MemberResult>> {
        let group = parse_group(group)?;
        let members = parse_members("participants", members)?;
        let session = self.groups_session(principal, id_or_name).await?;
        Ok(session.change_members(&group, action, &members).await?)
    }

    /// The group's invite code; `revoke` voids the current one first.
    pub async fn group_invite(
        &self,
        principal: &Principal,
        id_or_name: &str,
        group: &str,
        revoke: bool,
    ) -> ServiceResult<String> {
        let group = parse_group(group)?;
        let session = self.groups_session(principal, id_or_name).await?;
        Ok(session.group_invite(&group, revoke).await?)
    }

    /// Sends the group's invite link to each of `numbers` (phone numbers or user JIDs) as a
    /// text, after `note` when there is one; each is queued like any send. Answers the link
    /// and the queued messages. The numbers are all checked before anything is queued.
    pub async fn send_group_invite(
        &self,
        principal: &Principal,
        id_or_name: &str,
        group: &str,
        numbers: &[String],
        note: Option<&str>,
    ) -> ServiceResult<(String, Vec<MessageRecord>)> {
        let recipients = parse_members("numbers", numbers)?;
        let code = self
            .group_invite(principal, id_or_name, group, false)
            .await?;
        let link = invite_link(&code);
        let text = match note.map(str::trim).filter(|note| !note.is_empty()) {
            Some(note) => format!("{note}\n\n{link}"),
            None => link.clone(),
        };
        let mut queued = Vec::with_capacity(recipients.len());
        for recipient in recipients {
            let request = SendRequest {
                to: Some(recipient.to_string()),
                text: Some(text.clone()),
                ..Default::default()
            };
            queued.push(self.send_message(principal, id_or_name, request).await?);
        }
        Ok((link, queued))
    }

    /// Joins by invite code or link; answers the group, or its address when the group needs
    /// an admin's approval and a request was sent instead.
    pub async fn join_group(
        &self,
        principal: &Principal,
        id_or_name: &str,
        invite: &str,
    ) -> ServiceResult<JoinAnswer> {
        let code = invite_code(invite)?;
        let session = self.groups_session(principal, id_or_name).await?;
        let joined = session.join_group(code).await?;
        if joined.pending {
            return Ok(JoinAnswer::Pending(joined.group));
        }
        Ok(JoinAnswer::Joined(session.group(&joined.group).await?))
    }

    /// What an invite code or link leads to, without joining.
    pub async fn group_invite_info(
        &self,
        principal: &Principal,
        id_or_name: &str,
        invite: &str,
    ) -> ServiceResult<GroupInfo> {
        let code = invite_code(invite)?;
        let session = self.groups_session(principal, id_or_name).await?;
        Ok(session.group_invite_info(code).await?)
    }

    /// Who asked to join a group that needs approval.
    pub async fn join_requests(
        &self,
        principal: &Principal,
        id_or_name: &str,
        group: &str,
    ) -> ServiceResult<Vec<JoinRequest>> {
        let group = parse_group(group)?;
        let session = self.groups_session(principal, id_or_name).await?;
        Ok(session.join_requests(&group).await?)
    }

    /// Approves (`approve`) or rejects (`reject`) requests to join.
    pub async fn answer_join_requests(
        &self,
        principal: &Principal,
        id_or_name: &str,
        group: &str,
        action: &str,
        members: &[String],
    ) -> ServiceResult<Vec<MemberResult>> {
        let approve = match action {
            "approve" => true,
            "reject" => false,
            _ => return Err(ServiceError::NotFound("requests action")),
        };
        let group = parse_group(group)?;
        let members = parse_members("participants", members)?;
        let session = self.groups_session(principal, id_or_name).await?;
        Ok(session
            .answer_join_requests(&group, approve, &members)
            .await?)
    }

    pub async fn leave_group(
        &self,
        principal: &Principal,
        id_or_name: &str,
        group: &str,
    ) -> ServiceResult<()> {
        let group = parse_group(group)?;
        let session = self.groups_session(principal, id_or_name).await?;
        Ok(session.leave_group(&group).await?)
    }

    /// Records a group change an engine reported.
    pub async fn on_group_event(
        &self,
        instance: &InstanceId,
        event: GroupEvent,
    ) -> ServiceResult<()> {
        let Some(record) = self.store.get_instance(instance).await? else {
            return Ok(());
        };
        let (kind, data) = group_event_data(&event);
        self.store
            .append_events(vec![NewEvent {
                account_id: record.account_id.clone(),
                instance_id: Some(record.id.clone()),
                instance_name: Some(record.name.as_str().to_owned()),
                kind,
                data,
            }])
            .await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn group_addresses_are_parsed_with_or_without_the_server() {
        assert_eq!(
            parse_group("120363000000000001").unwrap().to_string(),
            "120363000000000001@g.us"
        );
        assert!(parse_group("120363000000000001@g.us").is_ok());
        assert!(parse_group("15550001111@s.whatsapp.net").is_err());
        assert!(parse_group("not a group").is_err());
    }

    #[test]
    fn members_are_phone_numbers_or_user_addresses_without_duplicates() {
        let members = parse_members(
            "participants",
            &[
                "+1 555 000 2222".into(),
                "15550002222@s.whatsapp.net".into(),
            ],
        )
        .unwrap();
        assert_eq!(members.len(), 1);
        assert!(parse_members("participants", &[]).is_err());
        assert!(parse_members("participants", &["120363000000000001@g.us".into()]).is_err());
    }

    #[test]
    fn only_whatsapps_disappearing_timers_are_taken() {
        assert!(parse_ephemeral("ephemeral", 86_400).is_ok());
        assert!(parse_ephemeral("ephemeral", 0).is_ok());
        assert!(parse_ephemeral("ephemeral", 60).is_err());
    }
}
