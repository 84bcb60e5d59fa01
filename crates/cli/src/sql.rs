//! `bullpen sql`: SQL over the warehouse (DataFusion) — one statement from the command line, a
//! named report query, or an interactive prompt reading statements (each ending with `;`) from
//! standard input. Never touches the production store.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use bullpen_warehouse::datafusion::prelude::SessionContext;
use bullpen_warehouse::output::write_batches;
use bullpen_warehouse::queries::{run_report, run_sql, ReportResult};
use bullpen_warehouse::{open_session, OutputFormat, Report, ReportParams};
use clap::Args;
use tokio::io::AsyncBufReadExt;

use crate::etl::WarehouseArgs;
use crate::DataArgs;

/// Arguments of `bullpen sql`.
#[derive(Debug, Args)]
pub struct SqlArgs {
    /// The statement to run; without one (and without --report), statements are read from
    /// standard input, each ending with `;`.
    pub query: Option<String>,
    /// Output format: table, csv, json or parquet.
    #[arg(long, default_value = "table")]
    pub format: String,
    /// Write the result to this file instead of standard output.
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Run a report query by name: trader_summary, trader_risk, pnl_by_symbol, peer_round_trips.
    #[arg(long, conflicts_with = "query", requires_all = ["tournament", "entry"])]
    pub report: Option<String>,
    /// The tournament of --report.
    #[arg(long)]
    pub tournament: Option<i64>,
    /// The entry of --report.
    #[arg(long)]
    pub entry: Option<i64>,
    #[command(flatten)]
    pub warehouse: WarehouseArgs,
    #[command(flatten)]
    pub data: DataArgs,
}

fn emit(result: &ReportResult, format: OutputFormat, out: Option<&PathBuf>) -> anyhow::Result<()> {
    match out {
        Some(path) => {
            let mut file = std::io::BufWriter::new(
                std::fs::File::create(path).with_context(|| format!("cannot create {}", path.display()))?,
            );
            write_batches(&result.batches, &result.schema, format, &mut file)?;
            file.flush().with_context(|| format!("cannot write {}", path.display()))?;
        }
        None => {
            if format == OutputFormat::Parquet && std::io::stdout().is_terminal() {
                anyhow::bail!("Parquet output is binary: give --out FILE or redirect standard output");
            }
            let stdout = std::io::stdout();
            let mut lock = stdout.lock();
            write_batches(&result.batches, &result.schema, format, &mut lock)?;
            lock.flush().context("cannot write to standard output")?;
        }
    }
    Ok(())
}

/// Reads statements from standard input and runs each; errors are printed and the prompt goes on.
async fn interactive(ctx: &SessionContext, format: OutputFormat, out: Option<&PathBuf>) -> anyhow::Result<ExitCode> {
    let terminal = std::io::stdin().is_terminal();
    let prompt = |continuation: bool| {
        if terminal {
            eprint!("{}", if continuation { "     ...> " } else { "bullpen> " });
        }
    };
    if terminal {
        eprintln!("SQL over the warehouse. End statements with `;`. Tables: SHOW TABLES; quit with \\q or Ctrl-D.");
    }
    let mut lines = tokio::io::BufReader::new(tokio::io::stdin()).lines();
    let mut statement = String::new();
    let mut failures = 0u32;
    prompt(false);
    while let Some(line) = lines.next_line().await.context("cannot read standard input")? {
        let trimmed = line.trim();
        if statement.is_empty() && matches!(trimmed, "\\q" | "quit" | "exit") {
            break;
        }
        if !statement.is_empty() {
            statement.push('\n');
        }
        statement.push_str(&line);
        if !trimmed.ends_with(';') {
            prompt(!statement.trim().is_empty());
            continue;
        }
        let sql = std::mem::take(&mut statement);
        match run_sql(ctx, sql.trim().trim_end_matches(';')).await {
            Ok(result) => emit(&result, format, out)?,
            Err(e) => {
                failures += 1;
                eprintln!("error: {e}");
            }
        }
        prompt(false);
    }
    if !statement.trim().is_empty() {
        match run_sql(ctx, statement.trim()).await {
            Ok(result) => emit(&result, format, out)?,
            Err(e) => {
                failures += 1;
                eprintln!("error: {e}");
            }
        }
    }
    Ok(if failures == 0 { ExitCode::SUCCESS } else { ExitCode::FAILURE })
}

/// Runs `bullpen sql`.
pub async fn run(args: SqlArgs) -> anyhow::Result<ExitCode> {
    let format: OutputFormat = args.format.parse()?;
    let location = args.warehouse.location(&args.data.data_dir)?;
    let ctx = open_session(&location).await.context("cannot open the warehouse")?;
    if let Some(name) = &args.report {
        let report = Report::parse(name)?;
        let (Some(tournament_id), Some(entry_id)) = (args.tournament, args.entry) else {
            anyhow::bail!("--report needs --tournament and --entry");
        };
        let result = run_report(&ctx, report, ReportParams { tournament_id, entry_id }).await?;
        emit(&result, format, args.out.as_ref())?;
        return Ok(ExitCode::SUCCESS);
    }
    match &args.query {
        Some(sql) => {
            let result = run_sql(&ctx, sql).await?;
            emit(&result, format, args.out.as_ref())?;
            Ok(ExitCode::SUCCESS)
        }
        None => interactive(&ctx, format, args.out.as_ref()).await,
    }
}
