//! What WhatsApp Web delivers, sorted into wagate's events.
//!
//! `whatsapp-rust` hands over every message as a protobuf: reactions, edits, revokes and poll
//! votes arrive as messages too, so each is classified here. Everything that needs the
//! connection afterwards (downloading a file into the media store, decrypting a poll vote) is
//! left to the session as a [`Pending`] step; the rest is a finished [`SessionEvent`].

use chrono::{DateTime, Utc};
use std::sync::Arc;
use wa::message::protocol_message::Type as ProtocolType;
use wagate_core::{ContactCard, Jid, MessageContent, MessageStatus, PhoneNumber, TextBody};
use wagate_engine::{IncomingChange, IncomingMessage, Sender, SessionEvent};
use whatsapp_rust::Jid as WaJid;
use whatsapp_rust::wacore::proto_helpers::MessageExt;
use whatsapp_rust::wacore::types::events::Receipt;
use whatsapp_rust::wacore::types::message::{MessageInfo, MessageSource};
use whatsapp_rust::wacore::types::presence::ReceiptType;
use whatsapp_rust::waproto::whatsapp as wa;

/// A file someone sent: the session downloads it into the media store, then the message is
/// reported like any other.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MediaKind {
    Image,
    Video,
    Audio,
    Document,
    Sticker,
}

/// What is left to do before an arrived message can be reported.
#[derive(Clone, Debug)]
pub enum Pending {
    /// Download the file (the part of `message` that `kind` names), then report the message.
    Media {
        kind: MediaKind,
        mimetype: String,
        caption: Option<String>,
        file_name: Option<String>,
        /// Voice note (audio) or looping clip (video).
        flag: bool,
        view_once: bool,
        message: Arc<wa::Message>,
        /// The message, to be completed with the stored file.
        envelope: Envelope,
    },
    /// Decrypt a vote on one of our polls, then report it as a change of the poll.
    PollVote {
        chat: Jid,
        /// WhatsApp's id of the poll.
        target: String,
        sender: Sender,
        /// The voter and the poll's author as WhatsApp addressed them (for the decryption).
        voter: WaJid,
        poll_creator: Option<WaJid>,
        encrypted_payload: Vec<u8>,
        iv: Vec<u8>,
        at: DateTime<Utc>,
    },
}

/// The parts of an arrived message every kind shares.
#[derive(Clone, Debug, PartialEq)]
pub struct Envelope {
    pub provider_message_id: String,
    pub chat: Jid,
    pub sender: Sender,
    pub reply_to: Option<String>,
    pub at: DateTime<Utc>,
}

impl Envelope {
    pub fn with(self, content: MessageContent) -> SessionEvent {
        SessionEvent::Incoming(IncomingMessage {
            provider_message_id: self.provider_message_id,
            chat: self.chat,
            sender: self.sender,
            content,
            reply_to: self.reply_to,
            at: self.at,
        })
    }
}

