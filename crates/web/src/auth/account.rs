//! Sign-up, sign-in, sign-out, the signed-in user, and password reset.

use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use bullpen_store::{Account, OutboxMessage, Role};
use serde::Deserialize;
use serde_json::json;
use utoipa::ToSchema;

use super::credentials::{
    create_account, hash_password_blocking, normalize_email, truncate, validate_password, verify_password_blocking,
    AccountForm, CredentialError, MAX_EMAIL_LEN, MAX_PASSWORD_CHARS,
};
use super::session::{cleared_cookie, secure_request, session_cookie, start_session, ClientIp, NewSession};
use super::views::{AuthErrors, BodyErrors, MeResponse, OrganisationView, RateLimited, StatusResponse, UserView};
use crate::audit::record;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::JsonBody;
use crate::identity::{Caller, UserPrincipal};
use crate::secrets::{digest, random_token};
use crate::state::AppState;

/// Random bytes of a password-reset token.
const RESET_TOKEN_BYTES: usize = 32;

/// A new player account.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SignUpRequest {
    /// 3–32 characters from `a-z`, `0-9`, `_`, `-`.
    #[schema(example = "ann_trader", pattern = "^[a-z0-9_-]{3,32}$")]
    pub handle: String,
    /// Name shown to others (1–64 characters).
    #[schema(example = "Ann")]
    pub display_name: String,
    /// E-mail address (password resets go there).
    #[schema(example = "ann@example.com")]
    pub email: String,
    /// 10–128 characters.
    #[schema(example = "a long passphrase", min_length = 10, max_length = 128)]
    pub password: String,
}

/// Credentials.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SignInRequest {
    /// Handle or e-mail address (case-insensitive).
    #[schema(example = "ann_trader")]
    pub login: String,
    /// Password.
    #[schema(example = "a long passphrase")]
    pub password: String,
}

/// Asks for a password-reset message.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PasswordResetRequest {
    /// The account's e-mail address.
    #[schema(example = "ann@example.com")]
    pub email: String,
}

/// Sets a new password with a reset token.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PasswordResetConfirm {
    /// The token from the reset message.
    pub token: String,
    /// The new password (10–128 characters).
    #[schema(min_length = 10, max_length = 128)]
    pub new_password: String,
}

/// Maps account-creation failures to API errors.
pub fn credential_error(e: CredentialError) -> ApiError {
    match e {
        CredentialError::Invalid(m) => ApiError::invalid(m),
        CredentialError::HandleTaken(h) => {
            ApiError::new(StatusCode::CONFLICT, "handle_taken", format!("the handle `{h}` is taken"))
        }
        CredentialError::EmailTaken => {
            ApiError::new(StatusCode::CONFLICT, "email_taken", "an account with this e-mail address exists")
        }
        CredentialError::Hashing(m) => ApiError::internal(m),
        CredentialError::Store(e) => e.into(),
    }
}

/// The `/me` view of an account with a session's CSRF token.
pub async fn me_response(state: &AppState, account: &Account, csrf_token: String) -> ApiResult<MeResponse> {
    let mut organisations = Vec::new();
    for id in state.store.organisations_of_user(account.user.id).await? {
        if let Some(org) = state.store.organisation(id).await? {
            organisations.push(OrganisationView::from(&org));
        }
    }
    Ok(MeResponse { user: UserView::from(account), role: account.role.into(), organisations, csrf_token })
}

/// The response of a sign-in or sign-up: the session cookie and the `/me` body.
async fn signed_in(
    state: &AppState,
    headers: &HeaderMap,
    status: StatusCode,
    account: &Account,
    session: NewSession,
) -> ApiResult<Response> {
    let cookie = session_cookie(&session.token, state.config.session_ttl_secs, secure_request(&state.config, headers))?;
    let body = me_response(state, account, session.csrf_token).await?;
    Ok((status, [(header::SET_COOKIE, cookie)], Json(body)).into_response())
}

