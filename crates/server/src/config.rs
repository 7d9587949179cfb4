//! Configuration: built-in defaults, then a file, then `WAGATE_*` environment variables.

use figment::Figment;
use figment::providers::{Env, Format, Toml};
use serde::Deserialize;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// The documented defaults, compiled in so the binary runs with no file at all.
pub const DEFAULTS: &str = include_str!("../../../config.default.toml");

#[derive(Clone, Debug, Deserialize)]
pub struct Config {
    pub listen: SocketAddr,
    pub data_dir: PathBuf,
    pub database_url: String,
    pub admin_key: String,
    pub server: ServerConfig,
    pub database: DatabaseConfig,
    pub http: HttpConfig,
    pub dispatcher: DispatcherConfig,
    pub pacing: PacingConfig,
    pub webhooks: WebhooksConfig,
    pub streams: StreamsConfig,
    pub messages: MessagesConfig,
    pub contacts: ContactsConfig,
    pub limits: LimitsConfig,
    pub accounts: AccountsConfig,
    pub brokers: BrokersConfig,
    pub media: MediaConfig,
    pub sandbox: SandboxSettings,
    pub cloud: CloudConfig,
    pub web: WebEngineConfig,
    pub evolution: EvolutionConfig,
    pub secrets: SecretsConfig,
    pub log: LogConfig,
}

#[derive(Clone, Debug, Deserialize)]
pub struct ServerConfig {
    /// The public base URL; empty is `http://<listen>`.
    pub public_url: String,
}

#[derive(Clone, Debug, Deserialize)]
pub struct DatabaseConfig {
    pub max_connections: u32,
}

#[derive(Clone, Debug, Deserialize)]
pub struct HttpConfig {
    pub body_limit_bytes: usize,
    pub send_json_limit_bytes: usize,
    /// A connection whose request line and headers take longer than this is closed.
    pub header_read_timeout_secs: u64,
    /// A request body that sends nothing for this long is answered 408 (the gap, not the total).
    pub body_idle_timeout_secs: u64,
    /// Connections from one address (IPv6: one /64) that have not yet sent a valid key; 0 is
    /// no cap.
    pub max_unauthenticated_connections_per_ip: usize,
    pub max_uri_bytes: usize,
    pub max_header_count: usize,
    pub max_header_bytes: usize,
}

#[derive(Clone, Debug, Deserialize)]
pub struct DispatcherConfig {
    pub batch_size: i64,
    pub lease_secs: u64,
    pub poll_interval_ms: u64,
    pub max_attempts: i64,
    pub retry_base_ms: u64,
    /// Transient engine failures in a row that pause an instance's sending.
    pub breaker_threshold: i64,
    /// How long a tripped breaker pauses sending before a probe send is let through.
    pub breaker_pause_secs: u64,
}

/// Pacing against bans: the defaults every instance starts from (`settings.pacing` overrides).
#[derive(Clone, Debug, Deserialize)]
pub struct PacingConfig {
    pub enabled: bool,
    pub min_gap_ms: u64,
    pub max_gap_ms: u64,
    pub recipient_gap_ms: u64,
    pub daily_cap: u32,
    /// Daily caps for the first weeks after linking, one per week.
    pub warmup: Vec<u32>,
    /// "typing…" shown per character of text before a `simulateTyping` send.
    pub typing_ms_per_char: u64,
    pub typing_min_ms: u64,
    pub typing_max_ms: u64,
}

/// Broker sinks: each enabled one receives every event.
#[derive(Clone, Debug, Deserialize)]
pub struct BrokersConfig {
    pub nats: crate::sinks::nats::NatsConfig,
    pub amqp: crate::sinks::amqp::AmqpConfig,
}

