//! Channels of the simulated network: who runs and follows each, and its posts. A sandbox
//! number posts by sending a message to the channel's address; only its owner may.

use crate::{EngineError, NewNewsletter, Newsletter, NewsletterPost, NewsletterRole};
use chrono::{DateTime, Utc};
use std::collections::{HashMap, HashSet};
use wagate_core::Jid;

#[derive(Debug)]
struct SimNewsletter {
    name: String,
    description: Option<String>,
    owner: Jid,
    followers: HashSet<Jid>,
    created_at: DateTime<Utc>,
    posts: Vec<NewsletterPost>,
}

#[derive(Debug, Default)]
pub(super) struct NewsletterBoard {
    channels: HashMap<Jid, SimNewsletter>,
    created: u64,
}

const NOT_FOUND: EngineError = EngineError::NotFound { what: "newsletter" };

impl NewsletterBoard {
    fn view(&self, me: &Jid, jid: &Jid) -> Option<Newsletter> {
        let channel = self.channels.get(jid)?;
        let role = if &channel.owner == me {
            NewsletterRole::Owner
        } else if channel.followers.contains(me) {
            NewsletterRole::Follower
        } else {
            NewsletterRole::Guest
        };
        Some(Newsletter {
            jid: jid.clone(),
            name: channel.name.clone(),
            description: channel.description.clone(),
            followers: channel.followers.len() as u64,
            role,
            invite: Some(format!("SbxChannel{}", jid.user())),
            created_at: Some(channel.created_at),
        })
    }

    pub fn create(&mut self, me: &Jid, new: &NewNewsletter, now: DateTime<Utc>) -> Newsletter {
        self.created += 1;
        let jid = Jid::parse(&format!(
            "120363{:012}@newsletter",
            500_000_000_000 + self.created
        ))
        .expect("a channel address");
        self.channels.insert(
            jid.clone(),
            SimNewsletter {
                name: new.name.clone(),
                description: new.description.clone(),
                owner: me.clone(),
                followers: HashSet::new(),
                created_at: now,
                posts: Vec::new(),
            },
        );
        self.view(me, &jid).expect("just created")
    }

    /// The channels `me` runs or follows, oldest first.
    pub fn of(&self, me: &Jid) -> Vec<Newsletter> {
        let mut mine: Vec<Newsletter> = self
            .channels
            .keys()
            .filter_map(|jid| self.view(me, jid))
            .filter(|channel| channel.role != NewsletterRole::Guest)
            .collect();
        mine.sort_by_key(|channel| channel.created_at);
        mine
    }

    pub fn get(&self, me: &Jid, jid: &Jid) -> Result<Newsletter, EngineError> {
        self.view(me, jid).ok_or(NOT_FOUND)
    }

    /// Follows or unfollows; the owner can do neither.
    pub fn follow(&mut self, me: &Jid, jid: &Jid, follow: bool) -> Result<(), EngineError> {
        let channel = self.channels.get_mut(jid).ok_or(NOT_FOUND)?;
        if &channel.owner == me {
            return Err(EngineError::InvalidState(
                "the channel's owner neither follows nor unfollows it".to_owned(),
            ));
        }
        if follow {
            channel.followers.insert(me.clone());
        } else {
            channel.followers.remove(me);
        }
        Ok(())
    }

    /// Posts, newest first: at most `count`, older than `before` when given.
    pub fn posts(
        &self,
        jid: &Jid,
        count: usize,
        before: Option<u64>,
    ) -> Result<Vec<NewsletterPost>, EngineError> {
        let channel = self.channels.get(jid).ok_or(NOT_FOUND)?;
        Ok(channel
            .posts
            .iter()
            .rev()
            .filter(|post| before.is_none_or(|before| post.id < before))
            .take(count)
            .cloned()
            .collect())
    }

    /// Only a channel's owner posts in it.
    pub fn may_post(&self, me: &Jid, jid: &Jid) -> Result<(), EngineError> {
        let channel = self.channels.get(jid).ok_or(NOT_FOUND)?;
        if &channel.owner != me {
            return Err(EngineError::Forbidden(
                "only the channel's owner and admins post in it".to_owned(),
            ));
        }
        Ok(())
    }

    /// A post (its owner checked by [`Self::may_post`]).
    pub fn post(&mut self, jid: &Jid, text: Option<String>, at: DateTime<Utc>) {
        if let Some(channel) = self.channels.get_mut(jid) {
            let id = channel.posts.len() as u64 + 100;
            channel.posts.push(NewsletterPost {
                id,
                at,
                text,
                reactions: Vec::new(),
            });
        }
    }
}
