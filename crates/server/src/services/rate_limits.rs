//! Request limits per minute: by plan for accounts (seed 004's tiers), per IP address for
//! requests without a valid key. Fixed one-minute windows, counted in memory on each node — so
//! behind a load balancer of N nodes an account may make up to N times its limit.

use super::{Gateway, Principal};
use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};
use wagate_core::{AccountId, InstanceId, Plan};

const WINDOW_SECS: u64 = 60;
/// Sign-ups (seed 004's `POST /auth/register`) a minute from one address.
pub const REGISTRATIONS_PER_MINUTE: u32 = 5;
/// How long an account's plan is trusted before it is read again.
const PLAN_TTL: Duration = Duration::from_secs(10);
/// Windows are pruned when this many subjects are counted.
const PRUNE_ABOVE: usize = 10_000;

/// The limits in force.
#[derive(Clone, Debug)]
pub struct RateLimitSettings {
    pub default_plan: Plan,
    pub free: u32,
    pub basic: u32,
    pub pro: u32,
    pub enterprise: u32,
    /// Requests a minute of an account on the `sessions` plan (seed 002's 100).
    pub sessions: u32,
    /// Sends a minute of one session (instance) on the `sessions` plan (seed 002's 10).
    pub sessions_sends_per_session: u32,
    pub unauthenticated: u32,
}

impl RateLimitSettings {
    fn per_minute(&self, plan: Plan) -> Option<u32> {
        match plan {
            Plan::Free => Some(self.free),
            Plan::Basic => Some(self.basic),
            Plan::Pro => Some(self.pro),
            Plan::Enterprise => Some(self.enterprise),
            Plan::Sessions => Some(self.sessions),
            Plan::Unlimited => None,
        }
    }
}

/// One request counted against a limit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RateDecision {
    pub limit: u32,
    pub remaining: u32,
    /// Unix seconds when the window resets.
    pub reset_at: u64,
    pub allowed: bool,
}

impl RateDecision {
    pub fn retry_after_secs(&self) -> u64 {
        let now = unix_now();
        self.reset_at.saturating_sub(now).max(1)
    }
}

fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

#[derive(Hash, PartialEq, Eq, Clone, Debug)]
enum Subject {
    Account(AccountId),
    Address(IpAddr),
    /// Sign-ups from one address, counted apart from its other requests.
    Registration(IpAddr),
    /// Sends of one instance, on plans that limit them (`sessions`).
    Sends(InstanceId),
}

pub struct RateLimiter {
    settings: RateLimitSettings,
    windows: Mutex<HashMap<Subject, (u64, u32)>>,
    plans: Mutex<HashMap<AccountId, (Plan, Instant)>>,
}

impl RateLimiter {
    pub fn new(settings: RateLimitSettings) -> Self {
        Self {
            settings,
            windows: Mutex::new(HashMap::new()),
            plans: Mutex::new(HashMap::new()),
        }
    }

    pub fn default_plan(&self) -> Plan {
        self.settings.default_plan
    }

    fn count(&self, subject: Subject, limit: u32) -> RateDecision {
        let now = unix_now();
        let window = now - now % WINDOW_SECS;
        let mut windows = self.windows.lock().unwrap_or_else(|e| e.into_inner());
        if windows.len() > PRUNE_ABOVE {
            windows.retain(|_, (start, _)| *start == window);
        }
        let entry = windows.entry(subject).or_insert((window, 0));
        if entry.0 != window {
            *entry = (window, 0);
        }
        let allowed = entry.1 < limit;
        if allowed {
            entry.1 += 1;
        }
        RateDecision {
            limit,
            remaining: limit.saturating_sub(entry.1),
            reset_at: window + WINDOW_SECS,
            allowed,
        }
    }

    /// Counts one sign-up from `address`.
    pub fn count_registration(&self, address: IpAddr) -> RateDecision {
        self.count(Subject::Registration(address), REGISTRATIONS_PER_MINUTE)
    }

