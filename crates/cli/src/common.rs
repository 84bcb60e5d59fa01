//! Helpers shared by the subcommands: logging, opening the store, progress bars.

use std::io::IsTerminal;
use std::sync::Arc;

use anyhow::Context;
use bullpen_store::Store;
use indicatif::{ProgressBar, ProgressStyle};

use crate::DataArgs;

/// How log lines are written.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum LogFormat {
    /// Human-readable lines.
    #[default]
    Text,
    /// One JSON object per line (structured logs for collectors).
    Json,
}

/// Logs go to stderr; `BULLPEN_LOG` sets the filter (default `default_filter`, e.g. `warn`).
/// Nothing logs secrets: passwords, tokens, API-key secrets and database URLs are never fields.
pub fn init_logging(format: LogFormat, default_filter: &str) {
    let filter = tracing_subscriber::EnvFilter::try_from_env("BULLPEN_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default_filter));
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr);
    let _ = match format {
        LogFormat::Text => builder.try_init(),
        LogFormat::Json => builder.json().try_init(),
    };
}

/// Opens the store the data arguments name.
pub async fn open_store(data: &DataArgs) -> anyhow::Result<Arc<dyn Store>> {
    bullpen_store::open_store(&data.data_dir, data.database_url.as_deref()).await.with_context(|| {
        match &data.database_url {
            Some(_) => "cannot open the PostgreSQL database".to_string(),
            None => format!("cannot open the data directory {}", data.data_dir.display()),
        }
    })
}

/// A progress bar on a terminal, a hidden one otherwise (so piped output stays clean).
pub fn progress(len: u64, what: &str) -> ProgressBar {
    if !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(len);
    if let Ok(style) = ProgressStyle::with_template("{msg:>12} [{bar:40}] {pos}/{len} ({eta})") {
        bar.set_style(style.progress_chars("=> "));
    }
    bar.set_message(what.to_string());
    bar
}
