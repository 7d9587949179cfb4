//! Pacing against bans: how fast, how often and to whom one number may send.
//!
//! WhatsApp bans numbers that send like machines. Each instance therefore waits a random
//! 1–2 s between sends, leaves a gap between two messages to one chat, and sends at most a
//! daily cap — low in a new number's first weeks (the warm-up), higher later. The rules are
//! applied by the dispatcher when it claims messages (`plan_round`), never by sleeping in a
//! request: a paced instance is simply not claimed again before its gate opens, so it never
//! delays another. A message past the cap is scheduled for the next UTC day.

use super::{Gateway, ServiceResult};
use crate::config::PacingConfig;
use chrono::{DateTime, Duration, TimeDelta, Utc};
use rand::Rng;
use std::collections::{HashMap, HashSet};
use wagate_core::{EngineKind, InstanceId, InstanceSettings, MessageContent};
use wagate_store::{
    CapHold, ClaimCandidate, ClaimDecision, ClaimLimits, ClaimPlan, ClaimRound, InstanceGate,
    InstanceRecord,
};

impl Gateway {
    /// Claims one round of due messages under the pacing rules, leased until `lease_until`.
    /// Instances in `busy` still have a message in flight here and are left alone.
    pub(crate) async fn claim_due(
        &self,
        lease_until: DateTime<Utc>,
        limit: i64,
        busy: &[InstanceId],
        breaker_threshold: i64,
    ) -> ServiceResult<ClaimRound> {
        let now = self.now();
        let pacing = self.pacing.clone();
        let cloud_rate = self
            .cloud
            .as_ref()
            .map_or(DEFAULT_CLOUD_RATE, |cloud| cloud.messages_per_second);
        Ok(self
            .store
            .claim_due_messages(
                now,
                lease_until,
                claim_limits(limit, cloud_rate),
                busy,
                |candidates| plan_round(candidates, now, &pacing, cloud_rate, breaker_threshold),
            )
            .await?)
    }

    /// After a paced send went out: its gap counts from when it really went, not from its
    /// claim, so a lane that started late does not shorten the pause before the next send.
    pub(crate) async fn after_paced_send(
        &self,
        claimed: &wagate_store::ClaimedMessage,
        typing: std::time::Duration,
    ) -> ServiceResult<()> {
        let Some(gate) = claimed.gate else {
            return Ok(());
        };
        // Meta limits a cloud number's throughput, not the pause after each send: its gate
        // is set for the whole claimed burst, and its sends go out side by side.
        if claimed.engine == EngineKind::Cloud {
            return Ok(());
        }
        let planned = claimed.message.updated_at + TimeDelta::from_std(typing).unwrap_or_default();
        let lag = self.now() - planned;
        if lag > TimeDelta::zero() {
            self.store
                .push_gate(&claimed.message.instance_id, gate + lag)
                .await?;
        }
        Ok(())
    }

    /// Whether pacing applies to the instance (its settings over the global default).
    /// Cloud numbers have no daily cap: Meta's own limits apply to them.
    pub(crate) fn paces(&self, instance: &InstanceRecord) -> bool {
        instance.engine != EngineKind::Cloud
            && PacingRules::resolve(&self.pacing, &instance.settings).enabled
    }

    /// How long "typing…" shows before this content is sent.
    pub(crate) fn typing_time(&self, content: &MessageContent) -> std::time::Duration {
        typing_time(content, &self.pacing)
    }
}

/// The rules one instance sends under: the global `[pacing]` with its overrides applied.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PacingRules {
    pub enabled: bool,
    pub min_gap: Duration,
    pub max_gap: Duration,
    pub recipient_gap: Duration,
    pub daily_cap: u32,
    pub warmup: Vec<u32>,
}

impl PacingRules {
    pub fn resolve(global: &PacingConfig, settings: &InstanceSettings) -> Self {
        let own = settings.pacing.clone().unwrap_or_default();
        let ms =
            |own: Option<u64>, global: u64| Duration::milliseconds(own.unwrap_or(global) as i64);
        let min_gap = ms(own.min_gap_ms, global.min_gap_ms);
        Self {
            enabled: own.enabled.unwrap_or(global.enabled),
            min_gap,
            max_gap: ms(own.max_gap_ms, global.max_gap_ms).max(min_gap),
            recipient_gap: ms(own.recipient_gap_ms, global.recipient_gap_ms),
            daily_cap: own.daily_cap.unwrap_or(global.daily_cap),
            warmup: own.warmup.unwrap_or_else(|| global.warmup.clone()),
        }
    }