    fn cached_plan(&self, account: &AccountId) -> Option<Plan> {
        let plans = self.plans.lock().unwrap_or_else(|e| e.into_inner());
        plans
            .get(account)
            .filter(|(_, at)| at.elapsed() < PLAN_TTL)
            .map(|(plan, _)| *plan)
    }

    fn remember_plan(&self, account: &AccountId, plan: Plan) {
        let mut plans = self.plans.lock().unwrap_or_else(|e| e.into_inner());
        if plans.len() > PRUNE_ABOVE {
            plans.retain(|_, (_, at)| at.elapsed() < PLAN_TTL);
        }
        plans.insert(account.clone(), (plan, Instant::now()));
    }

    pub(crate) fn forget_plan(&self, account: &AccountId) {
        let mut plans = self.plans.lock().unwrap_or_else(|e| e.into_inner());
        plans.remove(account);
    }
}

impl Gateway {
    /// Counts one request: of the caller's account, or (no valid key) of its address. `None`
    /// when nothing limits it (the admin key, an unlimited plan).
    pub async fn count_request(
        &self,
        principal: Option<&Principal>,
        address: Option<IpAddr>,
    ) -> Option<RateDecision> {
        let limiter = &self.rate_limiter;
        match principal {
            Some(Principal::Admin | Principal::AdminFor(_)) => None,
            Some(principal) => {
                let account = principal.account().ok()?;
                let plan = self.plan_of(account).await?;
                let limit = limiter.settings.per_minute(plan)?;
                Some(limiter.count(Subject::Account(account.clone()), limit))
            }
            None => {
                let address = address?;
                Some(limiter.count(Subject::Address(address), limiter.settings.unauthenticated))
            }
        }
    }

    /// Counts one send of `instance` against its plan's limit per session (seed 002's
    /// `POST /send-message`, 10 a minute on the `sessions` plan). `None` when the caller's plan
    /// does not limit sends (the admin key, every other plan).
    pub async fn count_session_send(
        &self,
        principal: &Principal,
        instance: &InstanceId,
    ) -> Option<RateDecision> {
        if matches!(principal, Principal::Admin | Principal::AdminFor(_)) {
            return None;
        }
        let account = principal.account().ok()?;
        let plan = self.plan_of(account).await?;
        let limiter = &self.rate_limiter;
        (plan == Plan::Sessions).then(|| {
            limiter.count(
                Subject::Sends(instance.clone()),
                limiter.settings.sessions_sends_per_session,
            )
        })
    }

    /// The account's plan, read at most every few seconds.
    async fn plan_of(&self, account: &AccountId) -> Option<Plan> {
        let limiter = &self.rate_limiter;
        if let Some(plan) = limiter.cached_plan(account) {
            return Some(plan);
        }
        let plan = match self.store.get_account(account).await {
            Ok(Some(record)) => record.plan,
            // The account is gone or the database did not answer: the request fails on its
            // own; counting it changes nothing.
            _ => return None,
        };
        limiter.remember_plan(account, plan);
        Some(plan)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_window_allows_its_limit_then_refuses() {
        let limiter = RateLimiter::new(RateLimitSettings {
            default_plan: Plan::Unlimited,
            free: 3,
            basic: 100,
            pro: 500,
            enterprise: 2000,
            sessions: 100,
            sessions_sends_per_session: 10,
            unauthenticated: 2,
        });
        let subject = Subject::Address("127.0.0.1".parse().unwrap());
        let decisions: Vec<_> = (0..4).map(|_| limiter.count(subject.clone(), 3)).collect();
        assert_eq!(
            decisions.iter().map(|d| d.allowed).collect::<Vec<_>>(),
            [true, true, true, false]
        );
        assert_eq!(
            decisions.iter().map(|d| d.remaining).collect::<Vec<_>>(),
            [2, 1, 0, 0]
        );
        assert!(decisions[3].retry_after_secs() <= WINDOW_SECS);
        assert_eq!(decisions[0].reset_at % WINDOW_SECS, 0);
    }
}
