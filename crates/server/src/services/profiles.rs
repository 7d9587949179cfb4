//! Profiles: what WhatsApp shows of a contact, and the number's own name, about and privacy.

use super::{Gateway, Principal, ServiceError, ServiceResult};
use wagate_core::{Capability, Jid, LinkedAccount, PhoneNumber, ValidationErrors};
use wagate_engine::{ContactInfo, EngineError, PrivacySetting, PrivacyValue, Session};
use wagate_store::{ContactRecord, InstanceState};

const WHAT: &str = "read or change profiles";
/// WhatsApp's limits: a push name of 25 characters, an about of 139.
const NAME_MAX_CHARS: usize = 25;
const ABOUT_MAX_CHARS: usize = 139;

/// A contact as WhatsApp shows them, with what the gateway knows of them.
pub struct ContactProfile {
    pub jid: Jid,
    pub info: ContactInfo,
    /// Their saved and shown names, when the gateway has any.
    pub known: Option<ContactRecord>,
}

/// The number's own profile.
pub struct OwnProfile {
    pub me: LinkedAccount,
    pub info: ContactInfo,
}

impl Gateway {
    /// What WhatsApp shows of the contact with this phone number, and the names the gateway
    /// knows for them.
    pub async fn contact_profile(
        &self,
        principal: &Principal,
        id_or_name: &str,
        phone: &str,
    ) -> ServiceResult<ContactProfile> {
        let phone =
            PhoneNumber::parse(phone).map_err(|e| ServiceError::field("phone", e.to_string()))?;
        let jid = phone.to_jid();
        let (instance, session) = self
            .open_session_for(principal, id_or_name, Capability::Profiles, WHAT)
            .await?;
        let info = session.contact_info(&jid).await?;
        let known = self.known_contact(&instance.id, &phone).await?;
        Ok(ContactProfile { jid, info, known })
    }

    pub async fn own_profile(
        &self,
        principal: &Principal,
        id_or_name: &str,
    ) -> ServiceResult<OwnProfile> {
        let (instance, session) = self
            .open_session_for(principal, id_or_name, Capability::Profiles, WHAT)
            .await?;
        let me = instance
            .me
            .ok_or_else(|| ServiceError::Conflict("the number is not linked".to_owned()))?;
        let info = session.contact_info(&me.phone.to_jid()).await?;
        Ok(OwnProfile { me, info })
    }

    /// Changes the name the number shows; the instance's `me.pushName` follows.
    pub async fn set_profile_name(
        &self,
        principal: &Principal,
        id_or_name: &str,
        name: &str,
    ) -> ServiceResult<OwnProfile> {
        let name = name.trim();
        if name.is_empty() || name.chars().count() > NAME_MAX_CHARS {
            return Err(ServiceError::field(
                "name",
                format!("a name has 1 to {NAME_MAX_CHARS} characters"),
            ));
        }
        let (instance, session) = self
            .open_session_for(principal, id_or_name, Capability::Profiles, WHAT)
            .await?;
        session.set_profile_name(name).await?;
        self.store
            .update_instance(&instance.id, |current| {
                let mut state = InstanceState::of(current);
                let me = state.me.as_mut()?;
                me.push_name = Some(name.to_owned());
                Some((state, Vec::new()))
            })
            .await?;
        self.own_profile(principal, id_or_name).await
    }

    /// Changes the number's "about" text.
    pub async fn set_about(
        &self,
        principal: &Principal,
        id_or_name: &str,
        about: &str,
    ) -> ServiceResult<OwnProfile> {
        if about.chars().count() > ABOUT_MAX_CHARS {
            return Err(ServiceError::field(
                "status",
                format!("an about text has at most {ABOUT_MAX_CHARS} characters"),
            ));
        }
        let (_, session) = self
            .open_session_for(principal, id_or_name, Capability::Profiles, WHAT)
            .await?;
        session.set_about(about).await?;
        self.own_profile(principal, id_or_name).await
    }

    /// The number's privacy settings.
    pub async fn privacy(
        &self,
        principal: &Principal,
        id_or_name: &str,
    ) -> ServiceResult<Vec<(PrivacySetting, PrivacyValue)>> {
        let (_, session) = self
            .open_session_for(principal, id_or_name, Capability::Profiles, WHAT)
            .await?;
        Ok(session.privacy().await?)
    }

    /// Changes the privacy settings given (each checked first, so a bad one changes none);
    /// answers all of them after.
    pub async fn set_privacy(
        &self,
        principal: &Principal,
        id_or_name: &str,
        changes: &[(PrivacySetting, String)],
    ) -> ServiceResult<Vec<(PrivacySetting, PrivacyValue)>> {
        let changes = parse_privacy(changes)?;
        let (_, session) = self
            .open_session_for(principal, id_or_name, Capability::Profiles, WHAT)
            .await?;
        apply_privacy(session.as_ref(), &changes).await?;
        Ok(session.privacy().await?)
    }
}

