//! Privacy settings between wagate's names and the library's.

use wagate_engine::{PrivacySetting, PrivacyValue};
use whatsapp_rust::wacore::iq::privacy::{PrivacyCategory, PrivacyValue as WaValue};

pub(crate) fn category(setting: PrivacySetting) -> PrivacyCategory {
    match setting {
        PrivacySetting::LastSeen => PrivacyCategory::Last,
        PrivacySetting::Online => PrivacyCategory::Online,
        PrivacySetting::ProfilePicture => PrivacyCategory::Profile,
        PrivacySetting::About => PrivacyCategory::Status,
        PrivacySetting::GroupAdd => PrivacyCategory::GroupAdd,
        PrivacySetting::ReadReceipts => PrivacyCategory::ReadReceipts,
        PrivacySetting::CallAdd => PrivacyCategory::CallAdd,
        PrivacySetting::Messages => PrivacyCategory::Messages,
    }
}

pub(crate) fn setting(category: &PrivacyCategory) -> Option<PrivacySetting> {
    PrivacySetting::ALL
        .into_iter()
        .find(|setting| &self::category(*setting) == category)
}

pub(crate) fn wa_value(value: PrivacyValue) -> WaValue {
    match value {
        PrivacyValue::All => WaValue::All,
        PrivacyValue::Contacts => WaValue::Contacts,
        PrivacyValue::ContactBlacklist => WaValue::ContactBlacklist,
        PrivacyValue::None => WaValue::None,
        PrivacyValue::MatchLastSeen => WaValue::MatchLastSeen,
        PrivacyValue::Known => WaValue::Known,
    }
}

pub(crate) fn value(value: &WaValue) -> Option<PrivacyValue> {
    [
        PrivacyValue::All,
        PrivacyValue::Contacts,
        PrivacyValue::ContactBlacklist,
        PrivacyValue::None,
        PrivacyValue::MatchLastSeen,
        PrivacyValue::Known,
    ]
    .into_iter()
    .find(|ours| &wa_value(*ours) == value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_and_values_map_both_ways() {
        for ours in PrivacySetting::ALL {
            assert_eq!(setting(&category(ours)), Some(ours));
            for v in ours.values() {
                assert_eq!(value(&wa_value(*v)), Some(*v));
            }
        }
        assert_eq!(setting(&PrivacyCategory::DefenseMode), None);
    }
}
