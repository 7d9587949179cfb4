//! The transport after the handshake: binary nodes, encrypted with a counter per direction,
//! in length-prefixed frames.

use anyhow::Context;
use whatsapp_rust::wacore::framing::{FrameDecoder, encode_frame};
use whatsapp_rust::wacore::noise::NoiseCipher;
use whatsapp_rust::wacore_binary::Node;
use whatsapp_rust::wacore_binary::marshal::{marshal, unmarshal_ref};
use whatsapp_rust::wacore_binary::util::unpack;

use crate::handshake::Established;

pub(crate) struct Wire {
    read: NoiseCipher,
    write: NoiseCipher,
    read_counter: u32,
    write_counter: u32,
    frames: FrameDecoder,
}

impl Wire {
    pub(crate) fn new(established: Established, frames: FrameDecoder) -> Self {
        Self {
            read: established.read,
            write: established.write,
            read_counter: 0,
            write_counter: 0,
            frames,
        }
    }

    /// One node, ready to go out as a WebSocket message.
    pub(crate) fn seal(&mut self, node: &Node) -> anyhow::Result<Vec<u8>> {
        let plain = marshal(node).context("encoding a node")?;
        let sealed = self
            .write
            .encrypt_with_counter(self.write_counter, &plain)
            .context("encrypting a node")?;
        self.write_counter += 1;
        encode_frame(&sealed, None)
    }

    /// The nodes a WebSocket message from the client completes.
    pub(crate) fn open(&mut self, data: &[u8]) -> anyhow::Result<Vec<Node>> {
        self.frames.feed(data);
        let mut nodes = Vec::new();
        while let Some(frame) = self.frames.decode_frame() {
            let mut plain = frame.to_vec();
            self.read
                .decrypt_in_place_with_counter(self.read_counter, &mut plain)
                .context("decrypting a frame")?;
            self.read_counter += 1;
            let unpacked = unpack(&plain).context("unpacking a frame")?;
            nodes.push(
                unmarshal_ref(&unpacked)
                    .context("decoding a node")?
                    .to_owned(),
            );
        }
        Ok(nodes)
    }
}
