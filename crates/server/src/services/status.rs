//! Statuses (stories): a text, image, video or voice note posted to `status@broadcast` for
//! the people the user names, or for the whole address book. A status is a message: queued,
//! paced, retried and tracked like any other, with its audience fixed when it is accepted so
//! the post and its revoke reach the same people.

use super::send_parse::{MediaInput, SendRequest, parse_any_send};
use super::{Gateway, Principal, ServiceError, ServiceResult};
use serde::Deserialize;
use serde_json::Value;
use wagate_core::status_post::{MAX_STATUS_RECIPIENTS, MAX_STATUS_TEXT_CHARS};
use wagate_core::{
    Capability, Jid, PhoneNumber, StatusBackground, StatusFont, StatusPost, ValidationErrors,
};
use wagate_store::{InstanceRecord, MessageRecord};

/// A status to post: one of `text`, `image`, `video` or `audio`, and who sees it.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct StatusRequest {
    /// A text status, at most 700 characters.
    #[schema(example = "Open until 8pm today")]
    pub text: Option<String>,
    /// An image, with an optional `caption`.
    pub image: Option<MediaInput>,
    /// A video, with an optional `caption`.
    pub video: Option<MediaInput>,
    /// A voice note.
    pub audio: Option<MediaInput>,
    /// A text status's background: `#RRGGBB` or `#AARRGGBB` (WhatsApp's green when absent).
    #[schema(example = "#1E6E4F")]
    pub background_color: Option<String>,
    /// A text status's typeface.
    pub font: Option<StatusFont>,
    /// Who sees it: phone numbers in international format (instead of `allContacts`).
    #[schema(example = json!(["15550002222", "+44 7911 123456"]))]
    pub recipients: Option<Vec<String>>,
    /// Everyone the number saved in its address book (the contacts with a `name` in
    /// `GET …/contacts`), as they are now.
    pub all_contacts: Option<bool>,
    /// Any JSON object; returned with the message and in its events.
    #[schema(value_type = Option<Object>)]
    pub metadata: Option<Value>,
    /// Post at this time (RFC 3339, in the future).
    pub send_at: Option<String>,
}

/// Whom the user asked to see a status, before the address book is read.
enum Audience {
    Listed(Vec<PhoneNumber>),
    AllContacts,
}

fn parse_audience(
    errors: &mut ValidationErrors,
    recipients: Option<Vec<String>>,
    all_contacts: bool,
) -> Option<Audience> {
    match (recipients, all_contacts) {
        (Some(_), true) => {
            errors.push(
                "allContacts",
                "give either recipients or allContacts, not both",
            );
            None
        }
        (None, true) => Some(Audience::AllContacts),
        (None, false) => {
            errors.push(
                "recipients",
                "name who sees the status, or set allContacts to post it to the address book",
            );
            None
        }
        (Some(raw), false) => {
            if raw.is_empty() || raw.len() > MAX_STATUS_RECIPIENTS {
                errors.push(
                    "recipients",
                    format!("give 1 to {MAX_STATUS_RECIPIENTS} phone numbers"),
                );
                return None;
            }
            let mut phones: Vec<PhoneNumber> = Vec::with_capacity(raw.len());
            for (index, number) in raw.iter().enumerate() {
                match PhoneNumber::parse(number) {
                    Ok(phone) if !phones.contains(&phone) => phones.push(phone),
                    Ok(_) => {}
                    Err(error) => errors.push(format!("recipients[{index}]"), error.to_string()),
                }
            }
            Some(Audience::Listed(phones))
        }
    }
}

/// The look of a text status; refused on media, which WhatsApp shows as they are.
fn parse_style(
    errors: &mut ValidationErrors,
    request: &StatusRequest,
) -> (Option<StatusBackground>, Option<StatusFont>) {
    let text = request.text.is_some();
    let background = request.background_color.as_deref().and_then(|raw| {
        StatusBackground::parse(raw)
            .map_err(|error| errors.push("backgroundColor", error))
            .ok()
    });
    for (field, given) in [
        ("backgroundColor", request.background_color.is_some()),
        ("font", request.font.is_some()),
    ] {
        if given && !text {
            errors.push(field, "only a text status has a background and a font");
        }
    }
    (background, request.font)
}

