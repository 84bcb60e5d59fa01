//! API keys: one tournament entry each, a secret shown once (only its digest is stored), a
//! scope, revocable, with their last use recorded.

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use bullpen_domain::TournamentId;
use bullpen_store::{ApiKey, KeyScope, Role};
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;

use super::credentials::normalize_label;
use super::views::{timestamp, AuthErrors, BodyErrors, ParamErrors, ScopeName};
use crate::audit::record;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::{JsonBody, PathParams};
use crate::identity::{Caller, UserPrincipal};
use crate::secrets::{digest, random_id, random_token};
use crate::state::AppState;

/// Characters after `PK` in a key id.
const KEY_ID_CHARS: usize = 18;
/// Random bytes of a secret (hex: 40 characters, like Alpaca's).
const SECRET_BYTES: usize = 20;
/// Longest label, in characters.
const MAX_LABEL_CHARS: usize = 64;
/// Live (unrevoked) keys a user may hold.
const MAX_LIVE_KEYS: usize = 25;

/// A key to create.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateKeyRequest {
    /// A name to recognise the key by (1–64 characters).
    #[schema(example = "my bot")]
    pub label: String,
    /// What the key may do.
    pub scope: ScopeName,
}

/// A new key, with its secret. The secret is shown this once: store it now.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CreatedKey {
    /// Key id (`APCA-API-KEY-ID`).
    #[schema(example = "PKABCDEFGHJKLMNPQRST")]
    pub key_id: String,
    /// Secret (`APCA-API-SECRET-KEY`), shown once.
    pub secret: String,
    /// What the key may do.
    pub scope: ScopeName,
    /// Label.
    pub label: String,
    /// Tournament of the entry.
    pub tournament_id: i64,
    /// The entry the key trades for.
    pub entry_id: i64,
    /// Creation time (RFC 3339).
    pub created_at: String,
}

/// A key as its owner sees it later (no secret).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct KeyView {
    /// Key id.
    pub key_id: String,
    /// Label.
    pub label: String,
    /// What the key may do.
    pub scope: ScopeName,
    /// Tournament of the entry.
    pub tournament_id: i64,
    /// The entry.
    pub entry_id: i64,
    /// Creation time (RFC 3339).
    pub created_at: String,
    /// Last successful use (RFC 3339, recorded at most once a minute); null if never used.
    pub last_used_at: Option<String>,
    /// Revocation time (RFC 3339); null while the key works.
    pub revoked_at: Option<String>,
}

impl From<&ApiKey> for KeyView {
    fn from(k: &ApiKey) -> KeyView {
        KeyView {
            key_id: k.key_id.clone(),
            label: k.label.clone(),
            scope: k.scope.into(),
            tournament_id: k.tournament_id.0,
            entry_id: k.entry_id.0,
            created_at: timestamp(k.created_at),
            last_used_at: k.last_used_at.map(timestamp),
            revoked_at: k.revoked_at.map(timestamp),
        }
    }
}

/// The caller's keys, newest first.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct KeyList {
    /// Keys, revoked ones included.
    pub keys: Vec<KeyView>,
}

/// Creates an API key for the caller's entry in a tournament.
#[utoipa::path(
    post,
    path = "/api/v1/tournaments/{tournament_id}/keys",
    tag = "api-keys",
    params(("tournament_id" = i64, Path, description = "The tournament")),
    request_body = CreateKeyRequest,
    responses(
        (status = 201, description = "Created; the secret is shown only in this response", body = CreatedKey),
        (status = 404, description = "You have not joined this tournament (`not_joined`)", body = ErrorBody),
        (status = 409, description = "Too many live keys (`too_many_keys`); revoke one first", body = ErrorBody),
        BodyErrors,
        AuthErrors,
    )
)]
pub async fn create_key(
    State(state): State<AppState>,
    caller: Caller,
    PathParams(tournament_id): PathParams<i64>,
    JsonBody(req): JsonBody<CreateKeyRequest>,
) -> ApiResult<(StatusCode, Json<CreatedKey>)> {
    let created = create(&state, caller.user()?, tournament_id, &req.label, req.scope).await?;
    Ok((StatusCode::CREATED, Json(created)))
}

