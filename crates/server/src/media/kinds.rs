//! Which files WhatsApp takes for which kind of media, and how large they may be.

use serde::Deserialize;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MediaKind {
    Image,
    Video,
    Audio,
    Document,
    Sticker,
}

impl MediaKind {
    pub fn name(self) -> &'static str {
        match self {
            Self::Image => "image",
            Self::Video => "video",
            Self::Audio => "audio",
            Self::Document => "document",
            Self::Sticker => "sticker",
        }
    }

    /// The content types WhatsApp accepts for this kind (documents take anything).
    pub fn accepted_types(self) -> &'static [&'static str] {
        match self {
            Self::Image => &["image/jpeg", "image/png"],
            Self::Video => &["video/mp4", "video/3gpp"],
            Self::Audio => &[
                "audio/aac",
                "audio/mp4",
                "audio/m4a",
                "audio/x-m4a",
                "audio/mpeg",
                "audio/amr",
                "audio/ogg",
                "audio/opus",
            ],
            Self::Sticker => &["image/webp"],
            Self::Document => &[],
        }
    }

    pub fn accepts(self, mimetype: &str) -> bool {
        self == Self::Document || self.accepted_types().contains(&mimetype)
    }
}

/// Size limits in bytes, as WhatsApp enforces them; configurable in `[media]`.
#[derive(Clone, Debug, Deserialize)]
pub struct MediaLimits {
    pub image_max_bytes: u64,
    pub video_max_bytes: u64,
    pub audio_max_bytes: u64,
    pub document_max_bytes: u64,
    pub sticker_max_bytes: u64,
    pub animated_sticker_max_bytes: u64,
}

impl MediaLimits {
    pub fn for_kind(&self, kind: MediaKind, animated: bool) -> u64 {
        match kind {
            MediaKind::Image => self.image_max_bytes,
            MediaKind::Video => self.video_max_bytes,
            MediaKind::Audio => self.audio_max_bytes,
            MediaKind::Document => self.document_max_bytes,
            MediaKind::Sticker if animated => self.animated_sticker_max_bytes,
            MediaKind::Sticker => self.sticker_max_bytes,
        }
    }

    /// The largest file any kind takes: the cap for uploads whose use is not known yet.
    pub fn largest(&self) -> u64 {
        [
            self.image_max_bytes,
            self.video_max_bytes,
            self.audio_max_bytes,
            self.document_max_bytes,
            self.sticker_max_bytes,
            self.animated_sticker_max_bytes,
        ]
        .into_iter()
        .max()
        .unwrap_or(0)
    }
}

/// Whether a WebP file is animated (the `ANIM` flag of its `VP8X` header).
pub fn is_animated_webp(head: &[u8]) -> bool {
    head.len() > 20
        && &head[0..4] == b"RIFF"
        && &head[8..12] == b"WEBP"
        && &head[12..16] == b"VP8X"
        && head[20] & 0x02 != 0
}

/// The content type the bytes say they are, if they say.
pub fn detect(head: &[u8]) -> Option<&'static str> {
    infer::get(head).map(|kind| kind.mime_type())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_accept_what_whatsapp_accepts() {
        assert!(MediaKind::Image.accepts("image/png"));
        assert!(!MediaKind::Image.accepts("application/pdf"));
        assert!(MediaKind::Sticker.accepts("image/webp"));
        assert!(MediaKind::Document.accepts("application/zip"));
    }

    #[test]
    fn bytes_decide_the_type() {
        assert_eq!(detect(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR"), Some("image/png"));
        assert_eq!(detect(b"%PDF-1.7\n"), Some("application/pdf"));
        assert_eq!(detect(b"hello"), None);
        let mut animated = b"RIFF\0\0\0\0WEBPVP8X\x0a\0\0\0".to_vec();
        animated.extend([0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
        assert!(is_animated_webp(&animated));
        animated[20] = 0;
        assert!(!is_animated_webp(&animated));
    }
}