/// Creates a player account and signs it in.
#[utoipa::path(
    post,
    path = "/api/v1/auth/sign-up",
    tag = "auth",
    request_body = SignUpRequest,
    responses(
        (status = 201, description = "Account created and signed in; sets the `bullpen_session` cookie", body = MeResponse),
        (status = 409, description = "Handle (`handle_taken`) or e-mail address (`email_taken`) in use", body = ErrorBody),
        BodyErrors,
        AuthErrors,
    )
)]
pub async fn sign_up(
    State(state): State<AppState>,
    headers: HeaderMap,
    JsonBody(req): JsonBody<SignUpRequest>,
) -> ApiResult<Response> {
    let (account, session) = register(&state, req).await?;
    signed_in(&state, &headers, StatusCode::CREATED, &account, session).await
}

/// Creates a player account (every field validated, nothing written otherwise), audits it and
/// starts a session for it. Shared by the JSON API and the sign-up page.
pub async fn register(state: &AppState, req: SignUpRequest) -> ApiResult<(Account, NewSession)> {
    let now = state.clock.now();
    let form = AccountForm {
        handle: req.handle,
        display_name: req.display_name,
        email: req.email,
        password: req.password,
        role: Role::Player,
    };
    let account = create_account(state.store.as_ref(), form, now).await.map_err(credential_error)?;
    record(state, Some(account.user.id), "auth.sign_up", &account.user.handle, json!({ "role": "player" })).await?;
    let session = start_session(state, account.user.id).await?;
    Ok((account, session))
}

/// Signs in with a handle or e-mail address and a password.
#[utoipa::path(
    post,
    path = "/api/v1/auth/sign-in",
    tag = "auth",
    request_body = SignInRequest,
    responses(
        (status = 200, description = "Signed in; sets the `bullpen_session` cookie", body = MeResponse),
        (status = 401, description = "Wrong login or password (`invalid_credentials`), or a wrong API key", body = ErrorBody),
        (status = 403, description = "The account is disabled (`account_disabled`), or missing X-CSRF-Token while signed in", body = ErrorBody),
        BodyErrors,
        RateLimited,
    )
)]
pub async fn sign_in(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    JsonBody(req): JsonBody<SignInRequest>,
) -> ApiResult<Response> {
    let (account, session) = authenticate(&state, ip, req).await?;
    signed_in(&state, &headers, StatusCode::OK, &account, session).await
}

/// Checks a login and password (rate-limited per account and address, every attempt audited)
/// and starts a session. Errors: 422 `validation_failed`, 401 `invalid_credentials`, 403
/// `account_disabled`, 429 `rate_limited` (with `retry_after` set). Shared by the JSON API and
/// the sign-in page.
pub async fn authenticate(
    state: &AppState,
    ip: Option<std::net::IpAddr>,
    req: SignInRequest,
) -> ApiResult<(Account, NewSession)> {
    let now = state.clock.now();
    let login = req.login.trim().to_lowercase();
    if login.is_empty() || login.len() > MAX_EMAIL_LEN || login.chars().any(char::is_control) {
        return Err(ApiError::invalid("login must be a handle or an e-mail address"));
    }
    if req.password.is_empty() || req.password.chars().count() > MAX_PASSWORD_CHARS {
        return Err(ApiError::invalid(format!("password must have 1 to {MAX_PASSWORD_CHARS} characters")));
    }
    let account = if login.contains('@') {
        state.store.account_by_email(&login).await?
    } else {
        state.store.account_by_handle(&login).await?
    };
    // Count failures against the account (whichever login named it), else the login typed.
    let limit_key = account.as_ref().map_or_else(|| login.clone(), |a| a.user.handle.clone());
    if let Some(secs) = state.limiter.retry_after(&limit_key, ip, now) {
        tracing::warn!(retry_after = secs, "sign-in refused: locked out");
        return Err(ApiError::rate_limited(secs));
    }
    let stored_hash = account.as_ref().map(|a| a.password_hash.clone());
    let password_ok = verify_password_blocking(req.password, stored_hash).await;
    let ip_text = ip.map(|ip| ip.to_string());
    let account = match account {
        Some(a) if password_ok => a,
        other => {
            let locked = state.limiter.record_failure(&limit_key, ip, now);
            let (actor, reason) = match &other {
                Some(a) => (Some(a.user.id), "wrong_password"),
                None => (None, "unknown_login"),
            };
            let detail = json!({ "reason": reason, "ip": ip_text, "locked_for_secs": locked });
            record(state, actor, "auth.sign_in_failed", truncate(&limit_key, 64), detail).await?;
            return Err(ApiError::new(StatusCode::UNAUTHORIZED, "invalid_credentials", "wrong login or password"));
        }
    };
    if !account.active {
        let detail = json!({ "reason": "disabled", "ip": ip_text });
        record(state, Some(account.user.id), "auth.sign_in_failed", &account.user.handle, detail).await?;
        return Err(ApiError::new(StatusCode::FORBIDDEN, "account_disabled", "this account is disabled"));
    }
    state.limiter.record_success(&limit_key);
    let session = start_session(state, account.user.id).await?;
    record(state, Some(account.user.id), "auth.sign_in", &account.user.handle, json!({ "ip": ip_text })).await?;
    Ok((account, session))
}

