//! Profile pictures: the number's own, its contacts' and its groups'.

use std::sync::Arc;

/// A profile picture WhatsApp shows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Picture {
    /// WhatsApp's id of the picture; it changes with every new picture.
    pub id: String,
    /// Where it can be fetched (WhatsApp's CDN addresses expire).
    pub url: String,
}

/// A picture ready for WhatsApp: a square JPEG.
#[derive(Clone, PartialEq, Eq)]
pub struct JpegImage(Arc<[u8]>);

impl JpegImage {
    /// Bytes the caller has made a square JPEG.
    pub fn new(bytes: Vec<u8>) -> Self {
        Self(bytes.into())
    }

    pub fn bytes(&self) -> &[u8] {
        &self.0
    }
}

impl std::fmt::Debug for JpegImage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "JpegImage({} bytes)", self.0.len())
    }
}
