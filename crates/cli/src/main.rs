//! `bullpen`: the one binary of the Bullpen fantasy stock market platform.

mod audit;
mod bench;
mod bench_http;
mod bench_warehouse;
mod check;
mod common;
mod demo;
mod etl;
mod feed;
mod import;
mod report;
mod serve;
mod simulate;
mod sql;
mod tournament;
mod user;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};

/// mimalloc instead of the system allocator: the HTTP path allocates a little per request on
/// every layer (hyper, routing, JSON), and glibc's malloc was ~14 % of the CPU of `bench http`;
/// with mimalloc the same run sustains ~35 % more orders per second (README, Performance).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Bullpen: fantasy stock market tournaments, exact to the cent.
#[derive(Debug, Parser)]
#[command(name = "bullpen", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
    /// Log format on stderr: text, or json (one object per line).
    #[arg(long, value_enum, default_value_t = common::LogFormat::Text, global = true)]
    log_format: common::LogFormat,
}

/// Where the data lives: SQLite under a directory (the default) or PostgreSQL.
#[derive(Debug, Clone, Args)]
pub struct DataArgs {
    /// Directory of the embedded SQLite database.
    #[arg(long, env = "BULLPEN_DATA_DIR", default_value = "./bullpen-data", global = true)]
    pub data_dir: PathBuf,
    /// PostgreSQL URL (postgres://…); when given, used instead of the data directory.
    #[arg(long, env = "BULLPEN_DATABASE_URL", global = true, hide_env_values = true)]
    pub database_url: Option<String>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the HTTP server (JSON API, Alpaca-compatible API, streams, operations endpoints).
    Serve(Box<serve::ServeArgs>),
    /// Run a whole tournament headless with bots and print the final standings.
    Simulate(simulate::SimulateArgs),
    /// Import market data.
    Import {
        #[command(subcommand)]
        what: import::ImportCommand,
        #[command(flatten)]
        data: DataArgs,
    },
    /// Create, list and show tournaments.
    Tournament {
        #[command(subcommand)]
        what: tournament::TournamentCommand,
        #[command(flatten)]
        data: DataArgs,
    },
    /// Reconcile every ledger; exits non-zero with a report when anything is wrong.
    Check(check::CheckArgs),
    /// Drive a running tournament from a live NDJSON quote feed (stdin or TCP).
    Feed(feed::FeedArgs),
    /// Manage sign-in accounts (`user create --admin` makes the first admin).
    User {
        #[command(subcommand)]
        what: user::UserCommand,
        #[command(flatten)]
        data: DataArgs,
    },
    /// Check the hash-chained audit log.
    Audit {
        #[command(subcommand)]
        what: audit::AuditCommand,
        #[command(flatten)]
        data: DataArgs,
    },
    /// Export the store into the analytics warehouse (Parquet), once or with --follow.
    Etl(etl::EtlArgs),
    /// SQL over the analytics warehouse: one statement, a report query, or a prompt on stdin.
    Sql(sql::SqlArgs),
    /// A report from the analytics warehouse: one entry's or a whole tournament's, over a window
    /// of days, as PDF, CSV, HTML or JSON.
    Report(report::ReportArgs),
    /// Benchmarks that print what they measure.
    Bench {
        #[command(subcommand)]
        what: BenchWhat,
    },
}

/// The benchmarks of `bench.rs` and the warehouse's.
#[derive(Debug, Subcommand)]
enum BenchWhat {
    #[command(flatten)]
    Engine(bench::BenchCommand),
    /// Analytics warehouse: ETL throughput, report and peer-query times (PostgreSQL side by side).
    Warehouse(bench_warehouse::WarehouseBenchArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let default_log = if matches!(cli.command, Command::Serve(_)) { "info" } else { "warn" };
    common::init_logging(cli.log_format, default_log);
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let result = runtime.block_on(async move {
        match cli.command {
            Command::Serve(args) => serve::run(*args).await,
            Command::Simulate(args) => simulate::run(args).await,
            Command::Import { what, data } => import::run(what, data).await,
            Command::Tournament { what, data } => tournament::run(what, data).await,
            Command::Check(args) => check::run(args).await,
            Command::Feed(args) => feed::run(args).await,
            Command::Etl(args) => etl::run(args).await,
            Command::Sql(args) => sql::run(args).await,
            Command::Report(args) => report::run(args).await,
            Command::Bench { what: BenchWhat::Engine(what) } => bench::run(what).await,
            Command::Bench { what: BenchWhat::Warehouse(args) } => bench_warehouse::run(args).await,
            Command::User { what, data } => user::run(what, data).await,
            Command::Audit { what, data } => audit::run(what, data).await,
        }
    });
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}
