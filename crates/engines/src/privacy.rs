//! Privacy settings: who sees the number's last seen, online status, picture and about, who
//! may add it to groups or call it, whether it sends read receipts. Names and values are
//! WhatsApp's own (as Evolution API users know them).

/// One privacy setting.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum PrivacySetting {
    LastSeen,
    Online,
    ProfilePicture,
    About,
    GroupAdd,
    ReadReceipts,
    CallAdd,
    Messages,
}

/// Who a setting allows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PrivacyValue {
    All,
    Contacts,
    /// Contacts except those the number excluded (on its phone).
    ContactBlacklist,
    None,
    /// `online` only: as `lastSeen`.
    MatchLastSeen,
    /// `callAdd` only: people the number has chatted with.
    Known,
}

impl PrivacySetting {
    pub const ALL: [Self; 8] = [
        Self::LastSeen,
        Self::Online,
        Self::ProfilePicture,
        Self::About,
        Self::GroupAdd,
        Self::ReadReceipts,
        Self::CallAdd,
        Self::Messages,
    ];

    /// How the API names it.
    pub fn name(self) -> &'static str {
        match self {
            Self::LastSeen => "lastSeen",
            Self::Online => "online",
            Self::ProfilePicture => "profilePicture",
            Self::About => "about",
            Self::GroupAdd => "groupAdd",
            Self::ReadReceipts => "readReceipts",
            Self::CallAdd => "callAdd",
            Self::Messages => "messages",
        }
    }

    /// The values WhatsApp takes for it.
    pub fn values(self) -> &'static [PrivacyValue] {
        use PrivacyValue::*;
        match self {
            Self::LastSeen | Self::ProfilePicture | Self::About | Self::GroupAdd => {
                &[All, Contacts, ContactBlacklist, None]
            }
            Self::Online => &[All, MatchLastSeen],
            Self::ReadReceipts => &[All, None],
            Self::CallAdd => &[All, Known, Contacts],
            Self::Messages => &[All, Contacts],
        }
    }

    /// What a number starts with.
    pub fn default_value(self) -> PrivacyValue {
        match self {
            Self::LastSeen | Self::ProfilePicture | Self::About => PrivacyValue::Contacts,
            _ => PrivacyValue::All,
        }
    }
}

impl PrivacyValue {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::All => "all",
            Self::Contacts => "contacts",
            Self::ContactBlacklist => "contact_blacklist",
            Self::None => "none",
            Self::MatchLastSeen => "match_last_seen",
            Self::Known => "known",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        [
            Self::All,
            Self::Contacts,
            Self::ContactBlacklist,
            Self::None,
            Self::MatchLastSeen,
            Self::Known,
        ]
        .into_iter()
        .find(|value| value.as_str() == raw)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_setting_takes_its_default_and_values_round_trip() {
        for setting in PrivacySetting::ALL {
            assert!(
                setting.values().contains(&setting.default_value()),
                "{setting:?}"
            );
            for value in setting.values() {
                assert_eq!(PrivacyValue::parse(value.as_str()), Some(*value));
            }
        }
        assert!(
            !PrivacySetting::ReadReceipts
                .values()
                .contains(&PrivacyValue::Contacts)
        );
    }
}
