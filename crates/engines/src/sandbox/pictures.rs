//! The profile pictures of the simulated network, numbers' and groups' alike. The sandbox has
//! no CDN, so a picture's address is a `data:` URL holding the JPEG itself.

use crate::{JpegImage, Picture};
use base64::Engine as _;
use std::collections::HashMap;
use wagate_core::Jid;

#[derive(Debug, Default)]
pub(super) struct PictureBoard {
    pictures: HashMap<Jid, Picture>,
    /// Ids grow with every picture set, as WhatsApp's do.
    last_id: u64,
}

impl PictureBoard {
    pub fn get(&self, of: &Jid) -> Option<Picture> {
        self.pictures.get(of).cloned()
    }

    /// Sets or removes (`None`) the picture of `of`.
    pub fn set(&mut self, of: &Jid, image: Option<&JpegImage>) {
        match image {
            Some(image) => {
                self.last_id += 1;
                let url = format!(
                    "data:image/jpeg;base64,{}",
                    base64::engine::general_purpose::STANDARD.encode(image.bytes())
                );
                self.pictures.insert(
                    of.clone(),
                    Picture {
                        id: self.last_id.to_string(),
                        url,
                    },
                );
            }
            None => {
                self.pictures.remove(of);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_picture_gets_a_new_id_and_removing_it_leaves_none() {
        let mut board = PictureBoard::default();
        let jid = Jid::parse("15550001111@s.whatsapp.net").unwrap();
        board.set(&jid, Some(&JpegImage::new(vec![0xFF, 0xD8, 0xFF])));
        let first = board.get(&jid).unwrap();
        assert_eq!(first.url, "data:image/jpeg;base64,/9j/");
        board.set(&jid, Some(&JpegImage::new(vec![0xFF, 0xD8, 0xFF, 0xE0])));
        assert_ne!(board.get(&jid).unwrap().id, first.id);
        board.set(&jid, None);
        assert_eq!(board.get(&jid), None);
    }
}
