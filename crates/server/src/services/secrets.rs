//! Secrets at rest. Cloud API access tokens and app secrets, webhook signing secrets and the
//! values of webhooks' custom headers are sealed with XChaCha20-Poly1305 under a key from
//! configuration before they reach the database, so a copy of the database (a backup, a
//! replica, a leaked dump) hands out neither anyone's WhatsApp number nor the means to forge
//! deliveries or reach a receiver. Each sealed value is bound to what it belongs to (the
//! number or endpoint, and the field): one cannot be moved onto another row and be accepted
//! there.

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use chacha20poly1305::aead::{Aead, AeadCore, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};

/// Marks the format, so a later change of cipher can read older values.
const VERSION: &str = "v1.";
const NONCE_LEN: usize = 24;

/// Seals and opens secrets with the gateway's key.
#[derive(Clone)]
pub struct SecretBox {
    cipher: XChaCha20Poly1305,
}

impl std::fmt::Debug for SecretBox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SecretBox(<key>)")
    }
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum SecretError {
    #[error("the secrets key must be 32 bytes in base64: {0}")]
    BadKey(String),
    #[error("a stored secret cannot be opened with this key (was the secrets key changed?)")]
    Unreadable,
}

impl SecretBox {
    /// A box over a key given as base64 of 32 bytes.
    pub fn from_base64(key: &str) -> Result<Self, SecretError> {
        let bytes = STANDARD
            .decode(key.trim())
            .map_err(|e| SecretError::BadKey(e.to_string()))?;
        let cipher = XChaCha20Poly1305::new_from_slice(&bytes)
            .map_err(|_| SecretError::BadKey(format!("it decodes to {} bytes", bytes.len())))?;
        Ok(Self { cipher })
    }

    /// A fresh random key, as base64.
    pub fn generate_key() -> String {
        STANDARD.encode(XChaCha20Poly1305::generate_key(
            &mut chacha20poly1305::aead::OsRng,
        ))
    }

    /// Seals `plain` for `context` (what it belongs to, e.g. `ins_…/access_token`).
    pub fn seal(&self, context: &str, plain: &str) -> String {
        let nonce = XChaCha20Poly1305::generate_nonce(&mut chacha20poly1305::aead::OsRng);
        let sealed = self
            .cipher
            .encrypt(
                &nonce,
                Payload {
                    msg: plain.as_bytes(),
                    aad: context.as_bytes(),
                },
            )
            .expect("sealing in memory cannot fail");
        let mut out = nonce.to_vec();
        out.extend_from_slice(&sealed);
        format!("{VERSION}{}", URL_SAFE_NO_PAD.encode(out))
    }

    /// Whether a stored value is in the sealed format (else it was stored in plain text).
    pub fn is_sealed(stored: &str) -> bool {
        stored.starts_with(VERSION)
    }

    /// Opens what `seal` made for the same context.
    pub fn open(&self, context: &str, sealed: &str) -> Result<String, SecretError> {
        let encoded = sealed
            .strip_prefix(VERSION)
            .ok_or(SecretError::Unreadable)?;
        let bytes = URL_SAFE_NO_PAD
            .decode(encoded)
            .map_err(|_| SecretError::Unreadable)?;
        if bytes.len() < NONCE_LEN {
            return Err(SecretError::Unreadable);
        }
        let (nonce, sealed) = bytes.split_at(NONCE_LEN);
        let nonce: [u8; NONCE_LEN] = nonce.try_into().map_err(|_| SecretError::Unreadable)?;
        let plain = self
            .cipher
            .decrypt(
                &XNonce::from(nonce),
                Payload {
                    msg: sealed,
                    aad: context.as_bytes(),
                },
            )
            .map_err(|_| SecretError::Unreadable)?;
        String::from_utf8(plain).map_err(|_| SecretError::Unreadable)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sealed_secrets_open_only_with_their_key_and_context() {
        let secrets = SecretBox::from_base64(&SecretBox::generate_key()).unwrap();
        let sealed = secrets.seal("ins_1/access_token", "EAAG-token");
        assert!(!sealed.contains("EAAG"), "{sealed}");
        assert_ne!(sealed, secrets.seal("ins_1/access_token", "EAAG-token"));
        assert_eq!(
            secrets.open("ins_1/access_token", &sealed).unwrap(),
            "EAAG-token"
        );
        assert_eq!(
            secrets.open("ins_2/access_token", &sealed),
            Err(SecretError::Unreadable),
            "moved to another instance"
        );
        assert!(SecretBox::is_sealed(&sealed));
        assert!(!SecretBox::is_sealed("whsec_abc"));
        let other = SecretBox::from_base64(&SecretBox::generate_key()).unwrap();
        assert_eq!(
            other.open("ins_1/access_token", &sealed),
            Err(SecretError::Unreadable)
        );
        assert_eq!(
            secrets.open("ins_1/access_token", "EAAG-token"),
            Err(SecretError::Unreadable),
            "a value stored in clear is not taken for a sealed one"
        );
    }

    #[test]
    fn keys_must_be_32_bytes_of_base64() {
        assert!(matches!(
            SecretBox::from_base64("not base64!"),
            Err(SecretError::BadKey(_))
        ));
        assert!(matches!(
            SecretBox::from_base64(&STANDARD.encode([1u8; 16])),
            Err(SecretError::BadKey(_))
        ));
    }
}
