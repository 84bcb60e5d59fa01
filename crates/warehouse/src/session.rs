//! A DataFusion session over the warehouse: every table registered as a listing table over its
//! directory with its Hive partition columns, plus the view `orders_current` (the latest version
//! of each order). The session runs on the caller's tokio runtime.

use std::sync::Arc;

use datafusion::datasource::file_format::parquet::ParquetFormat;
use datafusion::datasource::listing::{ListingOptions, ListingTable, ListingTableConfig, ListingTableUrl};
use datafusion::prelude::{SessionConfig, SessionContext};

use crate::error::WarehouseResult;
use crate::location::Location;
use crate::schema::Table;

/// The latest version of every order (the `orders` table keeps one row per exported change).
const ORDERS_CURRENT: &str = "CREATE VIEW orders_current AS \
     SELECT * FROM (SELECT o.*, ROW_NUMBER() OVER (PARTITION BY order_id ORDER BY seq DESC) AS version_rank \
     FROM orders o) WHERE version_rank = 1";

/// Session settings: filters evaluated inside the Parquet scan (with row-group, page and row
/// pruning), one partition per core.
pub fn session_config() -> SessionConfig {
    let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
    let mut config = SessionConfig::new().with_information_schema(true).with_target_partitions(cores);
    let parquet = &mut config.options_mut().execution.parquet;
    parquet.pushdown_filters = true;
    parquet.reorder_filters = true;
    config
}

/// A session with every warehouse table registered (tables with no files yet are empty).
pub async fn open_session(location: &Location) -> WarehouseResult<SessionContext> {
    let ctx = SessionContext::new_with_config(session_config());
    register(&ctx, location).await?;
    Ok(ctx)
}

/// Registers the warehouse tables and views in an existing session.
pub async fn register(ctx: &SessionContext, location: &Location) -> WarehouseResult<()> {
    if let (store, Some(url)) = location.object_store() {
        ctx.register_object_store(url, store);
    }
    for table in Table::ALL {
        let url = ListingTableUrl::parse(location.table_url(table.name()))?;
        let options = ListingOptions::new(Arc::new(ParquetFormat::default()))
            .with_file_extension(".parquet")
            .with_table_partition_cols(table.partitioning().columns());
        let config = ListingTableConfig::new(url).with_listing_options(options).with_schema(table.file_schema());
        ctx.register_table(table.name(), Arc::new(ListingTable::try_new(config)?))?;
    }
    ctx.sql(ORDERS_CURRENT).await?;
    Ok(())
}
