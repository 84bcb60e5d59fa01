//! What the account routes send and receive, and the error responses they document.

use std::collections::BTreeMap;

use bullpen_domain::Ts;
use bullpen_store::{Account, KeyScope, Organisation, Role};
use serde::{Deserialize, Serialize};
use utoipa::openapi::{
    ContentBuilder, HeaderBuilder, KnownFormat, ObjectBuilder, Ref, RefOr, Response, ResponseBuilder, SchemaFormat,
    Type,
};
use utoipa::{IntoResponses, ToSchema};

/// A timestamp as clients see it: RFC 3339, UTC, microseconds.
pub fn timestamp(ts: Ts) -> String {
    ts.to_string()
}

/// A role, by its stable name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RoleName {
    /// Plays in tournaments and leagues.
    Player,
    /// Trains cohorts.
    Coach,
    /// Works for a trading firm.
    Recruiter,
    /// Runs reports.
    Analyst,
    /// Runs the platform.
    Admin,
}

impl From<Role> for RoleName {
    fn from(r: Role) -> RoleName {
        match r {
            Role::Player => RoleName::Player,
            Role::Coach => RoleName::Coach,
            Role::Recruiter => RoleName::Recruiter,
            Role::Analyst => RoleName::Analyst,
            Role::Admin => RoleName::Admin,
        }
    }
}

impl From<RoleName> for Role {
    fn from(r: RoleName) -> Role {
        match r {
            RoleName::Player => Role::Player,
            RoleName::Coach => Role::Coach,
            RoleName::Recruiter => Role::Recruiter,
            RoleName::Analyst => Role::Analyst,
            RoleName::Admin => Role::Admin,
        }
    }
}

/// What an API key may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ScopeName {
    /// Read and trade.
    Trade,
    /// Read only.
    ReadOnly,
}

impl From<KeyScope> for ScopeName {
    fn from(s: KeyScope) -> ScopeName {
        match s {
            KeyScope::Trade => ScopeName::Trade,
            KeyScope::ReadOnly => ScopeName::ReadOnly,
        }
    }
}

impl From<ScopeName> for KeyScope {
    fn from(s: ScopeName) -> KeyScope {
        match s {
            ScopeName::Trade => KeyScope::Trade,
            ScopeName::ReadOnly => KeyScope::ReadOnly,
        }
    }
}

/// A signed-in user's own account.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct UserView {
    /// User id.
    pub id: i64,
    /// Handle.
    pub handle: String,
    /// Name shown to others.
    pub display_name: String,
    /// E-mail address.
    pub email: String,
    /// When the account was created (RFC 3339).
    pub created_at: String,
}

impl From<&Account> for UserView {
    fn from(a: &Account) -> UserView {
        UserView {
            id: a.user.id.0,
            handle: a.user.handle.clone(),
            display_name: a.user.display_name.clone(),
            email: a.email.clone(),
            created_at: timestamp(a.user.created_at),
        }
    }
}

/// An organisation (trading firm).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct OrganisationView {
    /// Id.
    pub id: i64,
    /// Name.
    pub name: String,
    /// When it was created (RFC 3339).
    pub created_at: String,
}

impl From<&Organisation> for OrganisationView {
    fn from(o: &Organisation) -> OrganisationView {
        OrganisationView { id: o.id, name: o.name.clone(), created_at: timestamp(o.created_at) }
    }
}

/// The signed-in user, their role and organisations, and the session's CSRF token (send it
/// back in `X-CSRF-Token` on every state change).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MeResponse {
    /// The account.
    pub user: UserView,
    /// Role.
    pub role: RoleName,
    /// Organisations the user belongs to.
    pub organisations: Vec<OrganisationView>,
    /// CSRF token of this session.
    pub csrf_token: String,
}

/// An account as admins see it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AdminUserView {
    /// User id.
    pub id: i64,
    /// Handle.
    pub handle: String,
    /// Name shown to others.
    pub display_name: String,
    /// E-mail address.
    pub email: String,
    /// Role.
    pub role: RoleName,
    /// False when disabled.
    pub active: bool,
    /// When the account was created (RFC 3339).
    pub created_at: String,
}

impl From<&Account> for AdminUserView {
    fn from(a: &Account) -> AdminUserView {
        AdminUserView {
            id: a.user.id.0,
            handle: a.user.handle.clone(),
            display_name: a.user.display_name.clone(),
            email: a.email.clone(),
            role: a.role.into(),
            active: a.active,
            created_at: timestamp(a.user.created_at),
        }
    }
}

/// A short acknowledgement.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct StatusResponse {
    /// What happened (`accepted`, `password_changed`).
    pub status: String,
    /// For people.
    pub message: String,
}

fn error_response(description: &str) -> ResponseBuilder {
    ResponseBuilder::new()
        .description(description)
        .content("application/json", ContentBuilder::new().schema(Some(Ref::from_schema_name("ErrorBody"))).build())
}

fn responses(items: &[(&str, &str)]) -> BTreeMap<String, RefOr<Response>> {
    items.iter().map(|(status, text)| (status.to_string(), error_response(text).build().into())).collect()
}

/// The refusals of a JSON request body: 400 malformed JSON, 413 too large, 415 not JSON,
/// 422 a field is missing, unknown or not acceptable.
pub struct BodyErrors;

impl IntoResponses for BodyErrors {
    fn responses() -> BTreeMap<String, RefOr<Response>> {
        responses(&[
            ("400", "Malformed JSON (`malformed_json`) or another bad request (`bad_request`)"),
            ("413", "The body is too large (`payload_too_large`)"),
            ("415", "The body is not JSON (`unsupported_media_type`)"),
            (
                "422",
                "A field is missing, unknown or not acceptable (`validation_failed`, or a specific code such as \
                 `reset_token_invalid` or `unknown_user`)",
            ),
        ])
    }
}

/// The refusals of a route that needs a signed-in caller: 401 without a valid session (or
/// with a wrong API key), 403 for a caller who may not (or a missing CSRF token).
pub struct AuthErrors;

impl IntoResponses for AuthErrors {
    fn responses() -> BTreeMap<String, RefOr<Response>> {
        responses(&[
            ("401", "Not signed in, or a wrong API key (`unauthenticated`, `invalid_api_key`)"),
            ("403", "Not allowed (`forbidden`), or missing/wrong X-CSRF-Token (`csrf_failed`)"),
        ])
    }
}

/// 429 with `Retry-After`.
pub struct RateLimited;

impl IntoResponses for RateLimited {
    fn responses() -> BTreeMap<String, RefOr<Response>> {
        let seconds = ObjectBuilder::new()
            .schema_type(Type::Integer)
            .format(Some(SchemaFormat::KnownFormat(KnownFormat::Int64)))
            .minimum(Some(1));
        let response = error_response("Too many failed attempts (`rate_limited`); retry after `Retry-After` seconds")
            .header("Retry-After", HeaderBuilder::new().schema(seconds).description(Some("Seconds to wait")).build())
            .build();
        BTreeMap::from([("429".to_string(), response.into())])
    }
}

/// 400 for a path or query parameter that does not parse (routes without a JSON body).
pub struct ParamErrors;

impl IntoResponses for ParamErrors {
    fn responses() -> BTreeMap<String, RefOr<Response>> {
        responses(&[("400", "A path or query parameter does not parse (`invalid_path`, `invalid_query`)")])
    }
}
