//! Administration of accounts (roles, disabling) and organisations, and the organisation views
//! their members see. Every change is audited.

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use bullpen_domain::UserId;
use bullpen_store::{Account, Role, StoreError};
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::{IntoParams, ToSchema};

use super::credentials::normalize_label;
use super::views::{AdminUserView, AuthErrors, BodyErrors, OrganisationView, ParamErrors, RoleName};
use crate::audit::record;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::{JsonBody, PathParams, QueryParams};
use crate::identity::Caller;
use crate::state::AppState;

/// Default page size of the user list.
const DEFAULT_PAGE: u32 = 50;
/// Largest page size of the user list.
const MAX_PAGE: u32 = 200;
/// Longest organisation name, in characters.
const MAX_ORG_NAME_CHARS: usize = 100;

/// A page of the user list.
#[derive(Debug, Clone, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct UserPage {
    /// Only users with an id greater than this (the `next` of the previous page).
    pub after: Option<i64>,
    /// Page size, 1–200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u32>,
}

/// Accounts by id.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct UserList {
    /// This page.
    pub users: Vec<AdminUserView>,
    /// The `after` of the next page; null on the last page.
    pub next: Option<i64>,
}

/// A new role.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RoleRequest {
    /// The role.
    pub role: RoleName,
}

/// A new organisation.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OrganisationRequest {
    /// Unique name (1–100 characters).
    #[schema(example = "Acme Capital")]
    pub name: String,
}

/// Organisations by name.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct OrganisationList {
    /// Every organisation.
    pub organisations: Vec<OrganisationView>,
}

/// A member to add.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MemberRequest {
    /// The user.
    pub user_id: i64,
}

/// A member of an organisation.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MemberView {
    /// User id.
    pub user_id: i64,
    /// Handle.
    pub handle: String,
    /// Name shown to others.
    pub display_name: String,
}

/// The members of an organisation.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MemberList {
    /// Members by user id.
    pub members: Vec<MemberView>,
}

async fn account_or_404(state: &AppState, user_id: i64) -> ApiResult<Account> {
    state.store.account(UserId(user_id)).await?.ok_or_else(|| ApiError::not_found(format!("no account {user_id}")))
}

async fn organisation_or_404(state: &AppState, org_id: i64) -> ApiResult<bullpen_store::Organisation> {
    state.store.organisation(org_id).await?.ok_or_else(|| ApiError::not_found(format!("no organisation {org_id}")))
}

fn refuse_self(caller: UserId, target: i64, what: &str) -> ApiResult<()> {
    if caller.0 == target {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            "self_change_refused",
            format!("admins cannot {what} their own account; ask another admin"),
        ));
    }
    Ok(())
}

/// Accounts by id, a page at a time.
#[utoipa::path(
    get,
    path = "/api/v1/admin/users",
    tag = "admin",
    params(UserPage),
    responses(
        (status = 200, description = "A page of accounts", body = UserList),
        (status = 422, description = "`limit` out of range (`validation_failed`)", body = ErrorBody),
        ParamErrors,
        AuthErrors,
    )
)]
pub async fn list_users(
    State(state): State<AppState>,
    QueryParams(page): QueryParams<UserPage>,
) -> ApiResult<Json<UserList>> {
    let limit = page.limit.unwrap_or(DEFAULT_PAGE);
    if !(1..=MAX_PAGE).contains(&limit) {
        return Err(ApiError::invalid(format!("limit must be 1 to {MAX_PAGE}")));
    }
    let accounts = state.store.accounts(page.after.map(UserId), limit).await?;
    let next = if accounts.len() == limit as usize { accounts.last().map(|a| a.user.id.0) } else { None };
    Ok(Json(UserList { users: accounts.iter().map(AdminUserView::from).collect(), next }))
}

/// Changes a user's role (not one's own).
#[utoipa::path(
    put,
    path = "/api/v1/admin/users/{user_id}/role",
    tag = "admin",
    params(("user_id" = i64, Path, description = "The user")),
    request_body = RoleRequest,
    responses(
        (status = 200, description = "The account with its new role", body = AdminUserView),
        (status = 404, description = "No such account (`not_found`)", body = ErrorBody),
        (status = 409, description = "Admins cannot change their own role (`self_change_refused`)", body = ErrorBody),
        BodyErrors,
        AuthErrors,
    )
)]
pub async fn set_role(
    State(state): State<AppState>,
    caller: Caller,
    PathParams(user_id): PathParams<i64>,
    JsonBody(req): JsonBody<RoleRequest>,
) -> ApiResult<Json<AdminUserView>> {
    let account = change_role(&state, caller.user()?.user_id, user_id, Role::from(req.role)).await?;
    Ok(Json(AdminUserView::from(&account)))
}

