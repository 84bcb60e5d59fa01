//! The warehouse's tables: names, Arrow schemas of their Parquet files, and how they are
//! partitioned. `SCHEMA.md` beside this crate documents every column.
//!
//! Conventions: money and prices are `Decimal128(18, 4)` (exact, the store's fixed point);
//! quantities are whole shares (`Int64`); times are `Timestamp(µs, UTC)`; dates are `Date32`.
//! Partition columns (`tournament_id`, `date`, `year`) live in the directory names (Hive style)
//! and not inside the files.

use std::sync::Arc;

use datafusion::arrow::datatypes::{DataType, Field, Schema, SchemaRef, TimeUnit};

/// Precision of money and price columns.
pub const MONEY_PRECISION: u8 = 18;
/// Scale of money and price columns (the domain's 10⁴ fixed point).
pub const MONEY_SCALE: i8 = 4;

/// The Arrow type of money and prices.
pub fn money_type() -> DataType {
    DataType::Decimal128(MONEY_PRECISION, MONEY_SCALE)
}

/// The Arrow type of timestamps.
pub fn ts_type() -> DataType {
    DataType::Timestamp(TimeUnit::Microsecond, Some("UTC".into()))
}

/// How a table's files are laid out in directories.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Partitioning {
    /// One directory, no partition columns.
    None,
    /// `tournament_id=N/`.
    Tournament,
    /// `tournament_id=N/date=YYYY-MM-DD/` (UTC date of the row's time).
    TournamentDate,
    /// `year=YYYY/`.
    Year,
}

impl Partitioning {
    /// The partition columns with their types, outermost first.
    pub fn columns(self) -> Vec<(String, DataType)> {
        match self {
            Partitioning::None => vec![],
            Partitioning::Tournament => vec![("tournament_id".into(), DataType::Int64)],
            Partitioning::TournamentDate => {
                vec![("tournament_id".into(), DataType::Int64), ("date".into(), DataType::Date32)]
            }
            Partitioning::Year => vec![("year".into(), DataType::Int32)],
        }
    }
}

/// A warehouse table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Table {
    /// The instrument master.
    Instruments,
    /// Daily bars.
    Bars,
    /// Pseudonymous traders (one per user).
    Traders,
    /// Tournaments and their main rules.
    Tournaments,
    /// Entries (a trader's account in a tournament).
    Entries,
    /// Order versions: one row per order each time it changed between two exports.
    Orders,
    /// Fills (the trade entries of the ledger).
    Fills,
    /// Closed trades, matched first-in first-out.
    RoundTrips,
    /// The whole ledger.
    Ledger,
    /// End-of-day equity per entry.
    EquitySnapshots,
    /// Round trips scored by the anomaly detector (written by the analytics scoring pass).
    TradeAnomalies,
    /// Pairs of entries flagged for coordinated trading (written by the analytics scoring pass).
    CoordinatedPairs,
}

impl Table {
    /// Every table.
    pub const ALL: [Table; 12] = [
        Table::Instruments,
        Table::Bars,
        Table::Traders,
        Table::Tournaments,
        Table::Entries,
        Table::Orders,
        Table::Fills,
        Table::RoundTrips,
        Table::Ledger,
        Table::EquitySnapshots,
        Table::TradeAnomalies,
        Table::CoordinatedPairs,
    ];

