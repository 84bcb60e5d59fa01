//! The one place that decides who may call what.
//!
//! Every route declares an [`Access`] when it is registered ([`crate::routes::Routes`]); the
//! authorisation middleware ([`crate::authorize`]) resolves the caller and asks [`decide`]. A
//! route registered without a rule cannot be reached (fail closed), and a test walks every
//! route × role to prove each answer.

use bullpen_store::{KeyScope, Role};

use crate::identity::Principal;

/// Who may call a route.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Anyone, signed in or not.
    Public,
    /// Anyone signed in (any role).
    SignedIn,
    /// A signed-in user with one of these roles.
    Roles(&'static [Role]),
    /// A member of the organisation named by the `{org_id}` path parameter, or an admin.
    OrgMember,
    /// A signed-in user (acting on their own entry), or an API key of the tournament named by
    /// the `{tournament_id}` path parameter (any scope).
    TournamentRead,
    /// Like [`Access::TournamentRead`], but an API key needs the trade scope.
    TournamentTrade,
    /// Any API key (reads on the key's own entry).
    KeyRead,
    /// An API key with the trade scope.
    KeyTrade,
}

/// Only admins.
pub const ADMIN: Access = Access::Roles(&[Role::Admin]);

/// The answer for one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// Go ahead.
    Allow,
    /// 401: no (valid) credentials.
    Unauthenticated,
    /// 403: known caller, not allowed.
    Forbidden,
}

/// The path parameters the policy looks at.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Scope {
    /// `{org_id}`, when the route has one and it parsed.
    pub org_id: Option<i64>,
    /// `{tournament_id}`, when the route has one and it parsed.
    pub tournament_id: Option<i64>,
}

/// Decides one request.
pub fn decide(access: Access, caller: &Principal, scope: Scope) -> Decision {
    use Decision::{Allow, Forbidden, Unauthenticated};
    match (access, caller) {
        (Access::Public, _) => Allow,
        (_, Principal::Anonymous) => Unauthenticated,

        (Access::SignedIn, Principal::User(_)) => Allow,
        (Access::Roles(roles), Principal::User(u)) => allow_if(roles.contains(&u.role)),
        (Access::OrgMember, Principal::User(u)) => {
            allow_if(u.role == Role::Admin || scope.org_id.is_some_and(|org| u.organisations.contains(&org)))
        }
        (Access::TournamentRead | Access::TournamentTrade, Principal::User(_)) => Allow,
        (Access::KeyRead | Access::KeyTrade, Principal::User(_)) => Unauthenticated,

        (Access::TournamentRead, Principal::Key(k)) => allow_if(scope.tournament_id == Some(k.tournament_id.0)),
        (Access::TournamentTrade, Principal::Key(k)) => {
            allow_if(scope.tournament_id == Some(k.tournament_id.0) && k.scope == KeyScope::Trade)
        }
        (Access::KeyRead, Principal::Key(_)) => Allow,
        (Access::KeyTrade, Principal::Key(k)) => allow_if(k.scope == KeyScope::Trade),
        (Access::SignedIn | Access::Roles(_) | Access::OrgMember, Principal::Key(_)) => Forbidden,
    }
}

fn allow_if(ok: bool) -> Decision {
    if ok {
        Decision::Allow
    } else {
        Decision::Forbidden
    }
}