/// How one arrived message is handled.
#[derive(Clone, Debug)]
pub enum Classified {
    Ready(SessionEvent),
    Pending(Pending),
    /// Not something wagate reports (our own echo, a protocol message, a type it does not
    /// model), with the reason for the log.
    Skipped(&'static str),
}

/// A wagate JID for a WhatsApp one, without the device part.
pub fn jid(raw: &WaJid) -> Option<Jid> {
    Jid::parse(&raw.to_non_ad().to_string()).ok()
}

/// The other side of a message, with both its phone number and its LID when WhatsApp gave
/// them (the sender in one addressing mode, `sender_alt` in the other).
pub fn sender(source: &MessageSource, push_name: &str) -> Sender {
    let mut found = Sender {
        push_name: (!push_name.is_empty()).then(|| push_name.to_owned()),
        ..Sender::default()
    };
    for candidate in std::iter::once(&source.sender).chain(source.sender_alt.as_ref()) {
        if candidate.is_pn() && found.phone.is_none() {
            found.phone = PhoneNumber::parse(candidate.user_base()).ok();
        } else if candidate.is_lid() && found.lid.is_none() {
            found.lid = Some(candidate.to_non_ad().to_string());
        }
    }
    found
}

fn quoted_id(context: &wa::ContextInfo) -> Option<String> {
    context.stanza_id.clone().filter(|id| !id.is_empty())
}

/// The id a message replies to, wherever its kind keeps the context.
fn reply_to(message: &wa::Message) -> Option<String> {
    let contexts = [
        message
            .extended_text_message
            .as_option()
            .and_then(|m| m.context_info.as_option()),
        message
            .image_message
            .as_option()
            .and_then(|m| m.context_info.as_option()),
        message
            .video_message
            .as_option()
            .and_then(|m| m.context_info.as_option()),
        message
            .audio_message
            .as_option()
            .and_then(|m| m.context_info.as_option()),
        message
            .document_message
            .as_option()
            .and_then(|m| m.context_info.as_option()),
        message
            .sticker_message
            .as_option()
            .and_then(|m| m.context_info.as_option()),
        message
            .location_message
            .as_option()
            .and_then(|m| m.context_info.as_option()),
        message
            .contact_message
            .as_option()
            .and_then(|m| m.context_info.as_option()),
    ];
    contexts.into_iter().flatten().find_map(quoted_id)
}

fn text(raw: &str) -> Option<MessageContent> {
    TextBody::parse(raw).ok().map(|body| MessageContent::Text {
        body,
        preview_url: false,
    })
}

/// Digits of the first `waid=` of a vCard (the number WhatsApp links the card to).
fn vcard_numbers(vcard: &str) -> Vec<String> {
    vcard
        .split("waid=")
        .skip(1)
        .filter_map(|rest| {
            let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
            (!digits.is_empty()).then_some(digits)
        })
        .collect()
}

fn contact(card: &wa::message::ContactMessage) -> ContactCard {
    ContactCard {
        full_name: card.display_name.clone().unwrap_or_default(),
        phone_numbers: card.vcard.as_deref().map(vcard_numbers).unwrap_or_default(),
        organization: None,
        email: None,
        url: None,
    }
}

/// Sorts one arrived message.
pub fn classify(message: &Arc<wa::Message>, info: &MessageInfo) -> Classified {
    if info.source.is_from_me {
        // Sent from the phone or another linked device: not an arrival.
        return Classified::Skipped("sent by this number from another device");
    }
    let Some(chat) = jid(&info.source.chat) else {
        return Classified::Skipped("a chat wagate cannot address");
    };
    let sender = sender(&info.source, &info.push_name);
    let at = info.timestamp;
    let base = message.get_base_message();

    if let Some(reaction) = base.reaction_message.as_option() {
        let Some(target) = reaction.key.as_option().and_then(|key| key.id.clone()) else {
            return Classified::Skipped("a reaction without its message");
        };
        return Classified::Ready(SessionEvent::Changed {
            chat,
            target,
            sender,
            change: IncomingChange::Reaction {
                emoji: reaction.text.clone().unwrap_or_default(),
            },
            at,
        });
    }
    if let Some(protocol) = base.protocol_message.as_option() {
        let target = protocol.key.as_option().and_then(|key| key.id.clone());
        let change = match protocol.r#type {
            Some(ProtocolType::REVOKE) => Some(IncomingChange::Revoke),
            Some(ProtocolType::MESSAGE_EDIT) => protocol
                .edited_message
                .as_option()
                .and_then(|edited| edited.text_content().map(str::to_owned))
                .map(|text| IncomingChange::Edit { text }),
            _ => None,
        };
        return match (target, change) {
            (Some(target), Some(change)) => Classified::Ready(SessionEvent::Changed {
                chat,
                target,
                sender,
                change,
                at,
            }),
            _ => Classified::Skipped("a protocol message"),
        };
    }
    if let Some(update) = base.poll_update_message.as_option() {
        let key = update.poll_creation_message_key.as_option();
        let (Some(target), Some(vote)) =
            (key.and_then(|key| key.id.clone()), update.vote.as_option())
        else {
            return Classified::Skipped("a poll vote without its poll");
        };
        let poll_creator = key.and_then(|key| {
            if key.from_me == Some(true) {
                None
            } else {
                key.participant
                    .as_deref()
                    .or(key.remote_jid.as_deref())
                    .and_then(|raw| raw.parse().ok())
            }
        });
        return Classified::Pending(Pending::PollVote {
            chat,
            target,
            sender,
            voter: info.source.sender.clone(),
            poll_creator,
            encrypted_payload: vote.enc_payload.clone().unwrap_or_default(),
            iv: vote.enc_iv.clone().unwrap_or_default(),
            at,
        });
    }