impl BrokersConfig {
    /// Names the brokers refuse or that would capture the wrong subjects, checked at start-up
    /// rather than found in a sink's retry log.
    fn validate(&self) -> Result<(), ConfigError> {
        use crate::sinks::prefix_problem;
        let problem = |setting: &str, problem: Option<&str>| match problem {
            Some(problem) => Err(ConfigError::Rule(format!("{setting} {problem}"))),
            None => Ok(()),
        };
        if self.nats.enabled {
            problem(
                "brokers.nats.subject_prefix",
                prefix_problem(&self.nats.subject_prefix),
            )?;
            problem(
                "brokers.nats.ack_timeout_ms",
                (self.nats.ack_timeout_ms == 0).then_some("must be at least 1"),
            )?;
            let stream = &self.nats.stream;
            let bad = |c: char| matches!(c, '.' | '*' | '>' | '/' | '\\') || c.is_whitespace();
            problem(
                "brokers.nats.stream",
                (stream.is_empty() || stream.contains(bad))
                    .then_some("must be a name without . * > / \\ or whitespace"),
            )?;
        }
        if self.amqp.enabled {
            problem(
                "brokers.amqp.routing_prefix",
                prefix_problem(&self.amqp.routing_prefix),
            )?;
            problem(
                "brokers.amqp.exchange",
                self.amqp.exchange.is_empty().then_some(
                    "must name an exchange (the default exchange cannot route by topic)",
                ),
            )?;
        }
        Ok(())
    }
}

#[derive(Clone, Debug, Deserialize)]
pub struct LimitsConfig {
    pub default_plan: String,
    pub unauthenticated_per_minute: u32,
    /// `POST /api/v1/send-message` a minute per session on the `sessions` plan.
    pub sessions_sends_per_minute: u32,
    pub plans: PlanLimits,
}

/// Requests per minute of each plan (`unlimited` has none).
#[derive(Clone, Debug, Deserialize)]
pub struct PlanLimits {
    pub free: u32,
    pub basic: u32,
    pub pro: u32,
    pub enterprise: u32,
    pub sessions: u32,
}

impl LimitsConfig {
    pub fn settings(&self) -> Result<crate::services::RateLimitSettings, ConfigError> {
        Ok(crate::services::RateLimitSettings {
            default_plan: self
                .default_plan
                .parse()
                .map_err(|e| ConfigError::Rule(format!("limits.default_plan: {e}")))?,
            free: self.plans.free,
            basic: self.plans.basic,
            pro: self.plans.pro,
            enterprise: self.plans.enterprise,
            sessions: self.plans.sessions,
            sessions_sends_per_session: self.sessions_sends_per_minute,
            unauthenticated: self.unauthenticated_per_minute,
        })
    }
}

/// How accounts are made and their keys written.
#[derive(Clone, Debug, Deserialize)]
pub struct AccountsConfig {
    /// Anyone may create an account without a key (seed 004's `POST /auth/register`), at
    /// most 5 a minute per client address.
    pub registration: bool,
    /// The plan a registered account gets.
    pub registration_plan: String,
    /// `wagate` (`wgk_` + 48 hex) or `whatsapi` (seed 004's `sk_live_` + 48 hex): how new
    /// account keys are written.
    pub key_format: String,
}

impl AccountsConfig {
    pub fn settings(&self) -> Result<crate::services::AccountSettings, ConfigError> {
        Ok(crate::services::AccountSettings {
            registration: self.registration,
            registration_plan: self
                .registration_plan
                .parse()
                .map_err(|e| ConfigError::Rule(format!("accounts.registration_plan: {e}")))?,
            key_format: self
                .key_format
                .parse()
                .map_err(|e| ConfigError::Rule(format!("accounts.key_format: {e}")))?,
        })
    }
}

#[derive(Clone, Debug, Deserialize)]
pub struct MessagesConfig {
    pub max_bulk: usize,
}

/// Number checks (`contacts/check`, `on-whatsapp`): asking WhatsApp in bulk is a ban risk.
#[derive(Clone, Debug, Deserialize)]
pub struct ContactsConfig {
    pub max_check_numbers: usize,
    pub check_cache_ttl_secs: u64,
    pub check_batch: usize,
    pub check_spacing_ms: u64,
}