/// Applies the changes one by one; when WhatsApp refuses one, those already applied are set
/// back as they were, so a refused request leaves the settings as it found them.
async fn apply_privacy(
    session: &dyn Session,
    changes: &[(PrivacySetting, PrivacyValue)],
) -> Result<(), EngineError> {
    let before = if changes.len() > 1 {
        session.privacy().await?
    } else {
        Vec::new()
    };
    for (done, (setting, value)) in changes.iter().enumerate() {
        let Err(error) = session.set_privacy(*setting, *value).await else {
            continue;
        };
        for (applied, _) in &changes[..done] {
            let Some((_, previous)) = before.iter().find(|(s, _)| s == applied) else {
                continue;
            };
            if let Err(undo) = session.set_privacy(*applied, *previous).await {
                tracing::warn!(setting = applied.name(), %undo, "a privacy change could not be set back");
            }
        }
        return Err(error);
    }
    Ok(())
}

fn parse_privacy(
    changes: &[(PrivacySetting, String)],
) -> ServiceResult<Vec<(PrivacySetting, PrivacyValue)>> {
    if changes.is_empty() {
        return Err(ServiceError::field("privacy", "give at least one setting"));
    }
    let mut errors = ValidationErrors::default();
    let mut parsed = Vec::with_capacity(changes.len());
    for (setting, raw) in changes {
        match PrivacyValue::parse(raw).filter(|value| setting.values().contains(value)) {
            Some(value) => parsed.push((*setting, value)),
            None => errors.push(
                setting.name(),
                format!(
                    "one of {}",
                    setting
                        .values()
                        .iter()
                        .map(|value| value.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            ),
        }
    }
    Ok(errors.finish(parsed)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn privacy_values_are_checked_per_setting() {
        let parsed = parse_privacy(&[(PrivacySetting::LastSeen, "contacts".to_owned())]).unwrap();
        assert_eq!(parsed, [(PrivacySetting::LastSeen, PrivacyValue::Contacts)]);
        let Err(ServiceError::Validation(errors)) = parse_privacy(&[
            (PrivacySetting::ReadReceipts, "contacts".to_owned()),
            (PrivacySetting::Online, "everyone".to_owned()),
        ]) else {
            panic!("refused")
        };
        let fields: Vec<&str> = errors.0.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["readReceipts", "online"]);
        assert!(parse_privacy(&[]).is_err());
    }

    /// A number whose WhatsApp refuses changes to one setting.
    struct Refusing {
        settings: std::sync::Mutex<Vec<(PrivacySetting, PrivacyValue)>>,
        refused: PrivacySetting,
    }

    #[async_trait::async_trait]
    impl Session for Refusing {
        async fn connect(
            &self,
            _: wagate_engine::ConnectMode,
        ) -> Result<wagate_engine::ConnectOutcome, EngineError> {
            Err(EngineError::NotConnected)
        }
        async fn logout(&self) -> Result<(), EngineError> {
            Ok(())
        }
        async fn disconnect(&self) {}
        async fn send(
            &self,
            _: &wagate_engine::OutgoingMessage,
        ) -> Result<wagate_engine::SendReceipt, EngineError> {
            Err(EngineError::NotConnected)
        }
        async fn perform(&self, _: &wagate_engine::MessageOperation) -> Result<(), EngineError> {
            Ok(())
        }
        async fn privacy(&self) -> Result<Vec<(PrivacySetting, PrivacyValue)>, EngineError> {
            Ok(self.settings.lock().unwrap().clone())
        }
        async fn set_privacy(
            &self,
            setting: PrivacySetting,
            value: PrivacyValue,
        ) -> Result<(), EngineError> {
            if setting == self.refused {
                return Err(EngineError::Transient("WhatsApp said no".to_owned()));
            }
            let mut settings = self.settings.lock().unwrap();
            settings.retain(|(s, _)| *s != setting);
            settings.push((setting, value));
            Ok(())
        }
    }

    #[tokio::test]
    async fn a_refused_privacy_change_sets_back_those_before_it() {
        let start = vec![
            (PrivacySetting::LastSeen, PrivacyValue::All),
            (PrivacySetting::About, PrivacyValue::All),
        ];
        let session = Refusing {
            settings: std::sync::Mutex::new(start.clone()),
            refused: PrivacySetting::Online,
        };
        let changes = [
            (PrivacySetting::LastSeen, PrivacyValue::Contacts),
            (PrivacySetting::About, PrivacyValue::None),
            (PrivacySetting::Online, PrivacyValue::MatchLastSeen),
        ];
        assert!(apply_privacy(&session, &changes).await.is_err());
        let mut after = session.privacy().await.unwrap();
        after.sort_by_key(|(setting, _)| setting.name());
        let mut expected = start;
        expected.sort_by_key(|(setting, _)| setting.name());
        assert_eq!(after, expected);

        assert!(apply_privacy(&session, &changes[..2]).await.is_ok());
        assert!(
            session
                .privacy()
                .await
                .unwrap()
                .contains(&(PrivacySetting::About, PrivacyValue::None))
        );
    }
}
