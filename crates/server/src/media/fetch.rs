//! Downloading media from a URL a user gave, safely.
//!
//! The host is resolved first and every address checked: loopback, private, link-local and
//! other non-public ranges are refused (unless `media.allow_private_urls`), and the request is
//! pinned to the checked addresses so a second DNS answer cannot swap them. Redirects may only
//! stay on the same host; the body is capped while it streams; the whole fetch has a timeout.

use crate::net::is_public;
use bytes::Bytes;
use futures_util::{Stream, StreamExt};
use std::net::SocketAddr;
use std::time::Duration;

#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    #[error("the URL is not valid: {0}")]
    InvalidUrl(String),
    #[error("the URL points to a private or local address, which is not allowed")]
    PrivateAddress,
    #[error("the host could not be resolved: {0}")]
    Resolve(String),
    #[error("the download failed: {0}")]
    Request(String),
    #[error("the server answered {0}")]
    Status(u16),
    #[error("the file is larger than {limit} bytes")]
    TooLarge { limit: u64 },
}

/// What a URL answered: its bytes (streaming), and what the server said they are.
pub struct Fetched {
    pub chunks: std::pin::Pin<Box<dyn Stream<Item = Result<Bytes, String>> + Send>>,
    pub content_type: Option<String>,
    pub file_name: Option<String>,
}

#[derive(Clone, Debug)]
pub struct UrlFetcher {
    allow_private: bool,
    timeout: Duration,
}

impl UrlFetcher {
    pub fn new(allow_private: bool, timeout: Duration) -> Self {
        Self {
            allow_private,
            timeout,
        }
    }

    pub async fn fetch(&self, raw: &str, limit: u64) -> Result<Fetched, FetchError> {
        let url = reqwest::Url::parse(raw).map_err(|e| FetchError::InvalidUrl(e.to_string()))?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(FetchError::InvalidUrl(
                "only http and https URLs are fetched".to_owned(),
            ));
        }
        let host = url
            .host_str()
            .ok_or_else(|| FetchError::InvalidUrl("no host".to_owned()))?
            .to_owned();
        let port = url.port_or_known_default().unwrap_or(443);
        let lookup = host
            .trim_start_matches('[')
            .trim_end_matches(']')
            .to_owned();
        let addrs: Vec<SocketAddr> = tokio::net::lookup_host((lookup.as_str(), port))
            .await
            .map_err(|e| FetchError::Resolve(e.to_string()))?
            .collect();
        if addrs.is_empty() {
            return Err(FetchError::Resolve(format!("no address for {host}")));
        }
        if !self.allow_private && addrs.iter().any(|addr| !is_public(addr.ip())) {
            return Err(FetchError::PrivateAddress);
        }
        let same_host = host.clone();
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::custom(move |attempt| {
                if attempt.previous().len() >= 5
                    || attempt.url().host_str() != Some(same_host.as_str())
                {
                    attempt.stop()
                } else {
                    attempt.follow()
                }
            }))
            .timeout(self.timeout)
            .resolve_to_addrs(&lookup, &addrs)
            .build()
            .map_err(|e| FetchError::Request(e.to_string()))?;
        let response = client
            .get(url.clone())
            .send()
            .await
            .map_err(|e| FetchError::Request(e.to_string()))?;
        if !response.status().is_success() {
            return Err(FetchError::Status(response.status().as_u16()));
        }
        if response
            .content_length()
            .is_some_and(|length| length > limit)
        {
            return Err(FetchError::TooLarge { limit });
        }
        let content_type = response
            .headers()
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(|v| v.split(';').next().unwrap_or(v).trim().to_owned());
        let file_name = url
            .path_segments()
            .and_then(|mut segments| segments.next_back().map(str::to_owned))
            .filter(|name| !name.is_empty());
        let chunks = response
            .bytes_stream()
            .map(|chunk| chunk.map_err(|e| e.to_string()));
        Ok(Fetched {
            chunks: Box::pin(chunks),
            content_type,
            file_name,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn loopback_urls_are_refused_unless_allowed() {
        let fetcher = UrlFetcher::new(false, Duration::from_secs(2));
        let refused = fetcher.fetch("http://127.0.0.1:9/x.png", 100).await;
        assert!(matches!(refused, Err(FetchError::PrivateAddress)));
        let refused = fetcher.fetch("http://localhost:9/x.png", 100).await;
        assert!(matches!(refused, Err(FetchError::PrivateAddress)));
        assert!(matches!(
            fetcher.fetch("ftp://example.com/x", 100).await,
            Err(FetchError::InvalidUrl(_))
        ));
    }
}