/// Creates an API key for the user's entry in a tournament (audited): 422 for a bad label, 404
/// `not_joined`, 409 `too_many_keys`. The secret is only in the returned value. Shared by the
/// JSON API and the keys page.
pub async fn create(
    state: &AppState,
    user: &UserPrincipal,
    tournament_id: i64,
    label: &str,
    scope: ScopeName,
) -> ApiResult<CreatedKey> {
    let label = normalize_label("label", label, MAX_LABEL_CHARS).map_err(ApiError::invalid)?;
    let tournament = TournamentId(tournament_id);
    let Some(entry) = state.store.entry_of_user(tournament, user.user_id).await? else {
        return Err(ApiError::new(
            StatusCode::NOT_FOUND,
            "not_joined",
            format!("you have not joined tournament {tournament_id}"),
        ));
    };
    let live = state.store.api_keys_of_user(user.user_id).await?.iter().filter(|k| k.revoked_at.is_none()).count();
    if live >= MAX_LIVE_KEYS {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            "too_many_keys",
            format!("you have {live} live API keys; revoke one before creating another"),
        ));
    }
    let secret = random_token(SECRET_BYTES);
    let key_scope = KeyScope::from(scope);
    let key = ApiKey {
        key_id: format!("PK{}", random_id(KEY_ID_CHARS)),
        secret_hash: digest(&secret),
        user_id: user.user_id,
        tournament_id: tournament,
        entry_id: entry.id,
        scope: key_scope,
        label,
        created_at: state.clock.now(),
        last_used_at: None,
        revoked_at: None,
    };
    state.store.create_api_key(&key).await?;
    let detail = json!({
        "tournament_id": tournament_id, "entry_id": entry.id.0, "scope": key_scope.as_str(), "label": key.label,
    });
    record(state, Some(user.user_id), "api_key.create", &key.key_id, detail).await?;
    Ok(CreatedKey {
        key_id: key.key_id,
        secret,
        scope,
        label: key.label,
        tournament_id,
        entry_id: entry.id.0,
        created_at: timestamp(key.created_at),
    })
}

/// The caller's API keys (without secrets), newest first.
#[utoipa::path(
    get,
    path = "/api/v1/keys",
    tag = "api-keys",
    responses(
        (status = 200, description = "Your keys", body = KeyList),
        AuthErrors,
    )
)]
pub async fn list_keys(State(state): State<AppState>, caller: Caller) -> ApiResult<Json<KeyList>> {
    let user = caller.user()?;
    let keys = state.store.api_keys_of_user(user.user_id).await?.iter().map(KeyView::from).collect();
    Ok(Json(KeyList { keys }))
}

/// Revokes one of the caller's keys (admins: any key). It stops working at once.
#[utoipa::path(
    delete,
    path = "/api/v1/keys/{key_id}",
    tag = "api-keys",
    params(("key_id" = String, Path, description = "The key id")),
    responses(
        (status = 204, description = "Revoked (or already revoked)"),
        (status = 404, description = "No such key of yours (`not_found`)", body = ErrorBody),
        ParamErrors,
        AuthErrors,
    )
)]
pub async fn revoke_key(
    State(state): State<AppState>,
    caller: Caller,
    PathParams(key_id): PathParams<String>,
) -> ApiResult<StatusCode> {
    revoke(&state, caller.user()?, &key_id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Revokes one of the user's keys (admins: any key), audited; revoking a revoked key changes
/// nothing. 404 when there is no such key of theirs. Shared by the JSON API and the keys page.
pub async fn revoke(state: &AppState, user: &UserPrincipal, key_id: &str) -> ApiResult<()> {
    let not_found = || ApiError::not_found("no such API key");
    if key_id.is_empty() || key_id.len() > 64 || !key_id.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return Err(not_found());
    }
    let key = state.store.api_key(key_id).await?.ok_or_else(not_found)?;
    if key.user_id != user.user_id && user.role != Role::Admin {
        return Err(not_found());
    }
    if key.revoked_at.is_none() {
        state.store.revoke_api_key(&key.key_id, state.clock.now()).await?;
        state.keys.invalidate(&key.key_id);
        let detail = json!({ "owner": key.user_id.0, "tournament_id": key.tournament_id.0 });
        record(state, Some(user.user_id), "api_key.revoke", &key.key_id, detail).await?;
    }
    state.keys.invalidate(&key.key_id);
    Ok(())
}
