//! Evolution's message types (Baileys' `messageType`: `conversation`, `imageMessage`, …) as
//! the content types wagate stores messages under, for searching by type.

/// The stored content type of Evolution's `messageType`; `None` for a type wagate keeps no
/// message of (a protocol message, a call log, …).
pub fn stored_type(message_type: &str) -> Option<&'static str> {
    Some(match message_type {
        "conversation" | "extendedTextMessage" => "text",
        "imageMessage" => "image",
        "videoMessage" | "ptvMessage" => "video",
        "audioMessage" => "audio",
        "documentMessage" | "documentWithCaptionMessage" => "document",
        "stickerMessage" => "sticker",
        "locationMessage" | "liveLocationMessage" => "location",
        "contactMessage" | "contactsArrayMessage" => "contacts",
        "pollCreationMessage" | "pollCreationMessageV2" | "pollCreationMessageV3" => "poll",
        "reactionMessage" => "reaction",
        "templateMessage" => "template",
        "buttonsMessage" | "listMessage" | "interactiveMessage" => "interactive",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn evolution_types_name_stored_types() {
        assert_eq!(stored_type("conversation"), Some("text"));
        assert_eq!(stored_type("extendedTextMessage"), Some("text"));
        assert_eq!(stored_type("imageMessage"), Some("image"));
        assert_eq!(stored_type("pollCreationMessageV3"), Some("poll"));
        assert_eq!(stored_type("protocolMessage"), None);
    }
}