    let envelope = Envelope {
        provider_message_id: info.id.to_string(),
        chat,
        sender,
        reply_to: reply_to(base),
        at,
    };
    let view_once = message.is_view_once();
    let media = |kind, mimetype: &Option<String>, caption: Option<String>, file_name, flag| {
        Classified::Pending(Pending::Media {
            kind,
            mimetype: mimetype
                .clone()
                .unwrap_or_else(|| "application/octet-stream".to_owned()),
            caption: caption.filter(|c| !c.is_empty()),
            file_name,
            flag,
            view_once,
            message: Arc::new(base.clone()),
            envelope: envelope.clone(),
        })
    };
    if let Some(image) = base.image_message.as_option() {
        return media(
            MediaKind::Image,
            &image.mimetype,
            image.caption.clone(),
            None,
            false,
        );
    }
    if let Some(video) = base.video_message.as_option() {
        let gif = video.gif_playback == Some(true);
        return media(
            MediaKind::Video,
            &video.mimetype,
            video.caption.clone(),
            None,
            gif,
        );
    }
    if let Some(audio) = base.audio_message.as_option() {
        return media(
            MediaKind::Audio,
            &audio.mimetype,
            None,
            None,
            audio.ptt == Some(true),
        );
    }
    if let Some(document) = base.document_message.as_option() {
        let name = document.file_name.clone();
        return media(
            MediaKind::Document,
            &document.mimetype,
            document.caption.clone(),
            name,
            false,
        );
    }
    if let Some(sticker) = base.sticker_message.as_option() {
        return media(MediaKind::Sticker, &sticker.mimetype, None, None, false);
    }

    match plain_content(base) {
        Some(content) => Classified::Ready(envelope.with(content)),
        None => Classified::Skipped("a message type wagate does not model"),
    }
}

/// The content of a message that carries no file: a text, a location, contact cards or a
/// poll; `None` for anything else.
pub fn plain_content(base: &wa::Message) -> Option<MessageContent> {
    if let Some(location) = base.location_message.as_option() {
        match (location.degrees_latitude, location.degrees_longitude) {
            (Some(latitude), Some(longitude)) => Some(MessageContent::Location {
                latitude,
                longitude,
                name: location.name.clone(),
                address: location.address.clone(),
            }),
            _ => None,
        }
    } else if let Some(card) = base.contact_message.as_option() {
        Some(MessageContent::Contacts {
            contacts: vec![contact(card)],
        })
    } else if let Some(array) = base.contacts_array_message.as_option() {
        Some(MessageContent::Contacts {
            contacts: array.contacts.iter().map(contact).collect(),
        })
    } else if let Some(poll) = base
        .poll_creation_message
        .as_option()
        .or(base.poll_creation_message_v2.as_option())
        .or(base.poll_creation_message_v3.as_option())
    {
        Some(MessageContent::Poll {
            name: poll.name.clone().unwrap_or_default(),
            values: poll
                .options
                .iter()
                .filter_map(|option| option.option_name.clone())
                .collect(),
            selectable_count: poll.selectable_options_count.unwrap_or(1),
        })
    } else {
        base.text_content().and_then(text)
    }
}

/// The status a receipt moves our sent messages to; `None` for receipts that say nothing
/// about them (our own reads on another device, retries, server errors).
pub fn receipt_status(kind: &ReceiptType) -> Option<MessageStatus> {
    match kind {
        ReceiptType::Delivered => Some(MessageStatus::Delivered),
        ReceiptType::Read => Some(MessageStatus::Read),
        ReceiptType::Played => Some(MessageStatus::Played),
        _ => None,
    }
}

/// One event per message the receipt names.
pub fn receipts(receipt: &Receipt) -> Vec<SessionEvent> {
    let Some(status) = receipt_status(&receipt.r#type) else {
        return Vec::new();
    };
    receipt
        .message_ids
        .iter()
        .map(|id| SessionEvent::Receipt {
            provider_message_id: id.to_string(),
            status,
            at: receipt.timestamp,
        })
        .collect()
}

