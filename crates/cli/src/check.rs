//! `bullpen check`: reconcile every ledger.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use bullpen_domain::{OrderId, TournamentId};
use bullpen_engine::check::check_tournament;
use clap::Args;

use crate::common::{open_store, progress};
use crate::DataArgs;

/// Arguments of `bullpen check`.
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Check only this tournament.
    #[arg(long)]
    pub tournament: Option<i64>,
    /// A file of order ids (one per line) that clients saw acknowledged; each must be present.
    #[arg(long)]
    pub acked: Option<PathBuf>,
    /// Print the report as JSON.
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub data: DataArgs,
}

fn read_acked(path: &PathBuf) -> anyhow::Result<Vec<OrderId>> {
    let text = std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .enumerate()
        .map(|(i, l)| {
            l.parse::<i64>()
                .map(OrderId)
                .with_context(|| format!("{}:{}: `{l}` is not an order id", path.display(), i + 1))
        })
        .collect()
}

/// Runs the check; exit code 1 when any tournament does not reconcile.
pub async fn run(args: CheckArgs) -> anyhow::Result<ExitCode> {
    let store = open_store(&args.data).await?;
    let acked = match &args.acked {
        Some(path) => read_acked(path)?,
        None => Vec::new(),
    };
    let ids: Vec<TournamentId> = match args.tournament {
        Some(id) => vec![TournamentId(id)],
        None => store.tournaments().await?.into_iter().map(|t| t.id).collect(),
    };
    let mut reports = Vec::with_capacity(ids.len());
    let bar = progress(ids.len() as u64, "tournaments");
    for id in ids {
        reports.push(check_tournament(store.as_ref(), id, &acked).await?);
        bar.inc(1);
    }
    bar.finish_and_clear();
    let unmatched = acked.iter().filter(|a| !reports.iter().any(|r| r.tournament_id == a.tournament().0)).count();
    let ok = reports.iter().all(|r| r.is_ok()) && unmatched == 0;
    if args.json {
        println!(
            "{}",
            serde_json::to_string_pretty(
                &serde_json::json!({ "ok": ok, "tournaments": reports, "acknowledged_in_unknown_tournaments": unmatched })
            )?
        );
    } else {
        for r in &reports {
            let verdict = if r.is_ok() { "ok" } else { "FAILED" };
            println!(
                "{verdict:>6}  tournament {} ({}): {} entries, {} ledger entries, {} orders, {} acknowledged orders verified",
                r.tournament_id, r.name, r.entries, r.ledger_entries, r.orders, r.acknowledged_checked
            );
            for p in &r.problems {
                println!("        - {p}");
            }
        }
        if unmatched > 0 {
            println!("FAILED  {unmatched} acknowledged orders belong to tournaments that do not exist");
        }
        println!("{}", if ok { "all ledgers reconcile" } else { "reconciliation FAILED" });
    }
    Ok(if ok { ExitCode::SUCCESS } else { ExitCode::FAILURE })
}
