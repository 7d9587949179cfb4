//! Answers to "is this number on WhatsApp?", matched back to the numbers asked about, and
//! contacts saved on the number's devices.
//!
//! WhatsApp answers a batch in its own order and may name an account by its LID, with the
//! phone number beside it; a number it does not mention has no account.

use wagate_core::PhoneNumber;
use wagate_engine::{NumberCheck, SessionEvent};
use whatsapp_rust::Jid as WaJid;
use whatsapp_rust::wacore::iq::usync::IsOnWhatsAppResult;

/// One account WhatsApp told about, reduced to what the mapping needs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Answer {
    /// The phone number's digits.
    pub phone: String,
    pub lid: Option<String>,
    pub registered: bool,
    pub business: bool,
}

impl Answer {
    /// The phone number is the answer's JID when that is a phone JID, else its `pn_jid`.
    pub fn from_result(result: &IsOnWhatsAppResult) -> Option<Self> {
        let phone = if result.jid.is_pn() {
            Some(&result.jid)
        } else {
            result.pn_jid.as_ref()
        }?;
        let lid = if result.jid.is_lid() {
            Some(&result.jid)
        } else {
            result.lid.as_ref()
        };
        Some(Self {
            phone: phone.user.to_string(),
            lid: lid.map(|lid| format!("{}@lid", lid.user)),
            registered: result.is_registered,
            business: result.is_business,
        })
    }
}

/// The phone JID WhatsApp is asked about for `number`.
pub(crate) fn query_jid(number: &PhoneNumber) -> WaJid {
    WaJid::pn(number.as_str())
}

/// One check per number asked about, in the order asked.
pub(crate) fn checks(numbers: &[PhoneNumber], answers: &[Answer]) -> Vec<NumberCheck> {
    numbers
        .iter()
        .map(|number| {
            let answer = answers
                .iter()
                .find(|answer| answer.registered && answer.phone == number.as_str());
            NumberCheck {
                number: number.clone(),
                exists: answer.is_some(),
                jid: answer.map(|_| number.to_jid()),
                lid: answer.and_then(|answer| answer.lid.clone()),
                business: answer.is_some_and(|answer| answer.business),
            }
        })
        .collect()
}

/// A contact saved in the address book, as WhatsApp syncs it from the number's devices; a
/// contact kept by LID has no number to list it by.
pub(crate) fn saved_contact(jid: &WaJid, full_name: Option<String>) -> Option<SessionEvent> {
    if !jid.is_pn() {
        return None;
    }
    let phone = PhoneNumber::parse(jid.user.as_ref()).ok()?;
    Some(SessionEvent::ContactSaved {
        phone,
        name: full_name.filter(|name| !name.trim().is_empty()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn phone(digits: &str) -> PhoneNumber {
        PhoneNumber::parse(digits).expect("a phone number")
    }

    #[test]
    fn answers_are_matched_to_the_numbers_asked_in_their_order() {
        let numbers = [
            phone("15550001111"),
            phone("15550002222"),
            phone("15550003333"),
        ];
        let answers = [
            Answer {
                phone: "15550003333".to_owned(),
                lid: Some("100000000000003@lid".to_owned()),
                registered: true,
                business: true,
            },
            Answer {
                phone: "15550001111".to_owned(),
                lid: None,
                registered: true,
                business: false,
            },
            Answer {
                phone: "15550002222".to_owned(),
                lid: None,
                registered: false,
                business: false,
            },
        ];
        let checks = checks(&numbers, &answers);
        assert_eq!(checks.len(), 3);
        assert!(checks[0].exists);
        assert_eq!(
            checks[0].jid.as_ref().map(ToString::to_string).as_deref(),
            Some("15550001111@s.whatsapp.net")
        );
        assert_eq!(checks[0].lid, None);
        assert!(!checks[1].exists, "an unregistered answer is no account");
        assert_eq!(checks[1].jid, None);
        assert!(checks[2].exists);
        assert_eq!(checks[2].lid.as_deref(), Some("100000000000003@lid"));
        assert!(checks[2].business);
    }

    #[test]
    fn a_number_whatsapp_does_not_mention_has_no_account() {
        let checks = checks(&[phone("15550001111")], &[]);
        assert!(!checks[0].exists);
        assert!(!checks[0].business);
    }

    #[test]
    fn numbers_are_asked_about_as_phone_jids() {
        assert_eq!(
            query_jid(&phone("15550001111")).to_string(),
            "15550001111@s.whatsapp.net"
        );
    }

    #[test]
    fn contacts_saved_on_the_phone_are_reported_by_number() {
        let saved = saved_contact(&WaJid::pn("15550002222"), Some("Ann Smith".to_owned()));
        assert_eq!(
            saved,
            Some(SessionEvent::ContactSaved {
                phone: phone("15550002222"),
                name: Some("Ann Smith".to_owned()),
            })
        );
        let unnamed = saved_contact(&WaJid::pn("15550002222"), Some(" ".to_owned()));
        assert!(matches!(
            unnamed,
            Some(SessionEvent::ContactSaved { name: None, .. })
        ));
        assert_eq!(saved_contact(&WaJid::lid("100000000000003"), None), None);
    }
}
