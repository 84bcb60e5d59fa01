//! The analytics crate's error type.

/// What can go wrong in analytics: the warehouse, bad input, missing data, files, rendering.
#[derive(Debug, thiserror::Error)]
pub enum AnalyticsError {
    /// The warehouse failed (query, storage, data).
    #[error(transparent)]
    Warehouse(#[from] bullpen_warehouse::WarehouseError),
    /// Bad input from a caller (dates, ids, formats).
    #[error("invalid input: {0}")]
    Invalid(String),
    /// What was asked for does not exist (an entry, a tournament, a job).
    #[error("not found: {0}")]
    NotFound(String),
    /// Reading or writing a file failed.
    #[error("i/o error: {0}")]
    Io(#[from] std::io::Error),
    /// Rendering a report (CSV, HTML, PDF) failed.
    #[error("cannot render the report: {0}")]
    Render(String),
}
