//! `bullpen audit verify`: walks the whole hash-chained audit log and reports the first entry
//! that was modified, removed or moved.

use std::process::ExitCode;

use bullpen_store::{AuditBreak, AuditVerifier};
use clap::Subcommand;

use crate::common::open_store;
use crate::DataArgs;

/// Entries read per page.
const PAGE: u32 = 1_000;

/// `bullpen audit …`
#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// Verify the audit log's hash chain; exits 1 naming the first broken entry.
    Verify,
}

/// Runs an `audit` subcommand.
pub async fn run(what: AuditCommand, data: DataArgs) -> anyhow::Result<ExitCode> {
    match what {
        AuditCommand::Verify => verify(data).await,
    }
}

/// The entry a break is about: the missing one for a gap, else the entry itself.
fn broken_entry(b: &AuditBreak) -> i64 {
    match b {
        AuditBreak::Gap { expected, .. } => *expected,
        AuditBreak::BrokenLink { seq } | AuditBreak::Modified { seq } => *seq,
    }
}

async fn verify(data: DataArgs) -> anyhow::Result<ExitCode> {
    let store = open_store(&data).await?;
    let mut verifier = AuditVerifier::default();
    let mut after = 0;
    loop {
        let page = store.audit_entries(after, PAGE).await?;
        for entry in &page {
            if let Err(b) = verifier.check(entry) {
                println!("audit log verification FAILED at entry {}: {b}", broken_entry(&b));
                println!("{} entries before it verified", verifier.verified());
                return Ok(ExitCode::FAILURE);
            }
        }
        match page.last() {
            Some(last) if page.len() == PAGE as usize => after = last.seq,
            _ => break,
        }
    }
    println!("audit log verified: {} entries", verifier.verified());
    Ok(ExitCode::SUCCESS)
}
