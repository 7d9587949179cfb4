//! Groups in the sandbox: one registry for the whole simulated network, so two sandbox
//! numbers in one group see each other's changes, with the rules WhatsApp applies: only
//! members see a group; only admins change members, settings and the invite link, and the
//! subject and description too once the group is locked; numbers without WhatsApp cannot be
//! added; the owner cannot be demoted.

use super::is_on_whatsapp;
use crate::{
    Community, EngineError, GroupChange, GroupInfo, GroupMember, GroupSettings, JoinRequest,
    Joined, LinkResult, MemberAction, MemberOutcome, MemberResult, MemberRole, NewCommunity,
    NewGroup, SubGroup,
};
use chrono::{DateTime, Utc};
use std::collections::HashMap;
use wagate_core::Jid;

const NOT_FOUND: EngineError = EngineError::NotFound { what: "group" };

#[derive(Debug)]
struct SimGroup {
    info: GroupInfo,
    /// How many times the invite link was revoked; the code is derived from it.
    revoked: u64,
    /// Who asked to join (the group needs approval), oldest first.
    requests: Vec<JoinRequest>,
    /// A community: a parent of linked groups, not a chat of its own.
    community: bool,
    /// The community the group is linked to.
    parent: Option<Jid>,
    /// A community's announcement group.
    announcement: bool,
}

impl SimGroup {
    fn new(info: GroupInfo) -> Self {
        Self {
            info,
            revoked: 0,
            requests: Vec::new(),
            community: false,
            parent: None,
            announcement: false,
        }
    }

    fn member(&self, jid: &Jid) -> Option<&GroupMember> {
        self.info.members.iter().find(|member| &member.jid == jid)
    }

    fn require_admin(&self, me: &Jid, what: &str) -> Result<(), EngineError> {
        match self.member(me) {
            Some(member) if member.role.is_admin() => Ok(()),
            _ => Err(EngineError::Forbidden(format!(
                "only the group's admins can {what}"
            ))),
        }
    }
}

#[derive(Debug, Default)]
pub(super) struct GroupRegistry {
    groups: HashMap<Jid, SimGroup>,
    created: u64,
}

fn invite_code(group: &Jid, generation: u64) -> String {
    let hash = format!("{group}/{generation}")
        .bytes()
        .fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
            (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
        });
    format!("Sbx{hash:016X}")
}

fn community(info: &GroupInfo) -> Community {
    Community {
        jid: info.jid.clone(),
        subject: info.subject.clone(),
        description: info.description.clone(),
        created_at: info.created_at,
    }
}

fn member(jid: &Jid, role: MemberRole) -> GroupMember {
    GroupMember {
        jid: jid.clone(),
        phone: jid.phone(),
        role,
    }
}

impl GroupRegistry {
    fn joined(&self, me: &Jid, group: &Jid) -> Result<&SimGroup, EngineError> {
        self.groups
            .get(group)
            .filter(|sim| sim.member(me).is_some())
            .ok_or(NOT_FOUND)
    }

    fn joined_mut(&mut self, me: &Jid, group: &Jid) -> Result<&mut SimGroup, EngineError> {
        self.groups
            .get_mut(group)
            .filter(|sim| sim.member(me).is_some())
            .ok_or(NOT_FOUND)
    }

    /// Creates a group owned by `me` with those of `new.members` who are on WhatsApp.
    pub fn create(
        &mut self,
        me: &Jid,
        new: &NewGroup,
        now: DateTime<Utc>,
    ) -> (GroupInfo, Vec<MemberResult>) {
        self.created += 1;
        let jid = Jid::parse(&format!(
            "120363{:012}@g.us",
            now.timestamp_micros().unsigned_abs() % 1_000_000 * 1_000_000 + self.created
        ))
        .expect("a group address");
        let mut members = vec![member(me, MemberRole::SuperAdmin)];
        let mut results = Vec::new();
        for invited in &new.members {
            let outcome = if !invited.phone().is_some_and(|p| is_on_whatsapp(p.as_str())) {
                MemberOutcome::NotOnWhatsApp
            } else if members.iter().any(|m| &m.jid == invited) {
                MemberOutcome::AlreadyMember
            } else {
                members.push(member(invited, MemberRole::Member));
                MemberOutcome::Done
            };
            results.push(MemberResult {
                jid: invited.clone(),
                outcome,
            });
        }
        let info = GroupInfo {
            jid: jid.clone(),
            subject: new.subject.clone(),
            description: new.description.clone(),
            owner: Some(me.clone()),
            created_at: Some(now),
            members,
            settings: GroupSettings::default(),
        };
        self.groups.insert(jid, SimGroup::new(info.clone()));
        (info, results)
    }

