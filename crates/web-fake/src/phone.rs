//! The phone's side of linking: it reads the QR code a companion shows and vouches for the
//! companion's identity key with the account's key, keyed by the secret the code carries, as
//! the primary device does. The companion checks both before it accepts the link.

use anyhow::{Context, anyhow};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use whatsapp_rust::buffa::Message as _;
use whatsapp_rust::pair::NATIVE_CAMERA_DEEP_LINK_PREFIX;
use whatsapp_rust::wacore::libsignal::protocol::KeyPair;
use whatsapp_rust::waproto::whatsapp as wa;

/// What the account signs before a companion's identity key.
const ACCOUNT_SIGNATURE_PREFIX: [u8; 2] = [6, 0];

/// A companion's QR code, read.
pub(crate) struct ScannedQr {
    pub(crate) reference: String,
    identity: [u8; 32],
    adv_secret: [u8; 32],
}

fn field32(field: &str, what: &str) -> anyhow::Result<[u8; 32]> {
    STANDARD
        .decode(field)
        .with_context(|| format!("the QR code's {what} is not base64"))?
        .try_into()
        .map_err(|_| anyhow!("the QR code's {what} is not 32 bytes"))
}

/// Reads `ref,noise key,identity key,secret[,client type]`.
pub(crate) fn read_qr(code: &str) -> anyhow::Result<ScannedQr> {
    let body = code
        .strip_prefix(NATIVE_CAMERA_DEEP_LINK_PREFIX)
        .unwrap_or(code);
    let fields: Vec<&str> = body.split(',').collect();
    let [reference, _noise, identity, secret, ..] = fields.as_slice() else {
        return Err(anyhow!("not a WhatsApp Web QR code: {code}"));
    };
    Ok(ScannedQr {
        reference: (*reference).to_owned(),
        identity: field32(identity, "identity key")?,
        adv_secret: field32(secret, "secret")?,
    })
}

/// The signed device identity of a `pair-success`: the account's signature over the
/// companion's identity key, wrapped in an HMAC keyed by the QR code's secret.
pub(crate) fn device_identity(qr: &ScannedQr, account: &KeyPair, key_index: u32) -> Vec<u8> {
    let mut rng = rand::rng();
    let details = wa::ADVDeviceIdentity {
        raw_id: Some(key_index),
        timestamp: Some(0),
        key_index: Some(key_index),
        account_type: Some(wa::ADVEncryptionType::E2EE),
        device_type: Some(wa::ADVEncryptionType::E2EE),
    }
    .encode_to_vec();
    let signed_message = [&ACCOUNT_SIGNATURE_PREFIX[..], &details, &qr.identity].concat();
    let signature = account
        .private_key
        .calculate_signature(&signed_message, &mut rng)
        .expect("signing with a fresh key pair");
    let signed = wa::ADVSignedDeviceIdentity {
        details: Some(details),
        account_signature_key: Some(account.public_key.public_key_bytes().to_vec()),
        account_signature: Some(signature.to_vec()),
        device_signature: None,
    }
    .encode_to_vec();
    let mut mac = Hmac::<Sha256>::new_from_slice(&qr.adv_secret).expect("HMAC takes any key");
    mac.update(&signed);
    wa::ADVSignedDeviceIdentityHMAC {
        details: Some(signed),
        hmac: Some(mac.finalize().into_bytes().to_vec()),
        account_type: Some(wa::ADVEncryptionType::E2EE),
    }
    .encode_to_vec()
}

#[cfg(test)]
mod tests {
    use super::*;
    use whatsapp_rust::pair::{CompanionWebClientType, DeviceState, PairUtils};

    /// The companion's own check accepts what the phone signs for the code it showed.
    #[test]
    fn a_companion_accepts_the_identity_signed_for_its_code() {
        let state = DeviceState {
            identity_key: KeyPair::generate(&mut rand::rng()),
            noise_key: KeyPair::generate(&mut rand::rng()),
            adv_secret_key: [7; 32],
        };
        let code = PairUtils::make_qr_data(&state, "ref-1", CompanionWebClientType::Chrome);
        let qr = read_qr(&code).unwrap();
        assert_eq!(qr.reference, "ref-1");
        let account = KeyPair::generate(&mut rand::rng());
        let identity = device_identity(&qr, &account, 3);
        let (_, key_index) = PairUtils::do_pair_crypto(&state, &identity).unwrap();
        assert_eq!(key_index, 3);

        let mut wrong = state;
        wrong.adv_secret_key = [8; 32];
        assert!(PairUtils::do_pair_crypto(&wrong, &identity).is_err());
    }

    #[test]
    fn what_is_not_a_qr_code_is_refused() {
        assert!(read_qr("hello").is_err());
        assert!(read_qr("a,b,c,d").is_err());
    }
}