/// A received image's or video's `staticUrl`, if it is WhatsApp's own CDN. The library fetches
/// a message's static URL as it is (WhatsApp sets it on channel media), and anyone can send a
/// message: one naming another host would make the gateway fetch an address a stranger chose
/// (its own network, a cloud metadata service). Without it the file comes from WhatsApp's
/// media hosts by its `directPath`.
pub(crate) fn whatsapp_static_url(url: Option<String>) -> Option<String> {
    let raw = url?;
    let parsed = url::Url::parse(&raw).ok()?;
    let host = parsed.host_str()?.to_ascii_lowercase();
    let whatsapp = host == "whatsapp.net" || host.ends_with(".whatsapp.net");
    (parsed.scheme() == "https" && parsed.port().is_none() && whatsapp).then_some(raw)
}

#[cfg(test)]
mod tests {
    use super::*;
    use whatsapp_rust::buffa::MessageField;

    fn from_customer(id: &str) -> MessageInfo {
        MessageInfo {
            id: id.to_owned(),
            push_name: "Ana".to_owned(),
            timestamp: DateTime::from_timestamp(1_700_000_000, 0).unwrap(),
            source: MessageSource {
                chat: WaJid::pn("15550002222"),
                sender: WaJid::lid_device("100000012345678", 3),
                sender_alt: Some(WaJid::pn_device("15550002222", 3)),
                ..MessageSource::default()
            },
            ..MessageInfo::default()
        }
    }

    fn ready(classified: Classified) -> SessionEvent {
        match classified {
            Classified::Ready(event) => event,
            other => panic!("expected an event, got {other:?}"),
        }
    }

    fn arrived(message: wa::Message) -> Classified {
        classify(&Arc::new(message), &from_customer("3A0001"))
    }

    #[test]
    fn a_text_arrives_with_both_the_phone_number_and_the_lid_of_its_sender() {
        let event = ready(arrived(wa::Message {
            conversation: Some("Hi there".to_owned()),
            ..Default::default()
        }));
        let SessionEvent::Incoming(message) = event else {
            panic!("expected a message, got {event:?}")
        };
        assert_eq!(message.provider_message_id, "3A0001");
        assert_eq!(message.chat.to_string(), "15550002222@s.whatsapp.net");
        assert_eq!(
            message.sender.phone,
            Some(PhoneNumber::parse("15550002222").unwrap())
        );
        assert_eq!(message.sender.lid.as_deref(), Some("100000012345678@lid"));
        assert_eq!(message.sender.push_name.as_deref(), Some("Ana"));
        assert_eq!(message.content.summary(), "Hi there");
        assert_eq!(message.at.timestamp(), 1_700_000_000);
        assert_eq!(message.reply_to, None);
    }

    #[test]
    fn a_reply_names_the_message_it_quotes() {
        let event = ready(arrived(wa::Message {
            extended_text_message: MessageField::some(wa::message::ExtendedTextMessage {
                text: Some("Yes".to_owned()),
                context_info: MessageField::some(wa::ContextInfo {
                    stanza_id: Some("3EB0QUOTED".to_owned()),
                    ..Default::default()
                }),
                ..Default::default()
            }),
            ..Default::default()
        }));
        let SessionEvent::Incoming(message) = event else {
            panic!()
        };
        assert_eq!(message.reply_to.as_deref(), Some("3EB0QUOTED"));
        assert_eq!(message.content.summary(), "Yes");
    }

    #[test]
    fn our_own_messages_echoed_from_the_phone_are_not_arrivals() {
        let mut info = from_customer("3A0002");
        info.source.is_from_me = true;
        let message = Arc::new(wa::Message {
            conversation: Some("sent from the phone".to_owned()),
            ..Default::default()
        });
        assert!(matches!(classify(&message, &info), Classified::Skipped(_)));
    }

