//! Delivery statistics: what became of the messages an account (or one instance) sent over a
//! time range, in total and per UTC day, with the delivery and failure rates of seed 004.

use super::{Gateway, Principal, ServiceResult};
use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde::Deserialize;
use std::collections::BTreeMap;
use wagate_core::{MessageStatus, ValidationErrors};
use wagate_store::DailyStatusCount;

/// The longest range one summary covers.
const MAX_RANGE_DAYS: i64 = 366;
/// The range when `from` is not given.
const DEFAULT_RANGE_DAYS: i64 = 30;

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AnalyticsQuery {
    /// Only this instance (id or name); default all of the account's (an instance key: its own).
    pub instance: Option<String>,
    /// Messages created at or after this time (RFC 3339; default 30 days before `to`).
    pub from: Option<String>,
    /// Messages created before this time (RFC 3339; default now). At most 366 days after `from`.
    pub to: Option<String>,
}

/// Counts per status, and the rates they give.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct StatusCounts {
    pub total: i64,
    /// Keyed by the status's wire name; statuses with no messages are absent.
    pub by_status: BTreeMap<&'static str, i64>,
}

impl StatusCounts {
    fn add(&mut self, status: MessageStatus, count: i64) {
        self.total += count;
        *self.by_status.entry(status.as_str()).or_insert(0) += count;
    }

    fn count(&self, statuses: &[MessageStatus]) -> i64 {
        statuses
            .iter()
            .map(|s| self.by_status.get(s.as_str()).copied().unwrap_or(0))
            .sum()
    }

    /// Delivered, read or played, of all: what reached the phone.
    pub fn delivery_rate(&self) -> f64 {
        self.rate(self.count(&[
            MessageStatus::Delivered,
            MessageStatus::Read,
            MessageStatus::Played,
        ]))
    }

    pub fn failure_rate(&self) -> f64 {
        self.rate(self.count(&[MessageStatus::Failed]))
    }

