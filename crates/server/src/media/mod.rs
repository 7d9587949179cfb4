//! Media: where the bytes of uploads and of media messages live, and what they are.
//!
//! Bytes go to an object store (a local directory by default; the `object_store` crate also
//! speaks S3 and its kin) and stream there: an upload is hashed, measured and written chunk by
//! chunk, never held whole in memory. What a file *is* is read from its bytes, not taken from
//! the name or the declared type.

mod engine_source;
mod fetch;
mod keep;
mod kinds;
mod storage;

pub use engine_source::StoredMedia;
pub use fetch::{FetchError, Fetched, UrlFetcher};
pub use keep::{FALLBACK_TYPE, KeepError, Owner, content_type, keep_file};
pub use kinds::{MediaKind, MediaLimits, detect, is_animated_webp};
pub use storage::{MediaError, MediaStorage, StoredBlob};
