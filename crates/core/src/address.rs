//! WhatsApp addresses: phone numbers and JIDs, parsed once at the boundary.
//!
//! Users type numbers every way there is (`+1 (555) 000-2222`, `1-555-000-2222`); the gateway
//! keeps international digits without `+`. A recipient may also be a JID: a user
//! (`…@s.whatsapp.net`, `…@c.us` is accepted as an alias), a group (`…@g.us`), a LID
//! (`…@lid`), a channel (`…@newsletter`) or the status broadcast (`status@broadcast`).

use serde::{Deserialize, Serialize};
use std::fmt;

/// International phone number digits, without `+`: 7 to 15 digits, not starting with 0.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct PhoneNumber(String);

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum AddressError {
    #[error("must not be empty")]
    Empty,
    #[error(
        "must be a phone number in international format (digits, optionally with +, spaces, dashes or brackets) or a WhatsApp JID"
    )]
    InvalidCharacters,
    #[error("must have between 7 and 15 digits including the country code")]
    WrongLength,
    #[error("must start with the country code, not 0")]
    LeadingZero,
    #[error("is not a valid JID: {0}")]
    InvalidJid(&'static str),
}

impl PhoneNumber {
    pub fn parse(raw: &str) -> Result<Self, AddressError> {
        let trimmed = raw.trim();
        if trimmed.is_empty() {
            return Err(AddressError::Empty);
        }
        let mut digits = String::with_capacity(trimmed.len());
        for (i, c) in trimmed.chars().enumerate() {
            match c {
                '0'..='9' => digits.push(c),
                '+' if i == 0 => {}
                ' ' | '-' | '(' | ')' | '.' => {}
                _ => return Err(AddressError::InvalidCharacters),
            }
        }
        if !(7..=15).contains(&digits.len()) {
            return Err(AddressError::WrongLength);
        }
        if digits.starts_with('0') {
            return Err(AddressError::LeadingZero);
        }
        Ok(Self(digits))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The user JID of this number.
    pub fn to_jid(&self) -> Jid {
        Jid {
            user: self.0.clone(),
            kind: JidKind::User,
        }
    }
}

impl fmt::Display for PhoneNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// What a JID's server part says it addresses.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum JidKind {
    User,
    Group,
    Lid,
    Newsletter,
    Broadcast,
}

impl JidKind {
    fn server(self) -> &'static str {
        match self {
            Self::User => "s.whatsapp.net",
            Self::Group => "g.us",
            Self::Lid => "lid",
            Self::Newsletter => "newsletter",
            Self::Broadcast => "broadcast",
        }
    }
}

/// A parsed WhatsApp JID.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Jid {
    user: String,
    kind: JidKind,
}

impl Jid {
    pub fn parse(raw: &str) -> Result<Self, AddressError> {
        let raw = raw.trim();
        let (user, server) = raw
            .split_once('@')
            .ok_or(AddressError::InvalidJid("missing '@'"))?;
        if user.is_empty() {
            return Err(AddressError::InvalidJid("empty user part"));
        }
        let all_digits = |s: &str| s.chars().all(|c| c.is_ascii_digit());
        let kind = match server {
            "s.whatsapp.net" | "c.us" => JidKind::User,
            "g.us" => JidKind::Group,
            "lid" => JidKind::Lid,
            "newsletter" => JidKind::Newsletter,
            "broadcast" => JidKind::Broadcast,
            _ => return Err(AddressError::InvalidJid("unknown server part")),
        };
        let valid_user = match kind {
            JidKind::User => {
                let phone = PhoneNumber::parse(user)?;
                return Ok(phone.to_jid());
            }
            JidKind::Group => user
                .split('-')
                .all(|part| !part.is_empty() && all_digits(part)),
            JidKind::Lid | JidKind::Newsletter => all_digits(user),
            JidKind::Broadcast => user == "status" || all_digits(user),
        };
        if !valid_user {
            return Err(AddressError::InvalidJid("user part has invalid characters"));
        }
        Ok(Self {
            user: user.to_owned(),
            kind,
        })
    }

