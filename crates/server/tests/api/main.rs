//! The API, end to end: the real server on a random port with a fresh database (SQLite, and
//! PostgreSQL when `WAGATE_TEST_DATABASE_URL` is set), driven over HTTP.

mod files;
mod live;
mod proxy;
mod receiver;
mod support;

mod accounts;
mod analytics;
mod breaker;
mod brokers;
mod bulk;
mod calls;
mod chats;
mod cloud;
mod communities;
mod contact_list;
mod contacts;
mod docs;
mod event_schemas;
mod events;
mod groups;
mod idempotency;
mod instances;
mod labels;
mod limits;
mod linking;
mod media;
mod media_s3;
mod message_types;
mod messages;
mod newsletters;
mod operations;
mod pacing;
mod pictures;
mod presence;
mod profiles;
mod queue;
mod receiving;
mod restart;
mod settings;
mod streams;
mod web_engine;
mod web_groups;
mod web_linking;
mod webhooks;
