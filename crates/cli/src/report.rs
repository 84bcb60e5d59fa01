//! `bullpen report`: one entry's report (`--entry`) or a whole tournament's (`--tournament`)
//! over a window of days, built from the analytics warehouse only (never the store) and written
//! as PDF, CSV, HTML or JSON. The same build as the server's report jobs.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use bullpen_analytics::jobs::{build_report, ReportFormat, ReportRequest, ReportScope};
use bullpen_analytics::AnalyticsError;
use bullpen_domain::EntryId;
use chrono::NaiveDate;
use clap::Args;

use crate::etl::WarehouseArgs;
use crate::DataArgs;

/// Arguments of `bullpen report`.
#[derive(Debug, Args)]
pub struct ReportArgs {
    /// The entry whose report to build (its tournament is part of the id).
    #[arg(long, conflicts_with = "tournament", required_unless_present = "tournament")]
    pub entry: Option<i64>,
    /// A whole tournament's report (standings, risk, distribution) instead of one entry's.
    #[arg(long)]
    pub tournament: Option<i64>,
    /// First day, YYYY-MM-DD.
    #[arg(long)]
    pub from: String,
    /// Last day, YYYY-MM-DD (inclusive).
    #[arg(long)]
    pub to: String,
    /// pdf, csv, html or json.
    #[arg(long, default_value = "pdf")]
    pub format: String,
    /// The file to write.
    #[arg(long)]
    pub out: PathBuf,
    #[command(flatten)]
    pub warehouse: WarehouseArgs,
    #[command(flatten)]
    pub data: DataArgs,
}

fn parse_day(flag: &str, text: &str) -> anyhow::Result<NaiveDate> {
    NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d")
        .with_context(|| format!("--{flag} {text}: not a date (expected YYYY-MM-DD, e.g. 2024-01-02)"))
}

/// Runs `bullpen report`.
pub async fn run(args: ReportArgs) -> anyhow::Result<ExitCode> {
    let from = parse_day("from", &args.from)?;
    let to = parse_day("to", &args.to)?;
    let format: ReportFormat = args.format.parse()?;
    let scope = match (args.entry, args.tournament) {
        (Some(entry), _) => ReportScope::Entry { tournament_id: EntryId(entry).tournament().0, entry_id: entry },
        (None, Some(tournament_id)) => ReportScope::Tournament { tournament_id },
        (None, None) => anyhow::bail!("give --entry ID or --tournament ID"),
    };
    let location = args.warehouse.location(&args.data.data_dir)?;
    let request = ReportRequest { scope, from, to, format, requested_by: 0 };
    request.window()?;
    let bar = crate::common::progress(100, "report");
    let show = |percent: u8, stage: &str| {
        bar.set_position(u64::from(percent));
        bar.set_message(stage.to_string());
    };
    let file = match build_report(&location, &request, &show).await {
        Ok(file) => file,
        Err(AnalyticsError::NotFound(what)) => {
            bar.finish_and_clear();
            anyhow::bail!("{what}");
        }
        Err(e) => {
            bar.finish_and_clear();
            return Err(e).context("cannot build the report");
        }
    };
    bar.finish_and_clear();
    std::fs::write(&args.out, &file.bytes).with_context(|| format!("cannot write {}", args.out.display()))?;
    println!("wrote {} ({} bytes, {})", args.out.display(), file.bytes.len(), file.content_type);
    Ok(ExitCode::SUCCESS)
}
