//! Bullpen's analytics warehouse: an incremental, idempotent export of the store into Parquet
//! files (a local directory or an S3-compatible bucket), a DataFusion SQL session over them,
//! and the report queries, kept as `.sql` files.
//!
//! Reports never touch production: they read only the warehouse, which [`Exporter`] feeds from
//! the store by sequence number (through the [`Source`] trait, since this crate depends on the
//! domain only). `SCHEMA.md` beside this crate documents the tables.

pub mod checkpoint;
pub mod encode;
pub mod error;
pub mod export;
pub mod location;
pub mod lots;
pub mod output;
pub mod pseudonym;
pub mod queries;
pub mod schema;
pub mod session;
pub mod source;

pub use error::{WarehouseError, WarehouseResult};
pub use export::{
    freshness_lag, CrashAt, CrashPoint, ExportOptions, ExportReport, Exporter, FreshnessLag, LagGauge, TableCounts,
};
pub use location::{Location, S3Options};
pub use output::OutputFormat;
pub use queries::{Report, ReportParams};
pub use schema::Table;
pub use session::open_session;
pub use source::{BarYear, SequenceHead, Source, SourceSnapshot, SourceUser};

/// DataFusion, re-exported so callers use the same version (record batches, session).
pub use datafusion;
