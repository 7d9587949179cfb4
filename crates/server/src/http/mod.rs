//! The HTTP edge below the API: accepting connections and holding back the clients that would
//! keep them open for nothing (see [`serve`]).

pub mod connections;
pub mod serve;
