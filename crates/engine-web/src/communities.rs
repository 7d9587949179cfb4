//! Communities on WhatsApp Web: the library's community calls and their answers, in wagate's
//! terms.

use crate::groups::{group_error, group_jid};
use crate::inbound::jid;
use chrono::{TimeZone, Utc};
use wagate_core::Jid;
use wagate_engine::{Community, EngineError, LinkResult, NewCommunity, SubGroup};
use whatsapp_rust::{Client, CommunityError, CreateCommunityOptions, GroupMetadata, IqError};

fn community_error(error: CommunityError) -> EngineError {
    match error {
        CommunityError::Iq(IqError::NotConnected) => EngineError::NotConnected,
        CommunityError::Iq(IqError::ServerError { code: 404, .. }) => {
            EngineError::NotFound { what: "community" }
        }
        CommunityError::Iq(IqError::ServerError {
            code: 401 | 403, ..
        }) => EngineError::Forbidden(
            "WhatsApp allows that only to the community's admins (or the number is not in it)"
                .to_owned(),
        ),
        CommunityError::Group(error) => group_error(error),
        other => {
            EngineError::Transient(format!("WhatsApp did not take the community call: {other}"))
        }
    }
}

fn community(metadata: &GroupMetadata) -> Option<Community> {
    Some(Community {
        jid: jid(&metadata.id)?,
        subject: metadata.subject.clone(),
        description: metadata.description.clone(),
        created_at: metadata
            .creation_time
            .and_then(|secs| Utc.timestamp_opt(i64::try_from(secs).ok()?, 0).single()),
    })
}

pub(crate) async fn list(client: &Client) -> Result<Vec<Community>, EngineError> {
    let communities = client
        .community()
        .get_participating()
        .await
        .map_err(community_error)?;
    let mut communities: Vec<Community> = communities.values().filter_map(community).collect();
    communities.sort_by_key(|c| c.created_at);
    Ok(communities)
}

pub(crate) async fn create(client: &Client, new: &NewCommunity) -> Result<Community, EngineError> {
    let mut options = CreateCommunityOptions::new(new.subject.clone());
    options.description = new.description.clone();
    let created = client
        .community()
        .create(options)
        .await
        .map_err(community_error)?;
    community(&created.metadata).ok_or_else(|| {
        EngineError::Transient("WhatsApp answered the new community without its address".into())
    })
}

pub(crate) async fn groups(client: &Client, of: &Jid) -> Result<Vec<SubGroup>, EngineError> {
    let groups = client
        .community()
        .get_subgroups(&group_jid(of)?)
        .await
        .map_err(community_error)?;
    Ok(groups
        .iter()
        .filter_map(|group| {
            Some(SubGroup {
                jid: jid(&group.id)?,
                subject: group.subject.clone(),
                announcement: group.is_default_sub_group,
            })
        })
        .collect())
}

pub(crate) async fn link(
    client: &Client,
    of: &Jid,
    groups: &[Jid],
    link: bool,
) -> Result<Vec<LinkResult>, EngineError> {
    let community = group_jid(of)?;
    let asked = groups
        .iter()
        .map(group_jid)
        .collect::<Result<Vec<_>, _>>()?;
    let calls = client.community();
    let (done, failed) = if link {
        let answer = calls
            .link_subgroups(community, &asked)
            .await
            .map_err(community_error)?;
        (answer.linked_jids, answer.failed_groups)
    } else {
        let answer = calls
            .unlink_subgroups(community, &asked, false)
            .await
            .map_err(community_error)?;
        (answer.unlinked_jids, answer.failed_groups)
    };
    Ok(groups
        .iter()
        .zip(&asked)
        .map(|(group, wa)| LinkResult {
            group: group.clone(),
            refused: if done.iter().any(|d| d.user == wa.user) {
                None
            } else {
                Some(
                    failed
                        .iter()
                        .find(|(jid, _)| jid.user == wa.user)
                        .map_or(500, |(_, code)| *code),
                )
            },
        })
        .collect())
}
