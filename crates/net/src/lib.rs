//! Every request wagate makes to an address a user gave — a webhook target, a media URL, a
//! Graph API endpoint a tenant chose — goes through this one guard, so a tenant cannot make
//! the gateway call into its own network (loopback, private, link-local, cloud metadata,
//! NAT64 or 6to4 paths to those, and every other special-purpose range).
//!
//! - [`check_url`] refuses bad schemes, hosts that are non-public IP literals in any
//!   spelling (`0x7f000001`, `2130706433`, `127.1`, `[::ffff:7f00:1]` all parse to the
//!   addresses they are), and `localhost` names, before anything is stored or sent.
//! - [`GuardedClient`] checks each request's URL so, and is a `reqwest` client whose DNS resolver refuses a name when any
//!   of its addresses is non-public, and connects to exactly the addresses it checked (the
//!   connection is pinned: no second lookup can swap them), and whose redirect policy checks
//!   every hop again — a literal IP, which no resolver sees, included.

mod ranges;

pub use ranges::is_public;

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

/// Whether non-public targets are allowed (an operator's setting, for a gateway whose
/// webhooks or media servers live on its own network).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Policy {
    pub allow_private: bool,
}

impl Policy {
    /// Public targets only.
    pub const PUBLIC_ONLY: Self = Self {
        allow_private: false,
    };
}

/// Why a target was refused.
#[derive(Clone, Debug, thiserror::Error, PartialEq, Eq)]
pub enum GuardError {
    #[error("is not a valid URL: {0}")]
    InvalidUrl(String),
    #[error("must be an http or https URL")]
    Scheme,
    #[error("must name a host")]
    NoHost,
    #[error(
        "points to {0}, a loopback, private or otherwise non-public address, which is not allowed"
    )]
    PrivateAddress(String),
    #[error("could not be resolved: {0}")]
    Resolve(String),
}

fn is_localhost_name(host: &str) -> bool {
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    host == "localhost" || host.ends_with(".localhost")
}

/// Parses `raw` and checks what can be checked without DNS.
pub fn check_url(raw: &str, policy: Policy) -> Result<url::Url, GuardError> {
    let url = url::Url::parse(raw.trim()).map_err(|e| GuardError::InvalidUrl(e.to_string()))?;
    check_parsed(&url, policy)?;
    Ok(url)
}

fn check_parsed(url: &url::Url, policy: Policy) -> Result<(), GuardError> {
    if !matches!(url.scheme(), "http" | "https") {
        return Err(GuardError::Scheme);
    }
    let host = url.host().ok_or(GuardError::NoHost)?;
    if policy.allow_private {
        return Ok(());
    }
    let refused = match host {
        url::Host::Ipv4(ip) => !is_public(IpAddr::V4(ip)),
        url::Host::Ipv6(ip) => !is_public(IpAddr::V6(ip)),
        url::Host::Domain(name) => is_localhost_name(name),
    };
    if refused {
        return Err(GuardError::PrivateAddress(host.to_string()));
    }
    Ok(())
}

/// Resolves `host` and checks every address it has.
pub async fn resolve(host: &str, port: u16, policy: Policy) -> Result<Vec<SocketAddr>, GuardError> {
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    let addrs: Vec<SocketAddr> = tokio::net::lookup_host((bare, port))
        .await
        .map_err(|e| GuardError::Resolve(format!("{host}: {e}")))?
        .collect();
    if addrs.is_empty() {
        return Err(GuardError::Resolve(format!("{host} has no address")));
    }
    if !policy.allow_private
        && let Some(private) = addrs.iter().find(|addr| !is_public(addr.ip()))
    {
        return Err(GuardError::PrivateAddress(format!(
            "{host} ({})",
            private.ip()
        )));
    }
    Ok(addrs)
}

/// A DNS resolver for HTTP clients that refuses names with non-public addresses and hands
/// the client exactly the addresses it checked.
#[derive(Clone, Debug)]
struct GuardedResolver {
    policy: Policy,
}