impl Gateway {
    /// Accepts a status for posting; it is queued like a message and answers its record.
    pub async fn post_status(
        &self,
        principal: &Principal,
        id_or_name: &str,
        request: StatusRequest,
    ) -> ServiceResult<MessageRecord> {
        let instance = self.resolve_instance(principal, id_or_name).await?;
        self.require_capability(&instance, Capability::PostStatus, "post statuses")?;
        let mut errors = ValidationErrors::default();
        if request
            .text
            .as_ref()
            .is_some_and(|text| text.chars().count() > MAX_STATUS_TEXT_CHARS)
        {
            errors.push(
                "text",
                format!("a text status has at most {MAX_STATUS_TEXT_CHARS} characters"),
            );
        }
        let (background_color, font) = parse_style(&mut errors, &request);
        let audience = parse_audience(
            &mut errors,
            request.recipients,
            request.all_contacts.unwrap_or(false),
        );
        let parsed = parse_any_send(SendRequest {
            to: Some(Jid::status_broadcast().to_string()),
            text: request.text,
            image: request.image,
            video: request.video,
            audio: request.audio,
            metadata: request.metadata,
            send_at: request.send_at,
            ..SendRequest::default()
        });
        let (parsed, audience) = match (parsed, audience) {
            (Ok(parsed), Some(audience)) if errors.is_empty() => (parsed, audience),
            (parsed, _) => {
                if let Err(invalid) = parsed {
                    errors.0.extend(invalid.0);
                }
                return Err(ServiceError::Validation(errors));
            }
        };
        let (recipients, all_contacts) = match audience {
            Audience::Listed(phones) => (phones, false),
            Audience::AllContacts => (self.address_book(&instance).await?, true),
        };
        let post = StatusPost {
            recipients,
            all_contacts,
            background_color,
            font,
        };
        self.accept_parsed(
            &instance,
            super::media::MediaReach::of(principal),
            parsed,
            Some(post),
        )
        .await
    }

    /// Deletes one of the number's statuses for everyone who was sent it.
    pub async fn delete_status(
        &self,
        principal: &Principal,
        id_or_name: &str,
        id: &str,
    ) -> ServiceResult<MessageRecord> {
        let instance = self.resolve_instance(principal, id_or_name).await?;
        let status = self
            .store
            .find_instance_message(&instance.id, id.trim())
            .await?
            .filter(|message| message.status_post.is_some())
            .ok_or(ServiceError::NotFound("status"))?;
        self.revoke_message(principal, &status.id.to_string()).await
    }

    /// The numbers saved in the instance's address book, as a status audience.
    async fn address_book(&self, instance: &InstanceRecord) -> ServiceResult<Vec<PhoneNumber>> {
        let phones = self
            .store
            .saved_contact_phones(&instance.id, MAX_STATUS_RECIPIENTS as i64 + 1)
            .await?;
        if phones.is_empty() {
            return Err(ServiceError::field(
                "allContacts",
                "the number has no saved contacts yet (PUT …/contacts saves some); list recipients instead",
            ));
        }
        if phones.len() > MAX_STATUS_RECIPIENTS {
            return Err(ServiceError::field(
                "allContacts",
                format!(
                    "the address book has more than {MAX_STATUS_RECIPIENTS} contacts; list the recipients"
                ),
            ));
        }
        // Stored numbers were parsed when saved.
        Ok(phones
            .iter()
            .filter_map(|phone| PhoneNumber::parse(phone).ok())
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(errors: &ValidationErrors) -> Vec<String> {
        errors.0.iter().map(|e| e.field.clone()).collect()
    }

    #[test]
    fn an_audience_is_either_listed_or_the_address_book() {
        let mut errors = ValidationErrors::default();
        let listed = parse_audience(
            &mut errors,
            Some(vec!["+1 555 000 2222".into(), "15550002222".into()]),
            false,
        );
        assert!(errors.is_empty());
        assert!(matches!(listed, Some(Audience::Listed(phones)) if phones.len() == 1));

        let mut errors = ValidationErrors::default();
        assert!(parse_audience(&mut errors, Some(vec!["1".into()]), true).is_none());
        assert!(parse_audience(&mut errors, None, false).is_none());
        assert!(parse_audience(&mut errors, Some(vec![]), false).is_none());
        parse_audience(
            &mut errors,
            Some(vec!["15550002222".into(), "x".into()]),
            false,
        );
        assert_eq!(
            fields(&errors),
            ["allContacts", "recipients", "recipients", "recipients[1]"]
        );
    }

    #[test]
    fn only_text_statuses_have_a_look() {
        let mut errors = ValidationErrors::default();
        let text = StatusRequest {
            text: Some("Hi".into()),
            background_color: Some("#1E6E4F".into()),
            font: Some(StatusFont::Calistoga),
            ..StatusRequest::default()
        };
        let (background, font) = parse_style(&mut errors, &text);
        assert!(errors.is_empty());
        assert_eq!(background.map(StatusBackground::argb), Some(0xFF1E_6E4F));
        assert_eq!(font, Some(StatusFont::Calistoga));

        let image = StatusRequest {
            image: Some(MediaInput::default()),
            background_color: Some("green".into()),
            font: Some(StatusFont::System),
            ..StatusRequest::default()
        };
        parse_style(&mut errors, &image);
        assert_eq!(
            fields(&errors),
            ["backgroundColor", "backgroundColor", "font"]
        );
    }
}
