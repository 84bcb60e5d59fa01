//! Reconciliation of a tournament's stored state: what `bullpen check` runs.
//!
//! Derives every balance by folding the ledger and compares it with the stored running
//! balances; checks that lots sum to positions; that every trade names an order that exists,
//! belongs to the same entry and whose filled quantity equals the sum of its trades; that no
//! entry has negative cash without margin; that sequence numbers are unique and not above the
//! stored high-water mark; and that every order an outside party saw acknowledged is present.

use std::collections::{BTreeMap, HashMap, HashSet};

use bullpen_domain::portfolio::reconcile;
use bullpen_domain::{LedgerKind, OrderId, OrderStatus, Qty, TournamentId};
use bullpen_store::{OrderFilter, Store, StoreError};
use serde::Serialize;

/// The result of checking one tournament.
#[derive(Debug, Clone, Default, Serialize)]
pub struct CheckReport {
    /// Tournament.
    pub tournament_id: i64,
    /// Tournament name.
    pub name: String,
    /// Entries checked.
    pub entries: usize,
    /// Ledger entries folded.
    pub ledger_entries: usize,
    /// Orders checked.
    pub orders: usize,
    /// Acknowledged order ids verified present.
    pub acknowledged_checked: usize,
    /// Every problem found; empty means the tournament reconciles.
    pub problems: Vec<String>,
}

impl CheckReport {
    /// True when nothing is wrong.
    pub fn is_ok(&self) -> bool {
        self.problems.is_empty()
    }
}

/// Ledger rows read per round trip to the store.
const PAGE: i64 = 100_000;

/// Checks one tournament. `acknowledged` lists order ids a client saw acknowledged (those of
/// other tournaments are ignored).
pub async fn check_tournament(
    store: &dyn Store,
    id: TournamentId,
    acknowledged: &[OrderId],
) -> Result<CheckReport, StoreError> {
    let tournament = store.tournament(id).await?.ok_or_else(|| StoreError::NotFound(format!("tournament {id}")))?;
    let mut report = CheckReport { tournament_id: id.0, name: tournament.name.clone(), ..CheckReport::default() };
    let entries = store.entries(id).await?;
    report.entries = entries.len();
    let entry_ids: HashSet<_> = entries.iter().map(|e| e.id).collect();

    let mut ledger = Vec::new();
    let mut after = 0;
    loop {
        let page = store.ledger(id, None, after, PAGE).await?;
        let Some(last) = page.last() else { break };
        after = last.seq;
        let full = page.len() as i64 == PAGE;
        ledger.extend(page);
        if !full {
            break;
        }
    }
    report.ledger_entries = ledger.len();
    let snapshot = store.load_tournament_state(id).await?;
    let mut seen_seq = HashSet::with_capacity(ledger.len());
    for le in &ledger {
        if !seen_seq.insert(le.seq) {
            report.problems.push(format!("ledger seq {} appears twice", le.seq));
        }
        if le.seq > snapshot.last_seq {
            report
                .problems
                .push(format!("ledger seq {} is above the stored high-water mark {}", le.seq, snapshot.last_seq));
        }
        if !entry_ids.contains(&le.entry_id) {
            report.problems.push(format!("ledger seq {} belongs to unknown entry {}", le.seq, le.entry_id));
        }
    }
    match reconcile(ledger.iter()) {
        Ok(portfolios) => {
            for (entry, portfolio) in &portfolios {
                if !portfolio.lots_consistent() {
                    report.problems.push(format!("entry {entry}: lots do not sum to positions"));
                }
                if portfolio.cash.is_negative() && tournament.rules.margin.is_none() {
                    report.problems.push(format!("entry {entry}: negative cash {} without margin", portfolio.cash));
                }
            }
        }
        Err(errors) => report.problems.extend(errors.into_iter().map(|e| format!("ledger: {e}"))),
    }

    let orders = store.orders(id, &OrderFilter::default()).await?;
    report.orders = orders.len();
    let mut traded: HashMap<OrderId, Qty> = HashMap::new();
    let mut trade_entry_of: HashMap<OrderId, bullpen_domain::EntryId> = HashMap::new();
    for le in ledger.iter().filter(|le| le.kind == LedgerKind::Trade) {
        match le.order_id {
            Some(order) => {
                *traded.entry(order).or_default() += le.qty_delta.abs();
                trade_entry_of.insert(order, le.entry_id);
            }
            None => report.problems.push(format!("ledger seq {}: trade without an order", le.seq)),
        }
    }
    let by_id: BTreeMap<OrderId, &bullpen_domain::Order> = orders.iter().map(|o| (o.id, o)).collect();
    for (order_id, qty) in &traded {
        match by_id.get(order_id) {
            None => report.problems.push(format!("trades name order {order_id}, which is missing")),
            Some(order) => {
                if order.filled_qty != *qty {
                    report
                        .problems
                        .push(format!("order {order_id}: filled_qty {} but its trades sum to {qty}", order.filled_qty));
                }
                if trade_entry_of.get(order_id) != Some(&order.entry_id) {
                    report.problems.push(format!("order {order_id}: trades booked to another entry"));
                }
            }
        }
    }
    for order in &orders {
        if !entry_ids.contains(&order.entry_id) {
            report.problems.push(format!("order {} belongs to unknown entry {}", order.id, order.entry_id));
        }
        if order.filled_qty.0 > 0 && !traded.contains_key(&order.id) {
            report.problems.push(format!("order {}: filled {} shares but has no trades", order.id, order.filled_qty));
        }
        if order.status == OrderStatus::Filled && order.filled_qty != order.qty {
            report
                .problems
                .push(format!("order {}: status filled but {} of {} shares", order.id, order.filled_qty, order.qty));
        }
        if order.seq > snapshot.last_seq {
            report.problems.push(format!("order {}: seq {} above the high-water mark", order.id, order.seq));
        }
    }
    for ack in acknowledged.iter().filter(|a| a.tournament() == id) {
        report.acknowledged_checked += 1;
        if !by_id.contains_key(ack) {
            report.problems.push(format!("acknowledged order {ack} is missing"));
        }
    }
    Ok(report)
}