    /// The table's name (also its directory).
    pub fn name(self) -> &'static str {
        match self {
            Table::Instruments => "instruments",
            Table::Bars => "bars",
            Table::Traders => "traders",
            Table::Tournaments => "tournaments",
            Table::Entries => "entries",
            Table::Orders => "orders",
            Table::Fills => "fills",
            Table::RoundTrips => "round_trips",
            Table::Ledger => "ledger",
            Table::EquitySnapshots => "equity_snapshots",
            Table::TradeAnomalies => "trade_anomalies",
            Table::CoordinatedPairs => "coordinated_pairs",
        }
    }

    /// How the table is partitioned.
    pub fn partitioning(self) -> Partitioning {
        match self {
            Table::Instruments | Table::Traders | Table::Tournaments => Partitioning::None,
            Table::Bars => Partitioning::Year,
            Table::Entries | Table::TradeAnomalies | Table::CoordinatedPairs => Partitioning::Tournament,
            Table::Orders | Table::Fills | Table::RoundTrips | Table::Ledger | Table::EquitySnapshots => {
                Partitioning::TournamentDate
            }
        }
    }

    /// The schema of the table's Parquet files (without partition columns).
    pub fn file_schema(self) -> SchemaRef {
        let f = |name: &str, ty: DataType, nullable: bool| Field::new(name, ty, nullable);
        let money = |name: &str| Field::new(name, money_type(), false);
        let opt_money = |name: &str| Field::new(name, money_type(), true);
        let ts = |name: &str| Field::new(name, ts_type(), false);
        let opt_ts = |name: &str| Field::new(name, ts_type(), true);
        let fields = match self {
            Table::Instruments => vec![
                f("instrument_id", DataType::Int64, false),
                f("symbol", DataType::Utf8, false),
                f("name", DataType::Utf8, false),
                f("sector", DataType::Utf8, false),
                f("status", DataType::Utf8, false),
            ],
            Table::Bars => vec![
                f("date", DataType::Date32, false),
                f("symbol", DataType::Utf8, false),
                money("open"),
                money("high"),
                money("low"),
                money("close"),
                f("volume", DataType::Int64, false),
            ],
            Table::Traders => vec![
                f("trader_id", DataType::Utf8, false),
                f("is_bot", DataType::Boolean, false),
                f("created_on", DataType::Date32, false),
            ],
            Table::Tournaments => vec![
                f("tournament_id", DataType::Int64, false),
                f("name", DataType::Utf8, false),
                f("kind", DataType::Utf8, false),
                f("state", DataType::Utf8, false),
                f("starts_on", DataType::Date32, false),
                f("ends_on", DataType::Date32, false),
                money("starting_cash"),
                f("scoring", DataType::Utf8, false),
                f("rules_json", DataType::Utf8, false),
                ts("created_at"),
            ],
            Table::Entries => {
                vec![f("entry_id", DataType::Int64, false), f("trader_id", DataType::Utf8, false), ts("joined_at")]
            }
            Table::Orders => vec![
                f("order_id", DataType::Int64, false),
                f("seq", DataType::Int64, false),
                f("entry_id", DataType::Int64, false),
                f("symbol", DataType::Utf8, false),
                f("side", DataType::Utf8, false),
                f("order_type", DataType::Utf8, false),
                f("time_in_force", DataType::Utf8, false),
                f("qty", DataType::Int64, false),
                f("filled_qty", DataType::Int64, false),
                opt_money("filled_avg_price"),
                opt_money("limit_price"),
                opt_money("stop_price"),
                f("status", DataType::Utf8, false),
                f("reject_code", DataType::Utf8, true),
                f("replaces", DataType::Int64, true),
                f("replaced_by", DataType::Int64, true),
                ts("created_at"),
                ts("updated_at"),
                opt_ts("filled_at"),
                opt_ts("canceled_at"),
                opt_ts("expired_at"),
                opt_ts("replaced_at"),
                opt_ts("rejected_at"),
            ],
            Table::Fills => vec![
                f("seq", DataType::Int64, false),
                f("entry_id", DataType::Int64, false),
                f("order_id", DataType::Int64, true),
                ts("ts"),
                f("symbol", DataType::Utf8, false),
                f("side", DataType::Utf8, false),
                f("qty", DataType::Int64, false),
                money("price"),
                money("notional"),
                money("fee"),
                money("cash_delta"),
                f("position_after", DataType::Int64, false),
            ],
            Table::RoundTrips => vec![
                f("close_seq", DataType::Int64, false),
                f("piece", DataType::Int32, false),
                f("entry_id", DataType::Int64, false),
                f("symbol", DataType::Utf8, false),
                f("direction", DataType::Utf8, false),
                f("qty", DataType::Int64, false),
                money("entry_price"),
                money("exit_price"),
                ts("opened_at"),
                ts("closed_at"),
                f("week", DataType::Date32, false),
                f("holding_seconds", DataType::Int64, false),
                money("notional"),
                money("fees"),
                money("realized_pnl"),
                f("trade_return", DataType::Float64, false),
                f("open_order_id", DataType::Int64, true),
                f("close_order_id", DataType::Int64, true),
            ],
            Table::Ledger => vec![
                f("seq", DataType::Int64, false),
                f("entry_id", DataType::Int64, false),
                ts("ts"),
                f("kind", DataType::Utf8, false),
                f("symbol", DataType::Utf8, true),
                f("qty_delta", DataType::Int64, false),
                money("cash_delta"),
                opt_money("price"),
                money("fee"),
                f("order_id", DataType::Int64, true),
                f("ratio_num", DataType::Int64, false),
                f("ratio_den", DataType::Int64, false),
                money("cash_after"),
                f("qty_after", DataType::Int64, false),
            ],
            Table::EquitySnapshots => vec![
                f("entry_id", DataType::Int64, false),
                money("equity"),
                money("cash"),
                money("low_equity"),
                f("traded", DataType::Boolean, false),
            ],
            Table::TradeAnomalies => vec![
                f("entry_id", DataType::Int64, false),
                f("close_seq", DataType::Int64, false),
                f("piece", DataType::Int32, false),
                f("symbol", DataType::Utf8, false),
                ts("closed_at"),
                f("score", DataType::Float64, false),
                f("threshold", DataType::Float64, true),
                f("flagged", DataType::Boolean, false),
                f("feature_1", DataType::Utf8, true),
                f("share_1", DataType::Float64, true),
                f("value_1", DataType::Float64, true),
                f("feature_2", DataType::Utf8, true),
                f("share_2", DataType::Float64, true),
                f("value_2", DataType::Float64, true),
                f("feature_3", DataType::Utf8, true),
                f("share_3", DataType::Float64, true),
                f("value_3", DataType::Float64, true),
                f("reason", DataType::Utf8, true),
            ],
            Table::CoordinatedPairs => vec![
                f("entry_a", DataType::Int64, false),
                f("entry_b", DataType::Int64, false),
                f("symbols", DataType::Utf8, false),
                f("events", DataType::Int64, false),
                ts("first_at"),
                ts("last_at"),
                f("expected", DataType::Float64, false),
                f("lift", DataType::Float64, false),
                f("p_value", DataType::Float64, false),
                f("score", DataType::Float64, false),
                f("reason", DataType::Utf8, false),
            ],
        };
        Arc::new(Schema::new(fields))
    }
}

