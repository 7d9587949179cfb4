//! Where the secrets key comes from: the configuration, or a file in the data directory that
//! the first start creates, so `cargo run` seals credentials with no setting at all while
//! several nodes can still be given one shared key.

use crate::config::Config;
use crate::services::SecretBox;
use anyhow::Context;

/// The key secrets at rest are sealed with: the configured one, or the one kept in
/// `data_dir/secrets.key`, created on first start.
pub fn load(config: &Config) -> anyhow::Result<SecretBox> {
    let configured = config.secrets.key.trim();
    if !configured.is_empty() {
        return SecretBox::from_base64(configured).context("secrets.key");
    }
    let path = config.data_dir.join("secrets.key");
    let key = match std::fs::read_to_string(&path) {
        Ok(key) => key,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
            std::fs::create_dir_all(&config.data_dir).with_context(|| {
                format!("creating the data directory {}", config.data_dir.display())
            })?;
            let key = SecretBox::generate_key();
            write_private(&path, &key)
                .with_context(|| format!("writing the secrets key to {}", path.display()))?;
            if !config.database_url().starts_with("sqlite:") {
                tracing::warn!(
                    path = %path.display(),
                    "created a secrets key for this node; every node sharing the database needs the same one: set [secrets] key"
                );
            }
            key
        }
        Err(error) => {
            return Err(error).with_context(|| format!("reading {}", path.display()));
        }
    };
    SecretBox::from_base64(&key).with_context(|| format!("the secrets key in {}", path.display()))
}

/// Writes a file only its owner can read.
fn write_private(path: &std::path::Path, contents: &str) -> std::io::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(path)?.write_all(contents.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_start_creates_a_key_that_later_starts_reuse() {
        let dir = tempfile::tempdir().unwrap();
        let mut config = Config::defaults();
        config.data_dir = dir.path().join("data");
        let first = load(&config).unwrap();
        let sealed = first.seal("cloud/1/access_token", "EAAG");
        let again = load(&config).unwrap();
        assert_eq!(again.open("cloud/1/access_token", &sealed).unwrap(), "EAAG");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(config.data_dir.join("secrets.key"))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o077, 0, "only the owner reads the key");
        }
        config.secrets.key = "too short".to_owned();
        assert!(load(&config).is_err(), "a bad configured key is refused");
    }
}
