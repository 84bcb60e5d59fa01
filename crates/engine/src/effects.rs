//! What applying commands produces: the records of one batch (committed in one transaction) and
//! the events to publish once it is durable.

use crate::idhash::IdMap;

use bullpen_domain::{Entry, LedgerEntry, Order, OrderId, TournamentId};
use bullpen_store::{Batch, EquitySnapshot};

/// Accumulates the records of one batch. An order touched several times in one batch is stored
/// once, in its latest state (PostgreSQL refuses to upsert the same row twice in one statement).
#[derive(Debug, Default)]
pub struct Effects {
    batch: Batch,
    order_slots: IdMap<OrderId, usize>,
}

impl Effects {
    /// An empty batch for `tournament`.
    pub fn new(tournament: TournamentId) -> Effects {
        Effects { batch: Batch { tournament_id: tournament, ..Batch::default() }, order_slots: IdMap::default() }
    }

    /// Records an order's latest state.
    pub fn order(&mut self, order: &Order) {
        match self.order_slots.get(&order.id) {
            Some(&i) => {
                if let Some(slot) = self.batch.orders.get_mut(i) {
                    slot.clone_from(order);
                }
            }
            None => {
                self.order_slots.insert(order.id, self.batch.orders.len());
                self.batch.orders.push(order.clone());
            }
        }
    }

    /// Records a ledger entry.
    pub fn ledger(&mut self, entry: LedgerEntry) {
        self.batch.ledger.push(entry);
    }

    /// Records a new tournament entry.
    pub fn entry(&mut self, entry: Entry) {
        self.batch.entries.push(entry);
    }

    /// Records an end-of-day snapshot.
    pub fn snapshot(&mut self, snapshot: EquitySnapshot) {
        self.batch.equity_snapshots.push(snapshot);
    }

    /// True when there is nothing to commit.
    pub fn is_empty(&self) -> bool {
        self.batch.orders.is_empty()
            && self.batch.ledger.is_empty()
            && self.batch.entries.is_empty()
            && self.batch.equity_snapshots.is_empty()
    }

    /// Number of orders in the batch.
    pub fn order_count(&self) -> usize {
        self.batch.orders.len()
    }

    /// Finishes the batch with the tournament's sequence high-water mark.
    pub fn into_batch(mut self, last_seq: i64) -> Batch {
        self.batch.last_seq = last_seq;
        self.batch
    }
}