/// Signs out: revokes this session and clears the cookie.
#[utoipa::path(
    post,
    path = "/api/v1/auth/sign-out",
    tag = "auth",
    responses(
        (status = 204, description = "Signed out; the cookie is cleared"),
        AuthErrors,
    )
)]
pub async fn sign_out(State(state): State<AppState>, caller: Caller, headers: HeaderMap) -> ApiResult<Response> {
    end_session(&state, caller.user()?).await?;
    let cookie = cleared_cookie(secure_request(&state.config, &headers))?;
    Ok((StatusCode::NO_CONTENT, [(header::SET_COOKIE, cookie)]).into_response())
}

/// Revokes the caller's session (audited). The caller clears the cookie.
pub async fn end_session(state: &AppState, user: &UserPrincipal) -> ApiResult<()> {
    state.store.revoke_session(&user.session_hash, state.clock.now()).await?;
    record(state, Some(user.user_id), "auth.sign_out", &user.handle, json!({})).await
}

/// The signed-in user, their role and organisations, and the session's CSRF token.
#[utoipa::path(
    get,
    path = "/api/v1/auth/me",
    tag = "auth",
    responses(
        (status = 200, description = "The signed-in user", body = MeResponse),
        AuthErrors,
    )
)]
pub async fn me(State(state): State<AppState>, caller: Caller) -> ApiResult<Json<MeResponse>> {
    let user = caller.user()?;
    let account = state.store.account(user.user_id).await?.ok_or_else(ApiError::unauthenticated)?;
    Ok(Json(me_response(&state, &account, user.csrf_token.clone()).await?))
}

/// Sends a password-reset message to the account with this address, if there is one. The
/// answer is the same either way, so it does not tell who has an account.
#[utoipa::path(
    post,
    path = "/api/v1/auth/password-reset",
    tag = "auth",
    request_body = PasswordResetRequest,
    responses(
        (status = 202, description = "Accepted (whether or not an account has this address)", body = StatusResponse),
        BodyErrors,
        AuthErrors,
    )
)]
pub async fn password_reset(
    State(state): State<AppState>,
    JsonBody(req): JsonBody<PasswordResetRequest>,
) -> ApiResult<(StatusCode, Json<StatusResponse>)> {
    request_reset(&state, &req.email).await?;
    let status = StatusResponse {
        status: "accepted".into(),
        message: "if an account has this address, a reset message is on its way".into(),
    };
    Ok((StatusCode::ACCEPTED, Json(status)))
}

/// Queues a password-reset message in the outbox for the active account with this address, if
/// there is one (422 for a malformed address; the same answer whether or not an account
/// exists). Shared by the JSON API and the reset page.
pub async fn request_reset(state: &AppState, email: &str) -> ApiResult<()> {
    let email = normalize_email(email).map_err(ApiError::invalid)?;
    let now = state.clock.now();
    if let Some(account) = state.store.account_by_email(&email).await?.filter(|a| a.active) {
        let token = random_token(RESET_TOKEN_BYTES);
        let ttl = state.config.reset_ttl_secs;
        state.store.create_reset_token(&digest(&token), account.user.id, now.plus_seconds(ttl)).await?;
        let body = format!(
            "Hello {},\n\nsomeone (hopefully you) asked to reset your Bullpen password. To choose a new one, open\n\
             /reset/confirm?token={token} on the Bullpen site, or send\n\
             POST /api/v1/auth/password-reset/confirm {{\"token\": \"{token}\", \"new_password\": \"...\"}}\n\
             The token works once and expires in {} minutes. If you did not ask, ignore this message.\n",
            account.user.display_name,
            ttl.div_euclid(60).max(1),
        );
        let message = OutboxMessage {
            id: 0,
            recipient: email,
            subject: "Reset your Bullpen password".into(),
            body,
            created_at: now,
        };
        let queued = state.store.enqueue_outbox(&message).await?;
        tracing::info!(user_id = account.user.id.0, outbox_id = queued.id, "password reset mail queued in the outbox");
        record(state, None, "auth.password_reset_requested", &account.user.handle, json!({ "outbox_id": queued.id }))
            .await?;
    }
    Ok(())
}