/// Hive directory of one partition: `tournament_id=N/date=YYYY-MM-DD` and the like.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum PartitionKey {
    /// Unpartitioned tables.
    None,
    /// A tournament.
    Tournament(i64),
    /// A tournament and a UTC date.
    TournamentDate(i64, chrono::NaiveDate),
    /// A year.
    Year(i32),
}

impl PartitionKey {
    /// The directory below the table directory ("" for none).
    pub fn dir(&self) -> String {
        match self {
            PartitionKey::None => String::new(),
            PartitionKey::Tournament(t) => format!("tournament_id={t}/"),
            PartitionKey::TournamentDate(t, d) => format!("tournament_id={t}/date={}/", d.format("%Y-%m-%d")),
            PartitionKey::Year(y) => format!("year={y}/"),
        }
    }
}

/// The deterministic path (relative to the warehouse root) of the file holding `table`'s rows of
/// one partition for the cursor range `(from, to]`: a rerun of the same range rewrites the same
/// file, so a crash between writing files and committing the checkpoint leaves no duplicates.
pub fn part_path(table: Table, key: &PartitionKey, from: i64, to: i64) -> String {
    format!("{}/{}part-{:020}-{:020}.parquet", table.name(), key.dir(), from, to)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_partitioned_table_has_its_columns_outside_the_files() {
        for t in Table::ALL {
            let schema = t.file_schema();
            for (col, _) in t.partitioning().columns() {
                assert!(schema.field_with_name(&col).is_err(), "{} holds partition column {col}", t.name());
            }
        }
    }

    #[test]
    fn part_paths_are_hive_style_and_sort_by_range() {
        let d = chrono::NaiveDate::from_ymd_opt(2024, 1, 2).unwrap_or_default();
        assert_eq!(
            part_path(Table::Fills, &PartitionKey::TournamentDate(3, d), 0, 42),
            "fills/tournament_id=3/date=2024-01-02/part-00000000000000000000-00000000000000000042.parquet"
        );
        assert_eq!(part_path(Table::Instruments, &PartitionKey::None, 0, 0).split('/').count(), 2);
        assert!(part_path(Table::Bars, &PartitionKey::Year(2024), 0, 1).starts_with("bars/year=2024/part-"));
    }
}
