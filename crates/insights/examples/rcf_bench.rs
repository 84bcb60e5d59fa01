//! Random Cut Forest throughput: score-and-update on one thread.
//!
//! `cargo run --release -p bullpen-insights --example rcf_bench [-- POINTS [TREES SAMPLE DIMS]]`
//!
//! Runs a forest (default 50 trees × 256 samples) over a fixed seeded stream of 6-dimensional
//! points (default 200,000, 0.5 % anomalies), calling `update` (score, then sample/insert) for
//! each, and prints operations per second and a fingerprint of the scores. The fingerprint must
//! not change when the code is only made faster: with the default arguments it is compared with
//! [`RECORDED`], and the benchmark exits with status 1 if it differs.
//!
//! The machine may be shared: besides wall-clock throughput the benchmark prints the CPU time
//! the thread actually got (from `/proc/thread-self/stat`, Linux only), and throughput per
//! CPU-second, which other processes disturb less.

use std::time::Instant;

use bullpen_insights::evaluation::synthetic_stream;
use bullpen_insights::rrcf::{ForestConfig, RandomCutForest, ScoreFingerprint};

/// The fingerprint of the default run (200,000 points, 50 trees × 256, 6 dimensions), recorded
/// when the implementation was written and unchanged by every optimisation since. Re-record it
/// only for a change that is meant to alter results (and say why in the commit).
const RECORDED: &str = "n=200000 mean=6.773841 p50=5.232671 p99=25.158166 max=123.072317 hash=d3f880736d0354b2";

fn arg(i: usize, default: usize) -> usize {
    std::env::args().nth(i).and_then(|a| a.replace('_', "").parse().ok()).unwrap_or(default)
}

fn main() {
    let n = arg(1, 200_000);
    let trees = arg(2, 50);
    let sample = arg(3, 256);
    let dims = arg(4, 6);
    let seed = 2016;
    let (points, labels) = synthetic_stream(n, dims, 0.005, seed);
    let config = ForestConfig::new(dims).num_trees(trees).sample_size(sample).seed(seed);
    let mut forest = match RandomCutForest::new(config) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("rcf_bench: {e}");
            std::process::exit(2);
        }
    };
    let mut scores = Vec::with_capacity(n);
    let cpu_start = thread_cpu_seconds();
    let start = Instant::now();
    for p in points.chunks_exact(dims) {
        match forest.update(p) {
            Ok(s) => scores.push(s),
            Err(e) => {
                eprintln!("rcf_bench: {e}");
                std::process::exit(2);
            }
        }
    }
    let elapsed = start.elapsed().as_secs_f64();
    let cpu = thread_cpu_seconds().zip(cpu_start).map(|(end, begin)| end - begin);
    let anomalies = labels.iter().filter(|&&a| a).count();
    println!(
        "rcf_bench: {trees} trees x {sample} samples, {dims} dims, {n} points ({anomalies} anomalies), one thread"
    );
    println!("score-and-update: {:.3} s, {:.0} ops/s", elapsed, n as f64 / elapsed);
    if let Some(cpu) = cpu.filter(|&c| c > 0.0) {
        println!("cpu time: {cpu:.2} s, {:.0} ops per CPU-second", n as f64 / cpu);
    }
    let fingerprint = ScoreFingerprint::of(&scores).to_string();
    println!("scores: {fingerprint}");
    if (n, trees, sample, dims) == (200_000, 50, 256, 6) {
        if fingerprint == RECORDED {
            println!("fingerprint: matches the recorded one");
        } else {
            eprintln!("rcf_bench: fingerprint differs from the recorded one:\n  {RECORDED}");
            std::process::exit(1);
        }
    }
}

/// CPU time (user + system) this thread has used, from `/proc/thread-self/stat`, if readable.
fn thread_cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/thread-self/stat").ok()?;
    // Fields after the command name (which is in parentheses and may contain spaces).
    let rest = stat.rsplit_once(')')?.1;
    let fields: Vec<&str> = rest.split_whitespace().collect();
    // utime and stime are fields 14 and 15 of the whole line: 12 and 13 after the name.
    let utime: f64 = fields.get(11)?.parse().ok()?;
    let stime: f64 = fields.get(12)?.parse().ok()?;
    // Linux reports them in clock ticks of 1/100 s on all mainstream configurations.
    Some((utime + stime) / 100.0)
}