    /// The cap of the day `now` falls in: the warm-up week's cap, or the daily cap after it.
    pub fn cap_on(&self, linked_at: Option<DateTime<Utc>>, now: DateTime<Utc>) -> u32 {
        let week = linked_at.map_or(0, |linked| (now - linked).num_days().max(0) / 7);
        usize::try_from(week)
            .ok()
            .and_then(|week| self.warmup.get(week).copied())
            .unwrap_or(self.daily_cap)
    }

    /// A random pause between `min_gap` and `max_gap`.
    pub fn gap(&self) -> Duration {
        let (min, max) = (
            self.min_gap.num_milliseconds(),
            self.max_gap.num_milliseconds(),
        );
        Duration::milliseconds(rand::rng().random_range(min..=max))
    }
}

/// Days since 1970-01-01 in UTC: the day a daily count belongs to.
pub fn utc_day(at: DateTime<Utc>) -> i64 {
    at.timestamp().div_euclid(86_400)
}

/// The start of the UTC day after `at`: when a capped number may send again.
pub fn next_window(at: DateTime<Utc>) -> DateTime<Utc> {
    DateTime::from_timestamp((utc_day(at) + 1) * 86_400, 0).unwrap_or(at)
}

/// How long "typing…" shows before a message: proportional to its text, within bounds.
pub fn typing_time(content: &MessageContent, config: &PacingConfig) -> std::time::Duration {
    let chars = content.summary().chars().count() as u64;
    std::time::Duration::from_millis(
        (chars * config.typing_ms_per_char).clamp(config.typing_min_ms, config.typing_max_ms),
    )
}

/// A cloud number's throughput when neither `[cloud]` nor its settings say otherwise: Meta's
/// default.
pub const DEFAULT_CLOUD_RATE: u32 = 80;

/// A cloud number is claimed in bursts of a tenth of a second's worth of messages: few
/// claims, and sends that can go out side by side while staying under Meta's limit.
fn cloud_burst(rate: u32) -> i64 {
    i64::from((rate / 10).max(1))
}

/// What a linked number brings to a round beyond its one paced message: candidates for
/// chats still inside their recipient gap.
const LINKED_SHARE: i64 = 10;

/// A round reads each instance's first due messages, enough for a cloud number's burst: more
/// would be read only to be left for the next round.
fn claim_limits(round: i64, cloud_rate: u32) -> ClaimLimits {
    ClaimLimits {
        round,
        per_instance: cloud_burst(cloud_rate).max(LINKED_SHARE),
    }
}

/// Decides one claim round. Candidates come oldest first; an instance gets at most one
/// paced message a round (its gate then holds it), a cloud number a burst at its
/// messages-per-second, and an instance whose breaker tripped gets one probe.
pub fn plan_round(
    candidates: &[ClaimCandidate],
    now: DateTime<Utc>,
    config: &PacingConfig,
    cloud_rate: u32,
    breaker_threshold: i64,
) -> ClaimPlan {
    let mut plan = ClaimPlan::default();
    let mut closed: HashSet<&InstanceId> = HashSet::new();
    let mut counts: HashMap<&InstanceId, i64> = HashMap::new();
    // Cloud numbers claimed this round: (rate, claimed, the day's count before).
    let mut bursts: Vec<(&InstanceId, u32, i64, i64)> = Vec::new();
    let today = utc_day(now);
    for candidate in candidates {
        let instance = &candidate.message.instance_id;
        if closed.contains(instance) {
            plan.decisions.push(ClaimDecision::Skip);
            continue;
        }
        let state = &candidate.instance;
        let probe = state.breaker_failures >= breaker_threshold;
        if state.engine == EngineKind::Cloud {
            let rate = state
                .settings
                .pacing
                .as_ref()
                .and_then(|pacing| pacing.messages_per_second)
                .unwrap_or(cloud_rate)
                .max(1);
            let burst = match bursts.iter_mut().find(|burst| burst.0 == instance) {
                Some(burst) => burst,
                None => {
                    let before = if state.day == Some(today) {
                        state.day_count
                    } else {
                        0
                    };
                    bursts.push((instance, rate, 0, before));
                    bursts.last_mut().expect("just pushed")
                }
            };
            burst.2 += 1;
            plan.decisions.push(ClaimDecision::Claim);
            if probe || burst.2 >= cloud_burst(rate) {
                closed.insert(instance);
            }
            continue;
        }
        let rules = PacingRules::resolve(config, &state.settings);
        if !rules.enabled {
            plan.decisions.push(ClaimDecision::Claim);
            if probe {
                closed.insert(instance);
            }
            continue;
        }
        let count = counts
            .entry(instance)
            .or_insert(if state.day == Some(today) {
                state.day_count
            } else {
                0
            });
        if *count >= i64::from(rules.cap_on(state.linked_at, now)) {
            plan.caps.push(CapHold {
                instance_id: instance.clone(),
                until: next_window(now),
            });
            plan.decisions.push(ClaimDecision::Skip);
            closed.insert(instance);
            continue;
        }
        if let Some(last) = candidate.chat_last_sent_at
            && last + rules.recipient_gap > now
        {
            plan.decisions
                .push(ClaimDecision::WaitUntil(last + rules.recipient_gap));
            continue;
        }
        *count += 1;
        let typing = match (candidate.typing_ms, candidate.simulate_typing) {
            (Some(ms), _) => std::time::Duration::from_millis(u64::from(ms)),
            (None, true) => typing_time(&candidate.message.content, config),
            (None, false) => std::time::Duration::ZERO,
        };
        let typing = TimeDelta::from_std(typing).unwrap_or_default();
        plan.decisions.push(ClaimDecision::Claim);
        plan.gates.push(InstanceGate {
            instance_id: instance.clone(),
            send_after: Some(now + typing + rules.gap()),
            day: today,
            day_count: *count,
        });
        plan.chats
            .push((instance.clone(), candidate.message.chat_jid.clone(), now));
        closed.insert(instance);
    }
    for (instance, rate, claimed, before) in bursts {
        let spacing = Duration::microseconds(claimed * 1_000_000 / i64::from(rate));
        plan.gates.push(InstanceGate {
            instance_id: instance.clone(),
            send_after: Some(now + spacing),
            day: today,
            day_count: before + claimed,
        });
    }
    plan
}

