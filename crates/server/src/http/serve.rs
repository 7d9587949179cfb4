//! The serve loop: our own accept loop around hyper-util's connection builder, because
//! `axum::serve` exposes none of the limits a server facing the internet needs.
//!
//! - A request line and headers must arrive within `header_read_timeout` (hyper's HTTP/1
//!   timer, which also closes kept-alive connections idle that long). A connection that has
//!   not produced a request that long after accept is closed too, whatever its protocol:
//!   hyper-util reads the first bytes to tell HTTP/1 from HTTP/2 with no timer of its own.
//! - Every request body is a [`TimeoutBody`]: a pause longer than `body_idle_timeout` between
//!   two pieces fails the read (answered 408). It is the gap, not the total, so uploads that
//!   keep sending and long-lived streams are never cut off.
//! - A connection counts against its address until it authenticates
//!   ([`super::connections`]); a new one over the cap is closed at once, unanswered — the
//!   cheapest refusal, and one that holds no socket for a client that will not read an answer.
//! - hyper's own head limits sit above the API's ([`crate::api::HeadLimits`]), so oversized
//!   requests are answered in the envelope by the API rather than with hyper's empty 431/414.
//!
//! Shutdown is graceful: when the token is cancelled no connection is accepted, and each open
//! one finishes its request in flight and closes.

use super::connections::UnauthenticatedConnections;
use crate::api::HeadLimits;
use crate::config::HttpConfig;
use axum::Router;
use axum::body::Body;
use axum::extract::ConnectInfo;
use hyper::body::Incoming;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto::Builder;
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;
use tower::ServiceExt;
use tower_http::timeout::TimeoutBody;

/// hyper answers a longer request target 414 itself, whatever it is configured to.
pub const HYPER_MAX_URI_BYTES: usize = 65_534;

/// hyper's default read buffer, which bounds a request head.
const HYPER_DEFAULT_BUFFER: usize = 8192 + 4096 * 100;

#[derive(Clone, Copy, Debug)]
pub struct ServeSettings {
    pub header_read_timeout: Duration,
    pub body_idle_timeout: Duration,
    /// 0: no cap.
    pub max_unauthenticated_per_ip: usize,
    pub head: HeadLimits,
}

impl ServeSettings {
    pub fn from_config(http: &HttpConfig) -> Self {
        Self {
            header_read_timeout: Duration::from_secs(http.header_read_timeout_secs),
            body_idle_timeout: Duration::from_secs(http.body_idle_timeout_secs),
            max_unauthenticated_per_ip: http.max_unauthenticated_connections_per_ip,
            head: HeadLimits {
                uri_bytes: http.max_uri_bytes,
                header_count: http.max_header_count,
                header_bytes: http.max_header_bytes,
            },
        }
    }
}

/// Serves `app` on `listener` until `shutdown` is cancelled and the open connections are done.
pub async fn serve(
    listener: TcpListener,
    app: Router,
    settings: ServeSettings,
    shutdown: CancellationToken,
) {
    let builder = builder(&settings);
    let connections = UnauthenticatedConnections::new(settings.max_unauthenticated_per_ip);
    let graceful = GracefulShutdown::new();
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(error) => {
                    accept_failed(error).await;
                    continue;
                }
            },
            () = shutdown.cancelled() => break,
        };
        let Some(auth) = connections.admit(peer.ip()) else {
            tracing::debug!(%peer, "closed a connection: too many from its address without a key");
            continue;
        };
        let _ = stream.set_nodelay(true);
        let started = Arc::new(AtomicBool::new(false));
        let service = app.clone().map_request({
            let started = started.clone();
            let idle = settings.body_idle_timeout;
            move |request: hyper::Request<Incoming>| {
                started.store(true, Ordering::Relaxed);
                let (mut parts, body) = request.into_parts();
                parts.extensions.insert(ConnectInfo(peer));
                parts.extensions.insert(auth.clone());
                axum::extract::Request::from_parts(parts, Body::new(TimeoutBody::new(idle, body)))
            }
        });
        let connection = graceful.watch(
            builder
                .serve_connection_with_upgrades(
                    TokioIo::new(stream),
                    TowerToHyperService::new(service),
                )
                .into_owned(),
        );
        tokio::spawn(drive(connection, started, settings.header_read_timeout));
    }
    drop(listener);
    graceful.shutdown().await;
}

fn builder(settings: &ServeSettings) -> Builder<TokioExecutor> {
    // Room for twice the API's limits, so the API, not hyper, answers what exceeds them.
    let head_bytes = 2 * (settings.head.uri_bytes + settings.head.header_bytes);
    let mut builder = Builder::new(TokioExecutor::new());
    builder
        .http1()
        .timer(TokioTimer::new())
        .header_read_timeout(settings.header_read_timeout)
        .max_headers(2 * settings.head.header_count)
        .max_buf_size(head_bytes.max(HYPER_DEFAULT_BUFFER));
    builder
        .http2()
        .timer(TokioTimer::new())
        .max_header_list_size(u32::try_from(head_bytes).unwrap_or(u32::MAX));
    builder
}

/// Runs a connection, closing it if it has sent no request within `first_request_timeout`.
async fn drive<C, E>(connection: C, started: Arc<AtomicBool>, first_request_timeout: Duration)
where
    C: Future<Output = Result<(), E>>,
    E: std::fmt::Display,
{
    let mut connection = std::pin::pin!(connection);
    let result = match tokio::time::timeout(first_request_timeout, connection.as_mut()).await {
        Ok(result) => result,
        Err(_) if !started.load(Ordering::Relaxed) => {
            tracing::debug!("closed a connection that sent no request in time");
            return;
        }
        Err(_) => connection.await,
    };
    if let Err(error) = result {
        tracing::debug!(%error, "a connection ended with an error");
    }
}

/// Errors of one connection (it was reset before it was accepted) are passed over; others,
/// such as running out of file descriptors, would repeat at once, so the loop waits a moment.
async fn accept_failed(error: std::io::Error) {
    use std::io::ErrorKind;
    if matches!(
        error.kind(),
        ErrorKind::ConnectionAborted | ErrorKind::ConnectionReset | ErrorKind::ConnectionRefused
    ) {
        return;
    }
    tracing::error!(%error, "accepting a connection failed");
    tokio::time::sleep(Duration::from_secs(1)).await;
}
