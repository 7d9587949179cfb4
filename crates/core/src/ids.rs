//! Typed identifiers, so an account id can never be passed where an instance id is wanted.
//!
//! Ids are opaque strings on the wire. Messages and events use UUID v7 (time-ordered, so
//! listing by id is listing by creation); accounts, instances and keys use UUID v7 too with a
//! short prefix that tells a human what kind of id they are looking at.

use serde::{Deserialize, Serialize};
use std::fmt;
use uuid::Uuid;

macro_rules! prefixed_id {
    ($(#[$doc:meta])* $name:ident, $prefix:literal) => {
        $(#[$doc])*
        #[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(String);

        impl $name {
            /// The prefix every id of this kind starts with.
            pub const PREFIX: &'static str = $prefix;

            /// A fresh, time-ordered id.
            pub fn generate() -> Self {
                Self(format!("{}{}", $prefix, Uuid::now_v7().simple()))
            }

            /// Accepts a string only if it has this kind's prefix and a UUID after it.
            pub fn parse(raw: &str) -> Option<Self> {
                let rest = raw.strip_prefix($prefix)?;
                Uuid::try_parse(rest).ok()?;
                Some(Self(raw.to_owned()))
            }

            /// Wraps a value read back from our own database.
            pub fn from_trusted(raw: String) -> Self {
                Self(raw)
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl utoipa::PartialSchema for $name {
            fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
                String::schema()
            }
        }
        impl utoipa::ToSchema for $name {}
    };
}

macro_rules! uuid_id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(Uuid);

        impl $name {
            /// A fresh UUID v7 id.
            pub fn generate() -> Self {
                Self(Uuid::now_v7())
            }

            pub fn parse(raw: &str) -> Option<Self> {
                Uuid::try_parse(raw).ok().map(Self)
            }

            pub fn as_uuid(&self) -> Uuid {
                self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }

        impl utoipa::PartialSchema for $name {
            fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
                String::schema()
            }
        }
        impl utoipa::ToSchema for $name {}
    };
}

prefixed_id!(
    /// A tenant of the gateway.
    AccountId,
    "acc_"
);
prefixed_id!(
    /// One linked (or to-be-linked) WhatsApp number.
    InstanceId,
    "ins_"
);
prefixed_id!(
    /// An API key's public id (the part of the key that is not secret).
    ApiKeyId,
    "key_"
);
uuid_id!(
    /// A message, inbound or outbound. Also handed to engines so a resend is recognised.
    MessageId
);
uuid_id!(
    /// An event in the outbox; receivers deduplicate on it.
    EventId
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefixed_ids_round_trip_and_reject_other_kinds() {
        let id = InstanceId::generate();
        assert_eq!(InstanceId::parse(id.as_str()), Some(id.clone()));
        assert!(AccountId::parse(id.as_str()).is_none());
        assert!(InstanceId::parse("ins_not-a-uuid").is_none());
    }

    #[test]
    fn message_ids_are_time_ordered() {
        let a = MessageId::generate();
        let b = MessageId::generate();
        assert!(a < b);
        assert_eq!(MessageId::parse(&a.to_string()), Some(a));
    }
}