impl ContactsConfig {
    pub fn number_checks(&self) -> crate::services::NumberCheckSettings {
        crate::services::NumberCheckSettings {
            max_numbers: self.max_check_numbers,
            cache_ttl: std::time::Duration::from_secs(self.check_cache_ttl_secs),
            batch: self.check_batch,
            spacing: std::time::Duration::from_millis(self.check_spacing_ms),
        }
    }
}

#[derive(Clone, Debug, Deserialize)]
pub struct StreamsConfig {
    pub heartbeat_secs: f64,
}

#[derive(Clone, Debug, Deserialize)]
pub struct WebhooksConfig {
    pub timeout_secs: f64,
    pub retry_schedule_secs: Vec<f64>,
    pub disable_after_hours: f64,
    pub allow_private_targets: bool,
    pub max_in_flight: usize,
    pub max_in_flight_per_endpoint: usize,
    pub response_body_bytes: usize,
    pub poll_interval_ms: u64,
}

#[derive(Clone, Debug, Deserialize)]
pub struct MediaConfig {
    pub backend: MediaBackend,
    pub local_dir: String,
    pub s3: S3Config,
    #[serde(flatten)]
    pub limits: crate::media::MediaLimits,
    pub fetch_timeout_secs: u64,
    pub allow_private_urls: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MediaBackend {
    Local,
    S3,
}

#[derive(Clone, Debug, Deserialize)]
pub struct S3Config {
    pub bucket: String,
    pub endpoint: String,
    pub region: String,
    pub access_key_id: String,
    pub secret_access_key: String,
    pub path_style: bool,
    pub allow_http: bool,
    pub prefix: String,
}

impl MediaConfig {
    /// The media directory in force.
    pub fn dir(&self, data_dir: &Path) -> PathBuf {
        if self.local_dir.trim().is_empty() {
            data_dir.join("media")
        } else {
            PathBuf::from(&self.local_dir)
        }
    }
}

#[derive(Clone, Debug, Deserialize)]
pub struct SandboxSettings {
    pub qr_first_ttl_ms: u64,
    pub qr_next_ttl_ms: u64,
    pub qr_max_codes: u32,
    pub pairing_code_ttl_ms: u64,
    pub delivered_after_ms: u64,
    pub read_after_ms: u64,
    /// A file for the sandbox's delivery ledger; empty keeps it in memory.
    pub delivery_ledger: String,
}

/// The cloud engine: where the Graph API is and how cloud numbers send.
#[derive(Clone, Debug, Deserialize)]
pub struct CloudConfig {
    pub base_url: String,
    pub graph_version: String,
    /// Account keys may set a number's own Graph API endpoint (then always guarded).
    pub allow_tenant_base_url: bool,
    pub timeout_secs: u64,
    pub messages_per_second: u32,
    pub enforce_service_window: bool,
}

/// The web engine: how WhatsApp Web numbers reach WhatsApp.
#[derive(Clone, Debug, Deserialize)]
pub struct WebEngineConfig {
    /// Empty: WhatsApp's own WebSocket address.
    pub url: String,
    /// `"auto"` or `major.minor.patch`.
    pub version: String,
    pub link_timeout_secs: u64,
    pub start_spacing_ms: u64,
}

impl WebEngineConfig {
    /// The version to announce; `None` fetches the current one.
    pub fn announced_version(&self) -> Option<(u32, u32, u32)> {
        let mut parts = self.version.trim().split('.').map(str::parse::<u32>);
        match (parts.next(), parts.next(), parts.next(), parts.next()) {
            (Some(Ok(major)), Some(Ok(minor)), Some(Ok(patch)), None) => {
                Some((major, minor, patch))
            }
            _ => None,
        }
    }