    #[test]
    fn reactions_edits_and_revokes_are_changes_of_the_message_they_name() {
        let key = || {
            MessageField::some(wa::MessageKey {
                id: Some("3EB0TARGET".to_owned()),
                from_me: Some(true),
                ..Default::default()
            })
        };
        let reaction = ready(arrived(wa::Message {
            reaction_message: MessageField::some(wa::message::ReactionMessage {
                key: key(),
                text: Some("❤️".to_owned()),
                ..Default::default()
            }),
            ..Default::default()
        }));
        let SessionEvent::Changed {
            target,
            change,
            sender,
            ..
        } = reaction
        else {
            panic!()
        };
        assert_eq!(target, "3EB0TARGET");
        assert_eq!(
            change,
            IncomingChange::Reaction {
                emoji: "❤️".to_owned()
            }
        );
        assert_eq!(sender.push_name.as_deref(), Some("Ana"));

        let edit = ready(arrived(wa::Message {
            protocol_message: MessageField::some(wa::message::ProtocolMessage {
                key: key(),
                r#type: Some(ProtocolType::MESSAGE_EDIT),
                edited_message: MessageField::some(wa::Message {
                    conversation: Some("fixed typo".to_owned()),
                    ..Default::default()
                }),
                ..Default::default()
            }),
            ..Default::default()
        }));
        let SessionEvent::Changed { change, .. } = edit else {
            panic!()
        };
        assert_eq!(
            change,
            IncomingChange::Edit {
                text: "fixed typo".to_owned()
            }
        );

        let revoke = ready(arrived(wa::Message {
            protocol_message: MessageField::some(wa::message::ProtocolMessage {
                key: key(),
                r#type: Some(ProtocolType::REVOKE),
                ..Default::default()
            }),
            ..Default::default()
        }));
        let SessionEvent::Changed { change, .. } = revoke else {
            panic!()
        };
        assert_eq!(change, IncomingChange::Revoke);
    }

    #[test]
    fn media_waits_for_its_download_with_what_the_message_said_about_it() {
        let classified = arrived(wa::Message {
            audio_message: MessageField::some(wa::message::AudioMessage {
                mimetype: Some("audio/ogg; codecs=opus".to_owned()),
                ptt: Some(true),
                ..Default::default()
            }),
            ..Default::default()
        });
        let Classified::Pending(pending) = classified else {
            panic!("{classified:?}")
        };
        let Pending::Media {
            kind,
            mimetype,
            flag,
            envelope,
            message,
            ..
        } = pending
        else {
            panic!()
        };
        assert_eq!(kind, MediaKind::Audio);
        assert_eq!(mimetype, "audio/ogg; codecs=opus");
        assert!(flag, "a voice note");
        assert!(message.audio_message.is_set(), "kept for the download");
        assert_eq!(envelope.provider_message_id, "3A0001");

        let document = arrived(wa::Message {
            document_message: MessageField::some(wa::message::DocumentMessage {
                mimetype: Some("application/pdf".to_owned()),
                file_name: Some("invoice.pdf".to_owned()),
                caption: Some("March".to_owned()),
                ..Default::default()
            }),
            ..Default::default()
        });
        let Classified::Pending(pending) = document else {
            panic!()
        };
        let Pending::Media {
            kind,
            file_name,
            caption,
            ..
        } = pending
        else {
            panic!()
        };
        assert_eq!(kind, MediaKind::Document);
        assert_eq!(file_name.as_deref(), Some("invoice.pdf"));
        assert_eq!(caption.as_deref(), Some("March"));
    }

    #[test]
    fn locations_contact_cards_and_polls_arrive_as_wagates_content() {
        let location = ready(arrived(wa::Message {
            location_message: MessageField::some(wa::message::LocationMessage {
                degrees_latitude: Some(38.7223),
                degrees_longitude: Some(-9.1393),
                name: Some("Lisbon".to_owned()),
                ..Default::default()
            }),
            ..Default::default()
        }));
        let SessionEvent::Incoming(message) = location else {
            panic!()
        };
        assert_eq!(
            message.content,
            MessageContent::Location {
                latitude: 38.7223,
                longitude: -9.1393,
                name: Some("Lisbon".to_owned()),
                address: None,
            }
        );

        let card = ready(arrived(wa::Message {
            contact_message: MessageField::some(wa::message::ContactMessage {
                display_name: Some("Bo".to_owned()),
                vcard: Some(
                    "BEGIN:VCARD\nVERSION:3.0\nFN:Bo\nTEL;type=CELL;waid=15550004444:+1 555-000-4444\nEND:VCARD"
                        .to_owned(),
                ),
                ..Default::default()
            }),
            ..Default::default()
        }));
        let SessionEvent::Incoming(message) = card else {
            panic!()
        };
        let MessageContent::Contacts { contacts } = message.content else {
            panic!()
        };
        assert_eq!(contacts[0].full_name, "Bo");
        assert_eq!(contacts[0].phone_numbers, vec!["15550004444"]);

        let poll = ready(arrived(wa::Message {
            poll_creation_message_v3: MessageField::some(wa::message::PollCreationMessage {
                name: Some("Lunch?".to_owned()),
                options: vec![
                    wa::message::poll_creation_message::Option {
                        option_name: Some("Pizza".to_owned()),
                        option_hash: None,
                    },
                    wa::message::poll_creation_message::Option {
                        option_name: Some("Sushi".to_owned()),
                        option_hash: None,
                    },
                ],
                selectable_options_count: Some(1),
                ..Default::default()
            }),
            ..Default::default()
        }));
        let SessionEvent::Incoming(message) = poll else {
            panic!()
        };
        assert_eq!(
            message.content,
            MessageContent::Poll {
                name: "Lunch?".to_owned(),
                values: vec!["Pizza".to_owned(), "Sushi".to_owned()],
                selectable_count: 1,
            }
        );
    }