/// Sets a new password with a reset token; the token is spent and every session of the
/// account is signed out.
#[utoipa::path(
    post,
    path = "/api/v1/auth/password-reset/confirm",
    tag = "auth",
    request_body = PasswordResetConfirm,
    responses(
        (status = 200, description = "Password changed; every session was signed out", body = StatusResponse),
        BodyErrors,
        AuthErrors,
    )
)]
pub async fn password_reset_confirm(
    State(state): State<AppState>,
    JsonBody(req): JsonBody<PasswordResetConfirm>,
) -> ApiResult<Json<StatusResponse>> {
    confirm_reset(&state, &req.token, req.new_password).await?;
    Ok(Json(StatusResponse {
        status: "password_changed".into(),
        message: "your password was changed; sign in again".into(),
    }))
}

/// Sets a new password with a reset token: 422 `validation_failed` for an unacceptable
/// password (the token is not spent), 422 `reset_token_invalid` for an unknown, used or
/// expired token. Every session of the account is signed out. Shared by the JSON API and the
/// reset page.
pub async fn confirm_reset(state: &AppState, token: &str, new_password: String) -> ApiResult<()> {
    validate_password(&new_password).map_err(ApiError::invalid)?;
    let invalid = || {
        ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "reset_token_invalid",
            "this reset token is unknown, already used or expired; ask for a new one",
        )
    };
    if token.is_empty() || token.len() > 256 {
        return Err(invalid());
    }
    let now = state.clock.now();
    let user = state.store.consume_reset_token(&digest(token), now).await?.ok_or_else(invalid)?;
    let hash = hash_password_blocking(new_password).await.map_err(credential_error)?;
    state.store.set_password(user, &hash).await?;
    let revoked = state.store.revoke_user_sessions(user, now).await?;
    let handle = match state.store.account(user).await? {
        Some(a) => {
            state.limiter.record_success(&a.user.handle);
            a.user.handle
        }
        None => user.to_string(),
    };
    record(state, Some(user), "auth.password_reset", &handle, json!({ "sessions_revoked": revoked })).await?;
    Ok(())
}

/// Changes the signed-in user's password after checking the current one (failures count
/// towards the sign-in lockout, like wrong sign-ins). Every session of the account is signed
/// out and a new one is started for the caller. Errors: 422 `validation_failed` for an
/// unacceptable new password, 422 `wrong_password` for a wrong current one, 429 `rate_limited`.
pub async fn change_password(
    state: &AppState,
    user: &UserPrincipal,
    ip: Option<std::net::IpAddr>,
    current: String,
    new_password: String,
) -> ApiResult<NewSession> {
    let now = state.clock.now();
    if let Some(secs) = state.limiter.retry_after(&user.handle, ip, now) {
        return Err(ApiError::rate_limited(secs));
    }
    validate_password(&new_password).map_err(ApiError::invalid)?;
    let account = state.store.account(user.user_id).await?.ok_or_else(ApiError::unauthenticated)?;
    if current.chars().count() > MAX_PASSWORD_CHARS
        || !verify_password_blocking(current, Some(account.password_hash.clone())).await
    {
        let locked = state.limiter.record_failure(&user.handle, ip, now);
        let detail = json!({ "reason": "wrong_password", "locked_for_secs": locked });
        record(state, Some(user.user_id), "auth.password_change_failed", &user.handle, detail).await?;
        return Err(ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "wrong_password", "the current password is wrong"));
    }
    let hash = hash_password_blocking(new_password).await.map_err(credential_error)?;
    state.store.set_password(user.user_id, &hash).await?;
    let revoked = state.store.revoke_user_sessions(user.user_id, now).await?;
    state.limiter.record_success(&user.handle);
    record(state, Some(user.user_id), "auth.password_change", &user.handle, json!({ "sessions_revoked": revoked }))
        .await?;
    start_session(state, user.user_id).await
}
