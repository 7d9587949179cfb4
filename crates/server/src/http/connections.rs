//! Open connections that have not authenticated yet, counted per address.
//!
//! A connection counts against its peer from accept until one of its requests carries a valid
//! key (the rate-limit layer, which authenticates every request, says so through the
//! [`ConnectionAuth`] the serve loop puts in each request's extensions), or until it closes.
//! So one address cannot hold more than the cap of connections without a key, whatever the
//! timeouts, while authenticated clients keep as many as they like. IPv6 peers are counted
//! per /64, the block one subscriber usually has.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

/// The count per address, shared by the serve loop and every connection's [`ConnectionAuth`].
#[derive(Debug)]
pub struct UnauthenticatedConnections {
    /// 0: no cap, nothing counted.
    max_per_address: usize,
    open: Mutex<HashMap<IpAddr, usize>>,
}

impl UnauthenticatedConnections {
    pub fn new(max_per_address: usize) -> Arc<Self> {
        Arc::new(Self {
            max_per_address,
            open: Mutex::default(),
        })
    }

    /// Counts a new connection from `peer`; `None` when its address is at the cap.
    pub fn admit(self: &Arc<Self>, peer: IpAddr) -> Option<ConnectionAuth> {
        let address = counted_address(peer);
        if self.max_per_address > 0 {
            let mut open = self.open.lock().expect("connection counts");
            let count = open.entry(address).or_default();
            if *count >= self.max_per_address {
                return None;
            }
            *count += 1;
        }
        Some(ConnectionAuth(Arc::new(Slot {
            connections: self.clone(),
            address,
            counted: AtomicBool::new(self.max_per_address > 0),
        })))
    }

    /// Connections of `peer`'s address now counted.
    pub fn open(&self, peer: IpAddr) -> usize {
        let open = self.open.lock().expect("connection counts");
        open.get(&counted_address(peer)).copied().unwrap_or(0)
    }

    fn release(&self, address: IpAddr) {
        let mut open = self.open.lock().expect("connection counts");
        if let Some(count) = open.get_mut(&address) {
            *count -= 1;
            if *count == 0 {
                open.remove(&address);
            }
        }
    }
}

/// One connection's place in the count, in the extensions of each of its requests.
#[derive(Clone, Debug)]
pub struct ConnectionAuth(Arc<Slot>);

impl ConnectionAuth {
    /// A request on this connection carried a valid key: it no longer counts.
    pub fn authenticated(&self) {
        self.0.release();
    }
}

#[derive(Debug)]
struct Slot {
    connections: Arc<UnauthenticatedConnections>,
    address: IpAddr,
    counted: AtomicBool,
}

impl Slot {
    fn release(&self) {
        if self.counted.swap(false, Ordering::AcqRel) {
            self.connections.release(self.address);
        }
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        self.release();
    }
}

fn counted_address(peer: IpAddr) -> IpAddr {
    match peer {
        IpAddr::V4(_) => peer,
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => IpAddr::V6((u128::from(v6) & !u128::from(u64::MAX)).into()),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    #[test]
    fn the_cap_holds_until_a_connection_authenticates_or_closes() {
        let connections = UnauthenticatedConnections::new(2);
        let first = connections.admit(ip("10.0.0.1")).unwrap();
        let second = connections.admit(ip("10.0.0.1")).unwrap();
        assert!(connections.admit(ip("10.0.0.1")).is_none());
        assert!(connections.admit(ip("10.0.0.2")).is_some());

        first.authenticated();
        first.authenticated();
        assert_eq!(connections.open(ip("10.0.0.1")), 1);
        let third = connections.admit(ip("10.0.0.1")).unwrap();
        assert!(connections.admit(ip("10.0.0.1")).is_none());

        drop(second);
        drop(first);
        assert_eq!(connections.open(ip("10.0.0.1")), 1);
        drop(third);
        assert_eq!(connections.open(ip("10.0.0.1")), 0);
    }

    #[test]
    fn ipv6_counts_per_64_and_mapped_ipv4_as_ipv4() {
        let connections = UnauthenticatedConnections::new(1);
        let _held = connections.admit(ip("2001:db8:1:2::1")).unwrap();
        assert!(connections.admit(ip("2001:db8:1:2:ffff::9")).is_none());
        assert!(connections.admit(ip("2001:db8:1:3::1")).is_some());
        let _v4 = connections.admit(ip("192.0.2.7")).unwrap();
        assert!(connections.admit(ip("::ffff:192.0.2.7")).is_none());
    }

    #[test]
    fn no_cap_counts_nothing() {
        let connections = UnauthenticatedConnections::new(0);
        let held: Vec<_> = (0..10)
            .map(|_| connections.admit(ip("10.0.0.1")).unwrap())
            .collect();
        assert_eq!(connections.open(ip("10.0.0.1")), 0);
        drop(held);
    }
}
