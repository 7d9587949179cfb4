//! `wagate`: the gateway binary.

use clap::Parser;
use std::path::PathBuf;
use tracing_subscriber::EnvFilter;
use wagate_server::Server;
use wagate_server::config::Config;

/// Self-hosted WhatsApp API gateway.
#[derive(Parser)]
#[command(version, about)]
struct Cli {
    /// A TOML file overriding the built-in defaults (see config.default.toml).
    #[arg(long, env = "WAGATE_CONFIG")]
    config: Option<PathBuf>,
}

fn init_logging(config: &Config) {
    let filter =
        EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(&config.log.level));
    let builder = tracing_subscriber::fmt().with_env_filter(filter);
    if config.log.format == "json" {
        builder.json().init();
    } else {
        builder.init();
    }
}

async fn shutdown_signal() {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
            .expect("installing the SIGTERM handler");
        tokio::select! {
            _ = ctrl_c => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    let _ = ctrl_c.await;
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let config = Config::load(cli.config.as_deref())?;
    init_logging(&config);
    let server = Server::start(config).await?;
    if let Some(key) = server.generated_admin_key() {
        println!();
        println!("  wagate created an admin key. It is shown only this once; store it now:");
        println!();
        println!("    {key}");
        println!();
    }
    println!(
        "  wagate is serving on http://{} (API docs: /docs)",
        server.local_addr()
    );
    shutdown_signal().await;
    tracing::info!("shutting down");
    server.shutdown().await;
    Ok(())
}
