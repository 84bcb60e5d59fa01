//! Coordinated trading between entries of a tournament: the insights detector over the
//! tournament's fills, with each flagged pair's symbols and first and last co-occurrence.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use bullpen_insights::anomaly::{detect_coordination, CoordinationConfig, Execution, Side};
use bullpen_warehouse::datafusion::prelude::SessionContext;
use bullpen_warehouse::schema::PartitionKey;
use bullpen_warehouse::{Location, Table};

use super::inputs::{self, Fill};
use super::{tables, CoordinatedPair, ScoringReport};
use crate::AnalyticsError;

/// Largest score (`−log10` of a p-value that underflowed to 0).
const MAX_SCORE: f64 = 300.0;

/// The file holding a tournament's flagged pairs (replaced whole at each recomputation).
pub(crate) fn pairs_file(tournament_id: i64) -> String {
    format!("{}/{}pairs.parquet", Table::CoordinatedPairs.name(), PartitionKey::Tournament(tournament_id).dir())
}

/// Recomputes the tournament's flagged pairs from its fills up to `upto` and replaces its file
/// (removed when no pair is flagged). Returns the number of flagged pairs.
pub(crate) async fn score_tournament(
    location: &Location,
    ctx: &SessionContext,
    tournament_id: i64,
    upto: i64,
    report: &mut ScoringReport,
) -> Result<usize, AnalyticsError> {
    let started = std::time::Instant::now();
    let fills = inputs::fills(ctx, tournament_id, upto, inputs::Entries::All).await?;
    let read = started.elapsed();
    let pairs = coordinated(tournament_id, &fills);
    tracing::info!(
        tournament = tournament_id,
        fills = fills.len(),
        flagged = pairs.len(),
        read_s = read.as_secs_f64(),
        seconds = started.elapsed().as_secs_f64(),
        "coordinated pairs recomputed"
    );
    let file = pairs_file(tournament_id);
    if pairs.is_empty() {
        location.delete(&file).await?;
    } else {
        let bytes = bullpen_warehouse::encode::parquet_bytes(&[tables::coordinated_pairs(&pairs)?])?;
        location.put(&file, bytes).await?;
        location.sync(vec![file.clone()]).await?;
        report.files_written.push(file);
    }
    Ok(pairs.len())
}

/// The flagged pairs of a tournament's fills, sorted by entries.
pub(crate) fn coordinated(tournament_id: i64, fills: &[Fill]) -> Vec<CoordinatedPair> {
    let config = CoordinationConfig::default();
    let executions: Vec<Execution> = fills
        .iter()
        .map(|f| Execution {
            account: f.entry_id.unsigned_abs(),
            symbol: f.symbol.clone(),
            at: f.at,
            side: if f.buy { Side::Buy } else { Side::Sell },
        })
        .collect();
    let flagged = detect_coordination(&executions, &config);
    if flagged.is_empty() {
        return Vec::new();
    }
    let mut details: HashMap<(u64, u64), PairDetail> =
        flagged.iter().map(|p| ((p.first, p.second), PairDetail::default())).collect();
    // The same buckets as the detector: (symbol, minute) → entry → (bought, sold).
    let mut buckets: Buckets = BTreeMap::new();
    for e in &executions {
        let sides = buckets
            .entry((e.symbol.as_str(), e.at.div_euclid(config.bucket_micros)))
            .or_default()
            .entry(e.account)
            .or_default();
        match e.side {
            Side::Buy => sides.0 = true,
            Side::Sell => sides.1 = true,
        }
    }
    for ((symbol, bucket), accounts) in &buckets {
        if accounts.len() > config.max_bucket_accounts {
            continue;
        }
        let here: Vec<(u64, (bool, bool))> = accounts.iter().map(|(a, s)| (*a, *s)).collect();
        for (i, &(a, (a_bought, a_sold))) in here.iter().enumerate() {
            for &(b, (b_bought, b_sold)) in &here[i + 1..] {
                if !((a_bought && b_sold) || (a_sold && b_bought)) {
                    continue;
                }
                if let Some(d) = details.get_mut(&(a, b)) {
                    d.note(symbol, bucket * config.bucket_micros);
                }
            }
        }
    }
    let mut out: Vec<CoordinatedPair> = flagged
        .into_iter()
        .map(|p| {
            let d = details.remove(&(p.first, p.second)).unwrap_or_default();
            let symbols: Vec<String> = d.symbols.into_iter().collect();
            let score = if p.p_value > 0.0 { (-p.p_value.log10()).min(MAX_SCORE) } else { MAX_SCORE };
            let reason = format!(
                "Traded {} against each other (opposite sides, same minute) {} times; {:.2} expected by chance \
                 ({:.0}× as often), chance probability {:.1e}.",
                symbols.join(", "),
                p.events,
                p.expected,
                p.lift,
                p.p_value
            );
            CoordinatedPair {
                tournament_id,
                entry_a: i64::try_from(p.first).unwrap_or(i64::MAX),
                entry_b: i64::try_from(p.second).unwrap_or(i64::MAX),
                symbols,
                events: i64::from(p.events),
                first_at: d.first.unwrap_or(0),
                last_at: d.last.unwrap_or(0),
                expected: p.expected,
                lift: p.lift,
                p_value: p.p_value,
                score,
                reason,
            }
        })
        .collect();
    out.sort_by_key(|p| (p.entry_a, p.entry_b));
    out
}

/// (symbol, minute) → entry → (bought, sold).
type Buckets<'a> = BTreeMap<(&'a str, i64), BTreeMap<u64, (bool, bool)>>;

/// What a flagged pair's co-occurrences cover.
#[derive(Default)]
struct PairDetail {
    symbols: BTreeSet<String>,
    first: Option<i64>,
    last: Option<i64>,
}

impl PairDetail {
    fn note(&mut self, symbol: &str, at: i64) {
        if !self.symbols.contains(symbol) {
            self.symbols.insert(symbol.to_string());
        }
        self.first = Some(self.first.map_or(at, |f| f.min(at)));
        self.last = Some(self.last.map_or(at, |l| l.max(at)));
    }
}
