//! wagate's message model turned into the protobuf WhatsApp Web sends.
//!
//! The mapping is a pure function of the message and what the session looked up for it (the
//! uploaded file, the quoted message, the key of a reacted-to message, the people a mention of
//! everyone stands for), so every field can be checked without a connection. The library's
//! own builders cover media only and take its upload answer, which cannot be made outside it;
//! every message is therefore assembled here the way WhatsApp Web (and those builders)
//! assemble it.

use sha2::{Digest, Sha256};
use wa::__buffa::oneof::message::buttons_message::Header as ButtonsHeader;
use wa::message::buttons_message::{Button, button};
use wa::message::list_message;
use wagate_core::{InteractiveAction, MessageContent, MessageId};
use wagate_engine::{EngineError, OutgoingMessage, SendFailure};
use whatsapp_rust::buffa::MessageField;
use whatsapp_rust::upload::UploadResponse;
use whatsapp_rust::waproto::whatsapp as wa;

/// The WhatsApp id a wagate message is sent under: derived from wagate's id, so a resend after
/// a crash carries the same id and WhatsApp (and the recipient's phone) see one message. The
/// shape is WhatsApp Web's own (`3EB0` and 18 upper-case hex digits).
pub fn whatsapp_message_id(id: &MessageId) -> String {
    let digest = Sha256::digest(id.to_string().as_bytes());
    let hex = hex::encode_upper(digest);
    format!("3EB0{}", &hex[..18])
}

/// A file on WhatsApp's media servers: what an upload answered, and what a media message
/// carries so the recipient can fetch and decrypt it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Uploaded {
    pub url: String,
    pub direct_path: String,
    pub media_key: [u8; 32],
    pub file_enc_sha256: [u8; 32],
    pub file_sha256: [u8; 32],
    pub file_length: u64,
    /// Unix seconds when the media key was made.
    pub media_key_timestamp: i64,
    /// Audio and video only: the table that lets the recipient seek before the whole file
    /// arrived.
    pub streaming_sidecar: Option<Vec<u8>>,
}

impl From<UploadResponse> for Uploaded {
    fn from(upload: UploadResponse) -> Self {
        Self {
            url: upload.url,
            direct_path: upload.direct_path,
            media_key: upload.media_key,
            file_enc_sha256: upload.file_enc_sha256,
            file_sha256: upload.file_sha256,
            file_length: upload.file_length,
            media_key_timestamp: upload.media_key_timestamp,
            streaming_sidecar: upload.streaming_sidecar,
        }
    }
}

/// The message a reply quotes, as the session found it.
#[derive(Clone, Debug, Default)]
pub struct Quoted {
    /// WhatsApp's id of the quoted message.
    pub id: String,
    /// Who wrote it, in a group (a JID); WhatsApp shows the quote under their name.
    pub participant: Option<String>,
    /// Its content, shown inside the quote.
    pub message: Option<wa::Message>,
}

/// The message a reaction is about, as WhatsApp keys it.
#[derive(Clone, Debug)]
pub struct ReactionTarget {
    /// Whether this number wrote the message.
    pub from_me: bool,
    /// Who wrote it, in a group when it was not us (a JID).
    pub participant: Option<String>,
}

/// What the session looked up for one message before it is built.
#[derive(Clone, Debug, Default)]
pub struct Resolved {
    /// The file, uploaded to WhatsApp's media servers (media messages only).
    pub upload: Option<Uploaded>,
    pub quoted: Option<Quoted>,
    /// JIDs of everyone mentioned (a mention of everyone already expanded to the members).
    pub mentioned: Vec<String>,
    /// Key of the message a reaction is about; `None` is taken as someone else's message.
    pub reaction_target: Option<ReactionTarget>,
    /// Secret of a poll (votes are encrypted with it); 32 random bytes.
    pub poll_secret: Option<[u8; 32]>,
    /// When the message is built, in unix milliseconds (reactions carry it).
    pub now_ms: i64,
}

fn invalid(message: impl Into<String>) -> EngineError {
    EngineError::Permanent {
        failure: SendFailure::InvalidContent,
        message: message.into(),
    }
}