    /// Creates a community owned by `me`, with its announcement group.
    pub fn create_community(
        &mut self,
        me: &Jid,
        new: &NewCommunity,
        now: DateTime<Utc>,
    ) -> Community {
        let plain = |subject: &str, description: Option<String>| NewGroup {
            subject: subject.to_owned(),
            members: Vec::new(),
            description,
        };
        let (info, _) = self.create(me, &plain(&new.subject, new.description.clone()), now);
        let (announcements, _) = self.create(me, &plain(&new.subject, None), now);
        if let Some(sim) = self.groups.get_mut(&announcements.jid) {
            sim.parent = Some(info.jid.clone());
            sim.announcement = true;
            sim.info.settings.announce = true;
        }
        if let Some(sim) = self.groups.get_mut(&info.jid) {
            sim.community = true;
        }
        community(&info)
    }

    pub fn communities_of(&self, me: &Jid) -> Vec<Community> {
        let mut communities: Vec<Community> = self
            .groups
            .values()
            .filter(|sim| sim.community && sim.member(me).is_some())
            .map(|sim| community(&sim.info))
            .collect();
        communities.sort_by_key(|c| c.created_at);
        communities
    }

    fn joined_community(&self, me: &Jid, jid: &Jid) -> Result<&SimGroup, EngineError> {
        self.joined(me, jid)
            .ok()
            .filter(|sim| sim.community)
            .ok_or(EngineError::NotFound { what: "community" })
    }

    /// The groups linked to a community, the announcement group first.
    pub fn community_groups(&self, me: &Jid, jid: &Jid) -> Result<Vec<SubGroup>, EngineError> {
        self.joined_community(me, jid)?;
        let mut groups: Vec<&SimGroup> = self
            .groups
            .values()
            .filter(|sim| sim.parent.as_ref() == Some(jid))
            .collect();
        groups.sort_by_key(|sim| (!sim.announcement, sim.info.created_at));
        Ok(groups
            .into_iter()
            .map(|sim| SubGroup {
                jid: sim.info.jid.clone(),
                subject: sim.info.subject.clone(),
                announcement: sim.announcement,
            })
            .collect())
    }

    /// Links groups to a community or unlinks them, as WhatsApp answers each: 403 when the
    /// number is not the group's admin, 404 for a group it is not in (or, unlinking, one not
    /// linked here), 409 for a group linked to a community already.
    pub fn link(
        &mut self,
        me: &Jid,
        jid: &Jid,
        groups: &[Jid],
        link: bool,
    ) -> Result<Vec<LinkResult>, EngineError> {
        self.joined_community(me, jid)?
            .require_admin(me, "link or unlink its groups")?;
        Ok(groups
            .iter()
            .map(|group| {
                let refused = match self
                    .groups
                    .get_mut(group)
                    .filter(|sim| sim.member(me).is_some() && !sim.community)
                {
                    None => Some(404),
                    Some(sim) if !sim.member(me).is_some_and(|m| m.role.is_admin()) => Some(403),
                    Some(sim) if link && sim.parent.is_some() => Some(409),
                    Some(sim)
                        if !link && (sim.parent.as_ref() != Some(jid) || sim.announcement) =>
                    {
                        Some(404)
                    }
                    Some(sim) => {
                        sim.parent = link.then(|| jid.clone());
                        None
                    }
                };
                LinkResult {
                    group: group.clone(),
                    refused,
                }
            })
            .collect())
    }

    pub fn of_member(&self, me: &Jid) -> Vec<GroupInfo> {
        let mut groups: Vec<GroupInfo> = self
            .groups
            .values()
            .filter(|sim| sim.member(me).is_some() && !sim.community)
            .map(|sim| sim.info.clone())
            .collect();
        groups.sort_by_key(|group| group.created_at);
        groups
    }

    pub fn info(&self, me: &Jid, group: &Jid) -> Result<GroupInfo, EngineError> {
        Ok(self.joined(me, group)?.info.clone())
    }

    /// The members to tell about a change in `group`.
    pub fn members(&self, group: &Jid) -> Vec<Jid> {
        self.groups
            .get(group)
            .map(|sim| sim.info.members.iter().map(|m| m.jid.clone()).collect())
            .unwrap_or_default()
    }

    pub fn change(
        &mut self,
        me: &Jid,
        group: &Jid,
        change: &GroupChange,
    ) -> Result<(), EngineError> {
        let sim = self.joined_mut(me, group)?;
        match change {
            GroupChange::Subject(subject) => {
                if sim.info.settings.locked {
                    sim.require_admin(me, "change the subject of a locked group")?;
                }
                sim.info.subject = subject.clone();
            }
            GroupChange::Description(description) => {
                if sim.info.settings.locked {
                    sim.require_admin(me, "change the description of a locked group")?;
                }
                sim.info.description = description.clone();
            }
            GroupChange::Settings(settings) => {
                sim.require_admin(me, "change the group's settings")?;
                settings.apply(&mut sim.info.settings);
            }
            GroupChange::Picture(_) => {
                if sim.info.settings.locked {
                    sim.require_admin(me, "change the picture of a locked group")?;
                }
            }
        }
        Ok(())
    }

