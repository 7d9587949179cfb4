//! A fake of Meta's Graph API (the WhatsApp Cloud API) on `127.0.0.1` and a random port, for
//! tests and benchmarks.
//!
//! wagate's cloud engine talks to `graph.facebook.com` with each user's own token; tests cannot
//! (no real numbers, no real money, no network), and a hand-written stub answers whatever it
//! is sent. This fake holds several numbers and their business accounts, checks the bearer
//! token of every call, validates every message and template body against Meta's own OpenAPI
//! description of the Cloud API ([`spec`]) — refusing an invalid one as Meta does and
//! recording it, so a test can assert none happened — stores uploaded files and templates,
//! fails sends on demand with Meta's error bodies, records every call cheaply enough for
//! thousands of sends a second, and builds and signs the webhooks Meta would send back.
//!
//! ```no_run
//! # async fn example() {
//! use wagate_graph_fake::{FakeNumber, GraphFake};
//! let fake = GraphFake::start().await;
//! fake.add_number(FakeNumber::example());
//! // Point a cloud number's credentials at `fake.base_url()`, send, then:
//! assert!(fake.violations().is_empty());
//! # }
//! ```

mod errors;
mod routes;
mod server;
mod state;

pub mod spec;
pub mod webhooks;

pub use server::GraphFake;
pub use state::{Call, FakeFile, FakeNumber, SentMessage, Violation};
pub use webhooks::post_webhook;