#[cfg(test)]
mod tests {
    use super::*;
    use wagate_core::{MessageId, MessageStatus, TextBody};
    use wagate_store::{Direction, InstancePacingState, MessageRecord};

    fn config() -> PacingConfig {
        PacingConfig {
            enabled: true,
            min_gap_ms: 1000,
            max_gap_ms: 2000,
            recipient_gap_ms: 3000,
            daily_cap: 250,
            warmup: vec![20, 50, 100],
            typing_ms_per_char: 50,
            typing_min_ms: 1000,
            typing_max_ms: 8000,
        }
    }

    fn at(rfc3339: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(rfc3339).unwrap().to_utc()
    }

    fn candidate(
        instance: &InstanceId,
        chat: &str,
        day_count: i64,
        now: DateTime<Utc>,
    ) -> ClaimCandidate {
        ClaimCandidate {
            message: MessageRecord {
                id: MessageId::generate(),
                account_id: wagate_core::AccountId::generate(),
                instance_id: instance.clone(),
                direction: Direction::Outbound,
                recipient: chat.to_owned(),
                chat_jid: format!("{chat}@s.whatsapp.net"),
                content: MessageContent::Text {
                    body: TextBody::parse("hello there").unwrap(),
                    preview_url: false,
                },
                reply_to: None,
                mentions: Vec::new(),
                status: MessageStatus::Queued,
                provider_message_id: None,
                error_code: None,
                error_message: None,
                metadata: None,
                attempts: 0,
                run_at: now,
                created_at: now,
                updated_at: now,
                sent_at: None,
                delivered_at: None,
                read_at: None,
                failed_at: None,
                sender: None,
                sender_lid: None,
                push_name: None,
                edited_at: None,
                revoked_at: None,
                pinned_until: None,
                status_post: None,
            },
            simulate_typing: false,
            typing_ms: None,
            instance: InstancePacingState {
                engine: wagate_core::EngineKind::Sandbox,
                settings: InstanceSettings::default(),
                linked_at: Some(now - Duration::days(60)),
                day: Some(utc_day(now)),
                day_count,
                breaker_failures: 0,
            },
            chat_last_sent_at: None,
        }
    }

    #[test]
    fn warm_up_caps_follow_the_weeks_since_linking() {
        let rules = PacingRules::resolve(&config(), &InstanceSettings::default());
        let linked = at("2026-01-01T12:00:00Z");
        assert_eq!(rules.cap_on(Some(linked), at("2026-01-07T23:00:00Z")), 20);
        assert_eq!(rules.cap_on(Some(linked), at("2026-01-08T12:00:00Z")), 50);
        assert_eq!(rules.cap_on(Some(linked), at("2026-01-20T00:00:00Z")), 100);
        assert_eq!(rules.cap_on(Some(linked), at("2026-03-01T00:00:00Z")), 250);
        assert_eq!(
            rules.cap_on(None, at("2026-03-01T00:00:00Z")),
            20,
            "never linked: new"
        );
    }