fn context_info(message: &OutgoingMessage, resolved: &Resolved) -> Option<wa::ContextInfo> {
    let quoted = resolved.quoted.clone().or_else(|| {
        message.reply_to.as_ref().map(|id| Quoted {
            id: id.clone(),
            ..Quoted::default()
        })
    });
    if quoted.is_none() && resolved.mentioned.is_empty() {
        return None;
    }
    let mut info = wa::ContextInfo {
        mentioned_jid: resolved.mentioned.clone(),
        ..Default::default()
    };
    if let Some(quoted) = quoted {
        info.stanza_id = Some(quoted.id);
        info.participant = quoted.participant;
        if let Some(content) = quoted.message {
            info.quoted_message = MessageField::some(content);
        }
    }
    Some(info)
}

fn field(info: Option<wa::ContextInfo>) -> MessageField<wa::ContextInfo> {
    info.map(MessageField::some).unwrap_or_default()
}

fn upload(resolved: &Resolved, kind: &str) -> Result<Uploaded, EngineError> {
    resolved
        .upload
        .clone()
        .ok_or_else(|| invalid(format!("the {kind} was not uploaded to WhatsApp")))
}

/// A media message of type `wa::message::$kind` carrying the uploaded `$file`: the CDN and crypto fields
/// every media message has, then the kind's own fields.
macro_rules! uploaded {
    ($kind:ident, $file:ident, { $($field:ident: $value:expr),* $(,)? }) => {
        wa::message::$kind {
            url: Some($file.url),
            direct_path: Some($file.direct_path),
            media_key: Some($file.media_key.to_vec()),
            file_sha256: Some($file.file_sha256.to_vec()),
            file_enc_sha256: Some($file.file_enc_sha256.to_vec()),
            file_length: Some($file.file_length),
            media_key_timestamp: Some($file.media_key_timestamp),
            $($field: $value,)*
            ..Default::default()
        }
    };
}

