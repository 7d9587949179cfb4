//! Channels on WhatsApp Web: the library's newsletter calls and their answers, in wagate's
//! terms.

use crate::inbound::jid;
use chrono::{TimeZone, Utc};
use wagate_core::Jid;
use wagate_engine::{EngineError, NewNewsletter, Newsletter, NewsletterPost, NewsletterRole};
use whatsapp_rust::waproto::whatsapp as wa;
use whatsapp_rust::{
    Client, IqError, Jid as WaJid, NewsletterError, NewsletterMessage, NewsletterMetadata,
    NewsletterRole as WaRole,
};

fn newsletter_error(error: NewsletterError) -> EngineError {
    match error {
        NewsletterError::Iq(IqError::NotConnected) => EngineError::NotConnected,
        NewsletterError::Iq(IqError::ServerError { code: 404, .. }) => {
            EngineError::NotFound { what: "newsletter" }
        }
        NewsletterError::Iq(IqError::ServerError {
            code: 401 | 403, ..
        }) => EngineError::Forbidden("WhatsApp allows that only to the channel's admins".into()),
        other => EngineError::Transient(format!("WhatsApp did not take the channel call: {other}")),
    }
}

fn channel_jid(channel: &Jid) -> Result<WaJid, EngineError> {
    channel
        .to_string()
        .parse()
        .map_err(|_| EngineError::NotFound { what: "newsletter" })
}

fn newsletter(metadata: &NewsletterMetadata) -> Option<Newsletter> {
    Some(Newsletter {
        jid: jid(&metadata.jid)?,
        name: metadata.name.clone(),
        description: metadata.description.clone(),
        followers: metadata.subscriber_count,
        role: match metadata.role {
            Some(WaRole::Owner) => NewsletterRole::Owner,
            Some(WaRole::Admin) => NewsletterRole::Admin,
            Some(WaRole::Subscriber) => NewsletterRole::Follower,
            _ => NewsletterRole::Guest,
        },
        invite: metadata.invite_code.clone(),
        created_at: metadata
            .creation_time
            .and_then(|secs| Utc.timestamp_opt(i64::try_from(secs).ok()?, 0).single()),
    })
}

fn answered(metadata: &NewsletterMetadata) -> Result<Newsletter, EngineError> {
    newsletter(metadata).ok_or_else(|| {
        EngineError::Transient("WhatsApp answered a channel without its address".into())
    })
}

/// A post's text or caption.
fn text(message: &wa::Message) -> Option<String> {
    message
        .conversation
        .clone()
        .or_else(|| {
            message
                .extended_text_message
                .as_option()
                .and_then(|m| m.text.clone())
        })
        .or_else(|| {
            message
                .image_message
                .as_option()
                .and_then(|m| m.caption.clone())
        })
        .or_else(|| {
            message
                .video_message
                .as_option()
                .and_then(|m| m.caption.clone())
        })
}

fn post(message: &NewsletterMessage) -> NewsletterPost {
    NewsletterPost {
        id: message.server_id,
        at: Utc
            .timestamp_opt(i64::try_from(message.timestamp).unwrap_or(0), 0)
            .single()
            .unwrap_or_default(),
        text: message.message.as_ref().and_then(text),
        reactions: message
            .reactions
            .iter()
            .map(|reaction| (reaction.code.clone(), reaction.count))
            .collect(),
    }
}

pub(crate) async fn list(client: &Client) -> Result<Vec<Newsletter>, EngineError> {
    let channels = client
        .newsletter()
        .list_subscribed()
        .await
        .map_err(newsletter_error)?;
    Ok(channels.iter().filter_map(newsletter).collect())
}

pub(crate) async fn get(client: &Client, channel: &Jid) -> Result<Newsletter, EngineError> {
    let metadata = client
        .newsletter()
        .get_metadata(&channel_jid(channel)?)
        .await
        .map_err(newsletter_error)?;
    answered(&metadata)
}

pub(crate) async fn create(
    client: &Client,
    new: &NewNewsletter,
) -> Result<Newsletter, EngineError> {
    let metadata = client
        .newsletter()
        .create(&new.name, new.description.as_deref())
        .await
        .map_err(newsletter_error)?;
    answered(&metadata)
}

pub(crate) async fn follow(
    client: &Client,
    channel: &Jid,
    follow: bool,
) -> Result<(), EngineError> {
    let channel = channel_jid(channel)?;
    let calls = client.newsletter();
    if follow {
        calls.join(&channel).await.map(|_| ())
    } else {
        calls.leave(&channel).await
    }
    .map_err(newsletter_error)
}

pub(crate) async fn mute(client: &Client, channel: &Jid, muted: bool) -> Result<(), EngineError> {
    client
        .newsletter()
        .set_follower_mute(&channel_jid(channel)?, muted)
        .await
        .map_err(newsletter_error)
}

pub(crate) async fn posts(
    client: &Client,
    channel: &Jid,
    count: u32,
    before: Option<u64>,
) -> Result<Vec<NewsletterPost>, EngineError> {
    let messages = client
        .newsletter()
        .get_messages(channel_jid(channel)?, count, before)
        .await
        .map_err(newsletter_error)?;
    let mut posts: Vec<NewsletterPost> = messages.iter().map(post).collect();
    posts.sort_by_key(|post| std::cmp::Reverse(post.id));
    Ok(posts)
}