    pub fn change_members(
        &mut self,
        me: &Jid,
        group: &Jid,
        action: MemberAction,
        members: &[Jid],
    ) -> Result<Vec<MemberResult>, EngineError> {
        let sim = self.joined_mut(me, group)?;
        sim.require_admin(me, "add, remove, promote or demote members")?;
        let owner = sim.info.owner.clone();
        let mut results = Vec::with_capacity(members.len());
        for jid in members {
            let position = sim.info.members.iter().position(|m| &m.jid == jid);
            let outcome = match (action, position) {
                (MemberAction::Add, Some(_)) => MemberOutcome::AlreadyMember,
                (MemberAction::Add, None) => {
                    if jid.phone().is_some_and(|p| is_on_whatsapp(p.as_str())) {
                        sim.info.members.push(member(jid, MemberRole::Member));
                        MemberOutcome::Done
                    } else {
                        MemberOutcome::NotOnWhatsApp
                    }
                }
                (_, None) => MemberOutcome::NotMember,
                (_, Some(_)) if owner.as_ref() == Some(jid) && jid != me => {
                    MemberOutcome::Refused(403)
                }
                (MemberAction::Remove, Some(at)) => {
                    sim.info.members.remove(at);
                    MemberOutcome::Done
                }
                (MemberAction::Promote, Some(at)) => {
                    let current = &mut sim.info.members[at].role;
                    if *current == MemberRole::Member {
                        *current = MemberRole::Admin;
                    }
                    MemberOutcome::Done
                }
                (MemberAction::Demote, Some(at)) => {
                    sim.info.members[at].role = MemberRole::Member;
                    MemberOutcome::Done
                }
            };
            results.push(MemberResult {
                jid: jid.clone(),
                outcome,
            });
        }
        Ok(results)
    }

    pub fn invite(&mut self, me: &Jid, group: &Jid, revoke: bool) -> Result<String, EngineError> {
        let sim = self.joined_mut(me, group)?;
        sim.require_admin(me, "share or revoke the invite link")?;
        if revoke {
            sim.revoked += 1;
        }
        Ok(invite_code(group, sim.revoked))
    }

    fn by_invite(&mut self, code: &str) -> Result<&mut SimGroup, EngineError> {
        self.groups
            .values_mut()
            .find(|sim| invite_code(&sim.info.jid, sim.revoked) == code)
            .ok_or(EngineError::NotFound {
                what: "invite code",
            })
    }

    /// Joins by invite code, or asks to when the group needs approval.
    pub fn join(
        &mut self,
        me: &Jid,
        code: &str,
        now: DateTime<Utc>,
    ) -> Result<Joined, EngineError> {
        let sim = self.by_invite(code)?;
        let group = sim.info.jid.clone();
        if sim.member(me).is_some() {
            return Ok(Joined {
                group,
                pending: false,
            });
        }
        if sim.info.settings.approval {
            if !sim.requests.iter().any(|request| &request.jid == me) {
                sim.requests.push(JoinRequest {
                    jid: me.clone(),
                    at: Some(now),
                });
            }
            return Ok(Joined {
                group,
                pending: true,
            });
        }
        sim.info.members.push(member(me, MemberRole::Member));
        Ok(Joined {
            group,
            pending: false,
        })
    }

    /// What an invite code leads to, for anyone who has it.
    pub fn invite_info(&mut self, code: &str) -> Result<GroupInfo, EngineError> {
        Ok(self.by_invite(code)?.info.clone())
    }

    pub fn join_requests(
        &mut self,
        me: &Jid,
        group: &Jid,
    ) -> Result<Vec<JoinRequest>, EngineError> {
        let sim = self.joined_mut(me, group)?;
        sim.require_admin(me, "see who asked to join")?;
        Ok(sim.requests.clone())
    }

    /// Approves (adds) or rejects those who asked to join.
    pub fn answer_join_requests(
        &mut self,
        me: &Jid,
        group: &Jid,
        approve: bool,
        members: &[Jid],
    ) -> Result<Vec<MemberResult>, EngineError> {
        let sim = self.joined_mut(me, group)?;
        sim.require_admin(me, "approve or reject requests to join")?;
        Ok(members
            .iter()
            .map(|jid| {
                let asked = sim.requests.iter().position(|request| &request.jid == jid);
                let outcome = match asked {
                    None => MemberOutcome::NotMember,
                    Some(at) => {
                        sim.requests.remove(at);
                        if approve {
                            sim.info.members.push(member(jid, MemberRole::Member));
                        }
                        MemberOutcome::Done
                    }
                };
                MemberResult {
                    jid: jid.clone(),
                    outcome,
                }
            })
            .collect())
    }

    /// Leaves a group; the last member out deletes it. Answers who was in it before.
    pub fn leave(&mut self, me: &Jid, group: &Jid) -> Result<Vec<Jid>, EngineError> {
        let sim = self.joined_mut(me, group)?;
        let before = sim.info.members.iter().map(|m| m.jid.clone()).collect();
        sim.info.members.retain(|m| &m.jid != me);
        if sim.info.members.is_empty() {
            self.groups.remove(group);
        }
        Ok(before)
    }
}
