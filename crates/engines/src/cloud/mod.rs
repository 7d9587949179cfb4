//! Meta's WhatsApp Business Cloud API, reached with the user's own credentials: the Graph API
//! bodies wagate's messages become, Meta's errors in the dispatcher's terms, and Meta's
//! webhooks as session events.

pub mod engine;
pub mod graph;
pub mod graph_error;
pub mod payload;
pub mod webhook;
