//! Analytics on the warehouse, never on the production store: the pipeline that feeds the
//! warehouse from the store, the per-trade peer dashboard, trade scoring and reports.
//!
//! The store is read in one place only, [`source::StoreSource`], which the warehouse's
//! exporter pulls from by sequence number; every query here reads the Parquet warehouse.

pub mod dashboard;
pub mod error;
pub mod jobs;
pub mod pipeline;
pub mod report;
pub mod scoring;
pub mod source;

pub use error::AnalyticsError;
pub use pipeline::{Pipeline, PipelineRun, PipelineStatus};
pub use source::StoreSource;
