//! Rebuilds the crate when a migration changes: `sqlx::migrate!` embeds the migration files,
//! and without this a changed or added file is not seen until something else changes.

fn main() {
    println!("cargo:rerun-if-changed=migrations");
}
