//! Profile pictures: reading a contact's, a group's or the number's own, and setting or
//! removing the number's own and its groups'.
//!
//! WhatsApp takes a square JPEG (its apps send 640×640). Whatever JPEG, PNG or WebP the caller
//! gives is cropped to its centre square, scaled down to 640 when larger, and encoded as JPEG,
//! off the async threads.

use super::groups::parse_group;
use super::media::{MediaReach, fetch_error};
use super::{Gateway, Principal, ServiceError, ServiceResult};
use base64::Engine as _;
use futures_util::StreamExt;
use image::codecs::jpeg::JpegEncoder;
use image::imageops::FilterType;
use std::io::Cursor;
use wagate_core::{Capability, Jid, PhoneNumber};
use wagate_engine::{GroupChange, JpegImage, Picture};

/// The side of the square WhatsApp's apps send.
const PICTURE_SIDE: u32 = 640;
/// The largest image accepted as a picture's source.
const MAX_SOURCE_BYTES: u64 = 10 * 1024 * 1024;
/// The largest width or height decoded (a small file can claim a huge image).
const MAX_SOURCE_SIDE: u32 = 10_000;
const JPEG_QUALITY: u8 = 85;

/// Where a picture's image comes from: exactly one of them.
#[derive(Debug, Default, serde::Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PictureRequest {
    /// An http(s) URL the server downloads.
    #[schema(example = "https://example.com/logo.png")]
    pub url: Option<String>,
    /// The image, base64-encoded (a `data:` URL is accepted too).
    pub base64: Option<String>,
    /// A file uploaded with `POST /api/v1/media`.
    pub media_id: Option<String>,
}

/// The picture of a contact, a group or the number; `None` when there is none it may see.
pub struct PictureOf {
    pub jid: Jid,
    pub picture: Option<Picture>,
}

/// Crops the image to its centre square, scales it to at most 640×640 and encodes it as JPEG.
pub fn square_jpeg(bytes: &[u8]) -> Result<Vec<u8>, String> {
    let mut reader = image::ImageReader::new(Cursor::new(bytes))
        .with_guessed_format()
        .map_err(|e| e.to_string())?;
    let mut limits = image::Limits::default();
    limits.max_image_width = Some(MAX_SOURCE_SIDE);
    limits.max_image_height = Some(MAX_SOURCE_SIDE);
    reader.limits(limits);
    let image = reader.decode().map_err(|e| e.to_string())?;
    let side = image.width().min(image.height());
    let square = image.crop_imm(
        (image.width() - side) / 2,
        (image.height() - side) / 2,
        side,
        side,
    );
    let square = if side > PICTURE_SIDE {
        square.resize_exact(PICTURE_SIDE, PICTURE_SIDE, FilterType::Lanczos3)
    } else {
        square
    };
    let mut jpeg = Vec::new();
    JpegEncoder::new_with_quality(&mut jpeg, JPEG_QUALITY)
        .encode_image(&square.to_rgb8())
        .map_err(|e| e.to_string())?;
    Ok(jpeg)
}

impl Gateway {
    /// A contact's profile picture (by phone number).
    pub async fn contact_picture(
        &self,
        principal: &Principal,
        id_or_name: &str,
        phone: &str,
    ) -> ServiceResult<PictureOf> {
        let jid = PhoneNumber::parse(phone)
            .map_err(|e| ServiceError::field("phone", e.to_string()))?
            .to_jid();
        self.read_picture(principal, id_or_name, jid, Capability::Profiles)
            .await
    }

    /// A group's picture (members only).
    pub async fn group_picture(
        &self,
        principal: &Principal,
        id_or_name: &str,
        group: &str,
    ) -> ServiceResult<PictureOf> {
        let jid = parse_group(group)?;
        self.read_picture(principal, id_or_name, jid, Capability::Groups)
            .await
    }

    async fn read_picture(
        &self,
        principal: &Principal,
        id_or_name: &str,
        jid: Jid,
        capability: Capability,
    ) -> ServiceResult<PictureOf> {
        let (_, session) = self
            .open_session_for(principal, id_or_name, capability, "read profile pictures")
            .await?;
        let picture = session.picture(&jid).await?;
        Ok(PictureOf { jid, picture })
    }

    /// Sets (or, without a request, removes) the number's own profile picture; answers it.
    pub async fn set_own_picture(
        &self,
        principal: &Principal,
        id_or_name: &str,
        request: Option<PictureRequest>,
    ) -> ServiceResult<PictureOf> {
        let (instance, session) = self
            .open_session_for(
                principal,
                id_or_name,
                Capability::Profiles,
                "change the profile picture",
            )
            .await?;
        let image = match request {
            Some(request) => Some(
                self.picture_image(&instance, MediaReach::of(principal), request)
                    .await?,
            ),
            None => None,
        };
        let me = instance
            .me
            .ok_or_else(|| ServiceError::Conflict("the number is not linked".to_owned()))?
            .phone
            .to_jid();
        session.set_own_picture(image.as_ref()).await?;
        let picture = session.picture(&me).await?;
        Ok(PictureOf { jid: me, picture })
    }

