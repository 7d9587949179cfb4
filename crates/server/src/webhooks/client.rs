//! The HTTP client of webhook deliveries: one shared connection pool, no redirects (a 3xx is
//! a failure, as the specification says), a timeout, at most 4 KB of the answer kept, and the
//! outbound guard (`wagate_net`), which refuses private targets unless allowed.

use std::time::{Duration, Instant};
use wagate_net::{GuardedClient, Policy};

/// What an endpoint answered.
#[derive(Debug, Clone)]
pub struct DeliveryResponse {
    pub status: Option<u16>,
    /// The first bytes of the body.
    pub body: Option<String>,
    pub retry_after: Option<Duration>,
    pub duration: Duration,
    pub error: Option<String>,
}

#[derive(Clone, Debug)]
pub struct DeliveryClient {
    http: GuardedClient,
    body_bytes: usize,
}

fn retry_after(value: Option<&reqwest::header::HeaderValue>) -> Option<Duration> {
    let value = value?.to_str().ok()?.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let at = chrono::DateTime::parse_from_rfc2822(value).ok()?;
    (at.with_timezone(&chrono::Utc) - chrono::Utc::now())
        .to_std()
        .ok()
}

impl DeliveryClient {
    pub fn new(timeout: Duration, allow_private: bool, body_bytes: usize) -> Self {
        let http = GuardedClient::new(Policy { allow_private }, 0, |builder| {
            builder
                .timeout(timeout)
                .pool_max_idle_per_host(64)
                .user_agent(concat!("wagate/", env!("CARGO_PKG_VERSION")))
        })
        .expect("the webhook HTTP client builds");
        Self { http, body_bytes }
    }

    /// Whether a target may be delivered to at all (scheme and literal addresses; names are
    /// checked when they are resolved for a delivery).
    pub fn check_target(&self, url: &str) -> Result<reqwest::Url, String> {
        wagate_net::check_url(url, self.http.policy()).map_err(|error| error.to_string())
    }

    /// POSTs `body` with `headers`; never fails, reports what happened.
    pub async fn post(
        &self,
        url: &str,
        headers: &[(String, String)],
        body: String,
    ) -> DeliveryResponse {
        let started = Instant::now();
        let request = match self.http.request(reqwest::Method::POST, url) {
            Ok(request) => request,
            Err(error) => {
                return DeliveryResponse {
                    status: None,
                    body: None,
                    retry_after: None,
                    duration: started.elapsed(),
                    error: Some(format!("the target {error}")),
                };
            }
        };
        let mut request = request.header(reqwest::header::CONTENT_TYPE, "application/json");
        for (name, value) in headers {
            request = request.header(name, value);
        }
        match request.body(body).send().await {
            Ok(mut response) => {
                let status = response.status().as_u16();
                let retry_after = retry_after(response.headers().get(reqwest::header::RETRY_AFTER));
                let mut kept = Vec::new();
                while kept.len() < self.body_bytes {
                    match response.chunk().await {
                        Ok(Some(chunk)) => kept.extend_from_slice(
                            &chunk[..chunk.len().min(self.body_bytes - kept.len())],
                        ),
                        _ => break,
                    }
                }
                DeliveryResponse {
                    status: Some(status),
                    body: Some(String::from_utf8_lossy(&kept).into_owned()),
                    retry_after,
                    duration: started.elapsed(),
                    error: None,
                }
            }
            Err(error) => {
                let mut message = error.to_string();
                let mut source = std::error::Error::source(&error);
                while let Some(cause) = source {
                    message = format!("{message}: {cause}");
                    source = cause.source();
                }
                DeliveryResponse {
                    status: None,
                    body: None,
                    retry_after: None,
                    duration: started.elapsed(),
                    error: Some(if error.is_timeout() {
                        format!("timed out: {message}")
                    } else {
                        message
                    }),
                }
            }
        }
    }
}
