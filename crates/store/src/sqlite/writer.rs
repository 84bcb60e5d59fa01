//! The one write connection, owned by a dedicated thread.
//!
//! SQLite allows one writer at a time anyway; giving it a thread of its own keeps blocking IO
//! off the async runtime and lets it group commit: batches that queue up while a commit is
//! being fsynced are written together in the next transaction, one savepoint each (a failing
//! batch rolls back alone), with one fsync for all of them.

use std::sync::mpsc;
use std::thread;

use rusqlite::{Connection, TransactionBehavior};
use tokio::sync::oneshot;

use super::trading::apply_batch;
use crate::{Batch, StoreError, StoreResult};

/// At most this many rows (orders + ledger entries + …) go into one grouped transaction.
const MAX_GROUP_ROWS: usize = 50_000;

type WriteFn = Box<dyn FnOnce(&mut Connection) + Send>;
type Reply = oneshot::Sender<StoreResult<()>>;

/// Work for the writer thread.
enum Job {
    /// Any write; the closure answers its caller itself.
    Write(WriteFn),
    /// An engine batch, group-committable.
    Commit(Box<Batch>, Reply),
}

/// Handle to the writer thread. Dropping it lets the thread finish queued jobs and exit.
pub(crate) struct Writer {
    jobs: mpsc::Sender<Job>,
}

impl Writer {
    /// Starts the writer thread on `conn`.
    pub(crate) fn start(conn: Connection) -> StoreResult<Writer> {
        let (jobs, inbox) = mpsc::channel();
        thread::Builder::new()
            .name("bullpen-sqlite-writer".to_string())
            .spawn(move || run(conn, inbox))
            .map_err(|e| StoreError::Backend(format!("cannot start the SQLite writer thread: {e}")))?;
        Ok(Writer { jobs })
    }

    /// Runs `f` on the write connection and returns its result.
    pub(crate) async fn write<T, F>(&self, f: F) -> StoreResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&mut Connection) -> StoreResult<T> + Send + 'static,
    {
        let (tx, rx) = oneshot::channel();
        let job: WriteFn = Box::new(move |conn| {
            // The caller may have gone away (cancelled future); nothing to do then.
            let _ = tx.send(f(conn));
        });
        self.jobs.send(Job::Write(job)).map_err(|_| stopped())?;
        rx.await.map_err(|_| stopped())?
    }

    /// Commits `batch` durably (possibly together with other queued batches).
    pub(crate) async fn commit(&self, batch: Box<Batch>) -> StoreResult<()> {
        let (tx, rx) = oneshot::channel();
        self.jobs.send(Job::Commit(batch, tx)).map_err(|_| stopped())?;
        rx.await.map_err(|_| stopped())?
    }
}

fn stopped() -> StoreError {
    StoreError::Backend("the SQLite writer thread has stopped".to_string())
}

/// Rows a batch writes, to bound a group's transaction.
fn rows(batch: &Batch) -> usize {
    batch.entries.len() + batch.orders.len() + batch.ledger.len() + batch.equity_snapshots.len() + 1
}

/// The writer thread's loop: runs until every [`Writer`] handle is gone.
fn run(mut conn: Connection, inbox: mpsc::Receiver<Job>) {
    let mut held: Option<Job> = None;
    loop {
        let job = match held.take() {
            Some(job) => job,
            None => match inbox.recv() {
                Ok(job) => job,
                Err(_) => return,
            },
        };
        match job {
            Job::Write(f) => f(&mut conn),
            Job::Commit(batch, reply) => {
                let mut total = rows(&batch);
                let mut group = vec![(batch, reply)];
                while total < MAX_GROUP_ROWS {
                    match inbox.try_recv() {
                        Ok(Job::Commit(batch, reply)) => {
                            total += rows(&batch);
                            group.push((batch, reply));
                        }
                        Ok(other) => {
                            held = Some(other);
                            break;
                        }
                        Err(_) => break,
                    }
                }
                commit_group(&mut conn, group);
            }
        }
    }
}

/// Commits a group of batches in one transaction and answers each caller after the commit.
fn commit_group(conn: &mut Connection, group: Vec<(Box<Batch>, Reply)>) {
    if group.len() == 1 {
        for (batch, reply) in group {
            let _ = reply.send(commit_one(conn, &batch));
        }
        return;
    }
    let mut results = Vec::with_capacity(group.len());
    let outcome = (|| -> StoreResult<()> {
        let mut tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        for (batch, _) in &group {
            results.push(commit_savepoint(&mut tx, batch));
        }
        tx.commit()?;
        Ok(())
    })();
    match outcome {
        Ok(()) => {
            for ((_, reply), result) in group.into_iter().zip(results) {
                let _ = reply.send(result);
            }
        }
        Err(e) => {
            let message = e.to_string();
            for (_, reply) in group {
                let _ = reply.send(Err(StoreError::Backend(format!("group commit failed: {message}"))));
            }
        }
    }
}

/// One batch in its own transaction.
fn commit_one(conn: &mut Connection, batch: &Batch) -> StoreResult<()> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    apply_batch(&tx, batch)?;
    tx.commit()?;
    Ok(())
}

/// One batch inside a group: a savepoint that rolls back alone when the batch fails.
fn commit_savepoint(tx: &mut rusqlite::Transaction<'_>, batch: &Batch) -> StoreResult<()> {
    let sp = tx.savepoint()?;
    apply_batch(&sp, batch)?;
    sp.commit()?;
    Ok(())
}
