//! Account plans: how many API requests an account may make per minute (seed 004's tiers).

use serde::{Deserialize, Serialize};
use std::str::FromStr;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Plan {
    Free,
    Basic,
    Pro,
    Enterprise,
    /// Seed 002's limits: requests a minute per account, and `POST /api/v1/send-message` a
    /// minute per session (10 and 100 by default).
    Sessions,
    /// No request limit: the default for accounts on a self-hosted install.
    Unlimited,
}

impl Plan {
    pub const ALL: [Plan; 6] = [
        Self::Free,
        Self::Basic,
        Self::Pro,
        Self::Enterprise,
        Self::Sessions,
        Self::Unlimited,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Free => "free",
            Self::Basic => "basic",
            Self::Pro => "pro",
            Self::Enterprise => "enterprise",
            Self::Sessions => "sessions",
            Self::Unlimited => "unlimited",
        }
    }
}

impl FromStr for Plan {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|plan| plan.as_str() == s.trim())
            .ok_or_else(|| {
                format!("'{s}' is not a plan (free, basic, pro, enterprise, sessions or unlimited)")
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wire_names_round_trip() {
        for plan in Plan::ALL {
            assert_eq!(serde_json::to_value(plan).unwrap(), plan.as_str());
            assert_eq!(plan.as_str().parse::<Plan>(), Ok(plan));
        }
        assert!("gold".parse::<Plan>().is_err());
    }
}
