//! Session boundaries, joins, corporate actions, daily fees and the end of a tournament.

use bullpen_domain::portfolio::{deposit_entry, dividend_entry, interest_entry, split_entry};
use bullpen_domain::scoring::score;
use bullpen_domain::{
    CorporateAction, CorporateActionKind, Entry, EntryId, LedgerKind, Money, Order, RejectReason, ScoringMethod,
    TournamentState, UserId,
};
use bullpen_store::EquitySnapshot;
use chrono::NaiveDate;

use crate::effects::Effects;
use crate::state::LiveTournament;

/// Days in the interest year (money-market convention).
const INTEREST_DAYS_PER_YEAR: i64 = 360;

impl LiveTournament {
    /// Adds a player: a new entry credited with the starting cash. Joining twice returns the
    /// existing entry.
    pub fn join(&mut self, user: UserId, display_name: &str, fx: &mut Effects) -> Result<Entry, RejectReason> {
        if let Some(&idx) = self.user_index.get(&user.0) {
            return Ok(self.entries[idx as usize].entry.clone());
        }
        match self.tournament.state {
            TournamentState::Registration => {}
            TournamentState::Running if self.tournament.rules.late_entry => {}
            TournamentState::Running => return Err(RejectReason::LateEntryNotAllowed),
            other => return Err(RejectReason::TournamentNotRunning(other.as_str().to_string())),
        }
        let local = self.entries.len() as i64 + 1;
        let entry = Entry {
            id: EntryId::compose(self.tournament.id, local),
            tournament_id: self.tournament.id,
            user_id: user,
            display_name: display_name.to_string(),
            joined_at: self.now,
        };
        let idx = self.push_entry(entry.clone());
        let seq = self.next_seq();
        let deposit = deposit_entry(
            &self.entries[idx as usize].portfolio,
            seq,
            self.tournament.id,
            self.now,
            self.tournament.rules.starting_cash,
        );
        if let Err(e) = self.apply_ledger(idx, &deposit) {
            tracing::error!(error = %e, "deposit does not fold into a new portfolio");
        }
        self.reset_day(idx);
        fx.entry(entry.clone());
        fx.ledger(deposit);
        Ok(entry)
    }

    /// Opens a trading session: resets daily counters and applies the day's corporate actions.
    pub fn open_session(&mut self, actions: &[CorporateAction], fx: &mut Effects) -> Vec<Order> {
        self.market_open = true;
        for slot in &mut self.instruments {
            slot.day_volume = 0;
            slot.day_filled = 0;
        }
        let mut canceled = Vec::new();
        for action in actions {
            canceled.extend(self.apply_corporate_action(action, fx));
        }
        for idx in 0..self.entries.len() {
            self.reset_day(idx as u32);
        }
        canceled
    }

    fn apply_corporate_action(&mut self, action: &CorporateAction, fx: &mut Effects) -> Vec<Order> {
        let Some(inst) = self.instrument_index(&action.symbol) else { return Vec::new() };
        let mut holders: Vec<u32> = self.instruments[inst as usize].holders.keys().copied().collect();
        holders.sort_unstable();
        match action.kind {
            CorporateActionKind::Dividend { per_share } => {
                for idx in holders {
                    let seq = self.last_seq + 1;
                    let slot = &self.entries[idx as usize];
                    let Some(entry) =
                        dividend_entry(&slot.portfolio, seq, self.tournament.id, self.now, &action.symbol, per_share)
                    else {
                        continue;
                    };
                    self.last_seq = seq;
                    if let Err(e) = self.apply_ledger(idx, &entry) {
                        tracing::error!(error = %e, "dividend does not fold");
                        continue;
                    }
                    fx.ledger(entry);
                }
                Vec::new()
            }
            CorporateActionKind::Split { numerator, denominator } => {
                if numerator <= 0 || denominator <= 0 {
                    return Vec::new();
                }
                let last = self.instruments[inst as usize].last;
                let adjusted = last.and_then(|p| crate::state::split_adjusted(p, (numerator, denominator)));
                for &idx in &holders {
                    let seq = self.last_seq + 1;
                    let slot = &self.entries[idx as usize];
                    let Some(entry) = split_entry(
                        &slot.portfolio,
                        seq,
                        self.tournament.id,
                        self.now,
                        &action.symbol,
                        numerator,
                        denominator,
                        last.unwrap_or_default(),
                    ) else {
                        continue;
                    };
                    self.last_seq = seq;
                    if let Err(e) = self.apply_ledger(idx, &entry) {
                        tracing::error!(error = %e, "split does not fold");
                        continue;
                    }
                    let slot = &mut self.instruments[inst as usize];
                    slot.holders.set(idx, entry.qty_after.0);
                    fx.ledger(entry);
                }
                self.instruments[inst as usize].last = adjusted;
                self.instruments[inst as usize].recent.clear();
                for idx in holders {
                    self.recompute_market_value(idx);
                }
                // Resting prices are no longer meaningful after a split: cancel them, as brokers do.
                let mut ids: Vec<_> = self
                    .open_orders
                    .values()
                    .filter(|o| o.symbol == action.symbol)
                    .map(|o| (o.entry_id, o.id))
                    .collect();
                ids.sort_unstable_by_key(|(_, id)| *id);
                ids.into_iter().filter_map(|(entry, id)| self.cancel_order(entry, id, fx).ok()).collect()
            }
        }
    }