    #[test]
    fn instance_settings_override_the_defaults() {
        let settings: InstanceSettings = serde_json::from_value(serde_json::json!({
            "pacing": {"minGapMs": 10, "maxGapMs": 20, "dailyCap": 1000, "warmup": []}
        }))
        .unwrap();
        let rules = PacingRules::resolve(&config(), &settings);
        assert_eq!(rules.cap_on(None, Utc::now()), 1000);
        for _ in 0..100 {
            let gap = rules.gap().num_milliseconds();
            assert!((10..=20).contains(&gap), "{gap}");
        }
        assert_eq!(rules.recipient_gap, Duration::seconds(3));
    }

    #[test]
    fn the_next_window_is_the_next_utc_midnight() {
        assert_eq!(
            next_window(at("2026-11-23T23:59:59Z")),
            at("2026-11-24T00:00:00Z")
        );
        assert_eq!(
            next_window(at("2026-11-24T00:00:00Z")),
            at("2026-11-25T00:00:00Z")
        );
    }

    #[test]
    fn typing_lasts_with_the_text_within_bounds() {
        let text = |body: &str| MessageContent::Text {
            body: TextBody::parse(body).unwrap(),
            preview_url: false,
        };
        assert_eq!(typing_time(&text("hi"), &config()).as_millis(), 1000);
        assert_eq!(
            typing_time(&text(&"a".repeat(60)), &config()).as_millis(),
            3000
        );
        assert_eq!(
            typing_time(&text(&"a".repeat(600)), &config()).as_millis(),
            8000
        );
    }

    #[test]
    fn a_paced_instance_sends_one_message_a_round_and_is_gated() {
        let now = at("2026-11-23T10:00:00Z");
        let (a, b) = (InstanceId::generate(), InstanceId::generate());
        let candidates = [
            candidate(&a, "15550001", 3, now),
            candidate(&a, "15550002", 3, now),
            candidate(&b, "15550003", 0, now),
        ];
        let plan = plan_round(&candidates, now, &config(), 80, 5);
        assert_eq!(
            plan.decisions,
            [
                ClaimDecision::Claim,
                ClaimDecision::Skip,
                ClaimDecision::Claim
            ]
        );
        let gate = &plan.gates[0];
        assert_eq!((gate.instance_id.clone(), gate.day_count), (a, 4));
        let wait = gate.send_after.unwrap() - now;
        assert!(
            wait >= Duration::seconds(1) && wait <= Duration::seconds(2),
            "{wait}"
        );
        assert_eq!(plan.chats.len(), 2);
    }

    #[test]
    fn a_capped_instance_waits_for_the_next_day_and_a_new_day_starts_at_zero() {
        let now = at("2026-11-23T10:00:00Z");
        let a = InstanceId::generate();
        let plan = plan_round(
            &[candidate(&a, "15550001", 250, now)],
            now,
            &config(),
            80,
            5,
        );
        assert_eq!(plan.decisions, [ClaimDecision::Skip]);
        assert_eq!(plan.caps[0].until, at("2026-11-24T00:00:00Z"));

        let mut yesterday = candidate(&a, "15550001", 250, now);
        yesterday.instance.day = Some(utc_day(now) - 1);
        let plan = plan_round(&[yesterday], now, &config(), 80, 5);
        assert_eq!(plan.decisions, [ClaimDecision::Claim]);
        assert_eq!(plan.gates[0].day_count, 1);
    }

    #[test]
    fn a_chat_written_to_moments_ago_waits_while_others_go() {
        let now = at("2026-11-23T10:00:00Z");
        let a = InstanceId::generate();
        let mut recent = candidate(&a, "15550001", 0, now);
        recent.chat_last_sent_at = Some(now - Duration::seconds(1));
        let other = candidate(&a, "15550002", 0, now);
        let plan = plan_round(&[recent, other], now, &config(), 80, 5);
        assert_eq!(
            plan.decisions,
            [
                ClaimDecision::WaitUntil(now + Duration::seconds(2)),
                ClaimDecision::Claim
            ]
        );
    }

    #[test]
    fn without_pacing_everything_goes_except_after_a_tripped_breaker() {
        let now = at("2026-11-23T10:00:00Z");
        let mut off = config();
        off.enabled = false;
        let a = InstanceId::generate();
        let all = [candidate(&a, "1", 9999, now), candidate(&a, "1", 9999, now)];
        let plan = plan_round(&all, now, &off, 80, 5);
        assert_eq!(plan.decisions, [ClaimDecision::Claim, ClaimDecision::Claim]);
        assert!(plan.gates.is_empty());

        let mut tripped = all.clone();
        for candidate in &mut tripped {
            candidate.instance.breaker_failures = 5;
        }
        let plan = plan_round(&tripped, now, &off, 80, 5);
        assert_eq!(
            plan.decisions,
            [ClaimDecision::Claim, ClaimDecision::Skip],
            "one probe"
        );
    }
}
