//! Accounts: sign-up, sign-in, sessions, password reset, API keys, organisations, roles.
//!
//! - [`account`]: sign-up, sign-in (rate-limited, [`limiter`]), sign-out, `/me`, password reset
//!   through the outbox;
//! - [`keys`]: API keys of tournament entries;
//! - [`admin`]: roles, disabling, organisations and their members;
//! - [`credentials`]: validation rules and argon2id hashing (also used by `bullpen user create`);
//! - [`session`]: server-side sessions, the cookie and the client address.

pub mod account;
pub mod admin;
pub mod credentials;
pub mod keys;
pub mod limiter;
pub mod session;
pub mod views;

use axum::routing::{delete, get, post, put};

use crate::policy::{Access, ADMIN};
use crate::routes::Routes;

/// The OpenAPI description of this module's routes.
#[derive(utoipa::OpenApi)]
#[openapi(
    paths(
        account::sign_up,
        account::sign_in,
        account::sign_out,
        account::me,
        account::password_reset,
        account::password_reset_confirm,
        admin::list_users,
        admin::set_role,
        admin::disable_user,
        admin::enable_user,
        admin::create_organisation,
        admin::list_organisations,
        admin::add_member,
        admin::remove_member,
        admin::organisation,
        admin::organisation_members,
        keys::create_key,
        keys::list_keys,
        keys::revoke_key,
    ),
    components(schemas(crate::error::ErrorBody)),
    tags(
        (name = "auth", description = "Accounts, sessions and password reset"),
        (name = "admin", description = "Administration of accounts and organisations"),
        (name = "organisations", description = "Organisations, for their members"),
        (name = "api-keys", description = "API keys of tournament entries"),
    )
)]
pub struct ApiDoc;

/// This module's routes.
pub fn routes() -> Routes {
    Routes::new()
        .post("/api/v1/auth/sign-up", Access::Public, post(account::sign_up))
        .post("/api/v1/auth/sign-in", Access::Public, post(account::sign_in))
        .post("/api/v1/auth/sign-out", Access::SignedIn, post(account::sign_out))
        .get("/api/v1/auth/me", Access::SignedIn, get(account::me))
        .post("/api/v1/auth/password-reset", Access::Public, post(account::password_reset))
        .post("/api/v1/auth/password-reset/confirm", Access::Public, post(account::password_reset_confirm))
        .get("/api/v1/admin/users", ADMIN, get(admin::list_users))
        .put("/api/v1/admin/users/{user_id}/role", ADMIN, put(admin::set_role))
        .post("/api/v1/admin/users/{user_id}/disable", ADMIN, post(admin::disable_user))
        .post("/api/v1/admin/users/{user_id}/enable", ADMIN, post(admin::enable_user))
        .post("/api/v1/admin/organisations", ADMIN, post(admin::create_organisation))
        .get("/api/v1/admin/organisations", ADMIN, get(admin::list_organisations))
        .post("/api/v1/admin/organisations/{org_id}/members", ADMIN, post(admin::add_member))
        .delete("/api/v1/admin/organisations/{org_id}/members/{user_id}", ADMIN, delete(admin::remove_member))
        .get("/api/v1/organisations/{org_id}", Access::OrgMember, get(admin::organisation))
        .get("/api/v1/organisations/{org_id}/members", Access::OrgMember, get(admin::organisation_members))
        .post("/api/v1/tournaments/{tournament_id}/keys", Access::SignedIn, post(keys::create_key))
        .get("/api/v1/keys", Access::SignedIn, get(keys::list_keys))
        .delete("/api/v1/keys/{key_id}", Access::SignedIn, delete(keys::revoke_key))
}
