//! A scripted WhatsApp Web server on `127.0.0.1` and a random port (plain `ws://`), for tests
//! and benchmarks of the web engine.
//!
//! The web engine's client is the real `whatsapp-rust` client; what it talks to here is a
//! server that speaks the same wire: the Noise handshake (XX, then IK once the client caches
//! the certificate), encrypted binary nodes, QR references for an unlinked device, the
//! phone's signed `pair-success` when a test "scans" a code, the restart that follows, the
//! login of a linked device, keepalive and other queries answered, groups kept as the server
//! keeps them (and their changes told to the other members), and on demand a QR
//! rotation, a dropped connection or the phone removing the device. The certificate it
//! presents is zero-signed, so the client must be built with `danger-skip-cert-chain-verify`,
//! which only the test and benchmark builds enable.
//!
//! ```no_run
//! # async fn example(qr_code_shown_by_the_gateway: &str) -> anyhow::Result<()> {
//! use wagate_web_fake::{FakePhone, WebFake};
//! let whatsapp = WebFake::start().await;
//! // Point `web.url` at `whatsapp.url()`, connect an instance, read its QR code, then:
//! whatsapp
//!     .scan(qr_code_shown_by_the_gateway, &FakePhone::new("15550001111", "100000012345678", "Acme"))
//!     .await?;
//! # Ok(()) }
//! ```

mod groups;
mod handshake;
mod phone;
mod server;
mod wire;

pub use server::{FakePhone, WebFake};
