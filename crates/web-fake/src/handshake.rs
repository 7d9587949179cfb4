//! The server's half of WhatsApp Web's Noise handshake: XX when a client connects for the
//! first time, IK once it has cached this server's certificate, down to the two transport
//! ciphers and the login payload the client sent inside the handshake.
//!
//! The steps mirror the responder the library's own tests use; what a real server adds (a
//! certificate signed by WhatsApp) is replaced by a zero-signed chain, which the client under
//! test accepts only when built with `danger-skip-cert-chain-verify`.

use anyhow::{Context, anyhow};
use whatsapp_rust::buffa::Message as _;
use whatsapp_rust::wacore::handshake::NoiseHandshake;
use whatsapp_rust::wacore::libsignal::protocol::KeyPair;
use whatsapp_rust::wacore::noise::NoiseCipher;
use whatsapp_rust::wacore_binary::consts::{NOISE_PATTERN_IK, NOISE_PATTERN_XX, WA_CONN_HEADER};
use whatsapp_rust::waproto::whatsapp as wa;

/// The server's long-lived Noise key and the certificate chain that names it.
pub(crate) struct ServerIdentity {
    key: KeyPair,
    cert_chain: Vec<u8>,
}

impl ServerIdentity {
    pub(crate) fn generate() -> Self {
        let key = KeyPair::generate(&mut rand::rng());
        let cert_chain = wacore_noise::test_util::build_cert_chain_bytes(&public_bytes(&key));
        Self { key, cert_chain }
    }
}

fn public_bytes(key: &KeyPair) -> [u8; 32] {
    key.public_key
        .public_key_bytes()
        .try_into()
        .expect("an X25519 public key is 32 bytes")
}

fn key32(bytes: Vec<u8>, what: &str) -> anyhow::Result<[u8; 32]> {
    bytes
        .try_into()
        .map_err(|_| anyhow!("the client's {what} is not 32 bytes"))
}

/// A finished handshake: the ciphers of both directions and who the client says it is.
pub(crate) struct Established {
    pub(crate) read: NoiseCipher,
    pub(crate) write: NoiseCipher,
    pub(crate) payload: wa::ClientPayload,
}

/// What answering the client's hello leaves to do.
pub(crate) enum AfterHello {
    /// XX: the client still sends its static key and payload in a finish message.
    AwaitFinish {
        noise: NoiseHandshake,
        ephemeral: KeyPair,
    },
    /// IK: the client sent both in its hello; the handshake is complete.
    Done(Established),
}

fn established(noise: NoiseHandshake, payload: &[u8]) -> anyhow::Result<Established> {
    let payload = wa::ClientPayload::decode_from_slice(payload).context("the client payload")?;
    // The initiator writes with the first key and reads with the second.
    let (read, write) = noise.finish().context("splitting the handshake")?;
    Ok(Established {
        read,
        write,
        payload,
    })
}

/// Answers a client hello (the frame's payload, without the connection header).
pub(crate) fn answer_hello(
    identity: &ServerIdentity,
    hello: &[u8],
) -> anyhow::Result<(Vec<u8>, AfterHello)> {
    let message = wa::HandshakeMessage::decode_from_slice(hello).context("the client hello")?;
    let hello = message
        .client_hello
        .into_option()
        .ok_or_else(|| anyhow!("the first message is not a client hello"))?;
    let client_ephemeral = key32(
        hello
            .ephemeral
            .ok_or_else(|| anyhow!("the hello has no ephemeral key"))?,
        "ephemeral key",
    )?;
    let ephemeral = KeyPair::generate(&mut rand::rng());
    let ephemeral_public = public_bytes(&ephemeral);
    let server_static = public_bytes(&identity.key);

    match (hello.r#static, hello.payload) {
        (Some(encrypted_static), Some(encrypted_payload)) => {
            let mut noise = NoiseHandshake::new(NOISE_PATTERN_IK, &WA_CONN_HEADER)?;
            noise.authenticate(&server_static);
            noise.authenticate(&client_ephemeral);
            noise.mix_shared_secret(identity.key.private_key.serialize(), &client_ephemeral)?;
            let client_static = key32(noise.decrypt(&encrypted_static)?, "static key")?;
            noise.mix_shared_secret(identity.key.private_key.serialize(), &client_static)?;
            let payload = noise.decrypt(&encrypted_payload)?;

            noise.authenticate(&ephemeral_public);
            noise.mix_shared_secret(ephemeral.private_key.serialize(), &client_ephemeral)?;
            noise.mix_shared_secret(ephemeral.private_key.serialize(), &client_static)?;
            let certificate = noise.encrypt(&identity.cert_chain)?;
            let server_hello = server_hello(ephemeral_public, None, certificate);
            Ok((
                server_hello,
                AfterHello::Done(established(noise, &payload)?),
            ))
        }
        _ => {
            let mut noise = NoiseHandshake::new(NOISE_PATTERN_XX, &WA_CONN_HEADER)?;
            noise.authenticate(&client_ephemeral);
            noise.authenticate(&ephemeral_public);
            noise.mix_shared_secret(ephemeral.private_key.serialize(), &client_ephemeral)?;
            let encrypted_static = noise.encrypt(&server_static)?;
            noise.mix_shared_secret(identity.key.private_key.serialize(), &client_ephemeral)?;
            let certificate = noise.encrypt(&identity.cert_chain)?;
            let server_hello = server_hello(ephemeral_public, Some(encrypted_static), certificate);
            Ok((server_hello, AfterHello::AwaitFinish { noise, ephemeral }))
        }
    }
}

fn server_hello(
    ephemeral: [u8; 32],
    encrypted_static: Option<Vec<u8>>,
    payload: Vec<u8>,
) -> Vec<u8> {
    wa::HandshakeMessage {
        server_hello: whatsapp_rust::buffa::MessageField::some(
            wa::handshake_message::ServerHello {
                ephemeral: Some(ephemeral.to_vec()),
                r#static: encrypted_static,
                payload: Some(payload),
                ..Default::default()
            },
        ),
        ..Default::default()
    }
    .encode_to_vec()
}

/// Reads the client's XX finish message and completes the handshake.
pub(crate) fn read_finish(
    mut noise: NoiseHandshake,
    ephemeral: KeyPair,
    finish: &[u8],
) -> anyhow::Result<Established> {
    let message = wa::HandshakeMessage::decode_from_slice(finish).context("the client finish")?;
    let finish = message
        .client_finish
        .into_option()
        .ok_or_else(|| anyhow!("the second message is not a client finish"))?;
    let client_static = key32(
        noise.decrypt(&finish.r#static.ok_or_else(|| anyhow!("no static key"))?)?,
        "static key",
    )?;
    noise.mix_shared_secret(ephemeral.private_key.serialize(), &client_static)?;
    let payload = noise.decrypt(&finish.payload.ok_or_else(|| anyhow!("no payload"))?)?;
    established(noise, &payload)
}
