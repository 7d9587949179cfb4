//! Newsletters (WhatsApp Channels): those the number runs or follows, creating one,
//! following, unfollowing and muting, and reading posts. Posting is sending a message to the
//! channel's address, through the queue like any message.

use super::{Gateway, Principal, ServiceError, ServiceResult};
use std::sync::Arc;
use wagate_core::{Capability, Jid, JidKind};
use wagate_engine::{NewNewsletter, Newsletter, NewsletterPost, Session};

const NAME_MAX_CHARS: usize = 100;
const DESCRIPTION_MAX_CHARS: usize = 2048;
const DEFAULT_POSTS: u32 = 20;
const MAX_POSTS: u32 = 100;

/// A channel from the path: `<digits>@newsletter`, or the digits alone.
pub fn parse_newsletter(raw: &str) -> ServiceResult<Jid> {
    let raw = raw.trim();
    let full = if raw.contains('@') {
        raw.to_owned()
    } else {
        format!("{raw}@newsletter")
    };
    match Jid::parse(&full) {
        Ok(jid) if jid.kind() == JidKind::Newsletter => Ok(jid),
        _ => Err(ServiceError::field(
            "newsletterJid",
            "a channel's address: <digits>@newsletter",
        )),
    }
}

/// `follow`, `unfollow`, `mute` or `unmute`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NewsletterAction {
    Follow(bool),
    Mute(bool),
}

impl NewsletterAction {
    pub fn parse(raw: &str) -> ServiceResult<Self> {
        match raw {
            "follow" => Ok(Self::Follow(true)),
            "unfollow" => Ok(Self::Follow(false)),
            "mute" => Ok(Self::Mute(true)),
            "unmute" => Ok(Self::Mute(false)),
            _ => Err(ServiceError::NotFound("newsletter action")),
        }
    }
}

fn parse_new(name: &str, description: Option<&str>) -> ServiceResult<NewNewsletter> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > NAME_MAX_CHARS {
        return Err(ServiceError::field(
            "name",
            format!("a channel's name has 1 to {NAME_MAX_CHARS} characters"),
        ));
    }
    let description = description.map(str::trim).filter(|d| !d.is_empty());
    if description.is_some_and(|d| d.chars().count() > DESCRIPTION_MAX_CHARS) {
        return Err(ServiceError::field(
            "description",
            format!("at most {DESCRIPTION_MAX_CHARS} characters"),
        ));
    }
    Ok(NewNewsletter {
        name: name.to_owned(),
        description: description.map(str::to_owned),
    })
}

impl Gateway {
    async fn newsletters_session(
        &self,
        principal: &Principal,
        id_or_name: &str,
    ) -> ServiceResult<Arc<dyn Session>> {
        let (_, session) = self
            .open_session_for(
                principal,
                id_or_name,
                Capability::Newsletters,
                "use channels",
            )
            .await?;
        Ok(session)
    }

    /// The channels the number runs or follows.
    pub async fn list_newsletters(
        &self,
        principal: &Principal,
        id_or_name: &str,
    ) -> ServiceResult<Vec<Newsletter>> {
        let session = self.newsletters_session(principal, id_or_name).await?;
        Ok(session.newsletters().await?)
    }

    pub async fn get_newsletter(
        &self,
        principal: &Principal,
        id_or_name: &str,
        jid: &str,
    ) -> ServiceResult<Newsletter> {
        let jid = parse_newsletter(jid)?;
        let session = self.newsletters_session(principal, id_or_name).await?;
        Ok(session.newsletter(&jid).await?)
    }

    pub async fn create_newsletter(
        &self,
        principal: &Principal,
        id_or_name: &str,
        name: &str,
        description: Option<&str>,
    ) -> ServiceResult<Newsletter> {
        let new = parse_new(name, description)?;
        let session = self.newsletters_session(principal, id_or_name).await?;
        Ok(session.create_newsletter(&new).await?)
    }

    /// Follows, unfollows, mutes or unmutes a channel; answers it after.
    pub async fn newsletter_action(
        &self,
        principal: &Principal,
        id_or_name: &str,
        jid: &str,
        action: &str,
    ) -> ServiceResult<Newsletter> {
        let action = NewsletterAction::parse(action)?;
        let jid = parse_newsletter(jid)?;
        let session = self.newsletters_session(principal, id_or_name).await?;
        match action {
            NewsletterAction::Follow(follow) => session.follow_newsletter(&jid, follow).await?,
            NewsletterAction::Mute(muted) => session.mute_newsletter(&jid, muted).await?,
        }
        Ok(session.newsletter(&jid).await?)
    }

    /// A channel's posts, newest first.
    pub async fn newsletter_posts(
        &self,
        principal: &Principal,
        id_or_name: &str,
        jid: &str,
        count: Option<u32>,
        before: Option<u64>,
    ) -> ServiceResult<Vec<NewsletterPost>> {
        let count = count.unwrap_or(DEFAULT_POSTS);
        if !(1..=MAX_POSTS).contains(&count) {
            return Err(ServiceError::field(
                "count",
                format!("between 1 and {MAX_POSTS}"),
            ));
        }
        let jid = parse_newsletter(jid)?;
        let session = self.newsletters_session(principal, id_or_name).await?;
        Ok(session.newsletter_posts(&jid, count, before).await?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn channel_addresses_and_actions_are_parsed() {
        assert_eq!(
            parse_newsletter("120363500000000001").unwrap().to_string(),
            "120363500000000001@newsletter"
        );
        assert!(parse_newsletter("120363000000000001@g.us").is_err());
        assert_eq!(
            NewsletterAction::parse("unmute").unwrap(),
            NewsletterAction::Mute(false)
        );
        assert!(NewsletterAction::parse("share").is_err());
        assert!(parse_new(" ", None).is_err());
        assert_eq!(parse_new(" News ", Some(" ")).unwrap().description, None);
    }
}
