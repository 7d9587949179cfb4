//! Outbound connections to addresses users give us (webhook targets, media URLs) must not
//! reach the gateway's own network: loopback, private, link-local and other non-public ranges
//! are refused unless the operator allows them.

use std::net::{IpAddr, SocketAddr};

/// Whether an address is one a public server can have.
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            let [a, b, ..] = v4.octets();
            !(v4.is_loopback()
                || v4.is_private()
                || v4.is_link_local()
                || v4.is_unspecified()
                || v4.is_broadcast()
                || v4.is_multicast()
                || v4.is_documentation()
                || a == 0
                || (a == 100 && (64..128).contains(&b)))
        }
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return is_public(IpAddr::V4(v4));
            }
            let first = v6.segments()[0];
            !(v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                || (first & 0xfe00) == 0xfc00
                || (first & 0xffc0) == 0xfe80)
        }
    }
}

/// A DNS resolver for HTTP clients that refuses hosts resolving to non-public addresses, so a
/// name cannot be re-pointed at the local network between a check and the connection.
#[derive(Clone, Debug)]
pub struct GuardedResolver {
    pub allow_private: bool,
}

#[derive(Debug, thiserror::Error)]
#[error("{0} resolves to a private or local address, which is not allowed")]
pub struct PrivateAddress(pub String);

impl reqwest::dns::Resolve for GuardedResolver {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let allow_private = self.allow_private;
        Box::pin(async move {
            let host = name.as_str().to_owned();
            let addrs: Vec<SocketAddr> =
                tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            if !allow_private && addrs.iter().any(|addr| !is_public(addr.ip())) {
                return Err(
                    Box::new(PrivateAddress(host)) as Box<dyn std::error::Error + Send + Sync>
                );
            }
            Ok(Box::new(addrs.into_iter()) as reqwest::dns::Addrs)
        })
    }
}

/// Whether a URL's host is an IP literal outside the public ranges (resolvers never see those).
pub fn is_private_literal(url: &reqwest::Url) -> bool {
    match url.host() {
        Some(url::Host::Ipv4(ip)) => !is_public(IpAddr::V4(ip)),
        Some(url::Host::Ipv6(ip)) => !is_public(IpAddr::V6(ip)),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn private_and_local_addresses_are_not_public() {
        for ip in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "0.0.0.0",
            "100.64.0.1",
            "::1",
            "fe80::1",
            "fd00::1",
            "::ffff:127.0.0.1",
        ] {
            assert!(!is_public(ip.parse().unwrap()), "{ip}");
        }
        for ip in ["93.184.216.34", "2606:2800:220:1::1"] {
            assert!(is_public(ip.parse().unwrap()), "{ip}");
        }
    }

    #[test]
    fn ip_literals_are_checked_without_dns() {
        assert!(is_private_literal(
            &"http://127.0.0.1:8080/x".parse().unwrap()
        ));
        assert!(is_private_literal(&"http://[::1]/x".parse().unwrap()));
        assert!(!is_private_literal(
            &"https://example.com/x".parse().unwrap()
        ));
    }
}
