//! The services' one error type: what went wrong, in terms a caller can act on, and wagate's
//! code for it. The HTTP mapping lives in `api::error` (and each dialect's refusal), once.

use wagate_core::{ErrorCode, ValidationErrors};
use wagate_engine::EngineError;
use wagate_store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    /// The thing does not exist, or the caller may not know it exists.
    #[error("{0} not found")]
    NotFound(&'static str),
    #[error("{0}")]
    Forbidden(String),
    /// A caller that is not who it claims to be (a webhook with a wrong signature).
    #[error("{0}")]
    Unauthorized(String),
    /// Meta refused a cloud number's credentials.
    #[error("{0}")]
    CredentialsInvalid(String),
    #[error("validation failed: {0}")]
    Validation(ValidationErrors),
    #[error("{0}")]
    Conflict(String),
    /// An `Idempotency-Key` reused for another request, or for one still running.
    #[error("{0}")]
    IdempotencyConflict(String),
    #[error("{0}")]
    InstanceNotConnected(String),
    #[error("{0}")]
    NotSupported(String),
    #[error("{0}")]
    EngineUnavailable(String),
    /// The instance's circuit breaker paused its sending.
    #[error("{message}")]
    Paused {
        message: String,
        retry_after_secs: u64,
    },
    #[error("{0}")]
    PayloadTooLarge(String),
    #[error("{0}")]
    UnsupportedMediaType(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

pub type ServiceResult<T> = Result<T, ServiceError>;

impl ServiceError {
    /// One invalid field.
    pub fn field(field: &str, message: impl Into<String>) -> Self {
        let mut errors = ValidationErrors::default();
        errors.push(field, message);
        Self::Validation(errors)
    }

    /// wagate's code for the error: the one the native API answers; a dialect may rename it.
    pub fn code(&self) -> ErrorCode {
        match self {
            Self::NotFound(_) => ErrorCode::NotFound,
            Self::Forbidden(_) => ErrorCode::Forbidden,
            Self::Unauthorized(_) => ErrorCode::Unauthorized,
            Self::CredentialsInvalid(_) => ErrorCode::CredentialsInvalid,
            Self::Validation(_) => ErrorCode::ValidationError,
            Self::Conflict(_) | Self::Store(StoreError::Conflict(_)) => ErrorCode::Conflict,
            Self::IdempotencyConflict(_) => ErrorCode::IdempotencyConflict,
            Self::InstanceNotConnected(_) => ErrorCode::InstanceNotConnected,
            Self::NotSupported(_) => ErrorCode::NotSupportedByEngine,
            Self::EngineUnavailable(_) | Self::Paused { .. } => ErrorCode::EngineUnavailable,
            Self::PayloadTooLarge(_) => ErrorCode::PayloadTooLarge,
            Self::UnsupportedMediaType(_) => ErrorCode::UnsupportedMediaType,
            Self::Store(_) => ErrorCode::InternalError,
        }
    }

    /// What already exists, when the database refused a duplicate (a taken instance name).
    pub fn duplicate(&self) -> Option<&str> {
        match self {
            Self::Store(StoreError::Conflict(what)) => Some(what),
            _ => None,
        }
    }
}

impl From<ValidationErrors> for ServiceError {
    fn from(errors: ValidationErrors) -> Self {
        Self::Validation(errors)
    }
}

impl From<EngineError> for ServiceError {
    fn from(error: EngineError) -> Self {
        match error {
            EngineError::NotConnected => Self::InstanceNotConnected(error.to_string()),
            EngineError::NotSupported { .. } => Self::NotSupported(error.to_string()),
            EngineError::Permanent { message, .. } | EngineError::Refused { message, .. } => {
                Self::Conflict(message)
            }
            EngineError::Transient(message) => Self::EngineUnavailable(message),
            EngineError::InvalidState(message) => Self::Conflict(message),
            EngineError::NotFound { what } => Self::NotFound(what),
            EngineError::Forbidden(message) => Self::Forbidden(message),
        }
    }
}
