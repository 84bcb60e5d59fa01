//! A small, hand-checkable tournament served by an in-memory [`Source`] whose visible history
//! can be capped at a sequence number (to play "the store moved on between two exports").
//!
//! Tournament 1, starting cash $10,000, 2024-01-02 … 2024-01-05. Entries 1 (user 1, "Alice"),
//! 2 (user 2, "Bob"), 3 (user 3, "Carol"). $1 commission per fill.
//!
//! | seq | day   | entry | fill                         |
//! |-----|-------|-------|------------------------------|
//! | 1-3 | Jan 2 | 1,2,3 | deposits of $10,000          |
//! | 4   | Jan 2 | 1     | buy 10 AAPL @ 100            |
//! | 5   | Jan 2 | 2     | buy 20 AAPL @ 101            |
//! | 6   | Jan 2 | 3     | sell short 5 XOM @ 50        |
//! | 7   | Jan 3 | 1     | sell 10 AAPL @ 110 (closes)  |
//! | 8   | Jan 3 | 2     | sell 10 AAPL @ 99 (partly)   |
//! | 9   | Jan 4 | 3     | buy to cover 5 XOM @ 45      |
//! | 10  | Jan 4 | 1     | buy 5 XOM @ 48 (limit order 7, accepted at seq 6) |
//!
//! Closes: AAPL 105, 108, 112; XOM 50, 47, 46 (Jan 2, 3, 4). End-of-day equity follows.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::Mutex;

use async_trait::async_trait;
use bullpen_domain::{
    deposit_entry, trade_entry, DailyBar, Entry, EntryId, Instrument, InstrumentId, InstrumentStatus, LedgerEntry,
    Money, Order, OrderId, OrderStatus, OrderType, Portfolio, Price, Qty, Side, Symbol, TimeInForce, Tournament,
    TournamentId, TournamentKind, TournamentRules, TournamentState, Ts, UserId,
};
use bullpen_warehouse::{BarYear, SequenceHead, Source, SourceSnapshot, SourceUser, WarehouseResult};
use chrono::NaiveDate;

pub const T: TournamentId = TournamentId(1);

pub fn day(d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2024, 1, d).unwrap()
}

pub fn at(d: u32, minute: i64) -> Ts {
    Ts(Ts::from_date(day(d)).0 + (14 * 60 + 30 + minute) * 60_000_000)
}

pub fn entry_id(n: i64) -> EntryId {
    EntryId::compose(T, n)
}

pub fn sym(s: &str) -> Symbol {
    Symbol::parse(s).unwrap()
}

/// The scenario's data: everything, with the sequence number or date that makes it visible.
#[derive(Debug, Clone)]
pub struct Scenario {
    pub tournament: Tournament,
    pub instruments: Vec<Instrument>,
    pub bars: Vec<DailyBar>,
    pub users: Vec<SourceUser>,
    pub entries: Vec<Entry>,
    pub ledger: Vec<LedgerEntry>,
    /// Every version of every order.
    pub orders: Vec<Order>,
    /// Snapshots with the sequence number after which the close that wrote them happened.
    pub snapshots: Vec<(i64, SourceSnapshot)>,
}

fn order_of(fill: &LedgerEntry, local: i64, side: Side, seq: i64) -> Order {
    let id = OrderId::compose(T, local);
    let qty = fill.qty_delta.abs();
    Order {
        id,
        tournament_id: T,
        entry_id: fill.entry_id,
        client_order_id: format!("c-{local}"),
        symbol: fill.symbol.clone().unwrap(),
        side,
        order_type: OrderType::Market,
        time_in_force: TimeInForce::Day,
        qty,
        filled_qty: qty,
        filled_avg_price: fill.price,
        limit_price: None,
        stop_price: None,
        stop_triggered: false,
        status: OrderStatus::Filled,
        reject_reason: None,
        replaces: None,
        replaced_by: None,
        created_at: fill.ts,
        updated_at: fill.ts,
        filled_at: Some(fill.ts),
        canceled_at: None,
        expired_at: None,
        replaced_at: None,
        rejected_at: None,
        seq,
    }
}