    /// Closes the session of `date`: expires day orders, charges margin interest and borrow
    /// fees, records each entry's end-of-day equity and updates close scores.
    pub fn close_session(&mut self, date: NaiveDate, fx: &mut Effects) -> Vec<Order> {
        self.market_open = false;
        let expired = self.expire_day_orders(fx);
        let rules = self.tournament.rules.clone();
        for idx in 0..self.entries.len() {
            let cash = self.entries[idx].portfolio.cash;
            if let Some(margin) = &rules.margin {
                if cash.is_negative() && margin.interest_bps_per_year > 0 {
                    let fee = (-cash).mul_ratio_to_cent(margin.interest_bps_per_year, 10_000 * INTEREST_DAYS_PER_YEAR);
                    self.charge(idx as u32, LedgerKind::Interest, fee, fx);
                }
            }
            if rules.borrow_fee_bps_per_year > 0 {
                let short_value: Money = self.entries[idx]
                    .portfolio
                    .positions
                    .iter()
                    .filter(|(_, p)| p.qty.0 < 0)
                    .map(|(s, p)| self.last_price(s).unwrap_or_default().times(p.qty.abs()))
                    .sum();
                if short_value.0 > 0 {
                    let fee =
                        short_value.mul_ratio_to_cent(rules.borrow_fee_bps_per_year, 10_000 * INTEREST_DAYS_PER_YEAR);
                    self.charge(idx as u32, LedgerKind::BorrowFee, fee, fx);
                }
            }
            self.note_equity(idx as u32);
            let equity = self.equity(idx as u32);
            let low_equity = self.balances[idx].low_equity;
            let slot = &mut self.entries[idx];
            slot.daily_equity.push(equity);
            slot.close_score = score(rules.scoring, rules.starting_cash, &slot.daily_equity);
            fx.snapshot(EquitySnapshot {
                entry_id: slot.entry.id,
                date,
                equity,
                cash: slot.portfolio.cash,
                low_equity,
                traded: slot.day.traded,
            });
        }
        expired
    }

    fn charge(&mut self, idx: u32, kind: LedgerKind, fee: Money, fx: &mut Effects) {
        if fee.0 <= 0 {
            return;
        }
        let seq = self.next_seq();
        let entry = interest_entry(&self.entries[idx as usize].portfolio, seq, self.tournament.id, self.now, kind, fee);
        if let Err(e) = self.apply_ledger(idx, &entry) {
            tracing::error!(error = %e, "fee does not fold");
            return;
        }
        fx.ledger(entry);
    }

    /// The live score of an entry: total return moves with every tick; risk-adjusted methods
    /// are recomputed at each close from the daily equity series.
    pub fn live_score(&self, idx: u32) -> i64 {
        let slot = &self.entries[idx as usize];
        let rules = &self.tournament.rules;
        match rules.scoring {
            ScoringMethod::TotalReturn => score(ScoringMethod::TotalReturn, rules.starting_cash, &[self.equity(idx)]),
            _ => slot.close_score,
        }
    }
}
