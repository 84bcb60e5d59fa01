//! A small pool of read connections used from blocking tasks.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use rusqlite::Connection;

use super::conn::open_reader;
use crate::{StoreError, StoreResult};

/// Idle read connections kept for reuse; more are opened on demand under load.
const MAX_IDLE: usize = 4;

/// Read connections to one database file.
#[derive(Clone)]
pub(crate) struct Readers {
    inner: Arc<Inner>,
}

struct Inner {
    path: PathBuf,
    idle: Mutex<Vec<Connection>>,
}

impl Readers {
    /// A pool for `path` holding the given first connection.
    pub(crate) fn new(path: PathBuf, first: Connection) -> Readers {
        Readers { inner: Arc::new(Inner { path, idle: Mutex::new(vec![first]) }) }
    }

    /// Runs `f` on a read connection in a blocking task. WAL lets reads run alongside the
    /// writer; each statement (or explicit read transaction) sees the latest commit.
    pub(crate) async fn read<T, F>(&self, f: F) -> StoreResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> StoreResult<T> + Send + 'static,
    {
        let pool = self.clone();
        tokio::task::spawn_blocking(move || {
            let conn = pool.take()?;
            let result = f(&conn);
            pool.give_back(conn);
            result
        })
        .await
        .map_err(|e| StoreError::Backend(format!("SQLite read task failed: {e}")))?
    }

    /// Runs `f` on two read connections at once (for reads that split work across threads).
    pub(crate) async fn read_pair<T, F>(&self, f: F) -> StoreResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&Connection, &mut Connection) -> StoreResult<T> + Send + 'static,
    {
        let pool = self.clone();
        tokio::task::spawn_blocking(move || {
            let first = pool.take()?;
            let mut second = match pool.take() {
                Ok(conn) => conn,
                Err(e) => {
                    pool.give_back(first);
                    return Err(e);
                }
            };
            let result = f(&first, &mut second);
            pool.give_back(first);
            pool.give_back(second);
            result
        })
        .await
        .map_err(|e| StoreError::Backend(format!("SQLite read task failed: {e}")))?
    }

    fn take(&self) -> StoreResult<Connection> {
        let idle = self.inner.idle.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).pop();
        match idle {
            Some(conn) => Ok(conn),
            None => open_reader(&self.inner.path),
        }
    }

    fn give_back(&self, conn: Connection) {
        let mut idle = self.inner.idle.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if idle.len() < MAX_IDLE && conn.is_autocommit() {
            idle.push(conn);
        }
    }
}