/// Builds the protobuf for `message`.
pub fn build(message: &OutgoingMessage, resolved: &Resolved) -> Result<wa::Message, EngineError> {
    let context = context_info(message, resolved);
    let built = match &message.content {
        MessageContent::Text { body, .. } => match context {
            // WhatsApp Web sends plain text as `conversation`, and text that quotes or
            // mentions as `extendedTextMessage`, the one that has a context.
            None => wa::Message {
                conversation: Some(body.as_str().to_owned()),
                ..Default::default()
            },
            Some(context) => wa::Message {
                extended_text_message: MessageField::some(wa::message::ExtendedTextMessage {
                    text: Some(body.as_str().to_owned()),
                    context_info: MessageField::some(context),
                    ..Default::default()
                }),
                ..Default::default()
            },
        },
        MessageContent::Image {
            media,
            caption,
            view_once,
        } => {
            let file = upload(resolved, "image")?;
            wa::Message {
                image_message: MessageField::some(uploaded!(ImageMessage, file, {
                    mimetype: Some(media.mimetype.clone()),
                    caption: caption.clone(),
                    view_once: view_once.then_some(true),
                    context_info: field(context),
                })),
                ..Default::default()
            }
        }
        MessageContent::Video {
            media,
            caption,
            gif,
            view_once,
        } => {
            let file = upload(resolved, "video")?;
            wa::Message {
                video_message: MessageField::some(uploaded!(VideoMessage, file, {
                    streaming_sidecar: file.streaming_sidecar,
                    mimetype: Some(media.mimetype.clone()),
                    caption: caption.clone(),
                    gif_playback: gif.then_some(true),
                    view_once: view_once.then_some(true),
                    context_info: field(context),
                })),
                ..Default::default()
            }
        }
        MessageContent::Audio {
            media,
            voice,
            view_once,
        } => {
            let file = upload(resolved, "audio")?;
            wa::Message {
                audio_message: MessageField::some(uploaded!(AudioMessage, file, {
                    streaming_sidecar: file.streaming_sidecar,
                    mimetype: Some(media.mimetype.clone()),
                    ptt: voice.then_some(true),
                    view_once: view_once.then_some(true),
                    context_info: field(context),
                })),
                ..Default::default()
            }
        }
        MessageContent::Document {
            media,
            caption,
            file_name,
        } => {
            let file = upload(resolved, "document")?;
            let name = file_name.clone().or_else(|| media.file_name.clone());
            wa::Message {
                document_message: MessageField::some(uploaded!(DocumentMessage, file, {
                    mimetype: Some(media.mimetype.clone()),
                    title: name.clone(),
                    file_name: name,
                    caption: caption.clone(),
                    context_info: field(context),
                })),
                ..Default::default()
            }
        }
        MessageContent::Sticker { media } => {
            let file = upload(resolved, "sticker")?;
            wa::Message {
                sticker_message: MessageField::some(uploaded!(StickerMessage, file, {
                    mimetype: Some(media.mimetype.clone()),
                    context_info: field(context),
                })),
                ..Default::default()
            }
        }
        MessageContent::Location {
            latitude,
            longitude,
            name,
            address,
        } => wa::Message {
            location_message: MessageField::some(wa::message::LocationMessage {
                degrees_latitude: Some(*latitude),
                degrees_longitude: Some(*longitude),
                name: name.clone(),
                address: address.clone(),
                context_info: field(context),
                ..Default::default()
            }),
            ..Default::default()
        },
        MessageContent::Contacts { contacts } => {
            let cards: Vec<wa::message::ContactMessage> = contacts
                .iter()
                .map(|card| wa::message::ContactMessage {
                    display_name: Some(card.full_name.clone()),
                    vcard: Some(card.to_vcard()),
                    ..Default::default()
                })
                .collect();
            match <[_; 1]>::try_from(cards) {
                Ok([mut card]) => {
                    card.context_info = field(context);
                    wa::Message {
                        contact_message: MessageField::some(card),
                        ..Default::default()
                    }
                }
                Err(cards) => wa::Message {
                    contacts_array_message: MessageField::some(wa::message::ContactsArrayMessage {
                        display_name: Some(format!("{} contacts", cards.len())),
                        contacts: cards,
                        context_info: field(context),
                    }),
                    ..Default::default()
                },
            }
        }
        MessageContent::Poll {
            name,
            values,
            selectable_count,
        } => {
            let secret = resolved
                .poll_secret
                .ok_or_else(|| invalid("a poll needs a secret"))?;
            let poll = wa::message::PollCreationMessage {
                name: Some(name.clone()),
                options: values
                    .iter()
                    .map(|value| wa::message::poll_creation_message::Option {
                        option_name: Some(value.clone()),
                        option_hash: None,
                    })
                    .collect(),
                selectable_options_count: Some(*selectable_count),
                context_info: field(context),
                ..Default::default()
            };
            // WhatsApp Web sends single-choice polls as v3 and multiple-choice ones as v1.
            let mut built = if *selectable_count == 1 {
                wa::Message {
                    poll_creation_message_v3: MessageField::some(poll),
                    ..Default::default()
                }
            } else {
                wa::Message {
                    poll_creation_message: MessageField::some(poll),
                    ..Default::default()
                }
            };
            built.message_context_info = MessageField::some(wa::MessageContextInfo {
                message_secret: Some(secret.to_vec()),
                ..Default::default()
            });
            built
        }
        MessageContent::Reaction { target_id, emoji } => {
            let target = resolved.reaction_target.clone().unwrap_or(ReactionTarget {
                from_me: false,
                participant: None,
            });
            wa::Message {
                reaction_message: MessageField::some(wa::message::ReactionMessage {
                    key: MessageField::some(wa::MessageKey {
                        remote_jid: Some(message.to.to_string()),
                        from_me: Some(target.from_me),
                        id: Some(target_id.clone()),
                        participant: target.participant,
                    }),
                    text: Some(emoji.clone()),
                    sender_timestamp_ms: Some(resolved.now_ms),
                    ..Default::default()
                }),
                ..Default::default()
            }
        }
        MessageContent::Template { .. } => {
            return Err(EngineError::NotSupported {
                engine: "web",
                what: "message templates (a Cloud API feature)",
            });
        }
        MessageContent::Interactive {
            body,
            header,
            footer,
            action,
        } => interactive(body, header, footer, action, context),
    };
    Ok(built)
}

