//! Webhooks as the Standard Webhooks specification defines them: secrets, signatures, and the
//! HTTP client that delivers them.

mod client;
mod signing;

pub use client::{DeliveryClient, DeliveryResponse};
pub use signing::{WebhookSecret, sign};
