//! Seed 004's account-level credentials: an account that brings one Cloud API number manages
//! it as the account's default cloud instance, without knowing about instances at all.

use super::cloud::CloudCredentialsRequest;
use super::{Gateway, NewInstanceRequest, Principal, ServiceError, ServiceResult};
use serde::Deserialize;
use wagate_core::{EngineKind, InstanceStatus, ValidationErrors};
use wagate_store::{CloudNumber, InstanceRecord, InstanceState};

/// `PUT /api/v1/auth/me/credentials`.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AccountCredentialsRequest {
    #[schema(example = "EAAc…")]
    pub whatsapp_access_token: Option<String>,
    #[schema(example = "1234567890")]
    pub whatsapp_phone_number_id: Option<String>,
    /// Needed for message templates.
    pub whatsapp_business_account_id: Option<String>,
    /// The Meta app's secret, to accept Meta's webhooks (they are refused without it).
    pub app_secret: Option<String>,
    /// What Meta must present when it verifies the webhook URL; generated when absent.
    pub verify_token: Option<String>,
}

/// Whether the account has its own Cloud API number, and which instance it is.
#[derive(Debug, Clone)]
pub struct ByocState {
    pub instance: Option<InstanceRecord>,
    pub configured: bool,
}

/// Field names as seed 004's request spells them.
fn account_field(name: &str) -> String {
    match name {
        "accessToken" => "whatsappAccessToken".to_owned(),
        "phoneNumberId" => "whatsappPhoneNumberId".to_owned(),
        "businessAccountId" => "whatsappBusinessAccountId".to_owned(),
        other => other.to_owned(),
    }
}

impl AccountCredentialsRequest {
    fn into_cloud(self) -> CloudCredentialsRequest {
        CloudCredentialsRequest {
            access_token: self.whatsapp_access_token,
            phone_number_id: self.whatsapp_phone_number_id,
            business_account_id: self.whatsapp_business_account_id,
            app_secret: self.app_secret,
            verify_token: self.verify_token,
            graph_version: None,
            base_url: None,
        }
    }
}

impl Gateway {
    /// The account's default cloud instance, if it still exists.
    async fn default_cloud_instance(
        &self,
        principal: &Principal,
    ) -> ServiceResult<Option<InstanceRecord>> {
        let account = principal.account()?;
        let Some(id) = self.store.default_cloud_instance(account).await? else {
            return Ok(None);
        };
        Ok(self
            .store
            .get_instance(&id)
            .await?
            .filter(|instance| &instance.account_id == account))
    }

    /// `byocConfigured` of `GET /auth/me`.
    pub async fn byoc_state(&self, principal: &Principal) -> ServiceResult<ByocState> {
        let instance = self.default_cloud_instance(principal).await?;
        let configured = match &instance {
            Some(instance) => self.store.cloud_number(&instance.id).await?.is_some(),
            None => false,
        };
        Ok(ByocState {
            instance,
            configured,
        })
    }

    /// Saves the account's credentials on its default cloud instance, creating it (named
    /// `cloud-<phone number id>`) the first time. The number sends once they are verified.
    pub async fn set_account_credentials(
        &self,
        principal: &Principal,
        request: AccountCredentialsRequest,
    ) -> ServiceResult<(InstanceRecord, CloudNumber)> {
        let account = principal.account_manager()?.clone();
        let cloud = request.into_cloud();
        let mut errors = ValidationErrors::default();
        let mut clear = cloud.clone().parse(&account_field, false, &mut errors);
        errors.finish(())?;
        if let Some(instance) = self.default_cloud_instance(principal).await? {
            self.settle_endpoint(principal, Some(&instance.id), &mut clear, &account_field)
                .await?;
            self.replace_cloud_credentials(&instance, clear).await?;
            return self.account_cloud_number(&instance).await;
        }
        let name = format!("cloud-{}", clear.phone_number_id);
        let created = self
            .create_instance_with(
                principal,
                NewInstanceRequest {
                    name: Some(name),
                    engine: Some(EngineKind::Cloud.as_str().to_owned()),
                    cloud: Some(cloud),
                    ..Default::default()
                },
                false,
            )
            .await?;
        self.store
            .set_default_cloud_instance(&account, &created.instance.id)
            .await?;
        self.account_cloud_number(&created.instance).await
    }

    async fn account_cloud_number(
        &self,
        instance: &InstanceRecord,
    ) -> ServiceResult<(InstanceRecord, CloudNumber)> {
        let number = self
            .store
            .cloud_number(&instance.id)
            .await?
            .ok_or(ServiceError::NotFound("cloud number"))?;
        let instance = self
            .store
            .get_instance(&instance.id)
            .await?
            .ok_or(ServiceError::NotFound("instance"))?;
        Ok((instance, number))
    }

    /// Verifies the account's credentials with Meta.
    pub async fn verify_account_credentials(
        &self,
        principal: &Principal,
    ) -> ServiceResult<(InstanceRecord, CloudNumber)> {
        let instance = self.byoc_instance(principal).await?;
        self.verify_cloud(principal, instance.id.as_str()).await
    }

    /// Forgets the account's credentials. The instance and its history stay; it sends
    /// nothing until new credentials are saved and verified.
    pub async fn delete_account_credentials(&self, principal: &Principal) -> ServiceResult<()> {
        principal.account_manager()?;
        let instance = self.byoc_instance(principal).await?;
        self.sessions.close(&instance.id).await;
        self.store.delete_cloud_number(&instance.id).await?;
        self.store
            .update_instance(&instance.id, |current| {
                let mut state = InstanceState::of(current);
                let reason = Some("the account's credentials were removed".to_owned());
                let events = vec![super::event_payloads::session_status(
                    current,
                    InstanceStatus::Disconnected,
                    reason.as_deref(),
                )];
                state.status = InstanceStatus::Disconnected;
                state.status_reason = reason;
                state.linked = false;
                Some((state, events))
            })
            .await?;
        Ok(())
    }

    async fn byoc_instance(&self, principal: &Principal) -> ServiceResult<InstanceRecord> {
        let state = self.byoc_state(principal).await?;
        match state.instance {
            Some(instance) if state.configured => Ok(instance),
            _ => Err(ServiceError::Conflict(
                "the account has no credentials; save them with PUT /api/v1/auth/me/credentials"
                    .to_owned(),
            )),
        }
    }
}
