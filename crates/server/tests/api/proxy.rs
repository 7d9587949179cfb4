//! A TCP proxy in front of a broker, to take the broker away from the gateway and bring it
//! back on the same address — as a broker restart looks from the gateway — without
//! disturbing other tests that use the same broker.

use std::net::SocketAddr;
use std::sync::Mutex;
use tokio::net::{TcpSocket, TcpStream};
use tokio::task::{JoinHandle, JoinSet};

pub struct Proxy {
    pub address: SocketAddr,
    target: String,
    running: Mutex<Option<JoinHandle<()>>>,
}

impl Proxy {
    /// Listens on a free local port and forwards every connection to `target` (`host:port`).
    pub async fn start(target: &str) -> Self {
        let listener = listen("127.0.0.1:0".parse().unwrap());
        let address = listener.local_addr().unwrap();
        let proxy = Self {
            address,
            target: target.to_owned(),
            running: Mutex::new(None),
        };
        proxy.serve(listener);
        proxy
    }

    fn serve(&self, listener: tokio::net::TcpListener) {
        let target = self.target.clone();
        let task = tokio::spawn(async move {
            let mut connections = JoinSet::new();
            while let Ok((mut client, _)) = listener.accept().await {
                let target = target.clone();
                connections.spawn(async move {
                    if let Ok(mut upstream) = TcpStream::connect(&target).await {
                        let _ = tokio::io::copy_bidirectional(&mut client, &mut upstream).await;
                    }
                });
            }
        });
        *self.running.lock().unwrap() = Some(task);
    }

    /// The broker goes away: the port refuses connections and open ones are cut.
    pub fn cut(&self) {
        if let Some(task) = self.running.lock().unwrap().take() {
            task.abort();
        }
    }

    /// The broker is back on the same address.
    pub async fn restore(&self) {
        // The aborted task releases the port when it is dropped; give it a moment.
        for _ in 0..50 {
            if self.running.lock().unwrap().is_some() {
                return;
            }
            match try_listen(self.address) {
                Some(listener) => self.serve(listener),
                None => tokio::time::sleep(std::time::Duration::from_millis(20)).await,
            }
        }
        panic!("could not listen on {} again", self.address);
    }
}

fn try_listen(address: SocketAddr) -> Option<tokio::net::TcpListener> {
    let socket = TcpSocket::new_v4().ok()?;
    socket.set_reuseaddr(true).ok()?;
    socket.bind(address).ok()?;
    socket.listen(64).ok()
}

fn listen(address: SocketAddr) -> tokio::net::TcpListener {
    try_listen(address).expect("a local port")
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.cut();
    }
}
