//! Admin page for the audit log: entries newest first, a page at a time, and verification of
//! the whole hash chain with [`AuditVerifier`] on request.

use std::collections::HashMap;

use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use bullpen_store::{AuditBreak, AuditEntry, AuditVerifier};
use maud::{html, Markup};
use serde::Deserialize;

use super::admin_nav;
use crate::error::ApiResult;
use crate::pages::account::{error_page, query_or_default};
use crate::pages::layout::{empty, page, time, Viewer};
use crate::policy::ADMIN;
use crate::routes::Routes;
use crate::state::AppState;

/// Entries per page.
pub const PAGE_SIZE: i64 = 50;
/// Entries read per store call while verifying.
const VERIFY_BATCH: u32 = 1_000;

/// The audit routes.
pub fn routes() -> Routes {
    Routes::new().get("/admin/audit", ADMIN, get(audit_page))
}

/// Which page, and whether to verify the chain.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct AuditQuery {
    /// Show entries with a smaller sequence number (the cursor of older pages).
    pub before: Option<i64>,
    /// Set to verify the whole chain.
    pub verify: Option<String>,
}

/// The sequence number of the newest audit entry (0 when the log is empty), in O(log n) reads:
/// the store pages forward only, so this gallops and then bisects on "is there an entry after
/// k".
pub async fn last_seq(state: &AppState) -> ApiResult<i64> {
    let after = |k: i64| async move { state.store.audit_entries(k, 1).await.map(|e| !e.is_empty()) };
    if !after(0).await? {
        return Ok(0);
    }
    // Invariant: an entry after `lo` exists; none after `hi` (once found).
    let mut lo = 0_i64;
    let mut hi = 1_i64;
    while after(hi).await? {
        lo = hi;
        hi = hi.saturating_mul(2);
        if hi == i64::MAX {
            break;
        }
    }
    while hi - lo > 1 {
        let mid = lo + (hi - lo) / 2;
        if after(mid).await? {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    Ok(hi)
}

/// The outcome of a chain verification.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verification {
    /// Every entry links to the one before it and matches its hash.
    Intact {
        /// Entries verified.
        entries: i64,
    },
    /// The first problem found.
    Broken {
        /// The entry concerned (the missing one for a gap).
        seq: i64,
        /// What is wrong.
        problem: String,
        /// Entries verified before it.
        verified: i64,
    },
}

/// Walks the whole chain.
pub async fn verify_chain(state: &AppState) -> ApiResult<Verification> {
    let mut verifier = AuditVerifier::default();
    let mut after = 0;
    loop {
        let batch = state.store.audit_entries(after, VERIFY_BATCH).await?;
        for entry in &batch {
            if let Err(b) = verifier.check(entry) {
                let seq = match &b {
                    AuditBreak::Gap { expected, .. } => *expected,
                    AuditBreak::BrokenLink { seq } | AuditBreak::Modified { seq } => *seq,
                };
                return Ok(Verification::Broken { seq, problem: b.to_string(), verified: verifier.verified() });
            }
        }
        match batch.last() {
            Some(last) if batch.len() == VERIFY_BATCH as usize => after = last.seq,
            _ => break,
        }
    }
    Ok(Verification::Intact { entries: verifier.verified() })
}

struct Listing {
    entries: Vec<AuditEntry>,
    handles: HashMap<i64, String>,
    last: i64,
    before: i64,
}

async fn listing(state: &AppState, before: Option<i64>) -> ApiResult<Listing> {
    let last = last_seq(state).await?;
    let before = before.unwrap_or(last + 1).clamp(1, last + 1);
    let from = (before - 1 - PAGE_SIZE).max(0);
    let limit = u32::try_from(before - 1 - from).unwrap_or(0);
    let mut entries = if limit == 0 { Vec::new() } else { state.store.audit_entries(from, limit).await? };
    entries.retain(|e| e.seq < before);
    entries.reverse();
    let mut handles = HashMap::new();
    for actor in entries.iter().filter_map(|e| e.draft.actor) {
        if let std::collections::hash_map::Entry::Vacant(slot) = handles.entry(actor.0) {
            if let Some(user) = state.store.user(actor).await? {
                slot.insert(user.handle);
            }
        }
    }
    Ok(Listing { entries, handles, last, before })
}

fn view(viewer: &Viewer, l: &Listing, verification: Option<&Verification>) -> Markup {
    let older = l.entries.last().map(|e| e.seq).filter(|s| *s > 1);
    let newer = (l.before <= l.last).then(|| (l.before + PAGE_SIZE).min(l.last + 1));
    page(
        viewer,
        "Audit log — administration",
        html! {
            (admin_nav("/admin/audit"))
            h1 { "Audit log" }
            p {
                "Every sign-in, key change and admin action, chained by hash so that a changed, removed or "
                "reordered entry is detected. " (l.last) " entries."
            }
            section aria-labelledby="verify-h" {
                h2 #verify-h { "Chain verification" }
                @match verification {
                    Some(Verification::Intact { entries }) => {
                        p.notice.good role="status" { "Verified: the chain of " (entries) " entries is intact." }
                    }
                    Some(Verification::Broken { seq, problem, verified }) => {
                        div.notice.bad role="alert" {
                            p { strong { "Verification FAILED at entry " (seq) "." } " " (problem) "." }
                            p { (verified) " entries before it verified." }
                        }
                    }
                    None => {}
                }
                form method="get" action="/admin/audit" {
                    input type="hidden" name="verify" value="1";
                    button.secondary type="submit" { "Verify chain" }
                }
            }
            section aria-labelledby="entries-h" {
                h2 #entries-h { "Entries, newest first" }
                @if l.last == 0 {
                    (empty("Nothing is recorded yet: entries appear when people sign up or in, create or revoke API keys, and when admins change something.", None))
                } @else if l.entries.is_empty() {
                    (empty("No audit entries on this page.", Some(("/admin/audit", "Newest entries"))))
                } @else {
                    div.table-wrap {
                        table.audit {
                            thead { tr {
                                th scope="col" class="num" { "#" }
                                th scope="col" { "When" }
                                th scope="col" { "Who" }
                                th scope="col" { "Action" }
                                th scope="col" { "Target" }
                                th scope="col" { "Detail" }
                            } }
                            tbody {
                                @for e in &l.entries {
                                    tr {
                                        td.num { (e.seq) }
                                        td { (time(e.draft.at)) }
                                        td {
                                            @match e.draft.actor {
                                                Some(a) => (l.handles.get(&a.0).cloned().unwrap_or_else(|| format!("user {}", a.0))),
                                                None => span.muted { "anonymous" },
                                            }
                                        }
                                        td { code { (e.draft.action) } }
                                        td { (e.draft.target) }
                                        td.detail { code { (e.draft.detail) } }
                                    }
                                }
                            }
                        }
                    }
                }
                nav.pager aria-label="Pages of the audit log" {
                    @if let Some(n) = newer { a href=(format!("/admin/audit?before={n}")) { "Newer entries" } " " }
                    @if let Some(o) = older { a href=(format!("/admin/audit?before={o}")) { "Older entries" } }
                }
            }
        },
    )
}

async fn audit_page(
    State(state): State<AppState>,
    viewer: Viewer,
    query: Result<Query<AuditQuery>, QueryRejection>,
) -> Response {
    let q = query_or_default(query);
    let result = async {
        let l = listing(&state, q.before).await?;
        let verification = match q.verify {
            Some(_) => Some(verify_chain(&state).await?),
            None => None,
        };
        Ok::<_, crate::error::ApiError>(view(&viewer, &l, verification.as_ref()))
    }
    .await;
    match result {
        Ok(markup) => markup.into_response(),
        Err(e) => error_page(&viewer, &e),
    }
}