fn interactive(
    body: &str,
    header: &Option<String>,
    footer: &Option<String>,
    action: &InteractiveAction,
    context: Option<wa::ContextInfo>,
) -> wa::Message {
    let buttons_message = |buttons: Vec<Button>| wa::Message {
        buttons_message: MessageField::some(wa::message::ButtonsMessage {
            content_text: Some(body.to_owned()),
            footer_text: footer.clone(),
            context_info: field(context.clone()),
            buttons,
            header_type: Some(if header.is_some() {
                wa::message::buttons_message::HeaderType::TEXT
            } else {
                wa::message::buttons_message::HeaderType::EMPTY
            }),
            header: header.clone().map(ButtonsHeader::Text),
        }),
        ..Default::default()
    };
    match action {
        InteractiveAction::Buttons { buttons } => buttons_message(
            buttons
                .iter()
                .map(|b| Button {
                    button_id: Some(b.id.clone()),
                    button_text: MessageField::some(button::ButtonText {
                        display_text: Some(b.title.clone()),
                    }),
                    r#type: Some(button::Type::RESPONSE),
                    ..Default::default()
                })
                .collect(),
        ),
        InteractiveAction::Cta { display_text, url } => buttons_message(vec![Button {
            button_id: Some("cta_url".to_owned()),
            button_text: MessageField::some(button::ButtonText {
                display_text: Some(display_text.clone()),
            }),
            r#type: Some(button::Type::NATIVE_FLOW),
            native_flow_info: MessageField::some(button::NativeFlowInfo {
                name: Some("cta_url".to_owned()),
                params_json: Some(
                    serde_json::json!({"display_text": display_text, "url": url, "merchant_url": url})
                        .to_string(),
                ),
            }),
        }]),
        InteractiveAction::List { button, sections } => wa::Message {
            list_message: MessageField::some(wa::message::ListMessage {
                title: header.clone(),
                description: Some(body.to_owned()),
                button_text: Some(button.clone()),
                list_type: Some(list_message::ListType::SINGLE_SELECT),
                footer_text: footer.clone(),
                sections: sections
                    .iter()
                    .map(|section| list_message::Section {
                        title: Some(section.title.clone()),
                        rows: section
                            .rows
                            .iter()
                            .map(|row| list_message::Row {
                                title: Some(row.title.clone()),
                                description: row.description.clone(),
                                row_id: Some(row.id.clone()),
                            })
                            .collect(),
                    })
                    .collect(),
                context_info: field(context),
                ..Default::default()
            }),
            ..Default::default()
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use wagate_core::{
        ContactCard, InteractiveButton, Jid, ListRow, ListSection, MediaRef, TextBody,
    };

    fn outgoing(content: MessageContent) -> OutgoingMessage {
        OutgoingMessage {
            id: MessageId::generate(),
            to: Jid::parse("15550001111@s.whatsapp.net").unwrap(),
            content,
            reply_to: None,
            mentions: vec![],
            status_post: None,
        }
    }

    fn media(mimetype: &str, file_name: Option<&str>) -> MediaRef {
        MediaRef {
            media_id: "med_1".to_owned(),
            mimetype: mimetype.to_owned(),
            size: 1234,
            sha256: "ab".repeat(32),
            file_name: file_name.map(str::to_owned),
        }
    }

    fn uploaded() -> Resolved {
        Resolved {
            upload: Some(Uploaded {
                url: "https://mmg.whatsapp.net/v/t62/file.enc".to_owned(),
                direct_path: "/v/t62/file.enc".to_owned(),
                media_key: [1; 32],
                file_enc_sha256: [2; 32],
                file_sha256: [3; 32],
                file_length: 1234,
                media_key_timestamp: 1_700_000_000,
                streaming_sidecar: None,
            }),
            ..Resolved::default()
        }
    }

    fn text(body: &str) -> MessageContent {
        MessageContent::Text {
            body: TextBody::parse(body).unwrap(),
            preview_url: false,
        }
    }

    #[test]
    fn whatsapp_ids_are_stable_per_message_and_shaped_like_whatsapp_webs() {
        let id = MessageId::generate();
        let first = whatsapp_message_id(&id);
        assert_eq!(
            first,
            whatsapp_message_id(&id),
            "a resend carries the same id"
        );
        assert_ne!(first, whatsapp_message_id(&MessageId::generate()));
        assert_eq!(first.len(), 22);
        assert!(first.starts_with("3EB0"));
        assert!(
            first[4..]
                .chars()
                .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_lowercase())
        );
    }

    #[test]
    fn plain_text_is_a_conversation_and_a_reply_with_mentions_is_extended_text() {
        let plain = build(&outgoing(text("Hello")), &Resolved::default()).unwrap();
        assert_eq!(plain.conversation.as_deref(), Some("Hello"));
        assert!(plain.extended_text_message.as_option().is_none());

        let mut reply = outgoing(text("Agreed @15550002222"));
        reply.reply_to = Some("3EB0QUOTED".to_owned());
        let resolved = Resolved {
            quoted: Some(Quoted {
                id: "3EB0QUOTED".to_owned(),
                participant: Some("15550002222@s.whatsapp.net".to_owned()),
                message: Some(wa::Message {
                    conversation: Some("Shall we?".to_owned()),
                    ..Default::default()
                }),
            }),
            mentioned: vec!["15550002222@s.whatsapp.net".to_owned()],
            ..Resolved::default()
        };
        let built = build(&reply, &resolved).unwrap();
        assert!(built.conversation.is_none());
        let extended = built.extended_text_message.as_option().unwrap();
        assert_eq!(extended.text.as_deref(), Some("Agreed @15550002222"));
        let context = extended.context_info.as_option().unwrap();
        assert_eq!(context.stanza_id.as_deref(), Some("3EB0QUOTED"));
        assert_eq!(
            context.participant.as_deref(),
            Some("15550002222@s.whatsapp.net")
        );
        assert_eq!(context.mentioned_jid, vec!["15550002222@s.whatsapp.net"]);
        let quoted = context.quoted_message.as_option().unwrap();
        assert_eq!(quoted.conversation.as_deref(), Some("Shall we?"));
    }

    #[test]
    fn a_reply_the_session_could_not_look_up_still_names_the_quoted_id() {
        let mut reply = outgoing(text("Yes"));
        reply.reply_to = Some("ABC123".to_owned());
        let built = build(&reply, &Resolved::default()).unwrap();
        let context = built
            .extended_text_message
            .as_option()
            .unwrap()
            .context_info
            .as_option()
            .unwrap();
        assert_eq!(context.stanza_id.as_deref(), Some("ABC123"));
        assert!(context.quoted_message.as_option().is_none());
    }

    #[test]
    fn media_messages_carry_the_upload_the_mimetype_and_their_flags() {
        let image = build(
            &outgoing(MessageContent::Image {
                media: media("image/png", None),
                caption: Some("Look".to_owned()),
                view_once: true,
            }),
            &uploaded(),
        )
        .unwrap();
        let image = image.image_message.as_option().unwrap();
        assert_eq!(
            image.url.as_deref(),
            Some("https://mmg.whatsapp.net/v/t62/file.enc")
        );
        assert_eq!(image.direct_path.as_deref(), Some("/v/t62/file.enc"));
        assert_eq!(image.media_key.as_deref(), Some(&[1u8; 32][..]));
        assert_eq!(image.file_enc_sha256.as_deref(), Some(&[2u8; 32][..]));
        assert_eq!(image.file_sha256.as_deref(), Some(&[3u8; 32][..]));
        assert_eq!(image.file_length, Some(1234));
        assert_eq!(image.media_key_timestamp, Some(1_700_000_000));
        assert_eq!(image.mimetype.as_deref(), Some("image/png"));
        assert_eq!(image.caption.as_deref(), Some("Look"));
        assert_eq!(image.view_once, Some(true));

        let video = build(
            &outgoing(MessageContent::Video {
                media: media("video/mp4", None),
                caption: None,
                gif: true,
                view_once: false,
            }),
            &uploaded(),
        )
        .unwrap();
        let video = video.video_message.as_option().unwrap();
        assert_eq!(video.gif_playback, Some(true));
        assert_eq!(video.view_once, None);
        assert_eq!(video.caption, None);
        assert_eq!(video.mimetype.as_deref(), Some("video/mp4"));

        let voice = build(
            &outgoing(MessageContent::Audio {
                media: media("audio/ogg; codecs=opus", None),
                voice: true,
                view_once: false,
            }),
            &uploaded(),
        )
        .unwrap();
        let voice = voice.audio_message.as_option().unwrap();
        assert_eq!(voice.ptt, Some(true));
        assert_eq!(voice.mimetype.as_deref(), Some("audio/ogg; codecs=opus"));

        let document = build(
            &outgoing(MessageContent::Document {
                media: media("application/pdf", Some("stored.pdf")),
                caption: Some("Invoice".to_owned()),
                file_name: Some("invoice-42.pdf".to_owned()),
            }),
            &uploaded(),
        )
        .unwrap();
        let document = document.document_message.as_option().unwrap();
        assert_eq!(document.file_name.as_deref(), Some("invoice-42.pdf"));
        assert_eq!(document.title.as_deref(), Some("invoice-42.pdf"));
        assert_eq!(document.caption.as_deref(), Some("Invoice"));
        assert_eq!(document.mimetype.as_deref(), Some("application/pdf"));
        assert_eq!(document.file_length, Some(1234));

        let unnamed = build(
            &outgoing(MessageContent::Document {
                media: media("application/pdf", Some("stored.pdf")),
                caption: None,
                file_name: None,
            }),
            &uploaded(),
        )
        .unwrap();
        let unnamed = unnamed.document_message.as_option().unwrap();
        assert_eq!(unnamed.file_name.as_deref(), Some("stored.pdf"));

        let sticker = build(
            &outgoing(MessageContent::Sticker {
                media: media("image/webp", None),
            }),
            &uploaded(),
        )
        .unwrap();
        let sticker = sticker.sticker_message.as_option().unwrap();
        assert_eq!(sticker.mimetype.as_deref(), Some("image/webp"));
        assert_eq!(sticker.direct_path.as_deref(), Some("/v/t62/file.enc"));
        assert_eq!(sticker.media_key.as_deref(), Some(&[1u8; 32][..]));
        assert_eq!(sticker.file_length, Some(1234));
    }

    #[test]
    fn media_that_was_not_uploaded_is_refused_for_good() {
        let error = build(
            &outgoing(MessageContent::Sticker {
                media: media("image/webp", None),
            }),
            &Resolved::default(),
        )
        .unwrap_err();
        assert!(matches!(
            error,
            EngineError::Permanent {
                failure: SendFailure::InvalidContent,
                ..
            }
        ));
    }

    #[test]
    fn locations_and_contact_cards_are_filled_field_by_field() {
        let location = build(
            &outgoing(MessageContent::Location {
                latitude: -23.5505,
                longitude: -46.6333,
                name: Some("Office".to_owned()),
                address: Some("Av. Paulista, 1000".to_owned()),
            }),
            &Resolved::default(),
        )
        .unwrap();
        let location = location.location_message.as_option().unwrap();
        assert_eq!(location.degrees_latitude, Some(-23.5505));
        assert_eq!(location.degrees_longitude, Some(-46.6333));
        assert_eq!(location.name.as_deref(), Some("Office"));
        assert_eq!(location.address.as_deref(), Some("Av. Paulista, 1000"));

        let card = |name: &str, number: &str| ContactCard {
            full_name: name.to_owned(),
            phone_numbers: vec![number.to_owned()],
            organization: None,
            email: None,
            url: None,
        };
        let one = build(
            &outgoing(MessageContent::Contacts {
                contacts: vec![card("Ana", "15550003333")],
            }),
            &Resolved::default(),
        )
        .unwrap();
        let one = one.contact_message.as_option().unwrap();
        assert_eq!(one.display_name.as_deref(), Some("Ana"));
        let vcard = one.vcard.as_deref().unwrap();
        assert!(vcard.contains("FN:Ana"));
        assert!(vcard.contains("waid=15550003333:+15550003333"));

        let two = build(
            &outgoing(MessageContent::Contacts {
                contacts: vec![card("Ana", "15550003333"), card("Bo", "15550004444")],
            }),
            &Resolved::default(),
        )
        .unwrap();
        assert!(two.contact_message.as_option().is_none());
        let array = two.contacts_array_message.as_option().unwrap();
        assert_eq!(array.display_name.as_deref(), Some("2 contacts"));
        let names: Vec<_> = array
            .contacts
            .iter()
            .map(|c| c.display_name.clone())
            .collect();
        assert_eq!(names, vec![Some("Ana".to_owned()), Some("Bo".to_owned())]);
    }

    #[test]
    fn polls_carry_their_options_count_and_secret_in_the_version_whatsapp_web_uses() {
        let poll = |selectable_count| {
            outgoing(MessageContent::Poll {
                name: "Lunch?".to_owned(),
                values: vec!["Pizza".to_owned(), "Sushi".to_owned(), "Tacos".to_owned()],
                selectable_count,
            })
        };
        let resolved = Resolved {
            poll_secret: Some([9; 32]),
            ..Resolved::default()
        };
        let single = build(&poll(1), &resolved).unwrap();
        assert!(single.poll_creation_message.as_option().is_none());
        let v3 = single.poll_creation_message_v3.as_option().unwrap();
        assert_eq!(v3.name.as_deref(), Some("Lunch?"));
        let options: Vec<_> = v3
            .options
            .iter()
            .map(|o| o.option_name.clone().unwrap())
            .collect();
        assert_eq!(options, vec!["Pizza", "Sushi", "Tacos"]);
        assert_eq!(v3.selectable_options_count, Some(1));
        let secret = single.message_context_info.as_option().unwrap();
        assert_eq!(secret.message_secret.as_deref(), Some(&[9u8; 32][..]));

        let multiple = build(&poll(2), &resolved).unwrap();
        assert!(multiple.poll_creation_message_v3.as_option().is_none());
        let v1 = multiple.poll_creation_message.as_option().unwrap();
        assert_eq!(v1.selectable_options_count, Some(2));

        assert!(
            build(&poll(1), &Resolved::default()).is_err(),
            "no secret, no poll"
        );
    }

    #[test]
    fn reactions_key_the_target_message_and_an_empty_emoji_removes_one() {
        let reaction = |emoji: &str| {
            outgoing(MessageContent::Reaction {
                target_id: "3EB0TARGET".to_owned(),
                emoji: emoji.to_owned(),
            })
        };
        let resolved = Resolved {
            reaction_target: Some(ReactionTarget {
                from_me: true,
                participant: None,
            }),
            now_ms: 1_700_000_000_123,
            ..Resolved::default()
        };
        let built = build(&reaction("👍"), &resolved).unwrap();
        let message = built.reaction_message.as_option().unwrap();
        assert_eq!(message.text.as_deref(), Some("👍"));
        assert_eq!(message.sender_timestamp_ms, Some(1_700_000_000_123));
        let key = message.key.as_option().unwrap();
        assert_eq!(
            key.remote_jid.as_deref(),
            Some("15550001111@s.whatsapp.net")
        );
        assert_eq!(key.id.as_deref(), Some("3EB0TARGET"));
        assert_eq!(key.from_me, Some(true));

        let removed = build(&reaction(""), &Resolved::default()).unwrap();
        let removed = removed.reaction_message.as_option().unwrap();
        assert_eq!(removed.text.as_deref(), Some(""));
        assert_eq!(removed.key.as_option().unwrap().from_me, Some(false));
    }

    #[test]
    fn templates_are_a_cloud_api_feature() {
        let template = outgoing(MessageContent::Template {
            name: "welcome".to_owned(),
            language: "en".to_owned(),
            components: serde_json::json!([]),
        });
        assert!(matches!(
            build(&template, &Resolved::default()),
            Err(EngineError::NotSupported { .. })
        ));
    }

    #[test]
    fn interactive_buttons_lists_and_links_become_whatsapps_button_and_list_messages() {
        let buttons = build(
            &outgoing(MessageContent::Interactive {
                body: "Pick one".to_owned(),
                header: Some("Menu".to_owned()),
                footer: Some("Reply below".to_owned()),
                action: InteractiveAction::Buttons {
                    buttons: vec![
                        InteractiveButton {
                            id: "yes".to_owned(),
                            title: "Yes".to_owned(),
                        },
                        InteractiveButton {
                            id: "no".to_owned(),
                            title: "No".to_owned(),
                        },
                    ],
                },
            }),
            &Resolved::default(),
        )
        .unwrap();
        let message = buttons.buttons_message.as_option().unwrap();
        assert_eq!(message.content_text.as_deref(), Some("Pick one"));
        assert_eq!(message.footer_text.as_deref(), Some("Reply below"));
        assert_eq!(message.header, Some(ButtonsHeader::Text("Menu".to_owned())));
        assert_eq!(
            message.header_type,
            Some(wa::message::buttons_message::HeaderType::TEXT)
        );
        let ids: Vec<_> = message
            .buttons
            .iter()
            .map(|b| b.button_id.clone().unwrap())
            .collect();
        assert_eq!(ids, vec!["yes", "no"]);
        let first = &message.buttons[0];
        assert_eq!(first.r#type, Some(button::Type::RESPONSE));
        assert_eq!(
            first
                .button_text
                .as_option()
                .unwrap()
                .display_text
                .as_deref(),
            Some("Yes")
        );

        let link = build(
            &outgoing(MessageContent::Interactive {
                body: "Our site".to_owned(),
                header: None,
                footer: None,
                action: InteractiveAction::Cta {
                    display_text: "Open".to_owned(),
                    url: "https://example.com".to_owned(),
                },
            }),
            &Resolved::default(),
        )
        .unwrap();
        let link = link.buttons_message.as_option().unwrap();
        assert_eq!(link.header, None);
        let cta = &link.buttons[0];
        assert_eq!(cta.r#type, Some(button::Type::NATIVE_FLOW));
        let flow = cta.native_flow_info.as_option().unwrap();
        assert_eq!(flow.name.as_deref(), Some("cta_url"));
        let params: serde_json::Value =
            serde_json::from_str(flow.params_json.as_deref().unwrap()).unwrap();
        assert_eq!(params["url"], "https://example.com");
        assert_eq!(params["display_text"], "Open");

        let list = build(
            &outgoing(MessageContent::Interactive {
                body: "Choose a slot".to_owned(),
                header: Some("Booking".to_owned()),
                footer: None,
                action: InteractiveAction::List {
                    button: "Slots".to_owned(),
                    sections: vec![ListSection {
                        title: "Monday".to_owned(),
                        rows: vec![ListRow {
                            id: "mon-9".to_owned(),
                            title: "9:00".to_owned(),
                            description: Some("Morning".to_owned()),
                        }],
                    }],
                },
            }),
            &Resolved::default(),
        )
        .unwrap();
        let list = list.list_message.as_option().unwrap();
        assert_eq!(list.title.as_deref(), Some("Booking"));
        assert_eq!(list.description.as_deref(), Some("Choose a slot"));
        assert_eq!(list.button_text.as_deref(), Some("Slots"));
        assert_eq!(list.list_type, Some(list_message::ListType::SINGLE_SELECT));
        let row = &list.sections[0].rows[0];
        assert_eq!(list.sections[0].title.as_deref(), Some("Monday"));
        assert_eq!(row.row_id.as_deref(), Some("mon-9"));
        assert_eq!(row.title.as_deref(), Some("9:00"));
        assert_eq!(row.description.as_deref(), Some("Morning"));
    }
}
