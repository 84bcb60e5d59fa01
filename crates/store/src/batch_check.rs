//! Checks a batch before it reaches a database: every row must belong to the batch's tournament.
//!
//! Order and entry ids embed their tournament ([`OrderId::compose`](bullpen_domain::OrderId::compose),
//! [`EntryId::compose`](bullpen_domain::EntryId::compose)); both stores rely on that to find a
//! tournament's rows by id range without a tournament index, so a foreign id is refused here.

use crate::{Batch, StoreError, StoreResult};

/// Refuses a batch whose rows name another tournament, whose ledger is out of order, or whose
/// ledger goes beyond its `last_seq`.
pub(crate) fn check_batch(batch: &Batch) -> StoreResult<()> {
    let t = batch.tournament_id;
    let foreign = |what: &str, id: i64| {
        StoreError::Invalid(format!(
            "{what} {id} does not belong to tournament {t} (ids must be composed with the tournament)"
        ))
    };
    for e in &batch.entries {
        if e.tournament_id != t || e.id.tournament() != t {
            return Err(foreign("entry", e.id.0));
        }
    }
    for o in &batch.orders {
        if o.tournament_id != t || o.id.tournament() != t {
            return Err(foreign("order", o.id.0));
        }
        if o.entry_id.tournament() != t {
            return Err(foreign("entry", o.entry_id.0));
        }
    }
    let mut previous = 0_i64;
    for l in &batch.ledger {
        if l.tournament_id != t || l.entry_id.tournament() != t {
            return Err(foreign("ledger entry of entry", l.entry_id.0));
        }
        if l.seq <= previous {
            return Err(StoreError::Invalid(format!(
                "ledger sequence numbers must be positive and increasing within a batch ({} after {previous})",
                l.seq
            )));
        }
        previous = l.seq;
    }
    if previous > batch.last_seq {
        return Err(StoreError::Invalid(format!(
            "ledger sequence {previous} is above the batch's last_seq {}",
            batch.last_seq
        )));
    }
    for s in &batch.equity_snapshots {
        if s.entry_id.tournament() != t {
            return Err(foreign("snapshot of entry", s.entry_id.0));
        }
    }
    Ok(())
}

/// The smallest and largest order id of a tournament.
pub(crate) fn order_id_range(t: bullpen_domain::TournamentId) -> (i64, i64) {
    use bullpen_domain::{OrderId, ORDER_LOCAL_BITS};
    (OrderId::compose(t, 0).0, OrderId::compose(t, (1_i64 << ORDER_LOCAL_BITS) - 1).0)
}

/// The smallest and largest entry id of a tournament.
pub(crate) fn entry_id_range(t: bullpen_domain::TournamentId) -> (i64, i64) {
    use bullpen_domain::{EntryId, ENTRY_LOCAL_BITS};
    (EntryId::compose(t, 0).0, EntryId::compose(t, (1_i64 << ENTRY_LOCAL_BITS) - 1).0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use bullpen_domain::{EntryId, OrderId, TournamentId};

    #[test]
    fn id_ranges_cover_exactly_the_tournament() {
        let t = TournamentId(3);
        let (lo, hi) = order_id_range(t);
        assert_eq!(OrderId(lo).tournament(), t);
        assert_eq!(OrderId(hi).tournament(), t);
        assert_eq!(OrderId(lo - 1).tournament(), TournamentId(2));
        assert_eq!(OrderId(hi + 1).tournament(), TournamentId(4));
        let (lo, hi) = entry_id_range(t);
        assert_eq!(EntryId(lo).tournament(), t);
        assert_eq!(EntryId(hi + 1).tournament(), TournamentId(4));
    }
}
