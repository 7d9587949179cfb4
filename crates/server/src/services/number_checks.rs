//! Whether phone numbers are on WhatsApp (`contacts/check`, `on-whatsapp`).
//!
//! Asking WhatsApp about many numbers is what spam tools do, and numbers that do it get
//! banned. So answers are kept for a while (`[contacts] check_cache_ttl_secs`) and asked again
//! only when that ran out, and what must be asked goes to the engine in batches of
//! `check_batch` numbers, at least `check_spacing_ms` apart per instance — also across
//! concurrent requests. The caller waits for the answer, so the request holds that long.

use super::{Gateway, Principal, ServiceError, ServiceResult};
use moka::sync::Cache;
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Mutex;
use tokio::time::Instant;
use wagate_core::{Capability, InstanceId, PhoneNumber, ValidationErrors};
use wagate_engine::NumberCheck;

/// How number checks are limited and kept.
#[derive(Clone, Debug)]
pub struct NumberCheckSettings {
    /// Most numbers one request may ask about.
    pub max_numbers: usize,
    pub cache_ttl: Duration,
    /// Numbers per request to WhatsApp.
    pub batch: usize,
    /// Least time between two requests to WhatsApp from one instance.
    pub spacing: Duration,
}

impl Default for NumberCheckSettings {
    fn default() -> Self {
        Self {
            max_numbers: 500,
            cache_ttl: Duration::from_secs(24 * 3600),
            batch: 50,
            spacing: Duration::from_millis(1000),
        }
    }
}

pub(crate) struct NumberChecks {
    settings: NumberCheckSettings,
    answers: Cache<(InstanceId, PhoneNumber), NumberCheck>,
    /// Per instance: when it last asked WhatsApp; held while it asks.
    gates: Cache<InstanceId, Arc<Mutex<Option<Instant>>>>,
}

impl NumberChecks {
    pub fn new(settings: NumberCheckSettings) -> Self {
        Self {
            answers: Cache::builder()
                .max_capacity(1_000_000)
                .time_to_live(settings.cache_ttl)
                .build(),
            gates: Cache::builder()
                .time_to_idle(Duration::from_secs(3600))
                .build(),
            settings,
        }
    }
}

/// The numbers of a request, each checked, in the order given.
fn parse_numbers(raw: &[String], max: usize) -> ServiceResult<Vec<PhoneNumber>> {
    if raw.is_empty() {
        return Err(ServiceError::field("numbers", "give at least one number"));
    }
    if raw.len() > max {
        return Err(ServiceError::field(
            "numbers",
            format!("at most {max} numbers a request ({} given)", raw.len()),
        ));
    }
    let mut errors = ValidationErrors::default();
    let mut numbers = Vec::with_capacity(raw.len());
    for (index, number) in raw.iter().enumerate() {
        match PhoneNumber::parse(number) {
            Ok(number) => numbers.push(number),
            Err(error) => errors.push(format!("numbers[{index}]"), error.to_string()),
        }
    }
    Ok(errors.finish(numbers)?)
}

impl Gateway {
    /// Whether each number has a WhatsApp account, as the instance's number sees it.
    pub async fn check_numbers(
        &self,
        principal: &Principal,
        id_or_name: &str,
        raw: &[String],
    ) -> ServiceResult<Vec<NumberCheck>> {
        let checks = &self.number_checks;
        let numbers = parse_numbers(raw, checks.settings.max_numbers)?;
        let (instance, session) = self
            .open_session_for(
                principal,
                id_or_name,
                Capability::CheckNumbers,
                "check whether numbers are on WhatsApp",
            )
            .await?;

        let mut known: HashMap<PhoneNumber, NumberCheck> = HashMap::new();
        let mut unknown: Vec<PhoneNumber> = Vec::new();
        for number in &numbers {
            if known.contains_key(number) || unknown.contains(number) {
                continue;
            }
            match checks.answers.get(&(instance.id.clone(), number.clone())) {
                Some(check) => {
                    known.insert(number.clone(), check);
                }
                None => unknown.push(number.clone()),
            }
        }
        if !unknown.is_empty() {
            let gate = checks
                .gates
                .get_with(instance.id.clone(), || Arc::new(Mutex::new(None)));
            let mut last_asked = gate.lock().await;
            for batch in unknown.chunks(checks.settings.batch.max(1)) {
                if let Some(last) = *last_asked {
                    tokio::time::sleep_until(last + checks.settings.spacing).await;
                }
                let answered = session.check_numbers(batch).await;
                *last_asked = Some(Instant::now());
                for check in answered? {
                    checks
                        .answers
                        .insert((instance.id.clone(), check.number.clone()), check.clone());
                    known.insert(check.number.clone(), check);
                }
            }
        }
        numbers
            .iter()
            .map(|number| {
                known.get(number).cloned().ok_or_else(|| {
                    ServiceError::EngineUnavailable(format!(
                        "WhatsApp gave no answer about {}",
                        number.as_str()
                    ))
                })
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_checked_one_by_one_and_counted() {
        let parsed = parse_numbers(&["15550001111".to_owned()], 2).expect("valid");
        assert_eq!(parsed[0].as_str(), "15550001111");

        let Err(ServiceError::Validation(errors)) = parse_numbers(
            &["15550001111".to_owned(), "12".to_owned(), "x".to_owned()],
            5,
        ) else {
            panic!("bad numbers are refused");
        };
        let fields: Vec<_> = errors.0.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["numbers[1]", "numbers[2]"]);

        assert!(parse_numbers(&[], 5).is_err());
        assert!(parse_numbers(&vec!["15550001111".to_owned(); 3], 2).is_err());
    }
}
