//! The one error type of every handler: an HTTP status, a stable machine code and a message
//! for people. Internals (SQL, paths, panics) are logged, never sent.

use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use bullpen_domain::RejectReason;
use bullpen_engine::EngineError;
use bullpen_store::StoreError;
use serde::Serialize;
use utoipa::ToSchema;

/// The JSON body of every error response.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ErrorBody {
    /// Stable machine-readable code (`not_found`, `validation_failed`, `insufficient_buying_power`, …).
    pub code: String,
    /// What went wrong, for people.
    pub message: String,
}

/// An error a handler returns.
#[derive(Debug, Clone)]
pub struct ApiError {
    /// HTTP status.
    pub status: StatusCode,
    /// Stable code.
    pub code: String,
    /// Message.
    pub message: String,
    /// Seconds to wait before retrying (sets `Retry-After`).
    pub retry_after: Option<u64>,
}

/// Result of a handler.
pub type ApiResult<T> = Result<T, ApiError>;

impl ApiError {
    /// An error with any status and code.
    pub fn new(status: StatusCode, code: &str, message: impl Into<String>) -> ApiError {
        ApiError { status, code: code.to_string(), message: message.into(), retry_after: None }
    }

    /// 400 with a code.
    pub fn bad_request(code: &str, message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::BAD_REQUEST, code, message)
    }

    /// 422 `validation_failed`: the request is well-formed but a field is not acceptable.
    pub fn invalid(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed", message)
    }

    /// 404 `not_found`.
    pub fn not_found(what: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::NOT_FOUND, "not_found", what)
    }

    /// 401 `unauthenticated`.
    pub fn unauthenticated() -> ApiError {
        ApiError::new(StatusCode::UNAUTHORIZED, "unauthenticated", "sign in or present a valid API key")
    }

    /// 403 `forbidden`.
    pub fn forbidden() -> ApiError {
        ApiError::new(StatusCode::FORBIDDEN, "forbidden", "you may not do this")
    }

    /// 409 `conflict`.
    pub fn conflict(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::CONFLICT, "conflict", message)
    }

    /// 429 `rate_limited` with `Retry-After`.
    pub fn rate_limited(retry_after_secs: u64) -> ApiError {
        let mut e = ApiError::new(StatusCode::TOO_MANY_REQUESTS, "rate_limited", "too many attempts; try again later");
        e.retry_after = Some(retry_after_secs.max(1));
        e
    }

    /// 500 `internal`: logs the detail, sends none of it.
    pub fn internal(detail: impl std::fmt::Display) -> ApiError {
        tracing::error!(error = %detail, "internal error");
        ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", "something went wrong on our side")
    }

    /// 503 `unavailable`.
    pub fn unavailable(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::SERVICE_UNAVAILABLE, "unavailable", message)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let retry_after = self.retry_after;
        let mut response = (self.status, Json(ErrorBody { code: self.code, message: self.message })).into_response();
        if let Some(secs) = retry_after {
            if let Ok(v) = HeaderValue::from_str(&secs.to_string()) {
                response.headers_mut().insert(axum::http::header::RETRY_AFTER, v);
            }
        }
        response
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> ApiError {
        match e {
            StoreError::NotFound(m) => ApiError::not_found(m),
            StoreError::Conflict(m) => ApiError::conflict(m),
            StoreError::Invalid(m) => ApiError::invalid(m),
            other => ApiError::internal(other),
        }
    }
}

impl From<EngineError> for ApiError {
    fn from(e: EngineError) -> ApiError {
        let code = e.code();
        match e {
            EngineError::Rejected(RejectReason::UnknownOrder) => {
                ApiError::new(StatusCode::NOT_FOUND, code, "no such order")
            }
            EngineError::Rejected(RejectReason::EngineUnavailable) | EngineError::Stopped => {
                ApiError::new(StatusCode::SERVICE_UNAVAILABLE, code, e.to_string())
            }
            EngineError::Rejected(reason) => ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, code, reason.to_string()),
            EngineError::Storage(detail) => {
                tracing::error!(error = %detail, "engine storage failure");
                ApiError::new(StatusCode::SERVICE_UNAVAILABLE, code, "the order could not be stored; nothing changed")
            }
        }
    }
}
