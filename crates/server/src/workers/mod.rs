//! Background workers: they pick work up from tables and channels and call the services.

pub mod count_folding;
pub mod dispatcher;
pub mod event_sink;
pub mod housekeeping;
pub mod supervisor;
pub mod webhook_delivery;
pub mod webhook_fanout;