    pub fn engine_config(&self) -> wagate_engine_web::WebConfig {
        wagate_engine_web::WebConfig {
            url: Some(self.url.trim().to_owned()).filter(|url| !url.is_empty()),
            version: self.announced_version(),
            link_timeout: std::time::Duration::from_secs(self.link_timeout_secs),
            start_spacing: std::time::Duration::from_millis(self.start_spacing_ms),
        }
    }
}

/// The Evolution API dialect.
#[derive(Clone, Debug, Deserialize)]
pub struct EvolutionConfig {
    /// The engine an instance created with `"integration": "WHATSAPP-BAILEYS"` (or none) runs
    /// on: `web`, or `sandbox` to try Evolution clients against the simulated network.
    pub linked_device_engine: String,
}

impl EvolutionConfig {
    pub fn linked_device_engine(&self) -> Result<wagate_core::EngineKind, String> {
        match self.linked_device_engine.trim().parse() {
            Ok(engine @ (wagate_core::EngineKind::Web | wagate_core::EngineKind::Sandbox)) => {
                Ok(engine)
            }
            _ => Err(format!(
                "evolution.linked_device_engine must be \"web\" or \"sandbox\", not {:?}",
                self.linked_device_engine
            )),
        }
    }
}

/// The key secrets are sealed with; empty means the one in `data_dir/secrets.key`.
#[derive(Clone, Deserialize)]
pub struct SecretsConfig {
    pub key: String,
}

impl std::fmt::Debug for SecretsConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SecretsConfig")
            .field("key", &if self.key.is_empty() { "" } else { "<set>" })
            .finish()
    }
}

#[derive(Clone, Debug, Deserialize)]
pub struct LogConfig {
    pub level: String,
    pub format: String,
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("configuration: {0}")]
    Invalid(#[from] Box<figment::Error>),
    #[error("configuration: {0}")]
    Rule(String),
}

impl Config {
    /// Defaults, then `file` (if any), then the environment.
    pub fn load(file: Option<&Path>) -> Result<Self, ConfigError> {
        let mut figment = Figment::from(Toml::string(DEFAULTS));
        if let Some(file) = file {
            if !file.exists() {
                return Err(ConfigError::Rule(format!(
                    "the config file {} does not exist",
                    file.display()
                )));
            }
            figment = figment.merge(Toml::file(file));
        }
        let figment = figment.merge(Env::prefixed("WAGATE_").split("__"));
        Self::extract(figment)
    }

    /// The built-in defaults alone (tests start from these).
    pub fn defaults() -> Self {
        Self::extract(Figment::from(Toml::string(DEFAULTS))).expect("built-in defaults are valid")
    }

    fn extract(figment: Figment) -> Result<Self, ConfigError> {
        let config: Self = figment.extract().map_err(Box::new)?;
        config.validate()?;
        Ok(config)
    }

