//! `bullpen import prices|actions`.

use std::collections::HashSet;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use bullpen_domain::Symbol;
use bullpen_market::actions::import_actions;
use bullpen_market::bars::{import_bars, load_symbols, BadRow};
use bullpen_store::NewInstrument;
use clap::Subcommand;

use crate::common::{open_store, progress};
use crate::DataArgs;

/// What to import.
#[derive(Debug, Subcommand)]
pub enum ImportCommand {
    /// Daily bars from CSV files or directories (`date,symbol,open,high,low,close,volume`, plain
    /// or gzip). A `symbols.csv` (`symbol,name,sector`) beside them names the instruments.
    Prices {
        /// Files or directories.
        #[arg(required = true)]
        paths: Vec<PathBuf>,
        /// The symbol list; defaults to `symbols.csv` in the first directory given.
        #[arg(long)]
        symbols: Option<PathBuf>,
    },
    /// Corporate actions (`date,symbol,type,value`; type `split` with `N:D` or `dividend`).
    Actions {
        /// The CSV file.
        file: PathBuf,
    },
}

fn report_bad_rows(rows: &[BadRow]) {
    for row in rows.iter().take(50) {
        eprintln!("bad row: {}:{}: {}", row.file.display(), row.line, row.reason);
    }
    if rows.len() > 50 {
        eprintln!("… and {} more bad rows", rows.len() - 50);
    }
}

/// Runs an import.
pub async fn run(what: ImportCommand, data: DataArgs) -> anyhow::Result<ExitCode> {
    let store = open_store(&data).await?;
    match what {
        ImportCommand::Prices { paths, symbols } => {
            let symbols_path = symbols
                .or_else(|| paths.iter().find(|p| p.is_dir()).map(|d| d.join("symbols.csv")).filter(|p| p.is_file()));
            let mut instruments: Vec<NewInstrument> = Vec::new();
            if let Some(path) = &symbols_path {
                let list = load_symbols(path).with_context(|| format!("reading {}", path.display()))?;
                report_bad_rows(&list.bad_rows);
                instruments.extend(list.symbols.into_iter().map(|s| NewInstrument {
                    symbol: s.symbol,
                    name: s.name,
                    sector: s.sector,
                }));
            }
            let imported = tokio::task::spawn_blocking(move || import_bars(&paths, None)).await??;
            report_bad_rows(&imported.bad_rows);
            for skipped in &imported.skipped_files {
                eprintln!("skipped file {}: {}", skipped.file.display(), skipped.reason);
            }
            // Instruments without a symbols.csv row get their symbol as name and no sector.
            let named: HashSet<Symbol> = instruments.iter().map(|i| i.symbol.clone()).collect();
            let mut extra: Vec<Symbol> =
                imported.bars.iter().map(|b| b.symbol.clone()).filter(|s| !named.contains(s)).collect();
            extra.sort();
            extra.dedup();
            instruments.extend(extra.into_iter().map(|s| NewInstrument {
                name: s.to_string(),
                symbol: s,
                sector: String::new(),
            }));
            store.upsert_instruments(&instruments).await?;
            let bar = progress(imported.bars.len() as u64, "bars");
            let mut written = 0;
            for chunk in imported.bars.chunks(20_000) {
                written += store.insert_bars(chunk).await?;
                bar.inc(chunk.len() as u64);
            }
            bar.finish_and_clear();
            println!(
                "imported {written} bars of {} instruments from {} files; {} bad rows skipped",
                instruments.len(),
                imported.files,
                imported.bad_rows.len()
            );
        }
        ImportCommand::Actions { file } => {
            let known: HashSet<Symbol> = store.instruments().await?.into_iter().map(|i| i.symbol).collect();
            let known = if known.is_empty() { None } else { Some(known) };
            let imported =
                import_actions(&file, known.as_ref()).with_context(|| format!("reading {}", file.display()))?;
            report_bad_rows(&imported.bad_rows);
            let written = store.insert_corporate_actions(&imported.actions).await?;
            println!("imported {written} corporate actions; {} bad rows skipped", imported.bad_rows.len());
        }
    }
    Ok(ExitCode::SUCCESS)
}
