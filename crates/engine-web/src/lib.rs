//! The WhatsApp Web multi-device engine, on `whatsapp-rust`.
//!
//! A number is linked as a companion device by QR code or pairing code and spoken for over
//! WhatsApp's own protocol. Every type of `whatsapp-rust` (and of `waproto` and `buffa`, which
//! it exposes) stays inside this crate: the library is pre-1.0 and changes its API with every
//! minor release, so its churn ends here and the rest of wagate sees only core types.

mod communities;
mod contacts;
mod engine;
mod groups;
mod history;
pub mod inbound;
mod key_store;
mod labels;
mod newsletters;
pub mod outbound;
mod polls;
mod presence;
mod privacy;
mod session;
mod status;

pub use engine::{CAPABILITIES, WebEngine};
pub use key_store::KeyStore;
pub use session::{WebConfig, WebSession};
