//! Downloading media from a URL a user gave, safely.
//!
//! The request goes through the outbound guard (`wagate_net`): the URL and every redirect hop
//! are checked, the host is resolved and each of its addresses checked (loopback, private,
//! link-local and every other special-purpose range are refused unless
//! `media.allow_private_urls`), and the connection goes to exactly the addresses checked. The
//! body is capped while it streams; the whole fetch has a timeout.

use bytes::Bytes;
use futures_util::{Stream, StreamExt};
use std::time::Duration;
use wagate_net::{GuardError, GuardedClient, Policy};

/// Redirects a media URL may take (CDNs and signed links redirect once or twice).
const MAX_REDIRECTS: usize = 5;

#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    #[error("the URL {0}")]
    Refused(GuardError),
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
    http: GuardedClient,
}

impl UrlFetcher {
    pub fn new(allow_private: bool, timeout: Duration) -> Self {
        let http = GuardedClient::new(Policy { allow_private }, MAX_REDIRECTS, |builder| {
            builder.timeout(timeout)
        })
        .expect("the media HTTP client builds");
        Self { http }
    }

    pub async fn fetch(&self, raw: &str, limit: u64) -> Result<Fetched, FetchError> {
        let request = self
            .http
            .request(reqwest::Method::GET, raw)
            .map_err(FetchError::Refused)?;
        let response = request
            .send()
            .await
            .map_err(|error| match wagate_net::refusal(&error) {
                Some(refused) => FetchError::Refused(refused.clone()),
                None => FetchError::Request(error.to_string()),
            })?;
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
        // The name the user's URL gave, not a redirect's (signed links end in opaque paths).
        let file_name = reqwest::Url::parse(raw.trim())
            .ok()
            .as_ref()
            .and_then(|url| url.path_segments())
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
        for url in [
            "http://127.0.0.1:9/x.png",
            "http://localhost:9/x.png",
            "http://[64:ff9b::7f00:1]:9/x.png",
        ] {
            assert!(
                matches!(
                    fetcher.fetch(url, 100).await,
                    Err(FetchError::Refused(GuardError::PrivateAddress(_)))
                ),
                "{url}"
            );
        }
        assert!(matches!(
            fetcher.fetch("ftp://example.com/x", 100).await,
            Err(FetchError::Refused(GuardError::Scheme))
        ));
    }
}
