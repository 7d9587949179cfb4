//! What time the services decide with: pacing gates, daily caps and the warm-up, the circuit
//! breaker's pause, retry backoff.
//!
//! The gateway runs on the system clock. Tests run it on a [`ShiftedClock`]: time still flows
//! (gaps, timers and leases behave as in production) but can be moved forward, so a day's cap
//! rolling over or a number's first week ending is seen in a test without waiting for it.

use chrono::{DateTime, TimeDelta, Utc};
use std::sync::atomic::{AtomicI64, Ordering};

pub trait Clock: Send + Sync + 'static {
    fn now(&self) -> DateTime<Utc>;
}

pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

/// The system clock moved forward by however much [`ShiftedClock::advance`] was told.
#[derive(Default)]
pub struct ShiftedClock {
    ahead_ms: AtomicI64,
}

impl ShiftedClock {
    pub fn advance(&self, by: TimeDelta) {
        self.ahead_ms
            .fetch_add(by.num_milliseconds(), Ordering::SeqCst);
    }
}

impl Clock for ShiftedClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now() + TimeDelta::milliseconds(self.ahead_ms.load(Ordering::SeqCst))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_shifted_clock_runs_ahead_by_what_it_was_told() {
        let clock = ShiftedClock::default();
        let before = Utc::now();
        clock.advance(TimeDelta::days(1));
        clock.advance(TimeDelta::hours(2));
        let ahead = clock.now() - before;
        assert!(ahead >= TimeDelta::hours(26), "{ahead}");
        assert!(
            ahead < TimeDelta::hours(26) + TimeDelta::seconds(5),
            "{ahead}"
        );
    }
}
