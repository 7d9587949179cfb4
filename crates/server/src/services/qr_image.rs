//! QR codes rendered as PNG, for `<img>` tags and for phones to scan from a screen; the native
//! API and the dialects (Evolution answers the QR as a `data:` URL) show the same image.

use base64::Engine as _;
use image::Luma;
use qrcode::QrCode;
use std::io::Cursor;

/// The PNG bytes of a QR code encoding `text`.
pub fn png(text: &str) -> Result<Vec<u8>, String> {
    let code =
        QrCode::new(text.as_bytes()).map_err(|e| format!("cannot encode the QR code: {e}"))?;
    let image = code
        .render::<Luma<u8>>()
        .min_dimensions(264, 264)
        .quiet_zone(true)
        .build();
    let mut bytes = Vec::new();
    image
        .write_to(&mut Cursor::new(&mut bytes), image::ImageFormat::Png)
        .map_err(|e| format!("cannot write the PNG: {e}"))?;
    Ok(bytes)
}

/// The PNG as a `data:` URL.
pub fn data_url(text: &str) -> Result<String, String> {
    let bytes = png(text)?;
    Ok(format!(
        "data:image/png;base64,{}",
        base64::engine::general_purpose::STANDARD.encode(bytes)
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_a_png_that_decodes_back() {
        let bytes = png("2@abc,def,ghi,jkl").unwrap();
        assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n");
        let decoded = image::load_from_memory(&bytes).unwrap();
        assert!(decoded.width() >= 264);
        assert!(data_url("x").unwrap().starts_with("data:image/png;base64,"));
    }
}
