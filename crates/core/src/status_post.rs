//! A status (story): who sees it and how a text status looks.
//!
//! WhatsApp posts a status to `status@broadcast` but encrypts it to each viewer, so a status
//! message carries its audience. The audience is fixed when the status is accepted: the
//! revoke must reach the same people, and "all contacts" must not change under a queued post.

use crate::PhoneNumber;
use serde::{Deserialize, Serialize};
use std::fmt;

/// WhatsApp's limit on the text of a text status, in characters.
pub const MAX_STATUS_TEXT_CHARS: usize = 700;
/// The most viewers one status is encrypted to.
pub const MAX_STATUS_RECIPIENTS: usize = 5_000;
/// A status disappears this many hours after it is posted.
pub const STATUS_LIFETIME_HOURS: i64 = 24;

/// Who a status is for, and its look when it is a text.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StatusPost {
    /// The viewers: the number's saved contacts when `all_contacts`, else the listed numbers.
    pub recipients: Vec<PhoneNumber>,
    #[serde(default)]
    pub all_contacts: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub background_color: Option<StatusBackground>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub font: Option<StatusFont>,
}

/// The background of a text status, as `#RRGGBB` or `#AARRGGBB` (opaque when the alpha is
/// left out).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct StatusBackground(u32);

impl StatusBackground {
    pub fn parse(raw: &str) -> Result<Self, String> {
        let hex = raw.trim().trim_start_matches('#');
        let valid = matches!(hex.len(), 6 | 8) && hex.chars().all(|c| c.is_ascii_hexdigit());
        let value = u32::from_str_radix(hex, 16)
            .ok()
            .filter(|_| valid)
            .ok_or_else(|| format!("'{raw}' is not a colour such as #1E6E4F or #FF1E6E4F"))?;
        Ok(Self(if hex.len() == 6 {
            0xFF00_0000 | value
        } else {
            value
        }))
    }

    /// Alpha, red, green, blue: the form WhatsApp takes.
    pub fn argb(self) -> u32 {
        self.0
    }
}

impl TryFrom<String> for StatusBackground {
    type Error = String;
    fn try_from(raw: String) -> Result<Self, String> {
        Self::parse(&raw)
    }
}

impl From<StatusBackground> for String {
    fn from(colour: StatusBackground) -> String {
        colour.to_string()
    }
}

impl fmt::Display for StatusBackground {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "#{:08X}", self.0)
    }
}

/// The typefaces WhatsApp offers for a text status.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub enum StatusFont {
    System,
    SystemText,
    FbScript,
    SystemBold,
    MorningBreeze,
    Calistoga,
    Exo2,
    CourierPrime,
}

impl StatusFont {
    pub const ALL: [StatusFont; 8] = [
        Self::System,
        Self::SystemText,
        Self::FbScript,
        Self::SystemBold,
        Self::MorningBreeze,
        Self::Calistoga,
        Self::Exo2,
        Self::CourierPrime,
    ];
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colours_take_an_optional_alpha() {
        assert_eq!(
            StatusBackground::parse("#1E6E4F").unwrap().argb(),
            0xFF1E6E4F
        );
        assert_eq!(
            StatusBackground::parse("801e6e4f").unwrap().argb(),
            0x801E6E4F
        );
        assert_eq!(
            StatusBackground::parse("#1e6e4f").unwrap().to_string(),
            "#FF1E6E4F"
        );
        for bad in [
            "",
            "#12345",
            "#GGGGGG",
            "#1234567",
            "+1E6E4F",
            "#1E6E4F00FF",
        ] {
            assert!(StatusBackground::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn fonts_go_by_whatsapps_names() {
        for (font, name) in StatusFont::ALL.into_iter().zip([
            "system",
            "systemText",
            "fbScript",
            "systemBold",
            "morningBreeze",
            "calistoga",
            "exo2",
            "courierPrime",
        ]) {
            assert_eq!(serde_json::to_value(font).unwrap(), serde_json::json!(name));
            assert_eq!(
                serde_json::from_value::<StatusFont>(serde_json::json!(name)).unwrap(),
                font
            );
        }
        assert!(serde_json::from_value::<StatusFont>(serde_json::json!("comic")).is_err());
    }

    #[test]
    fn a_post_round_trips_through_its_stored_json() {
        let post = StatusPost {
            recipients: vec![PhoneNumber::parse("15550002222").unwrap()],
            all_contacts: false,
            background_color: Some(StatusBackground::parse("#1E6E4F").unwrap()),
            font: Some(StatusFont::Calistoga),
        };
        let json = serde_json::to_value(&post).unwrap();
        assert_eq!(json["backgroundColor"], "#FF1E6E4F");
        assert_eq!(json["recipients"][0], "15550002222");
        assert_eq!(serde_json::from_value::<StatusPost>(json).unwrap(), post);
    }
}
