//! Communities: create them, list them and their groups, link groups to them and unlink
//! them — WhatsApp's rules (members see a community; its admins link groups they administer).

use super::groups::{parse_description, parse_group, parse_subject};
use super::{Gateway, Principal, ServiceError, ServiceResult};
use std::sync::Arc;
use wagate_core::{Capability, Jid};
use wagate_engine::{Community, LinkResult, NewCommunity, Session, SubGroup};

/// Most groups one link or unlink call takes.
const MAX_LINKED_AT_ONCE: usize = 50;

fn parse_groups(raw: &[String]) -> ServiceResult<Vec<Jid>> {
    if raw.is_empty() || raw.len() > MAX_LINKED_AT_ONCE {
        return Err(ServiceError::field(
            "groups",
            format!("between 1 and {MAX_LINKED_AT_ONCE} group JIDs"),
        ));
    }
    raw.iter()
        .map(|group| {
            parse_group(group)
                .map_err(|_| ServiceError::field("groups", format!("{group} is not a group JID")))
        })
        .collect()
}

impl Gateway {
    async fn communities_session(
        &self,
        principal: &Principal,
        id_or_name: &str,
    ) -> ServiceResult<Arc<dyn Session>> {
        let (_, session) = self
            .open_session_for(
                principal,
                id_or_name,
                Capability::Communities,
                "use communities",
            )
            .await?;
        Ok(session)
    }

    pub async fn list_communities(
        &self,
        principal: &Principal,
        id_or_name: &str,
    ) -> ServiceResult<Vec<Community>> {
        let session = self.communities_session(principal, id_or_name).await?;
        Ok(session.communities().await?)
    }

    /// Creates a community owned by the number, with its announcement group.
    pub async fn create_community(
        &self,
        principal: &Principal,
        id_or_name: &str,
        subject: &str,
        description: Option<&str>,
    ) -> ServiceResult<Community> {
        let new = NewCommunity {
            subject: parse_subject(subject)?,
            description: parse_description(description)?,
        };
        let session = self.communities_session(principal, id_or_name).await?;
        Ok(session.create_community(&new).await?)
    }

    /// The groups linked to a community, its announcement group first.
    pub async fn community_groups(
        &self,
        principal: &Principal,
        id_or_name: &str,
        community: &str,
    ) -> ServiceResult<(Jid, Vec<SubGroup>)> {
        let community = parse_group(community)?;
        let session = self.communities_session(principal, id_or_name).await?;
        let groups = session.community_groups(&community).await?;
        Ok((community, groups))
    }

    /// Links groups to a community (`link`) or unlinks them; answers how each fared.
    pub async fn link_community_groups(
        &self,
        principal: &Principal,
        id_or_name: &str,
        community: &str,
        groups: &[String],
        link: bool,
    ) -> ServiceResult<Vec<LinkResult>> {
        let community = parse_group(community)?;
        let groups = parse_groups(groups)?;
        let session = self.communities_session(principal, id_or_name).await?;
        Ok(session.link_groups(&community, &groups, link).await?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn groups_to_link_are_group_jids() {
        let groups = parse_groups(&[
            "120363000000000001@g.us".to_owned(),
            "120363000000000002".to_owned(),
        ])
        .unwrap();
        assert_eq!(groups[1].to_string(), "120363000000000002@g.us");
        assert!(parse_groups(&[]).is_err());
        assert!(parse_groups(&["15550002222@s.whatsapp.net".to_owned()]).is_err());
    }
}