impl reqwest::dns::Resolve for GuardedResolver {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let policy = self.policy;
        Box::pin(async move {
            let addrs = resolve(name.as_str(), 0, policy)
                .await
                .map_err(|e| Box::new(e) as Box<dyn std::error::Error + Send + Sync>)?;
            Ok(Box::new(addrs.into_iter()) as reqwest::dns::Addrs)
        })
    }
}

/// Follows at most `max_redirects` hops, each checked like the first URL (`0` follows none).
fn redirect_policy(policy: Policy, max_redirects: usize) -> reqwest::redirect::Policy {
    if max_redirects == 0 {
        return reqwest::redirect::Policy::none();
    }
    reqwest::redirect::Policy::custom(move |attempt| {
        if attempt.previous().len() > max_redirects {
            return attempt.stop();
        }
        match check_parsed(attempt.url(), policy) {
            Ok(()) => attempt.follow(),
            Err(error) => attempt.error(error),
        }
    })
}

/// An HTTP client that reaches only what the policy allows: every request's URL is checked
/// before it is sent, names are resolved by the guarded resolver, and redirects are checked
/// hop by hop.
#[derive(Clone, Debug)]
pub struct GuardedClient {
    http: reqwest::Client,
    policy: Policy,
}

impl GuardedClient {
    /// `configure` sets what the caller needs (timeouts, pool, user agent); the resolver and
    /// the redirect policy are the guard's.
    pub fn new(
        policy: Policy,
        max_redirects: usize,
        configure: impl FnOnce(reqwest::ClientBuilder) -> reqwest::ClientBuilder,
    ) -> reqwest::Result<Self> {
        let http = configure(reqwest::Client::builder())
            .dns_resolver(Arc::new(GuardedResolver { policy }))
            .redirect(redirect_policy(policy, max_redirects))
            .build()?;
        Ok(Self { http, policy })
    }

    pub fn policy(&self) -> Policy {
        self.policy
    }

    /// A request to `url`, or why it may not be made.
    pub fn request(
        &self,
        method: reqwest::Method,
        url: &str,
    ) -> Result<reqwest::RequestBuilder, GuardError> {
        let url = check_url(url, self.policy)?;
        Ok(self.http.request(method, url))
    }
}