    fn validate(&self) -> Result<(), ConfigError> {
        let rule = |ok: bool, message: &str| {
            if ok {
                Ok(())
            } else {
                Err(ConfigError::Rule(message.to_owned()))
            }
        };
        self.evolution
            .linked_device_engine()
            .map_err(ConfigError::Rule)?;
        self.accounts.settings()?;
        rule(
            {
                let url = self.server.public_url.trim();
                url.is_empty()
                    || url::Url::parse(url)
                        .is_ok_and(|url| matches!(url.scheme(), "http" | "https"))
            },
            "server.public_url must be empty or an http(s) URL",
        )?;
        rule(
            self.database.max_connections > 0,
            "database.max_connections must be at least 1",
        )?;
        rule(
            self.contacts.max_check_numbers > 0 && self.contacts.check_batch > 0,
            "contacts.max_check_numbers and contacts.check_batch must be at least 1",
        )?;
        rule(
            self.dispatcher.batch_size > 0,
            "dispatcher.batch_size must be at least 1",
        )?;
        rule(
            self.dispatcher.max_attempts > 0,
            "dispatcher.max_attempts must be at least 1",
        )?;
        rule(
            self.dispatcher.lease_secs > 0,
            "dispatcher.lease_secs must be at least 1",
        )?;
        rule(
            self.dispatcher.breaker_threshold > 0,
            "dispatcher.breaker_threshold must be at least 1",
        )?;
        rule(
            self.pacing.min_gap_ms <= self.pacing.max_gap_ms,
            "pacing.min_gap_ms must not be more than pacing.max_gap_ms",
        )?;
        rule(
            self.pacing.daily_cap > 0 && !self.pacing.warmup.contains(&0),
            "pacing.daily_cap and every pacing.warmup cap must be at least 1",
        )?;
        rule(
            self.pacing.typing_min_ms <= self.pacing.typing_max_ms,
            "pacing.typing_min_ms must not be more than pacing.typing_max_ms",
        )?;
        rule(
            self.http.header_read_timeout_secs > 0 && self.http.body_idle_timeout_secs > 0,
            "http.header_read_timeout_secs and http.body_idle_timeout_secs must be at least 1",
        )?;
        rule(
            self.http.max_uri_bytes > 0
                && self.http.max_header_count > 0
                && self.http.max_header_bytes > 0,
            "http.max_uri_bytes, http.max_header_count and http.max_header_bytes must be at least 1",
        )?;
        rule(
            self.http.max_uri_bytes <= crate::http::serve::HYPER_MAX_URI_BYTES,
            "http.max_uri_bytes must be at most 65534 (the HTTP library refuses longer ones itself)",
        )?;
        self.limits.settings()?;
        self.brokers.validate()?;
        rule(
            self.messages.max_bulk > 0,
            "messages.max_bulk must be at least 1",
        )?;
        rule(
            self.streams.heartbeat_secs > 0.0 && self.streams.heartbeat_secs.is_finite(),
            "streams.heartbeat_secs must be more than 0",
        )?;
        rule(
            self.sandbox.qr_max_codes > 0,
            "sandbox.qr_max_codes must be at least 1",
        )?;
        rule(
            (1..=wagate_core::settings::MAX_CLOUD_RATE).contains(&self.cloud.messages_per_second),
            "cloud.messages_per_second must be between 1 and 1000",
        )?;
        rule(
            self.cloud.timeout_secs > 0,
            "cloud.timeout_secs must be at least 1",
        )?;
        rule(
            url::Url::parse(&self.cloud.base_url)
                .is_ok_and(|url| matches!(url.scheme(), "http" | "https")),
            "cloud.base_url must be an http(s) URL",
        )?;
        rule(
            self.web.version.trim() == "auto" || self.web.announced_version().is_some(),
            "web.version must be \"auto\" or major.minor.patch",
        )?;
        rule(
            self.web.url.trim().is_empty()
                || url::Url::parse(self.web.url.trim())
                    .is_ok_and(|url| matches!(url.scheme(), "ws" | "wss")),
            "web.url must be empty or a ws(s) URL",
        )?;
        rule(
            self.web.link_timeout_secs > 0,
            "web.link_timeout_secs must be at least 1",
        )?;
        rule(
            matches!(self.log.format.as_str(), "text" | "json"),
            "log.format must be \"text\" or \"json\"",
        )?;
        Ok(())
    }

    /// The gateway's public base URL (no trailing slash): `server.public_url`, or
    /// `http://<listen>` (`bound` is the address actually bound, for a listen port of 0).
    pub fn public_url(&self, bound: SocketAddr) -> String {
        let configured = self.server.public_url.trim().trim_end_matches('/');
        if configured.is_empty() {
            format!("http://{bound}")
        } else {
            configured.to_owned()
        }
    }

    /// The database URL in force: the configured one, or SQLite in the data directory.
    pub fn database_url(&self) -> String {
        if self.database_url.trim().is_empty() {
            format!("sqlite://{}", self.data_dir.join("wagate.db").display())
        } else {
            self.database_url.clone()
        }
    }

