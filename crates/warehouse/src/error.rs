//! The warehouse's error type.

/// Result of a warehouse call.
pub type WarehouseResult<T> = Result<T, WarehouseError>;

/// What can go wrong in the warehouse. Messages never contain credentials.
#[derive(Debug, thiserror::Error)]
pub enum WarehouseError {
    /// The warehouse location (directory or URL) or its options are not usable.
    #[error("invalid warehouse location: {0}")]
    Location(String),
    /// Reading or writing the object store failed.
    #[error("warehouse storage error: {0}")]
    Storage(String),
    /// The source (the production store) failed.
    #[error("source error: {0}")]
    Source(String),
    /// Encoding or decoding Arrow/Parquet data failed.
    #[error("data error: {0}")]
    Data(String),
    /// The warehouse's own state (checkpoint, salt, open lots) cannot be read.
    #[error("corrupt warehouse state: {0}")]
    Corrupt(String),
    /// A SQL query failed (parse, plan or execution).
    #[error("query error: {0}")]
    Query(String),
    /// Bad input from a caller (a parameter, a format name).
    #[error("invalid input: {0}")]
    Invalid(String),
    /// An export stopped on purpose at a crash-injection point (tests only).
    #[error("export interrupted at the injected crash point `{0}`")]
    Interrupted(&'static str),
}

impl From<object_store::Error> for WarehouseError {
    fn from(e: object_store::Error) -> Self {
        WarehouseError::Storage(e.to_string())
    }
}

impl From<datafusion::arrow::error::ArrowError> for WarehouseError {
    fn from(e: datafusion::arrow::error::ArrowError) -> Self {
        WarehouseError::Data(e.to_string())
    }
}

impl From<datafusion::parquet::errors::ParquetError> for WarehouseError {
    fn from(e: datafusion::parquet::errors::ParquetError) -> Self {
        WarehouseError::Data(e.to_string())
    }
}

impl From<datafusion::error::DataFusionError> for WarehouseError {
    fn from(e: datafusion::error::DataFusionError) -> Self {
        WarehouseError::Query(e.to_string())
    }
}

impl From<tokio::task::JoinError> for WarehouseError {
    fn from(e: tokio::task::JoinError) -> Self {
        WarehouseError::Data(format!("a worker task failed: {e}"))
    }
}