pub fn scenario() -> Scenario {
    let starts = day(2);
    let tournament = Tournament {
        id: T,
        name: "Spring".into(),
        kind: TournamentKind::AdHoc,
        state: TournamentState::Running,
        starts_on: starts,
        ends_on: day(5),
        rules: TournamentRules { starting_cash: Money::from_dollars(10_000), ..TournamentRules::default() },
        challenge: None,
        created_at: Ts::from_date(day(1)),
    };
    let instruments = vec![
        Instrument {
            id: InstrumentId(1),
            symbol: sym("AAPL"),
            name: "Apple Inc.".into(),
            sector: "Information Technology".into(),
            status: InstrumentStatus::Active,
        },
        Instrument {
            id: InstrumentId(2),
            symbol: sym("XOM"),
            name: "Exxon Mobil".into(),
            sector: "Energy".into(),
            status: InstrumentStatus::Active,
        },
    ];
    let closes = [(2, 105, 50), (3, 108, 47), (4, 112, 46)];
    let mut bars = Vec::new();
    for (d, aapl, xom) in closes {
        for (s, c) in [("AAPL", aapl), ("XOM", xom)] {
            let p = Price::from_dollars(c);
            bars.push(DailyBar { date: day(d), symbol: sym(s), open: p, high: p, low: p, close: p, volume: 1_000 });
        }
    }
    let users: Vec<SourceUser> =
        (1..=3).map(|n| SourceUser { id: UserId(n), is_bot: n == 3, created_at: Ts::from_date(day(1)) }).collect();
    let names = ["Alice", "Bob", "Carol"];
    let entries: Vec<Entry> = (1..=3)
        .map(|n| Entry {
            id: entry_id(n),
            tournament_id: T,
            user_id: UserId(n),
            display_name: names[n as usize - 1].to_string(),
            joined_at: Ts::from_date(starts),
        })
        .collect();

    let mut p: Vec<Portfolio> = (1..=3).map(|n| Portfolio::new(entry_id(n))).collect();
    let mut ledger = Vec::new();
    let mut orders = Vec::new();
    let fee = Money::from_dollars(1);
    let push = |p: &mut Portfolio, e: LedgerEntry, ledger: &mut Vec<LedgerEntry>| {
        p.apply(&e).unwrap();
        ledger.push(e);
    };
    for (i, pf) in p.iter_mut().enumerate() {
        let e = deposit_entry(pf, i as i64 + 1, T, at(2, 0), Money::from_dollars(10_000));
        push(pf, e, &mut ledger);
    }
    // (seq, trader index, day, order number, symbol, signed shares, price in dollars, side)
    type Fill = (i64, usize, u32, i64, &'static str, i64, i64, Side);
    let fills: [Fill; 7] = [
        (4, 0, 2, 1, "AAPL", 10, 100, Side::Buy),
        (5, 1, 2, 2, "AAPL", 20, 101, Side::Buy),
        (6, 2, 2, 3, "XOM", -5, 50, Side::SellShort),
        (7, 0, 3, 4, "AAPL", -10, 110, Side::Sell),
        (8, 1, 3, 5, "AAPL", -10, 99, Side::Sell),
        (9, 2, 4, 6, "XOM", 5, 45, Side::BuyToCover),
        (10, 0, 4, 7, "XOM", 5, 48, Side::Buy),
    ];
    for (seq, who, d, order, symbol, qty, price, side) in fills {
        let e = trade_entry(
            &p[who],
            seq,
            T,
            at(d, seq),
            OrderId::compose(T, order),
            &sym(symbol),
            Qty(qty),
            Price::from_dollars(price),
            fee,
        );
        push(&mut p[who], e.clone(), &mut ledger);
        orders.push(order_of(&e, order, side, seq));
    }
    // Order 7 was a limit order resting from seq 6 until it filled at seq 10.
    let mut resting = orders.last().cloned().unwrap();
    resting.order_type = OrderType::Limit;
    resting.limit_price = Some(Price::from_dollars(48));
    resting.status = OrderStatus::New;
    resting.filled_qty = Qty(0);
    resting.filled_avg_price = None;
    resting.filled_at = None;
    resting.created_at = at(2, 6);
    resting.updated_at = at(2, 6);
    resting.seq = 6;
    if let Some(last) = orders.last_mut() {
        last.order_type = OrderType::Limit;
        last.limit_price = Some(Price::from_dollars(48));
        last.created_at = at(2, 6);
    }
    orders.push(resting);

    // End-of-day snapshots, recomputed by folding the ledger day by day.
    let mut snapshots = Vec::new();
    let mut fold: Vec<Portfolio> = (1..=3).map(|n| Portfolio::new(entry_id(n))).collect();
    for (d, aapl, xom) in closes {
        let end = ledger.iter().filter(|l| l.ts.date_utc() == day(d));
        let mut last_seq = 0;
        for l in end {
            let i = (l.entry_id.local() - 1) as usize;
            fold[i].apply(l).unwrap();
            last_seq = l.seq;
        }
        for pf in &fold {
            let price = |s: &Symbol| match s.as_str() {
                "AAPL" => Some(Price::from_dollars(aapl)),
                "XOM" => Some(Price::from_dollars(xom)),
                _ => None,
            };
            let equity = pf.equity(price);
            snapshots.push((
                last_seq,
                SourceSnapshot {
                    entry_id: pf.entry_id,
                    date: day(d),
                    equity,
                    cash: pf.cash,
                    low_equity: equity,
                    traded: true,
                },
            ));
        }
    }
    Scenario { tournament, instruments, bars, users, entries, ledger, orders, snapshots }
}

/// The scenario as a store whose history is visible up to a sequence number.
pub struct MemorySource {
    pub data: Scenario,
    cap: Mutex<i64>,
}

impl MemorySource {
    pub fn new(cap: i64) -> MemorySource {
        MemorySource { data: scenario(), cap: Mutex::new(cap) }
    }

    pub fn set_cap(&self, cap: i64) {
        *self.cap.lock().unwrap() = cap;
    }

    fn cap(&self) -> i64 {
        *self.cap.lock().unwrap()
    }
}

#[async_trait]
impl Source for MemorySource {
    async fn sequence_heads(&self) -> WarehouseResult<Vec<SequenceHead>> {
        let cap = self.cap();
        let last_ts = self.data.ledger.iter().filter(|l| l.seq <= cap).map(|l| l.ts).max();
        Ok(vec![SequenceHead { tournament_id: T, last_seq: cap, last_ts }])
    }

    async fn instruments(&self) -> WarehouseResult<Vec<Instrument>> {
        Ok(self.data.instruments.clone())
    }

    async fn tournaments(&self) -> WarehouseResult<Vec<Tournament>> {
        Ok(vec![self.data.tournament.clone()])
    }

    async fn bar_years(&self) -> WarehouseResult<Vec<BarYear>> {
        Ok(vec![BarYear { year: 2024, rows: self.data.bars.len() as i64, checksum: 1 }])
    }

    async fn bars(&self, from: NaiveDate, to: NaiveDate) -> WarehouseResult<Vec<DailyBar>> {
        Ok(self.data.bars.iter().filter(|b| b.date >= from && b.date <= to).cloned().collect())
    }

    async fn users_after(&self, after: UserId, limit: usize) -> WarehouseResult<Vec<SourceUser>> {
        Ok(self.data.users.iter().filter(|u| u.id > after).take(limit).cloned().collect())
    }

    async fn entries(&self, tournament: TournamentId) -> WarehouseResult<Vec<Entry>> {
        Ok(self.data.entries.iter().filter(|e| e.tournament_id == tournament).cloned().collect())
    }

    async fn ledger(&self, tournament: TournamentId, after: i64, upto: i64) -> WarehouseResult<Vec<LedgerEntry>> {
        let cap = self.cap();
        Ok(self
            .data
            .ledger
            .iter()
            .filter(|l| l.tournament_id == tournament && l.seq > after && l.seq <= upto && l.seq <= cap)
            .cloned()
            .collect())
    }

    async fn orders_changed(&self, tournament: TournamentId, after: i64, upto: i64) -> WarehouseResult<Vec<Order>> {
        let cap = self.cap();
        let mut latest: std::collections::BTreeMap<OrderId, Order> = std::collections::BTreeMap::new();
        for o in self.data.orders.iter().filter(|o| o.tournament_id == tournament && o.seq <= cap) {
            if latest.get(&o.id).is_none_or(|have| have.seq < o.seq) {
                latest.insert(o.id, o.clone());
            }
        }
        let mut out: Vec<Order> = latest.into_values().filter(|o| o.seq > after && o.seq <= upto).collect();
        out.sort_by_key(|o| (o.seq, o.id));
        Ok(out)
    }

    async fn equity_snapshots_after(
        &self,
        _tournament: TournamentId,
        after: Option<NaiveDate>,
    ) -> WarehouseResult<Vec<SourceSnapshot>> {
        let cap = self.cap();
        Ok(self
            .data
            .snapshots
            .iter()
            .filter(|(seq, s)| *seq <= cap && after.is_none_or(|a| s.date > a))
            .map(|(_, s)| s.clone())
            .collect())
    }
}
