//! The wagate gateway: configuration, the HTTP API and the background workers, wired together.
//!
//! [`Server::start`] opens the database, restores linked sessions, binds the listener and starts
//! the workers; the binary and the integration tests both start the gateway this way.

pub mod api;
pub mod config;
pub mod dialects;
pub mod http;
pub mod media;
pub mod secrets_file;
pub mod services;
pub mod sessions;
pub mod sinks;
pub mod webhooks;
pub mod workers;

use crate::api::AppState;
use crate::config::{Config, MediaBackend};
use crate::media::{MediaStorage, StoredMedia, UrlFetcher};
use crate::services::{CloudSettings, Gateway, MediaSettings};
use crate::sessions::SessionRegistry;
use anyhow::Context;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;
use wagate_engine::cloud::engine::CloudEngine;
use wagate_engine::cloud::graph::GraphClient;
use wagate_engine::sandbox::SandboxEngine;
use wagate_store::Store;

/// A running gateway.
pub struct Server {
    local_addr: SocketAddr,
    generated_admin_key: Option<String>,
    gateway: Gateway,
    shutdown: CancellationToken,
    tasks: Vec<JoinHandle<()>>,
}

impl Server {
    pub async fn start(config: Config) -> anyhow::Result<Self> {
        Self::start_with_clock(config, Arc::new(services::SystemClock)).await
    }

    /// Starts the gateway with its decisions made on `clock` (tests move a clock forward).
    pub async fn start_with_clock(
        config: Config,
        clock: Arc<dyn services::Clock>,
    ) -> anyhow::Result<Self> {
        let url = config.database_url();
        if url.starts_with("sqlite:") {
            std::fs::create_dir_all(&config.data_dir).with_context(|| {
                format!("creating the data directory {}", config.data_dir.display())
            })?;
        }
        let store = Store::connect(&url, config.database.max_connections)
            .await
            .with_context(|| format!("opening the database ({})", redact(&url)))?;
        let storage = match config.media.backend {
            MediaBackend::Local => {
                let dir = config.media.dir(&config.data_dir);
                MediaStorage::local(&dir)
                    .with_context(|| format!("opening the media directory {}", dir.display()))?
            }
            MediaBackend::S3 => {
                MediaStorage::s3(&config.media.s3).context("configuring the S3 media store")?
            }
        };
        let secrets = secrets_file::load(&config)?;
        let (registry, engine_events) = SessionRegistry::new(
            SandboxEngine::new(config.sandbox_config())
                .context("opening the sandbox delivery ledger")?,
        );
        let registry = registry.with_cloud(CloudEngine::new(
            GraphClient::new(
                &config.cloud.base_url,
                &config.cloud.graph_version,
                Duration::from_secs(config.cloud.timeout_secs),
            ),
            Arc::new(StoredMedia::new(store.clone(), storage.clone())),
        ));
        let stored_media = Arc::new(StoredMedia::new(store.clone(), storage.clone()));
        let registry = registry.with_web(wagate_engine_web::WebEngine::new(
            store.clone(),
            stored_media.clone(),
            stored_media,
            config.web.engine_config(),
        ));
        let media = MediaSettings {
            storage,
            limits: config.media.limits.clone(),
            fetcher: UrlFetcher::new(
                config.media.allow_private_urls,
                std::time::Duration::from_secs(config.media.fetch_timeout_secs),
            ),
        };
        // Bound before the gateway is made: Evolution-format webhooks show the address
        // (`server_url`) when no public URL is configured. Nothing is served until the end.
        let listener = tokio::net::TcpListener::bind(config.listen)
            .await
            .with_context(|| format!("listening on {}", config.listen))?;
        let local_addr = listener.local_addr()?;
        let gateway = Gateway::new(
            store,
            Arc::new(registry),
            media,
            secrets.clone(),
            config.webhooks.clone(),
            config.pacing.clone(),
        )?
        .with_max_bulk_messages(config.messages.max_bulk)
        .with_number_checks(config.contacts.number_checks())
        .with_rate_limits(config.limits.settings()?)
        .with_account_settings(config.accounts.settings()?)
        .with_sinks(enabled_sinks(&config.brokers))
        .with_cloud(CloudSettings {
            secrets,
            messages_per_second: config.cloud.messages_per_second,
            enforce_service_window: config.cloud.enforce_service_window,
            allow_tenant_base_url: config.cloud.allow_tenant_base_url,
        })
        .with_clock(clock)
        .with_webhook_renderer(
            wagate_core::WebhookFormat::Evolution,
            dialects::evolution::webhook_renderer(config.public_url(local_addr)),
        )
        .with_webhook_renderer(
            wagate_core::WebhookFormat::Whatsapi,
            dialects::whatsapi::webhook_renderer(),
        )
        .with_webhook_renderer(
            wagate_core::WebhookFormat::Sessions,
            dialects::sessions::webhook_renderer(),
        );

        let configured_key = Some(config.admin_key.trim()).filter(|key| !key.is_empty());
        let generated_admin_key = gateway.ensure_admin_key(configured_key).await?;
        gateway
            .seal_plain_webhook_secrets()
            .await
            .context("sealing webhook secrets kept in plain text")?;

        let shutdown = CancellationToken::new();
        let mut tasks = vec![tokio::spawn(workers::supervisor::run(
            gateway.clone(),
            engine_events,
            shutdown.clone(),
        ))];
        gateway
            .restore_sessions()
            .await
            .context("restoring linked sessions")?;
        tasks.push(tokio::spawn(workers::dispatcher::run(
            gateway.clone(),
            config.dispatcher.clone(),
            shutdown.clone(),
        )));
        let poll = std::time::Duration::from_millis(config.webhooks.poll_interval_ms);
        tasks.push(tokio::spawn(workers::webhook_fanout::run(
            gateway.clone(),
            poll,
            shutdown.clone(),
        )));
        if config.brokers.nats.enabled {
            tasks.push(tokio::spawn(workers::event_sink::run::<
                sinks::nats::NatsSink,
            >(
                gateway.clone(),
                config.brokers.nats.clone(),
                shutdown.clone(),
            )));
        }
        if config.brokers.amqp.enabled {
            tasks.push(tokio::spawn(workers::event_sink::run::<
                sinks::amqp::AmqpSink,
            >(
                gateway.clone(),
                config.brokers.amqp.clone(),
                shutdown.clone(),
            )));
        }
        tasks.push(tokio::spawn(workers::housekeeping::run(
            gateway.clone(),
            shutdown.clone(),
        )));
        tasks.push(tokio::spawn(workers::count_folding::run(
            gateway.clone(),
            shutdown.clone(),
        )));
        tasks.push(tokio::spawn(workers::webhook_delivery::run(
            gateway.clone(),
            config.webhooks.clone(),
            shutdown.clone(),
        )));

        let serve_settings = http::serve::ServeSettings::from_config(&config.http);
        let app = api::router(AppState {
            gateway: std::sync::Arc::new(gateway.clone()),
            limits: api::BodyLimits {
                json: config.http.body_limit_bytes,
                send_json: config.http.send_json_limit_bytes,
                upload: (config.media.limits.largest() as usize).saturating_add(64 * 1024),
            },
            head: serve_settings.head,
            stream_heartbeat: Duration::from_secs_f64(config.streams.heartbeat_secs),
            dialects: dialects::DialectSettings {
                evolution: dialects::evolution::EvolutionSettings {
                    linked_device_engine: config
                        .evolution
                        .linked_device_engine()
                        .map_err(anyhow::Error::msg)?,
                    server_url: config.public_url(local_addr).into(),
                },
            },
            shutdown: shutdown.clone(),
        })
        .layer(tower_http::trace::TraceLayer::new_for_http());
        tasks.push(tokio::spawn(http::serve::serve(
            listener,
            app,
            serve_settings,
            shutdown.clone(),
        )));
        tracing::info!(%local_addr, database = %redact(&url), "wagate is serving");
        Ok(Self {
            local_addr,
            generated_admin_key,
            gateway,
            shutdown,
            tasks,
        })
    }

    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// The admin key created on this start, if the database had none (shown once).
    pub fn generated_admin_key(&self) -> Option<&str> {
        self.generated_admin_key.as_deref()
    }