    pub fn sandbox_config(&self) -> wagate_engine::sandbox::SandboxConfig {
        let ms = Duration::from_millis;
        wagate_engine::sandbox::SandboxConfig {
            qr_first_ttl: ms(self.sandbox.qr_first_ttl_ms),
            qr_next_ttl: ms(self.sandbox.qr_next_ttl_ms),
            qr_max_codes: self.sandbox.qr_max_codes,
            pairing_code_ttl: ms(self.sandbox.pairing_code_ttl_ms),
            delivered_after: ms(self.sandbox.delivered_after_ms),
            read_after: ms(self.sandbox.read_after_ms),
            delivery_ledger: Some(self.sandbox.delivery_ledger.trim())
                .filter(|path| !path.is_empty())
                .map(std::path::PathBuf::from),
        }
    }
}

#[cfg(test)]
#[allow(clippy::result_large_err)] // figment::Jail's closures return figment's own error type
mod tests {
    use super::*;

    #[test]
    fn defaults_serve_on_localhost_with_sqlite_in_data() {
        let config = Config::defaults();
        assert_eq!(config.listen.to_string(), "127.0.0.1:8080");
        assert_eq!(config.database_url(), "sqlite://./data/wagate.db");
        assert_eq!(config.sandbox.qr_max_codes, 6);
        assert_eq!(
            config.public_url("127.0.0.1:8080".parse().unwrap()),
            "http://127.0.0.1:8080"
        );
    }

    #[test]
    fn environment_overrides_sections_and_shortcuts() {
        figment::Jail::expect_with(|jail| {
            jail.set_env("WAGATE_LISTEN", "127.0.0.1:9999");
            jail.set_env("WAGATE_DISPATCHER__MAX_ATTEMPTS", "8");
            jail.set_env("WAGATE_HTTP__MAX_UNAUTHENTICATED_CONNECTIONS_PER_IP", "7");
            jail.set_env("WAGATE_SERVER__PUBLIC_URL", "https://wa.example.com/");
            jail.create_file(
                "custom.toml",
                "data_dir = \"/srv/wagate\"\n[sandbox]\nqr_max_codes = 2\n",
            )?;
            let config = Config::load(Some(Path::new("custom.toml"))).expect("loads");
            assert_eq!(config.listen.to_string(), "127.0.0.1:9999");
            assert_eq!(config.dispatcher.max_attempts, 8);
            assert_eq!(config.http.max_unauthenticated_connections_per_ip, 7);
            let bound = config.listen;
            assert_eq!(config.public_url(bound), "https://wa.example.com");
            assert_eq!(config.sandbox.qr_max_codes, 2);
            assert_eq!(config.database_url(), "sqlite:///srv/wagate/wagate.db");
            Ok(())
        });
    }

    #[test]
    fn invalid_settings_are_refused_with_the_setting_named() {
        figment::Jail::expect_with(|jail| {
            jail.set_env("WAGATE_LOG__FORMAT", "xml");
            let error = Config::load(None).unwrap_err().to_string();
            assert!(error.contains("log.format"), "{error}");
            Ok(())
        });
    }

    #[test]
    fn enabled_brokers_need_usable_names() {
        figment::Jail::expect_with(|jail| {
            jail.set_env("WAGATE_BROKERS__NATS__ENABLED", "true");
            jail.set_env("WAGATE_BROKERS__NATS__SUBJECT_PREFIX", "wagate.*");
            let error = Config::load(None).unwrap_err().to_string();
            assert!(error.contains("brokers.nats.subject_prefix"), "{error}");
            jail.set_env("WAGATE_BROKERS__NATS__SUBJECT_PREFIX", "acme.wagate");
            jail.set_env("WAGATE_BROKERS__NATS__URL", "nats://broker:4222");
            let config = Config::load(None).expect("loads");
            assert_eq!(config.brokers.nats.url, "nats://broker:4222");
            jail.set_env("WAGATE_BROKERS__AMQP__ENABLED", "true");
            jail.set_env("WAGATE_BROKERS__AMQP__EXCHANGE", "");
            let error = Config::load(None).unwrap_err().to_string();
            assert!(error.contains("brokers.amqp.exchange"), "{error}");
            Ok(())
        });
    }
}