    pub fn kind(&self) -> JidKind {
        self.kind
    }

    pub fn user(&self) -> &str {
        &self.user
    }

    /// `status@broadcast`, where statuses (stories) are posted and arrive.
    pub fn status_broadcast() -> Self {
        Self {
            user: "status".to_owned(),
            kind: JidKind::Broadcast,
        }
    }

    pub fn is_status_broadcast(&self) -> bool {
        self.kind == JidKind::Broadcast && self.user == "status"
    }

    /// The phone number of a user JID.
    pub fn phone(&self) -> Option<PhoneNumber> {
        (self.kind == JidKind::User).then(|| PhoneNumber(self.user.clone()))
    }
}

impl fmt::Display for Jid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}@{}", self.user, self.kind.server())
    }
}

/// Whom a message goes to, as the user named it: a phone number or a JID.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Recipient {
    Phone(PhoneNumber),
    Jid(Jid),
}

impl Recipient {
    pub fn parse(raw: &str) -> Result<Self, AddressError> {
        if raw.contains('@') {
            let jid = Jid::parse(raw)?;
            Ok(match jid.phone() {
                Some(phone) => Self::Phone(phone),
                None => Self::Jid(jid),
            })
        } else {
            PhoneNumber::parse(raw).map(Self::Phone)
        }
    }

    pub fn jid(&self) -> Jid {
        match self {
            Self::Phone(p) => p.to_jid(),
            Self::Jid(j) => j.clone(),
        }
    }

    /// The normalised form the API answers with: digits for a number, the JID otherwise.
    pub fn normalized(&self) -> String {
        match self {
            Self::Phone(p) => p.0.clone(),
            Self::Jid(j) => j.to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phone_numbers_are_normalised_to_digits() {
        for raw in [
            "+1 (555) 000-2222",
            "15550002222",
            "1-555-000-2222",
            " +1.555.000.2222 ",
        ] {
            assert_eq!(
                PhoneNumber::parse(raw).unwrap().as_str(),
                "15550002222",
                "{raw}"
            );
        }
    }

    #[test]
    fn bad_phone_numbers_are_rejected_with_a_reason() {
        assert_eq!(
            PhoneNumber::parse("abc"),
            Err(AddressError::InvalidCharacters)
        );
        assert_eq!(
            PhoneNumber::parse("1555abc2222"),
            Err(AddressError::InvalidCharacters)
        );
        assert_eq!(PhoneNumber::parse("12345"), Err(AddressError::WrongLength));
        assert_eq!(
            PhoneNumber::parse("1234567890123456"),
            Err(AddressError::WrongLength)
        );
        assert_eq!(
            PhoneNumber::parse("05550002222"),
            Err(AddressError::LeadingZero)
        );
        assert_eq!(PhoneNumber::parse(""), Err(AddressError::Empty));
        assert_eq!(
            PhoneNumber::parse("1+5550002222"),
            Err(AddressError::InvalidCharacters)
        );
    }

    #[test]
    fn jids_of_every_kind_parse_and_print() {
        for raw in [
            "15550002222@s.whatsapp.net",
            "120363012345678901@g.us",
            "15550002222-1600000000@g.us",
            "123456789012345@lid",
            "120363000000000000@newsletter",
            "status@broadcast",
        ] {
            assert_eq!(Jid::parse(raw).unwrap().to_string(), raw);
        }
        assert_eq!(
            Jid::parse("15550002222@c.us").unwrap().to_string(),
            "15550002222@s.whatsapp.net"
        );
        assert!(Jid::parse("abc@g.us").is_err());
        assert!(Jid::parse("123@example.com").is_err());
    }

    #[test]
    fn recipients_keep_users_as_phone_numbers() {
        let r = Recipient::parse("15550002222@s.whatsapp.net").unwrap();
        assert_eq!(r.normalized(), "15550002222");
        let g = Recipient::parse("120363012345678901@g.us").unwrap();
        assert_eq!(g.normalized(), "120363012345678901@g.us");
        assert_eq!(g.jid().kind(), JidKind::Group);
    }
}