    pub fn gateway(&self) -> &Gateway {
        &self.gateway
    }

    /// Stops serving, lets the workers finish their step, closes sessions and the database.
    pub async fn shutdown(self) {
        self.shutdown.cancel();
        for task in self.tasks {
            let _ = task.await;
        }
        self.gateway.sessions.close_all().await;
        self.gateway.store().close().await;
    }
}

/// The URL without its password, for logs.
fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let credentials = &url[scheme + 3..at];
            match credentials.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..scheme + 3], &url[at..]),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

/// The broker sinks the configuration turns on, by the name their cursors go by.
fn enabled_sinks(brokers: &config::BrokersConfig) -> Vec<&'static str> {
    use sinks::EventSink;
    let mut enabled = Vec::new();
    if brokers.nats.enabled {
        enabled.push(sinks::nats::NatsSink::NAME);
    }
    if brokers.amqp.enabled {
        enabled.push(sinks::amqp::AmqpSink::NAME);
    }
    enabled
}

#[cfg(test)]
mod tests {
    #[test]
    fn passwords_do_not_reach_the_log() {
        assert_eq!(
            super::redact("postgres://u:secret@h/db"),
            "postgres://u:***@h/db"
        );
        assert_eq!(
            super::redact("sqlite://./data/wagate.db"),
            "sqlite://./data/wagate.db"
        );
    }
}
