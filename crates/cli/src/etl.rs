//! `bullpen etl`: exports the store into the analytics warehouse (Parquet files in a directory
//! or an S3-compatible bucket), once or continuously with `--follow`.
//!
//! The warehouse crate depends on the domain only; `bullpen_analytics::StoreSource` adapts the
//! store to what it reads.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context;
use bullpen_analytics::StoreSource;
use bullpen_warehouse::{ExportOptions, ExportReport, Exporter, Location, S3Options};
use clap::Args;

use crate::DataArgs;

/// Where the warehouse is: flags and `BULLPEN_WAREHOUSE_*` environment variables.
#[derive(Debug, Clone, Args)]
pub struct WarehouseArgs {
    /// Warehouse location: a directory, file:///dir or s3://bucket/prefix [default: <data-dir>/warehouse].
    #[arg(long = "warehouse", env = "BULLPEN_WAREHOUSE_URL")]
    pub url: Option<String>,
    /// S3 endpoint URL (MinIO and other S3-compatible stores), e.g. http://127.0.0.1:9000.
    #[arg(long, env = "BULLPEN_WAREHOUSE_ENDPOINT")]
    pub s3_endpoint: Option<String>,
    /// S3 region.
    #[arg(long, env = "BULLPEN_WAREHOUSE_REGION")]
    pub s3_region: Option<String>,
    /// S3 access key id.
    #[arg(long, env = "BULLPEN_WAREHOUSE_ACCESS_KEY_ID", hide_env_values = true)]
    pub s3_access_key_id: Option<String>,
    /// S3 secret access key (prefer the environment variable to the flag).
    #[arg(long, env = "BULLPEN_WAREHOUSE_SECRET_ACCESS_KEY", hide_env_values = true)]
    pub s3_secret_access_key: Option<String>,
    /// Allow a plain http:// S3 endpoint.
    #[arg(long, env = "BULLPEN_WAREHOUSE_ALLOW_HTTP")]
    pub s3_allow_http: bool,
}

impl WarehouseArgs {
    /// The warehouse location; `<data_dir>/warehouse` when no URL is given.
    pub fn location(&self, data_dir: &Path) -> anyhow::Result<Location> {
        let s3 = S3Options {
            endpoint: self.s3_endpoint.clone(),
            region: self.s3_region.clone(),
            access_key_id: self.s3_access_key_id.clone(),
            secret_access_key: self.s3_secret_access_key.clone(),
            allow_http: self.s3_allow_http,
        };
        let location = match &self.url {
            Some(url) => Location::parse(url, &s3)?,
            None => Location::local(&default_dir(data_dir))?,
        };
        Ok(location)
    }
}

/// Arguments of `bullpen etl`.
#[derive(Debug, Args)]
pub struct EtlArgs {
    /// Keep exporting every `--interval` seconds until SIGINT or SIGTERM.
    #[arg(long)]
    pub follow: bool,
    /// Seconds between exports with `--follow`.
    #[arg(long, default_value_t = 30)]
    pub interval: u64,
    /// Print each export's report as one JSON line.
    #[arg(long)]
    pub json: bool,
    /// Salt of the trader pseudonyms, 64 hex digits (default: the warehouse's own, created once).
    #[arg(long, env = "BULLPEN_WAREHOUSE_SALT", hide_env_values = true)]
    pub salt: Option<String>,
    #[command(flatten)]
    pub warehouse: WarehouseArgs,
    #[command(flatten)]
    pub data: DataArgs,
}

/// Prints one export's report.
pub fn print_report(report: &ExportReport, elapsed: Duration, json: bool) {
    if json {
        let line = serde_json::json!({
            "tables": report.tables,
            "rows": report.total_rows(),
            "seconds": elapsed.as_secs_f64(),
            "lag": report.lag,
        });
        println!("{line}");
        return;
    }
    let rows = report.total_rows();
    let rate = rows as f64 / elapsed.as_secs_f64().max(1e-9);
    println!("exported {rows} rows in {:.2} s ({rate:.0} rows/s)", elapsed.as_secs_f64());
    for (table, counts) in &report.tables {
        println!("  {table:<17} {:>10} rows {:>6} files", counts.rows, counts.files);
    }
    let seconds = report.lag.seconds_behind.map_or_else(|| "unknown".to_string(), |s| format!("{s:.0} s"));
    println!("lag: {} sequence numbers behind, {seconds} of data time", report.lag.seq_behind);
}

/// SIGINT and SIGTERM listeners installed once, before the first export, so a signal that
/// arrives between two exports (or right after a report is printed) is never missed.
struct StopSignals {
    interrupt: tokio::signal::unix::Signal,
    terminate: tokio::signal::unix::Signal,
}

impl StopSignals {
    fn install() -> anyhow::Result<Self> {
        use tokio::signal::unix::{signal, SignalKind};
        Ok(Self {
            interrupt: signal(SignalKind::interrupt()).context("cannot listen for SIGINT")?,
            terminate: signal(SignalKind::terminate()).context("cannot listen for SIGTERM")?,
        })
    }

    /// Resolves when either signal arrives (or has arrived since the listeners were installed).
    async fn received(&mut self) {
        tokio::select! {
            _ = self.interrupt.recv() => {}
            _ = self.terminate.recv() => {}
        }
    }
}

/// Runs `bullpen etl`.
pub async fn run(args: EtlArgs) -> anyhow::Result<ExitCode> {
    let mut stop = StopSignals::install()?;
    let store = crate::common::open_store(&args.data).await?;
    let location = args.warehouse.location(&args.data.data_dir)?;
    let options = ExportOptions { salt_hex: args.salt.clone(), ..ExportOptions::default() };
    let exporter =
        Exporter::open(location, Arc::new(StoreSource(store)), options).await.context("cannot open the warehouse")?;
    let interval = Duration::from_secs(args.interval.max(1));
    loop {
        let started = Instant::now();
        // A signal stops the export wherever it is: a step left half-done is redone by the
        // next run (see the warehouse's checkpoint), so stopping early loses nothing.
        let outcome = tokio::select! {
            r = exporter.run_once() => Some(r),
            () = stop.received() => None,
        };
        match outcome {
            None => {
                eprintln!("stopped");
                return Ok(ExitCode::SUCCESS);
            }
            Some(Ok(report)) => print_report(&report, started.elapsed(), args.json),
            Some(Err(e)) if args.follow => tracing::error!(error = %e, "export failed; retrying at the next interval"),
            Some(Err(e)) => return Err(e).context("export failed"),
        }
        if !args.follow {
            return Ok(ExitCode::SUCCESS);
        }
        tokio::select! {
            () = stop.received() => return Ok(ExitCode::SUCCESS),
            () = tokio::time::sleep(interval) => {}
        }
    }
}

/// The default warehouse directory of a data directory.
pub fn default_dir(data_dir: &Path) -> PathBuf {
    data_dir.join("warehouse")
}
