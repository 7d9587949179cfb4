//! Per-instance settings: what a number may override of the gateway's defaults, and the
//! switches users of other gateways rely on.
//!
//! Pacing: a number with years of chat history tolerates more than one linked yesterday, so
//! each instance can loosen or tighten the global `[pacing]` rules; every field is optional
//! and falls back to the global value. Switches: what happens to what arrives (group messages
//! and status updates ignored, messages marked read as they arrive, calls rejected, the number always online,
//! the chat history imported on linking);
//! all off by default.

use crate::ValidationErrors;
use serde::{Deserialize, Serialize};

/// Settings of one instance, as `POST /instances` and `PATCH /instances/{id}` take them.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct InstanceSettings {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pacing: Option<PacingSettings>,
    /// Messages written in groups are not stored and raise no event (direct chats only).
    #[serde(default, skip_serializing_if = "is_false")]
    pub ignore_groups: bool,
    /// Contacts' status updates (stories, `status@broadcast`) are not stored and raise no
    /// event.
    #[serde(default, skip_serializing_if = "is_false")]
    pub ignore_status: bool,
    /// Every message that arrives is marked read on WhatsApp (blue ticks) once stored.
    #[serde(default, skip_serializing_if = "is_false")]
    pub auto_read_messages: bool,
    /// Incoming calls are rejected as they ring (`call.received` still tells of them).
    #[serde(default, skip_serializing_if = "is_false")]
    pub reject_calls: bool,
    /// The number shows online to its contacts whenever it is connected (set again after
    /// every reconnect); off, it shows online only while `PUT …/presence` says so.
    #[serde(default, skip_serializing_if = "is_false")]
    pub always_online: bool,
    /// The chat history WhatsApp hands a newly linked device is imported: its chats and
    /// text messages appear in the chat list and the messages (no event per message, one
    /// `history.synced` per batch). Off, WhatsApp's history is acknowledged and dropped.
    #[serde(default, skip_serializing_if = "is_false")]
    pub sync_history: bool,
    /// With `rejectCalls`: a text sent to the caller after the call is rejected.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(example = "We cannot take calls here; please write to us.")]
    pub call_reject_message: Option<String>,
}

fn is_false(value: &bool) -> bool {
    !value
}

/// Overrides of the global pacing rules for one instance.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PacingSettings {
    /// Pacing on or off for this number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enabled: Option<bool>,
    /// Shortest pause between two sends, in milliseconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_gap_ms: Option<u64>,
    /// Longest pause between two sends (the pause is random in between), in milliseconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_gap_ms: Option<u64>,
    /// Shortest pause between two sends to the same chat, in milliseconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recipient_gap_ms: Option<u64>,
    /// Sends per UTC day once warm-up is over.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub daily_cap: Option<u32>,
    /// Daily caps for the first weeks after linking, one per week; `[]` skips warm-up.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub warmup: Option<Vec<u32>>,
    /// Cloud numbers only: messages per second Meta lets this number send (1–1000). Cloud
    /// numbers are paced by this alone; the gaps, caps and warm-up are for linked devices.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(example = 80)]
    pub messages_per_second: Option<u32>,
}

/// Pauses longer than a day would hold a number's queue for no reason a user could want.
const MAX_GAP_MS: u64 = 86_400_000;

/// The highest throughput Meta grants a Cloud API number, in messages per second.
pub const MAX_CLOUD_RATE: u32 = 1000;

impl InstanceSettings {
    /// Checks values serde cannot: ranges and the order of the gaps.
    pub fn validate(&self) -> Result<(), ValidationErrors> {
        let mut errors = ValidationErrors::default();
        if let Some(message) = &self.call_reject_message
            && let Err(error) = crate::TextBody::parse(message)
        {
            errors.push("settings.callRejectMessage", error);
        }
        if let Some(pacing) = &self.pacing {
            for (field, value) in [
                ("settings.pacing.minGapMs", pacing.min_gap_ms),
                ("settings.pacing.maxGapMs", pacing.max_gap_ms),
                ("settings.pacing.recipientGapMs", pacing.recipient_gap_ms),
            ] {
                if value.is_some_and(|v| v > MAX_GAP_MS) {
                    errors.push(field, format!("must be at most {MAX_GAP_MS} (one day)"));
                }
            }
            if let (Some(min), Some(max)) = (pacing.min_gap_ms, pacing.max_gap_ms)
                && min > max
            {
                errors.push("settings.pacing.maxGapMs", "must not be less than minGapMs");
            }
            if pacing
                .messages_per_second
                .is_some_and(|rate| !(1..=MAX_CLOUD_RATE).contains(&rate))
            {
                errors.push(
                    "settings.pacing.messagesPerSecond",
                    format!("must be between 1 and {MAX_CLOUD_RATE}"),
                );
            }
            if pacing.daily_cap == Some(0) {
                errors.push("settings.pacing.dailyCap", "must be at least 1");
            }
            if let Some(warmup) = &pacing.warmup {
                if warmup.contains(&0) {
                    errors.push(
                        "settings.pacing.warmup",
                        "every week's cap must be at least 1",
                    );
                }
                if warmup.len() > 52 {
                    errors.push("settings.pacing.warmup", "at most 52 weeks");
                }
            }
        }
        errors.finish(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_are_read_in_camel_case_and_unknown_fields_refused() {
        let settings: InstanceSettings = serde_json::from_value(serde_json::json!({
            "pacing": {"enabled": true, "minGapMs": 10, "maxGapMs": 20, "warmup": [5, 10]}
        }))
        .unwrap();
        let pacing = settings.pacing.clone().unwrap();
        assert_eq!(pacing.min_gap_ms, Some(10));
        assert_eq!(pacing.warmup, Some(vec![5, 10]));
        assert!(settings.validate().is_ok());
        assert!(
            serde_json::from_value::<InstanceSettings>(serde_json::json!({"pacing": {"gap": 1}}))
                .is_err()
        );
    }

    #[test]
    fn impossible_values_are_named() {
        let settings = InstanceSettings {
            pacing: Some(PacingSettings {
                min_gap_ms: Some(3000),
                max_gap_ms: Some(1000),
                daily_cap: Some(0),
                warmup: Some(vec![10, 0]),
                ..Default::default()
            }),
            ..Default::default()
        };
        let fields: Vec<_> = settings
            .validate()
            .unwrap_err()
            .0
            .into_iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(
            fields,
            [
                "settings.pacing.maxGapMs",
                "settings.pacing.dailyCap",
                "settings.pacing.warmup"
            ]
        );
    }
}
