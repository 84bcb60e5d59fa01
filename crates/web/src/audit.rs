//! Recording security- and money-relevant actions in the hash-chained audit log.
//! Details are JSON and must never hold secrets (passwords, tokens, key secrets).

use bullpen_domain::UserId;
use bullpen_store::AuditDraft;

use crate::error::ApiResult;
use crate::state::AppState;

/// Appends one entry (`action` is a stable dotted name such as `auth.sign_in`,
/// `api_key.revoke`, `admin.user.role`).
pub async fn record(
    state: &AppState,
    actor: Option<UserId>,
    action: &str,
    target: impl std::fmt::Display,
    detail: serde_json::Value,
) -> ApiResult<()> {
    let draft = AuditDraft {
        at: state.clock.now(),
        actor,
        action: action.to_string(),
        target: target.to_string(),
        detail: detail.to_string(),
    };
    state.store.append_audit(&draft).await?;
    Ok(())
}
