//! Small real files of each kind, made in the test, for media tests.

use std::io::Cursor;

/// A PNG of noise, so its size grows with its side (noise does not compress).
pub fn png(side: u32) -> Vec<u8> {
    let mut seed: u32 = 0x2545_f491;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 17;
        seed ^= seed << 5;
        (seed & 0xff) as u8
    };
    let image = image::RgbImage::from_fn(side, side, |_, _| image::Rgb([next(), next(), next()]));
    let mut bytes = Vec::new();
    image::DynamicImage::ImageRgb8(image)
        .write_to(&mut Cursor::new(&mut bytes), image::ImageFormat::Png)
        .unwrap();
    bytes
}

pub fn pdf() -> Vec<u8> {
    b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n".to_vec()
}

/// A static WebP header followed by `size` bytes of payload.
pub fn webp(size: usize, animated: bool) -> Vec<u8> {
    let mut bytes = b"RIFF\0\0\0\0WEBPVP8X\x0a\0\0\0".to_vec();
    bytes.push(if animated { 0x02 } else { 0x00 });
    bytes.extend([0u8; 9]);
    bytes.resize(bytes.len() + size, 0);
    bytes
}

/// The start of an MP4 file (an `ftyp` box).
pub fn mp4() -> Vec<u8> {
    let mut bytes = b"\0\0\0\x18ftypmp42\0\0\0\0mp42isom".to_vec();
    bytes.resize(2048, 0);
    bytes
}

/// The start of an Ogg Opus voice note.
pub fn ogg() -> Vec<u8> {
    let mut bytes = b"OggS\0\x02\0\0\0\0\0\0\0\0".to_vec();
    bytes.resize(1024, 1);
    bytes
}