    /// Sets (or, without a request, removes) a group's picture (admins only once the group is
    /// locked); answers it.
    pub async fn set_group_picture(
        &self,
        principal: &Principal,
        id_or_name: &str,
        group: &str,
        request: Option<PictureRequest>,
    ) -> ServiceResult<PictureOf> {
        let jid = parse_group(group)?;
        let instance = self.resolve_instance(principal, id_or_name).await?;
        let image = match request {
            Some(request) => Some(
                self.picture_image(&instance, MediaReach::of(principal), request)
                    .await?,
            ),
            None => None,
        };
        self.change_group(principal, id_or_name, group, GroupChange::Picture(image))
            .await?;
        self.read_picture(principal, id_or_name, jid, Capability::Groups)
            .await
    }

    /// The request's image, made a square JPEG; a `mediaId` must be within `reach`.
    async fn picture_image(
        &self,
        instance: &wagate_store::InstanceRecord,
        reach: MediaReach,
        request: PictureRequest,
    ) -> ServiceResult<JpegImage> {
        let bytes = match (request.url, request.base64, request.media_id) {
            (Some(url), None, None) => {
                let fetched = self
                    .fetcher
                    .fetch(&url, MAX_SOURCE_BYTES)
                    .await
                    .map_err(|e| fetch_error("url", e))?;
                collect_limited(fetched.chunks, "url").await?
            }
            (None, Some(data), None) => {
                let encoded = data
                    .split_once(";base64,")
                    .map_or(data.as_str(), |(_, rest)| rest)
                    .trim();
                if (encoded.len() as u64) / 4 * 3 > MAX_SOURCE_BYTES {
                    return Err(too_large("base64"));
                }
                base64::engine::general_purpose::STANDARD
                    .decode(encoded)
                    .map_err(|e| {
                        ServiceError::field("base64", format!("is not valid base64: {e}"))
                    })?
            }
            (None, None, Some(id)) => {
                let record = self
                    .store
                    .find_media(&instance.account_id, reach.limit(&instance.id), id.trim())
                    .await?
                    .ok_or_else(|| ServiceError::field("mediaId", "no such upload"))?;
                let stream = self
                    .open_media(&record)
                    .await?
                    .map(|chunk| chunk.map_err(|e| e.to_string()));
                collect_limited(stream, "mediaId").await?
            }
            _ => {
                return Err(ServiceError::field(
                    "picture",
                    "give exactly one of url, base64 or mediaId",
                ));
            }
        };
        let jpeg = tokio::task::spawn_blocking(move || square_jpeg(&bytes))
            .await
            .map_err(|e| {
                // Only a decoder that panicked ends the task early.
                ServiceError::UnsupportedMediaType(format!("the image could not be read: {e}"))
            })?
            .map_err(|e| {
                ServiceError::UnsupportedMediaType(format!(
                    "a picture must be a JPEG, PNG or WebP image: {e}"
                ))
            })?;
        Ok(JpegImage::new(jpeg))
    }
}

fn too_large(field: &str) -> ServiceError {
    ServiceError::PayloadTooLarge(format!(
        "the image at {field} is larger than the {MAX_SOURCE_BYTES} bytes a picture may have"
    ))
}

async fn collect_limited(
    stream: impl futures_util::Stream<Item = Result<bytes::Bytes, String>>,
    field: &str,
) -> ServiceResult<Vec<u8>> {
    let mut stream = std::pin::pin!(stream);
    let mut bytes = Vec::new();
    while let Some(chunk) = stream.next().await {
        let chunk =
            chunk.map_err(|e| ServiceError::field(field, format!("could not be read: {e}")))?;
        if (bytes.len() + chunk.len()) as u64 > MAX_SOURCE_BYTES {
            return Err(too_large(field));
        }
        bytes.extend_from_slice(&chunk);
    }
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::{ImageFormat, RgbImage};

    fn png(width: u32, height: u32) -> Vec<u8> {
        let mut bytes = Vec::new();
        RgbImage::from_fn(width, height, |x, _| image::Rgb([(x % 256) as u8, 80, 160]))
            .write_to(&mut Cursor::new(&mut bytes), ImageFormat::Png)
            .unwrap();
        bytes
    }

    #[test]
    fn a_wide_png_becomes_a_640_square_jpeg() {
        let jpeg = square_jpeg(&png(1600, 900)).unwrap();
        assert_eq!(&jpeg[..3], [0xFF, 0xD8, 0xFF]);
        let decoded = image::load_from_memory(&jpeg).unwrap();
        assert_eq!((decoded.width(), decoded.height()), (640, 640));
    }

    #[test]
    fn a_small_image_is_squared_but_not_enlarged() {
        let decoded = image::load_from_memory(&square_jpeg(&png(200, 300)).unwrap()).unwrap();
        assert_eq!((decoded.width(), decoded.height()), (200, 200));
    }

    #[test]
    fn what_is_not_an_image_is_refused() {
        assert!(square_jpeg(b"%PDF-1.7 not a picture").is_err());
    }
}