/// Changes a user's role (audited when it changes): 404 for an unknown account, 409
/// `self_change_refused` for the admin's own. Shared by the JSON API and the users page.
pub async fn change_role(state: &AppState, admin: UserId, user_id: i64, role: Role) -> ApiResult<Account> {
    let mut account = account_or_404(state, user_id).await?;
    refuse_self(admin, user_id, "change the role of")?;
    let from = account.role;
    if from != role {
        state.store.set_role(account.user.id, role).await?;
        let detail = json!({ "from": from.as_str(), "to": role.as_str() });
        record(state, Some(admin), "admin.user.role", &account.user.handle, detail).await?;
        account.role = role;
    }
    Ok(account)
}

/// Disables an account: it can no longer sign in, its sessions are signed out and its API keys
/// revoked.
#[utoipa::path(
    post,
    path = "/api/v1/admin/users/{user_id}/disable",
    tag = "admin",
    params(("user_id" = i64, Path, description = "The user")),
    responses(
        (status = 200, description = "The disabled account", body = AdminUserView),
        (status = 404, description = "No such account (`not_found`)", body = ErrorBody),
        (status = 409, description = "Admins cannot disable themselves (`self_change_refused`)", body = ErrorBody),
        ParamErrors,
        AuthErrors,
    )
)]
pub async fn disable_user(
    State(state): State<AppState>,
    caller: Caller,
    PathParams(user_id): PathParams<i64>,
) -> ApiResult<Json<AdminUserView>> {
    let account = disable(&state, caller.user()?.user_id, user_id).await?;
    Ok(Json(AdminUserView::from(&account)))
}

/// Disables an account, signs out its sessions and revokes its keys (audited): 404 for an
/// unknown account, 409 `self_change_refused` for the admin's own. Shared by the JSON API and
/// the users page.
pub async fn disable(state: &AppState, admin: UserId, user_id: i64) -> ApiResult<Account> {
    let mut account = account_or_404(state, user_id).await?;
    refuse_self(admin, user_id, "disable")?;
    let now = state.clock.now();
    state.store.set_active(account.user.id, false).await?;
    let sessions = state.store.revoke_user_sessions(account.user.id, now).await?;
    let mut keys = 0;
    for key in state.store.api_keys_of_user(account.user.id).await? {
        if key.revoked_at.is_none() {
            state.store.revoke_api_key(&key.key_id, now).await?;
            state.keys.invalidate(&key.key_id);
            keys += 1;
        }
    }
    let detail = json!({ "sessions_revoked": sessions, "keys_revoked": keys });
    record(state, Some(admin), "admin.user.disable", &account.user.handle, detail).await?;
    account.active = false;
    Ok(account)
}

/// Enables a disabled account again (its revoked sessions and keys stay revoked).
#[utoipa::path(
    post,
    path = "/api/v1/admin/users/{user_id}/enable",
    tag = "admin",
    params(("user_id" = i64, Path, description = "The user")),
    responses(
        (status = 200, description = "The enabled account", body = AdminUserView),
        (status = 404, description = "No such account (`not_found`)", body = ErrorBody),
        ParamErrors,
        AuthErrors,
    )
)]
pub async fn enable_user(
    State(state): State<AppState>,
    caller: Caller,
    PathParams(user_id): PathParams<i64>,
) -> ApiResult<Json<AdminUserView>> {
    let account = enable(&state, caller.user()?.user_id, user_id).await?;
    Ok(Json(AdminUserView::from(&account)))
}

/// Enables an account again (audited): 404 for an unknown account. Shared by the JSON API and
/// the users page.
pub async fn enable(state: &AppState, admin: UserId, user_id: i64) -> ApiResult<Account> {
    let mut account = account_or_404(state, user_id).await?;
    state.store.set_active(account.user.id, true).await?;
    record(state, Some(admin), "admin.user.enable", &account.user.handle, json!({})).await?;
    account.active = true;
    Ok(account)
}

/// Creates an organisation.
#[utoipa::path(
    post,
    path = "/api/v1/admin/organisations",
    tag = "admin",
    request_body = OrganisationRequest,
    responses(
        (status = 201, description = "Created", body = OrganisationView),
        (status = 409, description = "The name is taken (`organisation_exists`)", body = ErrorBody),
        BodyErrors,
        AuthErrors,
    )
)]
pub async fn create_organisation(
    State(state): State<AppState>,
    caller: Caller,
    JsonBody(req): JsonBody<OrganisationRequest>,
) -> ApiResult<(StatusCode, Json<OrganisationView>)> {
    let admin = caller.user()?;
    let name = normalize_label("organisation name", &req.name, MAX_ORG_NAME_CHARS).map_err(ApiError::invalid)?;
    let org = match state.store.create_organisation(&name, state.clock.now()).await {
        Ok(org) => org,
        Err(StoreError::Conflict(_)) => {
            return Err(ApiError::new(
                StatusCode::CONFLICT,
                "organisation_exists",
                format!("an organisation named `{name}` exists"),
            ))
        }
        Err(e) => return Err(e.into()),
    };
    record(&state, Some(admin.user_id), "admin.organisation.create", org.id, json!({ "name": org.name })).await?;
    Ok((StatusCode::CREATED, Json(OrganisationView::from(&org))))
}

