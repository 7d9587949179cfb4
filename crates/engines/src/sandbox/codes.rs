//! Codes that look like WhatsApp's: QR payloads and 8-character pairing codes.

use base64::Engine as _;
use rand::Rng;

/// A QR payload in WhatsApp's shape: `ref,noiseKey,identityKey,advSecret`, all random.
pub fn qr_code() -> String {
    let mut rng = rand::rng();
    let mut part = |len: usize| {
        let bytes: Vec<u8> = (0..len).map(|_| rng.random()).collect();
        base64::engine::general_purpose::STANDARD.encode(bytes)
    };
    format!("2@{},{},{},{}", part(48), part(32), part(32), part(32))
}

/// WhatsApp's pairing-code alphabet leaves out characters that are easy to confuse.
const PAIRING_ALPHABET: &[u8] = b"123456789ABCDEFGHJKLMNPQRSTVWXYZ";

/// A pairing code such as `ABCD-EFGH`.
pub fn pairing_code() -> String {
    let mut rng = rand::rng();
    let chars: String = (0..8)
        .map(|_| PAIRING_ALPHABET[rng.random_range(0..PAIRING_ALPHABET.len())] as char)
        .collect();
    format!("{}-{}", &chars[..4], &chars[4..])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pairing_codes_have_whatsapps_shape() {
        let code = pairing_code();
        assert_eq!(code.len(), 9);
        assert_eq!(&code[4..5], "-");
        assert!(
            code.chars()
                .filter(|c| *c != '-')
                .all(|c| PAIRING_ALPHABET.contains(&(c as u8)))
        );
    }

    #[test]
    fn qr_codes_are_fresh_each_time() {
        let a = qr_code();
        assert!(a.starts_with("2@"));
        assert_eq!(a.split(',').count(), 4);
        assert_ne!(a, qr_code());
    }
}