    #[test]
    fn a_vote_on_our_poll_waits_for_its_decryption() {
        let classified = arrived(wa::Message {
            poll_update_message: MessageField::some(wa::message::PollUpdateMessage {
                poll_creation_message_key: MessageField::some(wa::MessageKey {
                    id: Some("3EB0POLL".to_owned()),
                    from_me: Some(true),
                    remote_jid: Some("15550002222@s.whatsapp.net".to_owned()),
                    ..Default::default()
                }),
                vote: MessageField::some(wa::message::PollEncValue {
                    enc_payload: Some(vec![7; 48]),
                    enc_iv: Some(vec![8; 12]),
                }),
                ..Default::default()
            }),
            ..Default::default()
        });
        let Classified::Pending(pending) = classified else {
            panic!()
        };
        let Pending::PollVote {
            target,
            poll_creator,
            encrypted_payload,
            iv,
            voter,
            ..
        } = pending
        else {
            panic!()
        };
        assert_eq!(target, "3EB0POLL");
        assert_eq!(poll_creator, None, "our own poll");
        assert_eq!(encrypted_payload, vec![7; 48]);
        assert_eq!(iv, vec![8; 12]);
        assert!(voter.is_lid());
    }

    #[test]
    fn receipts_move_each_named_message_and_ignore_our_own_reads() {
        let source = MessageSource {
            chat: WaJid::pn("15550002222"),
            ..MessageSource::default()
        };
        let receipt = |kind| {
            Receipt::builder()
                .source(source.clone())
                .message_ids(vec!["3EB0A".to_owned(), "3EB0B".to_owned()])
                .timestamp(DateTime::from_timestamp(1_700_000_100, 0).unwrap())
                .r#type(kind)
                .offline(false)
                .build()
        };
        let read = receipts(&receipt(ReceiptType::Read));
        assert_eq!(read.len(), 2);
        assert_eq!(
            read[1],
            SessionEvent::Receipt {
                provider_message_id: "3EB0B".to_owned(),
                status: MessageStatus::Read,
                at: DateTime::from_timestamp(1_700_000_100, 0).unwrap(),
            }
        );
        assert!(matches!(
            receipts(&receipt(ReceiptType::Delivered))[0],
            SessionEvent::Receipt {
                status: MessageStatus::Delivered,
                ..
            }
        ));
        assert!(matches!(
            receipts(&receipt(ReceiptType::Played))[0],
            SessionEvent::Receipt {
                status: MessageStatus::Played,
                ..
            }
        ));
        assert!(receipts(&receipt(ReceiptType::ReadSelf)).is_empty());
        assert!(receipts(&receipt(ReceiptType::Retry)).is_empty());
    }

    #[test]
    fn only_whatsapps_cdn_is_fetched_by_a_static_url() {
        let kept = |url: &str| whatsapp_static_url(Some(url.to_owned())).is_some();
        assert!(kept("https://mmg.whatsapp.net/v/t62.7118-24/123?ccb=1"));
        assert!(kept("https://static.whatsapp.net/media/abc"));
        for url in [
            "http://mmg.whatsapp.net/v/x",
            "https://mmg.whatsapp.net:8443/v/x",
            "https://169.254.169.254/latest/meta-data",
            "https://127.0.0.1/x",
            "https://whatsapp.net.evil.example/x",
            "https://evilwhatsapp.net/x",
            "not a url",
        ] {
            assert!(!kept(url), "{url}");
        }
        assert_eq!(whatsapp_static_url(None), None);
    }
}
