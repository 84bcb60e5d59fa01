//! Prints the detectors' precision and recall on simulated traders' streams with injected
//! anomalies (oversized trades, odd hours, extreme holding times) and colluding pairs, at the
//! flagging thresholds the server uses.
//!
//! `cargo run --release -p bullpen-insights --example evaluate [SEED]`

use std::process::ExitCode;

use bullpen_insights::evaluation::{evaluate, EvalConfig};

fn main() -> ExitCode {
    let mut config = EvalConfig::default();
    if let Some(seed) = std::env::args().nth(1) {
        match seed.parse() {
            Ok(seed) => config.seed = seed,
            Err(_) => {
                eprintln!("the seed must be a whole number, got `{seed}`");
                return ExitCode::from(2);
            }
        }
    }
    println!(
        "{} traders x {} round trips, {:.1} % injected anomalies, {} colluding pairs of {} events, seed {}",
        config.traders,
        config.trades_per_trader,
        config.anomaly_rate * 100.0,
        config.colluding_pairs,
        config.collusion_events,
        config.seed
    );
    match evaluate(&config) {
        Ok(report) => {
            println!("{report}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("evaluation failed: {e}");
            ExitCode::FAILURE
        }
    }
}
