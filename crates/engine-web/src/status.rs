//! Statuses (stories) between wagate's model and the library's: a text status is an
//! `extendedTextMessage` with a background and a font, and a status or its revoke is
//! encrypted to each viewer, so both name them.

use wagate_core::{PhoneNumber, StatusFont, StatusPost};
use whatsapp_rust::Jid as WaJid;
use whatsapp_rust::features::{StatusPrivacySetting, StatusSendOptions};
use whatsapp_rust::waproto::buffa::MessageField;
use whatsapp_rust::waproto::whatsapp as wa;
use whatsapp_rust::waproto::whatsapp::message::extended_text_message::FontType;

/// WhatsApp's green, the background of a text status that names none.
const DEFAULT_BACKGROUND_ARGB: u32 = 0xFF1E_6E4F;

pub(crate) fn font(font: StatusFont) -> FontType {
    match font {
        StatusFont::System => FontType::SYSTEM,
        StatusFont::SystemText => FontType::SYSTEM_TEXT,
        StatusFont::FbScript => FontType::FB_SCRIPT,
        StatusFont::SystemBold => FontType::SYSTEM_BOLD,
        StatusFont::MorningBreeze => FontType::MORNINGBREEZE_REGULAR,
        StatusFont::Calistoga => FontType::CALISTOGA_REGULAR,
        StatusFont::Exo2 => FontType::EXO2_EXTRABOLD,
        StatusFont::CourierPrime => FontType::COURIERPRIME_BOLD,
    }
}

/// The message as a status: plain text becomes text on a coloured background; media go as
/// built.
pub(crate) fn styled(message: wa::Message, post: &StatusPost) -> wa::Message {
    let Some(text) = message.conversation.clone() else {
        return message;
    };
    wa::Message {
        extended_text_message: MessageField::some(wa::message::ExtendedTextMessage {
            text: Some(text),
            background_argb: Some(
                post.background_color
                    .map_or(DEFAULT_BACKGROUND_ARGB, |colour| colour.argb()),
            ),
            font: Some(font(post.font.unwrap_or(StatusFont::System))),
            ..Default::default()
        }),
        ..Default::default()
    }
}

/// The people a status (or its revoke) is encrypted to.
pub(crate) fn viewers(recipients: &[PhoneNumber]) -> Vec<WaJid> {
    recipients
        .iter()
        .map(|phone| WaJid::pn(phone.as_str()))
        .collect()
}

/// `message_id` keeps a resend after a crash the same status.
pub(crate) fn options(post: Option<&StatusPost>, message_id: Option<String>) -> StatusSendOptions {
    StatusSendOptions {
        privacy: match post {
            Some(post) if post.all_contacts => StatusPrivacySetting::Contacts,
            _ => StatusPrivacySetting::AllowList,
        },
        message_id,
        ..Default::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use wagate_core::StatusBackground;

    fn post(background: Option<&str>, font: Option<StatusFont>) -> StatusPost {
        StatusPost {
            recipients: vec![PhoneNumber::parse("15550002222").unwrap()],
            all_contacts: false,
            background_color: background.map(|raw| StatusBackground::parse(raw).unwrap()),
            font,
        }
    }

    #[test]
    fn text_statuses_carry_their_colour_and_font() {
        let plain = wa::Message {
            conversation: Some("Open today".to_owned()),
            ..Default::default()
        };
        let coloured = styled(
            plain.clone(),
            &post(Some("#AA3366"), Some(StatusFont::Exo2)),
        );
        let text = coloured.extended_text_message.as_option().unwrap();
        assert_eq!(text.text.as_deref(), Some("Open today"));
        assert_eq!(text.background_argb, Some(0xFFAA_3366));
        assert_eq!(text.font, Some(FontType::EXO2_EXTRABOLD));
        assert_eq!(coloured.conversation, None);

        let default = styled(plain, &post(None, None));
        let text = default.extended_text_message.as_option().unwrap();
        assert_eq!(text.background_argb, Some(DEFAULT_BACKGROUND_ARGB));
        assert_eq!(text.font, Some(FontType::SYSTEM));
    }

    #[test]
    fn media_statuses_go_as_built() {
        let image = wa::Message {
            image_message: MessageField::some(wa::message::ImageMessage {
                caption: Some("New in".to_owned()),
                ..Default::default()
            }),
            ..Default::default()
        };
        assert_eq!(styled(image.clone(), &post(None, None)), image);
    }

    #[test]
    fn every_font_has_whatsapps_own() {
        let fonts: std::collections::HashSet<_> = StatusFont::ALL
            .into_iter()
            .map(|f| font(f) as i32)
            .collect();
        assert_eq!(fonts.len(), StatusFont::ALL.len());
    }

    #[test]
    fn the_audience_decides_the_privacy_setting() {
        let mut everyone = post(None, None);
        everyone.all_contacts = true;
        assert_eq!(
            options(Some(&everyone), None).privacy,
            StatusPrivacySetting::Contacts
        );
        let listed = options(Some(&post(None, None)), Some("3EB0AA".to_owned()));
        assert_eq!(listed.privacy, StatusPrivacySetting::AllowList);
        assert_eq!(listed.message_id.as_deref(), Some("3EB0AA"));
        assert_eq!(
            viewers(&post(None, None).recipients)[0].to_string(),
            "15550002222@s.whatsapp.net"
        );
    }
}
