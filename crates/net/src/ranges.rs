//! Which IP addresses a public server can have: none of IANA's special-purpose ranges.
//!
//! The tables follow the IANA IPv4 and IPv6 Special-Purpose Address Registries, refusing every
//! entry (also the few marked "globally reachable", such as AS112 or the 6to4 relays: no
//! webhook or media server lives there). IPv6 unicast outside `2000::/3` is not assigned at
//! all. Addresses that carry an IPv4 address inside them (IPv4-mapped, NAT64, 6to4) are
//! judged by the address they lead to; the deprecated IPv4-compatible form (`::a.b.c.d`) is
//! refused whole.

use ipnet::{Ipv4Net, Ipv6Net};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::sync::LazyLock;

const SPECIAL_V4: [&str; 21] = [
    "0.0.0.0/8",          // "this network"
    "10.0.0.0/8",         // private
    "100.64.0.0/10",      // shared address space (carrier-grade NAT)
    "127.0.0.0/8",        // loopback
    "169.254.0.0/16",     // link-local (cloud metadata services live here)
    "172.16.0.0/12",      // private
    "192.0.0.0/24",       // IETF protocol assignments
    "192.0.2.0/24",       // documentation (TEST-NET-1)
    "192.31.196.0/24",    // AS112
    "192.52.193.0/24",    // AMT
    "192.88.99.0/24",     // 6to4 relay anycast
    "192.168.0.0/16",     // private
    "192.175.48.0/24",    // AS112 direct delegation
    "198.18.0.0/15",      // benchmarking
    "198.51.100.0/24",    // documentation (TEST-NET-2)
    "203.0.113.0/24",     // documentation (TEST-NET-3)
    "224.0.0.0/4",        // multicast
    "240.0.0.0/4",        // reserved
    "255.255.255.255/32", // limited broadcast
    "100.100.100.200/32", // Alibaba Cloud's metadata service (inside 100.64/10 already)
    "168.63.129.16/32",   // Azure's host endpoint, reachable from every Azure VM
];

/// Special-purpose ranges inside the global unicast space `2000::/3`.
/// (`2002::/16`, 6to4, is judged by the IPv4 address it carries.)
const SPECIAL_V6_GLOBAL: [&str; 4] = [
    "2001::/23",         // IETF protocol assignments (Teredo, ORCHID, benchmarking, …)
    "2001:db8::/32",     // documentation
    "2620:4f:8000::/48", // AS112 direct delegation
    "3fff::/20",         // documentation
];

static V4: LazyLock<Vec<Ipv4Net>> = LazyLock::new(|| parse_all(&SPECIAL_V4));
static V6_GLOBAL: LazyLock<Vec<Ipv6Net>> = LazyLock::new(|| parse_all(&SPECIAL_V6_GLOBAL));
static GLOBAL_UNICAST: LazyLock<Ipv6Net> = LazyLock::new(|| "2000::/3".parse().unwrap());
static NAT64: LazyLock<Ipv6Net> = LazyLock::new(|| "64:ff9b::/96".parse().unwrap());
static SIX_TO_FOUR: LazyLock<Ipv6Net> = LazyLock::new(|| "2002::/16".parse().unwrap());

fn parse_all<T: std::str::FromStr>(ranges: &[&str]) -> Vec<T>
where
    T::Err: std::fmt::Debug,
{
    ranges
        .iter()
        .map(|range| range.parse().expect("a valid range in the table"))
        .collect()
}

/// Whether an address is one a public server can have.
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => is_public_v4(v4),
        IpAddr::V6(v6) => is_public_v6(v6),
    }
}

fn is_public_v4(ip: Ipv4Addr) -> bool {
    !V4.iter().any(|range| range.contains(&ip))
}

fn is_public_v6(ip: Ipv6Addr) -> bool {
    if let Some(v4) = ip.to_ipv4_mapped() {
        return is_public_v4(v4);
    }
    if let Some(v4) = embedded_v4(ip) {
        return is_public_v4(v4);
    }
    GLOBAL_UNICAST.contains(&ip) && !V6_GLOBAL.iter().any(|range| range.contains(&ip))
}

/// The IPv4 address a NAT64 (`64:ff9b::a.b.c.d`) or 6to4 (`2002:aabb:ccdd::`) address
/// reaches.
fn embedded_v4(ip: Ipv6Addr) -> Option<Ipv4Addr> {
    let octets = ip.octets();
    if NAT64.contains(&ip) {
        return Some(Ipv4Addr::new(
            octets[12], octets[13], octets[14], octets[15],
        ));
    }
    if SIX_TO_FOUR.contains(&ip) {
        return Some(Ipv4Addr::new(octets[2], octets[3], octets[4], octets[5]));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn public(ip: &str) -> bool {
        is_public(ip.parse().unwrap_or_else(|_| panic!("{ip} parses")))
    }

    #[test]
    fn every_special_purpose_range_is_refused() {
        for ip in [
            // IPv4
            "0.0.0.0",
            "0.1.2.3",
            "10.1.2.3",
            "100.64.0.1",
            "100.127.255.254",
            "127.0.0.1",
            "127.255.255.254",
            "169.254.169.254",
            "172.16.0.1",
            "172.31.255.255",
            "192.0.0.9",
            "192.0.2.1",
            "192.31.196.1",
            "192.52.193.1",
            "192.88.99.1",
            "192.168.1.1",
            "192.175.48.1",
            "198.18.0.1",
            "198.19.255.255",
            "198.51.100.7",
            "203.0.113.9",
            "224.0.0.1",
            "239.255.255.250",
            "240.0.0.1",
            "255.255.255.255",
            "168.63.129.16",
            // IPv6
            "::",
            "::1",
            "::ffff:127.0.0.1",
            "::ffff:10.0.0.1",
            "::ffff:169.254.169.254",
            "::127.0.0.1",
            "::8.8.8.8",
            "64:ff9b::7f00:1",
            "64:ff9b::a00:1",
            "64:ff9b:1::1",
            "100::1",
            "2001::1",
            "2001:2::1",
            "2001:db8::1",
            "2002:7f00:1::1",
            "2002:a00:1::",
            "2002:c058:6301::",
            "2620:4f:8000::1",
            "3fff::1",
            "5f00::1",
            "fc00::1",
            "fd12:3456::1",
            "fe80::1",
            "fec0::1",
            "ff02::1",
        ] {
            assert!(!public(ip), "{ip} must not count as public");
        }
    }

    #[test]
    fn public_addresses_pass_also_through_translations() {
        for ip in [
            "93.184.216.34",
            "8.8.8.8",
            "100.63.255.255",
            "100.128.0.1",
            "172.32.0.1",
            "198.17.255.255",
            "198.20.0.1",
            "2606:2800:220:1::1",
            "2a00:1450:4001::1",
            "::ffff:93.184.216.34",
            "64:ff9b::5db8:d822",
            "2002:5db8:d822::1",
        ] {
            assert!(public(ip), "{ip} is public");
        }
    }
}