/// Every organisation.
#[utoipa::path(
    get,
    path = "/api/v1/admin/organisations",
    tag = "admin",
    responses(
        (status = 200, description = "Organisations by name", body = OrganisationList),
        AuthErrors,
    )
)]
pub async fn list_organisations(State(state): State<AppState>) -> ApiResult<Json<OrganisationList>> {
    let organisations = state.store.organisations().await?.iter().map(OrganisationView::from).collect();
    Ok(Json(OrganisationList { organisations }))
}

/// Adds a member to an organisation (idempotent).
#[utoipa::path(
    post,
    path = "/api/v1/admin/organisations/{org_id}/members",
    tag = "admin",
    params(("org_id" = i64, Path, description = "The organisation")),
    request_body = MemberRequest,
    responses(
        (status = 204, description = "The user is a member"),
        (status = 404, description = "No such organisation (`not_found`)", body = ErrorBody),
        BodyErrors,
        AuthErrors,
    )
)]
pub async fn add_member(
    State(state): State<AppState>,
    caller: Caller,
    PathParams(org_id): PathParams<i64>,
    JsonBody(req): JsonBody<MemberRequest>,
) -> ApiResult<StatusCode> {
    let admin = caller.user()?;
    let org = organisation_or_404(&state, org_id).await?;
    // The user is named in the body, not the path: an unknown one is an unacceptable field.
    let Some(account) = state.store.account(UserId(req.user_id)).await? else {
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "unknown_user",
            format!("no account {}", req.user_id),
        ));
    };
    state.store.add_organisation_member(org.id, account.user.id).await?;
    let detail = json!({ "user_id": account.user.id.0, "handle": account.user.handle });
    record(&state, Some(admin.user_id), "admin.organisation.member_add", org.id, detail).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Removes a member from an organisation.
#[utoipa::path(
    delete,
    path = "/api/v1/admin/organisations/{org_id}/members/{user_id}",
    tag = "admin",
    params(
        ("org_id" = i64, Path, description = "The organisation"),
        ("user_id" = i64, Path, description = "The member"),
    ),
    responses(
        (status = 204, description = "Removed"),
        (status = 404, description = "No such organisation, or the user is not a member (`not_found`)", body = ErrorBody),
        ParamErrors,
        AuthErrors,
    )
)]
pub async fn remove_member(
    State(state): State<AppState>,
    caller: Caller,
    PathParams((org_id, user_id)): PathParams<(i64, i64)>,
) -> ApiResult<StatusCode> {
    let admin = caller.user()?;
    let org = organisation_or_404(&state, org_id).await?;
    state.store.remove_organisation_member(org.id, UserId(user_id)).await?;
    record(&state, Some(admin.user_id), "admin.organisation.member_remove", org.id, json!({ "user_id": user_id }))
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// An organisation (its members and admins only).
#[utoipa::path(
    get,
    path = "/api/v1/organisations/{org_id}",
    tag = "organisations",
    params(("org_id" = i64, Path, description = "The organisation")),
    responses(
        (status = 200, description = "The organisation", body = OrganisationView),
        (status = 404, description = "No such organisation (`not_found`)", body = ErrorBody),
        ParamErrors,
        AuthErrors,
    )
)]
pub async fn organisation(
    State(state): State<AppState>,
    PathParams(org_id): PathParams<i64>,
) -> ApiResult<Json<OrganisationView>> {
    Ok(Json(OrganisationView::from(&organisation_or_404(&state, org_id).await?)))
}

/// The members of an organisation (its members and admins only).
#[utoipa::path(
    get,
    path = "/api/v1/organisations/{org_id}/members",
    tag = "organisations",
    params(("org_id" = i64, Path, description = "The organisation")),
    responses(
        (status = 200, description = "Members by user id", body = MemberList),
        (status = 404, description = "No such organisation (`not_found`)", body = ErrorBody),
        ParamErrors,
        AuthErrors,
    )
)]
pub async fn organisation_members(
    State(state): State<AppState>,
    PathParams(org_id): PathParams<i64>,
) -> ApiResult<Json<MemberList>> {
    let org = organisation_or_404(&state, org_id).await?;
    let mut members = Vec::new();
    for id in state.store.organisation_members(org.id).await? {
        if let Some(user) = state.store.user(id).await? {
            members.push(MemberView { user_id: user.id.0, handle: user.handle, display_name: user.display_name });
        }
    }
    Ok(Json(MemberList { members }))
}