    fn rate(&self, part: i64) -> f64 {
        if self.total == 0 {
            return 0.0;
        }
        // Two decimals, as the rates are shown.
        (part as f64 / self.total as f64 * 100.0).round() / 100.0
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct AnalyticsSummary {
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    pub instance_id: Option<String>,
    pub overall: StatusCounts,
    /// Every UTC day of the range, oldest first, days without messages included.
    pub days: Vec<(NaiveDate, StatusCounts)>,
}

fn parse_time(
    field: &str,
    raw: Option<&str>,
    errors: &mut ValidationErrors,
) -> Option<DateTime<Utc>> {
    let raw = raw?;
    match DateTime::parse_from_rfc3339(raw.trim()) {
        Ok(at) => Some(at.with_timezone(&Utc)),
        Err(_) => {
            errors.push(field, "must be an RFC 3339 time, e.g. 2026-11-01T00:00:00Z");
            None
        }
    }
}

/// Groups counts into the overall figures and one entry per day of `[from, to)`.
fn summarise(
    counts: &[DailyStatusCount],
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> (StatusCounts, Vec<(NaiveDate, StatusCounts)>) {
    let mut overall = StatusCounts::default();
    let mut days: BTreeMap<NaiveDate, StatusCounts> = BTreeMap::new();
    let last = (to - Duration::milliseconds(1)).date_naive();
    let mut day = from.date_naive();
    while day <= last {
        days.insert(day, StatusCounts::default());
        day = day.succ_opt().unwrap_or(day);
        if day == NaiveDate::MAX {
            break;
        }
    }
    // Dry runs never left the server: they are not traffic.
    for count in counts
        .iter()
        .filter(|c| c.status != MessageStatus::Simulated)
    {
        overall.add(count.status, count.count);
        days.entry(count.day)
            .or_default()
            .add(count.status, count.count);
    }
    (overall, days.into_iter().collect())
}

impl Gateway {
    /// Folds the counts written since the last fold (a background worker calls this).
    pub async fn fold_message_counts(&self) -> ServiceResult<u64> {
        Ok(self.store.fold_message_counts().await?)
    }

    pub async fn analytics_summary(
        &self,
        principal: &Principal,
        query: AnalyticsQuery,
    ) -> ServiceResult<AnalyticsSummary> {
        let account = principal.account()?.clone();
        let mut errors = ValidationErrors::default();
        let to = parse_time("to", query.to.as_deref(), &mut errors).unwrap_or_else(Utc::now);
        let from = parse_time("from", query.from.as_deref(), &mut errors)
            .unwrap_or(to - Duration::days(DEFAULT_RANGE_DAYS));
        if errors.is_empty() {
            if from >= to {
                errors.push("from", "must be before `to`");
            } else if to - from > Duration::days(MAX_RANGE_DAYS) {
                errors.push(
                    "to",
                    format!("must be at most {MAX_RANGE_DAYS} days after `from`"),
                );
            }
        }
        if !errors.is_empty() {
            return Err(errors.into());
        }
        let instance = match query.instance.as_deref().filter(|s| !s.trim().is_empty()) {
            Some(id_or_name) => Some(self.resolve_instance(principal, id_or_name).await?.id),
            None => principal.instance_limit().cloned(),
        };
        let counts = self
            .store
            .message_counts(&account, instance.as_ref(), from, to)
            .await?;
        let (overall, days) = summarise(&counts, from, to);
        Ok(AnalyticsSummary {
            from,
            to,
            instance_id: instance.map(|id| id.to_string()),
            overall,
            days,
        })
    }
}

impl Gateway {
    /// How many messages the caller's account has sent since it was made (seed 004's
    /// `messagesSent`): every outbound message, whatever became of it, but dry runs.
    pub async fn messages_sent(&self, principal: &Principal) -> ServiceResult<i64> {
        let account = self.current_account(principal).await?;
        let to = self.now() + Duration::hours(1);
        let counts = self
            .store
            .message_counts(
                &account.id,
                principal.instance_limit(),
                account.created_at,
                to,
            )
            .await?;
        Ok(counts
            .iter()
            .filter(|count| count.status != MessageStatus::Simulated)
            .map(|count| count.count)
            .sum())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(raw: &str) -> DateTime<Utc> {
        raw.parse().unwrap()
    }

    #[test]
    fn rates_follow_seed_004() {
        let mut counts = StatusCounts::default();
        counts.add(MessageStatus::Delivered, 900);
        counts.add(MessageStatus::Read, 80);
        counts.add(MessageStatus::Failed, 52);
        counts.add(MessageStatus::Sent, 10);
        assert_eq!(counts.total, 1042);
        assert_eq!(counts.delivery_rate(), 0.94);
        assert_eq!(counts.failure_rate(), 0.05);
        assert_eq!(StatusCounts::default().delivery_rate(), 0.0);
    }

    #[test]
    fn every_day_of_the_range_has_an_entry() {
        let day = |d: &str| d.parse::<NaiveDate>().unwrap();
        let counts = vec![
            DailyStatusCount {
                day: day("2026-11-02"),
                status: MessageStatus::Read,
                count: 3,
            },
            DailyStatusCount {
                day: day("2026-11-02"),
                status: MessageStatus::Failed,
                count: 1,
            },
        ];
        let (overall, days) = summarise(
            &counts,
            at("2026-11-01T10:00:00Z"),
            at("2026-11-04T00:00:00Z"),
        );
        assert_eq!(overall.total, 4);
        let listed: Vec<_> = days.iter().map(|(d, c)| (d.to_string(), c.total)).collect();
        assert_eq!(
            listed,
            [
                ("2026-11-01".to_owned(), 0),
                ("2026-11-02".to_owned(), 4),
                ("2026-11-03".to_owned(), 0)
            ]
        );
    }
}