/// The guard's refusal behind a failed request, if that is why it failed.
pub fn refusal(error: &reqwest::Error) -> Option<&GuardError> {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(error);
    while let Some(cause) = source {
        if let Some(refused) = cause.downcast_ref::<GuardError>() {
            return Some(refused);
        }
        source = cause.source();
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refused(url: &str) -> bool {
        matches!(
            check_url(url, Policy::PUBLIC_ONLY),
            Err(GuardError::PrivateAddress(_))
        )
    }

    #[test]
    fn ip_literals_are_refused_in_every_spelling() {
        for url in [
            "http://127.0.0.1:8080/x",
            "http://0x7f000001/",
            "http://0x7f.0.0.1/",
            "http://2130706433/",
            "http://017700000001/",
            "http://0177.0.0.1/",
            "http://127.1/",
            "http://127.0.1/",
            "http://0/",
            "http://10.0.0.1/",
            "http://169.254.169.254/latest/meta-data/",
            "http://198.18.0.1/",
            "http://[::1]/",
            "http://[::]/",
            "http://[::ffff:127.0.0.1]/",
            "http://[::ffff:7f00:1]/",
            "http://[0:0:0:0:0:ffff:7f00:1]/",
            "http://[::127.0.0.1]/",
            "http://[64:ff9b::7f00:1]/",
            "http://[64:ff9b::127.0.0.1]/",
            "http://[2002:7f00:1::]/",
            "http://[fe80::1]/",
            "http://[fd00::1]/",
            "https://localhost/",
            "https://LOCALHOST./",
            "https://api.localhost/",
        ] {
            assert!(refused(url), "{url} must be refused");
        }
    }

    #[test]
    fn public_targets_and_names_pass_the_literal_check() {
        for url in [
            "https://example.com/hook",
            "http://93.184.216.34/x",
            "https://[2606:2800:220:1::1]/x",
            "https://graph.facebook.com",
        ] {
            assert!(check_url(url, Policy::PUBLIC_ONLY).is_ok(), "{url}");
        }
    }

    #[test]
    fn schemes_and_hosts_are_required() {
        assert_eq!(
            check_url("ftp://example.com/x", Policy::PUBLIC_ONLY),
            Err(GuardError::Scheme)
        );
        assert_eq!(
            check_url("file:///etc/passwd", Policy::PUBLIC_ONLY),
            Err(GuardError::Scheme)
        );
        assert!(matches!(
            check_url("not a url", Policy::PUBLIC_ONLY),
            Err(GuardError::InvalidUrl(_))
        ));
    }

    #[test]
    fn the_operator_may_allow_private_targets() {
        let allowed = Policy {
            allow_private: true,
        };
        assert!(check_url("http://127.0.0.1:9/x", allowed).is_ok());
        assert!(check_url("ftp://127.0.0.1/x", allowed).is_err());
    }

    #[tokio::test]
    async fn names_are_resolved_and_every_address_checked() {
        assert!(matches!(
            resolve("localhost", 80, Policy::PUBLIC_ONLY).await,
            Err(GuardError::PrivateAddress(_))
        ));
        assert!(matches!(
            resolve("127.0.0.1", 80, Policy::PUBLIC_ONLY).await,
            Err(GuardError::PrivateAddress(_))
        ));
        let allowed = Policy {
            allow_private: true,
        };
        assert!(resolve("127.0.0.1", 80, allowed).await.is_ok());
    }

    /// A listener on loopback; answers how many connections reached it.
    async fn listener() -> (u16, Arc<std::sync::atomic::AtomicUsize>) {
        let socket = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = socket.local_addr().unwrap().port();
        let reached = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let count = reached.clone();
        tokio::spawn(async move {
            while let Ok((mut stream, _)) = socket.accept().await {
                count.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                use tokio::io::AsyncWriteExt;
                let _ = stream
                    .write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok")
                    .await;
            }
        });
        (port, reached)
    }

    #[tokio::test]
    async fn a_guarded_client_never_connects_to_a_private_name() {
        let (port, reached) = listener().await;
        let client = GuardedClient::new(Policy::PUBLIC_ONLY, 5, |builder| builder).unwrap();
        assert!(matches!(
            client.request(reqwest::Method::GET, &format!("http://127.0.0.1:{port}/")),
            Err(GuardError::PrivateAddress(_))
        ));
        // The resolver refuses a name with a private address by itself, before connecting.
        let error = client
            .http
            .get(format!("http://localhost:{port}/"))
            .send()
            .await
            .expect_err("refused");
        assert!(
            matches!(refusal(&error), Some(GuardError::PrivateAddress(_))),
            "{error:?}"
        );
        assert_eq!(reached.load(std::sync::atomic::Ordering::SeqCst), 0);
    }

    #[tokio::test]
    async fn every_redirect_hop_is_checked() {
        let (port, reached) = listener().await;
        // A server (allowed here, as an operator's own) that redirects to a private literal.
        let redirector = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let redirector_port = redirector.local_addr().unwrap().port();
        tokio::spawn(async move {
            while let Ok((mut stream, _)) = redirector.accept().await {
                use tokio::io::{AsyncReadExt, AsyncWriteExt};
                let mut request = [0u8; 1024];
                let _ = stream.read(&mut request).await;
                let answer = format!(
                    "HTTP/1.1 302 Found\r\nlocation: http://127.0.0.1:{port}/\r\ncontent-length: 0\r\n\r\n"
                );
                let _ = stream.write_all(answer.as_bytes()).await;
            }
        });
        // The first hop stands for a public server (no public server can be reached from a
        // test); the guard's redirect policy refuses the hop to a loopback literal.
        let client = reqwest::Client::builder()
            .redirect(redirect_policy(Policy::PUBLIC_ONLY, 5))
            .build()
            .unwrap();
        let error = client
            .get(format!("http://127.0.0.1:{redirector_port}/"))
            .send()
            .await
            .expect_err("the hop to loopback is refused");
        assert!(
            matches!(refusal(&error), Some(GuardError::PrivateAddress(_))),
            "{error:?}"
        );
        assert_eq!(reached.load(std::sync::atomic::Ordering::SeqCst), 0);
    }
}
