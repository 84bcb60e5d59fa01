//! Order handling inside the sequencer: placement, cancel, replace, triggering and fills.

use bullpen_domain::portfolio::{trade_entry, Portfolio};
use bullpen_domain::rules_check::{OrderContext, Valuation};
use bullpen_domain::{
    EntryId, Money, Order, OrderId, OrderPreview, OrderRequest, OrderStatus, OrderType, Price, Qty, RejectReason, Side,
    Symbol, TimeInForce,
};

use crate::effects::Effects;
use crate::state::LiveTournament;
use crate::triggers::TriggerKind;

/// What a replace may change (Alpaca's PATCH /v2/orders/{id}).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReplaceRequest {
    /// New quantity.
    pub qty: Option<Qty>,
    /// New limit price.
    pub limit_price: Option<Price>,
    /// New stop price.
    pub stop_price: Option<Price>,
    /// New time in force.
    pub time_in_force: Option<TimeInForce>,
    /// Client order id of the new order.
    pub client_order_id: Option<String>,
}

/// The book an open order rests in, and at which price, if it rests at all.
pub fn trigger_of(order: &Order) -> Option<(TriggerKind, Price)> {
    let buy = order.side.is_buy();
    match order.order_type {
        OrderType::Market => None,
        OrderType::Limit => {
            order.limit_price.map(|p| (if buy { TriggerKind::BuyLimit } else { TriggerKind::SellLimit }, p))
        }
        OrderType::Stop => {
            order.stop_price.map(|p| (if buy { TriggerKind::BuyStop } else { TriggerKind::SellStop }, p))
        }
        OrderType::StopLimit if order.stop_triggered => {
            order.limit_price.map(|p| (if buy { TriggerKind::BuyLimit } else { TriggerKind::SellLimit }, p))
        }
        OrderType::StopLimit => {
            order.stop_price.map(|p| (if buy { TriggerKind::BuyStop } else { TriggerKind::SellStop }, p))
        }
    }
}

/// The buying power a resting order holds: its limit (or stop) price times its remaining shares,
/// for orders that spend buying power (buys and short sales).
pub fn reservation(order: &Order) -> Money {
    if !matches!(order.side, Side::Buy | Side::SellShort) {
        return Money::ZERO;
    }
    order.limit_price.or(order.stop_price).unwrap_or_default().times(order.remaining())
}

/// Whether an order would execute against the price `p` right now, and as what.
fn executable_now(order: &Order, p: Price) -> bool {
    let buy = order.side.is_buy();
    let limit_ok = |limit: Price| if buy { p <= limit } else { p >= limit };
    match order.order_type {
        OrderType::Market => true,
        OrderType::Limit => order.limit_price.is_some_and(limit_ok),
        OrderType::Stop => order.stop_triggered || stop_hit(order, p),
        OrderType::StopLimit => (order.stop_triggered || stop_hit(order, p)) && order.limit_price.is_some_and(limit_ok),
    }
}

/// Whether the price `p` touches the order's stop (buy stops at or above, sell stops at or below).
fn stop_hit(order: &Order, p: Price) -> bool {
    let buy = order.side.is_buy();
    order.stop_price.is_some_and(|stop| if buy { p >= stop } else { p <= stop })
}

/// Fills at market (with slippage) for market and triggered stop orders; at the market price
/// (never worse than the limit) for limit orders.
fn execution_price(live: &LiveTournament, order: &Order, p: Price) -> Price {
    let market_like = matches!(order.order_type, OrderType::Market | OrderType::Stop);
    if market_like {
        live.tournament.rules.fill_price_with_slippage(order.side, p)
    } else {
        p
    }
}

impl LiveTournament {
    /// Buying power held by an entry's open buy and short orders (except `except`).
    pub fn reserved_buying_power(&self, idx: u32, except: Option<OrderId>) -> Money {
        let held = self.entries[idx as usize].reserved;
        match except.and_then(|id| self.open_orders.get(&id)) {
            Some(order) if order.entry_id == self.entries[idx as usize].entry.id => held - reservation(order),
            _ => held,
        }
    }

    /// A new working order from a validated request: fresh id, client order id (registered for
    /// retries when the player gave one), sequence number and timestamps.
    fn new_working_order(
        &mut self,
        id: OrderId,
        entry_id: EntryId,
        request: OrderRequest,
        replaces: Option<OrderId>,
    ) -> Order {
        let client_order_id = self.register_client_id(entry_id, request.client_order_id.as_deref(), id);
        Order {
            id,
            tournament_id: self.tournament.id,
            entry_id,
            client_order_id,
            symbol: request.symbol,
            side: request.side,
            order_type: request.order_type,
            time_in_force: request.time_in_force,
            qty: request.qty,
            filled_qty: Qty::ZERO,
            filled_avg_price: None,
            limit_price: request.limit_price,
            stop_price: request.stop_price,
            stop_triggered: false,
            status: OrderStatus::New,
            reject_reason: None,
            replaces,
            replaced_by: None,
            created_at: self.now,
            updated_at: self.now,
            filled_at: None,
            canceled_at: None,
            expired_at: None,
            replaced_at: None,
            rejected_at: None,
            seq: self.next_seq(),
        }
    }

    /// The client order id of a new order: the player's (remembered for idempotent retries) or
    /// the generated `bp-<id>`.
    fn register_client_id(&mut self, entry_id: EntryId, given: Option<&str>, id: OrderId) -> String {
        match given {
            Some(c) => {
                self.client_ids.insert((entry_id, c.to_string()), id);
                c.to_string()
            }
            None => format!("bp-{}", id.0),
        }
    }

    /// Adds an order to the open set of its entry (and its reservation).
    pub(crate) fn track_open(&mut self, idx: u32, order: Order) {
        let slot = &mut self.entries[idx as usize];
        slot.reserved += reservation(&order);
        slot.open_orders.push(order.id);
        self.open_orders.insert(order.id, order);
    }

    /// Removes an order from the open set (and releases its reservation).
    pub(crate) fn untrack_open(&mut self, id: OrderId) -> Option<Order> {
        let order = self.open_orders.remove(&id)?;
        if let Some(idx) = self.entry_index(order.entry_id) {
            let slot = &mut self.entries[idx as usize];
            slot.reserved -= reservation(&order);
            slot.open_orders.retain(|o| *o != id);
        }
        Some(order)
    }

    /// Shares an entry's open orders already promise to sell (for sells) or to cover (for covers)
    /// in `symbol`.
    pub fn pending_qty(&self, idx: u32, symbol: &Symbol, side: Side, except: Option<OrderId>) -> Qty {
        let mut total = Qty::ZERO;
        for id in &self.entries[idx as usize].open_orders {
            if Some(*id) == except {
                continue;
            }
            if let Some(order) = self.open_orders.get(id) {
                if order.side == side && &order.symbol == symbol {
                    total += order.remaining();
                }
            }
        }
        total
    }

    /// Runs `f` over the order context of entry `idx` for `request`: the prices players see,
    /// the account's value and the reservations of its other open orders (except `except`).
    fn with_order_context<R>(
        &self,
        idx: u32,
        request: &OrderRequest,
        except: Option<OrderId>,
        orders_today: u32,
        f: impl FnOnce(&OrderContext<'_>) -> R,
    ) -> R {
        let inst = self.instrument_index(&request.symbol);
        let instrument = inst.map(|i| &self.instruments[i as usize].instrument);
        let mut quote = inst.and_then(|i| self.quote(i));
        if matches!(request.side, Side::Buy | Side::SellShort) {
            // With a quote delay, orders fill at the current price, not the delayed one players
            // see: buying power must cover the worse of the two, or a rise in the delay window
            // overspends the account.
            let last = inst.and_then(|i| self.instruments[i as usize].last);
            quote = quote.map(|q| last.map_or(q, |l| q.max(l)));
        }
        let pending_side = if request.side == Side::BuyToCover { Side::BuyToCover } else { Side::Sell };
        let prices = |s: &Symbol| self.last_price(s);
        let slot = &self.entries[idx as usize];
        let ctx = OrderContext {
            request,
            instrument,
            quote,
            market_open: self.market_open,
            portfolio: &slot.portfolio,
            prices: &prices,
            valuation: Some(Valuation { equity: self.equity(idx), gross_exposure: self.gross_values[idx as usize] }),
            reserved_buying_power: self.reserved_buying_power(idx, except),
            // Only sells and covers are checked against what open orders already promise; a buy
            // need not walk the entry's open orders.
            pending_sell_qty: match request.side {
                Side::Sell | Side::BuyToCover => self.pending_qty(idx, &request.symbol, pending_side, except),
                Side::Buy | Side::SellShort => Qty::ZERO,
            },
            orders_today,
            now: self.now,
        };
        f(&ctx)
    }

    fn check_request(
        &self,
        idx: u32,
        request: &OrderRequest,
        except: Option<OrderId>,
        orders_today: u32,
    ) -> Result<(), RejectReason> {
        self.with_order_context(idx, request, except, orders_today, |ctx| self.tournament.rules.check_order(ctx))
    }

    /// Previews an order of `entry_id`: every rule evaluated separately against the same state
    /// placement would see, with the estimated cost. Changes nothing.
    pub fn preview_order(&self, entry_id: EntryId, request: &OrderRequest) -> Result<OrderPreview, RejectReason> {
        if !self.is_running() {
            return Err(RejectReason::TournamentNotRunning(self.tournament.state.as_str().to_string()));
        }
        let idx = self.entry_index(entry_id).ok_or(RejectReason::UnknownEntry)?;
        let orders_today = self.entries[idx as usize].day.orders;
        Ok(self.with_order_context(idx, request, None, orders_today, |ctx| self.tournament.rules.preview_order(ctx)))
    }

    /// Places an order: validates it against the rules and the account, fills it at once when
    /// it is executable, rests it otherwise. Errors change nothing.
    pub fn place_order(
        &mut self,
        entry_id: EntryId,
        request: OrderRequest,
        fx: &mut Effects,
    ) -> Result<Order, RejectReason> {
        if !self.is_running() {
            return Err(RejectReason::TournamentNotRunning(self.tournament.state.as_str().to_string()));
        }
        let idx = self.entry_index(entry_id).ok_or(RejectReason::UnknownEntry)?;
        request.validate_shape()?;
        refuse_generated_client_id(request.client_order_id.as_deref())?;
        let orders_today = self.entries[idx as usize].day.orders;
        self.check_request(idx, &request, None, orders_today)?;
        let id = self.next_order_id();
        let order = self.new_working_order(id, entry_id, request, None);
        self.entries[idx as usize].day.orders += 1;
        Ok(self.work_new_order(idx, order, fx))
    }

    /// Executes what can execute now and rests the rest, honouring IOC and FOK.
    fn work_new_order(&mut self, idx: u32, mut order: Order, fx: &mut Effects) -> Order {
        let inst = match self.instrument_index(&order.symbol) {
            Some(i) => i,
            None => return order,
        };
        let last = self.instruments[inst as usize].last;
        if let Some(p) = last.filter(|p| executable_now(&order, *p)) {
            if order.order_type == OrderType::StopLimit || order.order_type == OrderType::Stop {
                order.stop_triggered = true;
            }
            let wanted = order.remaining();
            let allowed = self.volume_allowance(inst, wanted);
            if order.time_in_force == TimeInForce::Fok && allowed < wanted {
                order.transition(OrderStatus::Canceled, self.now);
                fx.order(&order);
                return order;
            }
            if allowed.0 > 0 {
                let price = execution_price(self, &order, p);
                self.fill(idx, inst, &mut order, allowed, price, fx);
            }
        } else if order.order_type == OrderType::StopLimit && last.is_some_and(|p| stop_hit(&order, p)) {
            // Triggered but not marketable: it rests as a limit order, in the limit book.
            order.stop_triggered = true;
        }
        if order.status.is_open() {
            let must_cancel = matches!(order.time_in_force, TimeInForce::Ioc | TimeInForce::Fok)
                || order.order_type == OrderType::Market;
            if must_cancel {
                order.transition(OrderStatus::Canceled, self.now);
            } else {
                if let Some((kind, price)) = trigger_of(&order) {
                    self.instruments[inst as usize].book.insert(kind, price, order.id);
                }
                self.track_open(idx, order.clone());
            }
        }
        fx.order(&order);
        order
    }

    /// Shares that may fill now under the volume cap.
    fn volume_allowance(&self, inst: u32, wanted: Qty) -> Qty {
        let Some(cap_bps) = self.tournament.rules.volume_cap_bps else { return wanted };
        let slot = &self.instruments[inst as usize];
        if slot.day_volume <= 0 {
            return wanted;
        }
        let cap = (i128::from(slot.day_volume) * i128::from(cap_bps) / 10_000) as i64;
        Qty(wanted.0.min((cap - slot.day_filled).max(0)))
    }

    /// Fills `qty` shares of `order` at `price`: one ledger entry, portfolio, holders, order state.
    fn fill(&mut self, idx: u32, inst: u32, order: &mut Order, qty: Qty, price: Price, fx: &mut Effects) {
        let commission = self.tournament.rules.commission.commission(qty, price);
        let signed = Qty(qty.0 * order.side.sign());
        let seq = self.next_seq();
        let entry = trade_entry(
            &self.entries[idx as usize].portfolio,
            seq,
            self.tournament.id,
            self.now,
            order.id,
            &order.symbol,
            signed,
            price,
            commission,
        );
        if let Err(e) = self.apply_ledger(idx, &entry) {
            // The entry was built from this very portfolio, so this is a bug, not bad input.
            tracing::error!(order = order.id.0, error = %e, "fill does not fold into the portfolio");
            return;
        }
        self.after_position_change(idx, inst, &entry);
        self.instruments[inst as usize].day_filled += qty.0;
        let prior_notional = order.filled_avg_price.map(|p| p.times(order.filled_qty)).unwrap_or_default();
        order.filled_qty += qty;
        let notional = prior_notional + price.times(qty);
        order.filled_avg_price = Some(average_price(notional, order.filled_qty));
        order.seq = seq;
        order.updated_at = self.now;
        if order.remaining().is_zero() {
            order.transition(OrderStatus::Filled, self.now);
        } else {
            order.transition(OrderStatus::PartiallyFilled, self.now);
        }
        self.entries[idx as usize].day.traded = true;
        self.note_equity(idx);
        fx.ledger(entry);
    }

    /// Removes an open order from the books.
    fn unindex(&mut self, order: &Order) {
        if let Some(inst) = self.instrument_index(&order.symbol) {
            if let Some((kind, price)) = trigger_of(order) {
                self.instruments[inst as usize].book.remove(kind, price, order.id);
            }
        }
        self.untrack_open(order.id);
    }

    /// Cancels an open order of `entry_id`.
    pub fn cancel_order(
        &mut self,
        entry_id: EntryId,
        order_id: OrderId,
        fx: &mut Effects,
    ) -> Result<Order, RejectReason> {
        let order = self.open_orders.get(&order_id).filter(|o| o.entry_id == entry_id).cloned();
        let Some(mut order) = order else { return Err(RejectReason::UnknownOrder) };
        self.unindex(&order);
        order.seq = self.next_seq();
        order.transition(OrderStatus::Canceled, self.now);
        fx.order(&order);
        Ok(order)
    }

    /// Cancels every open order of `entry_id`.
    pub fn cancel_all(&mut self, entry_id: EntryId, fx: &mut Effects) -> Result<Vec<Order>, RejectReason> {
        let idx = self.entry_index(entry_id).ok_or(RejectReason::UnknownEntry)?;
        let ids = self.entries[idx as usize].open_orders.clone();
        let mut canceled = Vec::with_capacity(ids.len());
        for id in ids {
            canceled.push(self.cancel_order(entry_id, id, fx)?);
        }
        Ok(canceled)
    }

    /// Replaces an open order with a new one (Alpaca semantics: the old order becomes
    /// `replaced`, the new one references it). Validated as a new order without the old one's
    /// reservations; on any error nothing changes.
    pub fn replace_order(
        &mut self,
        entry_id: EntryId,
        order_id: OrderId,
        change: ReplaceRequest,
        fx: &mut Effects,
    ) -> Result<Order, RejectReason> {
        if !self.is_running() {
            return Err(RejectReason::TournamentNotRunning(self.tournament.state.as_str().to_string()));
        }
        let old = self.open_orders.get(&order_id).filter(|o| o.entry_id == entry_id).cloned();
        let Some(mut old) = old else { return Err(RejectReason::UnknownOrder) };
        let idx = self.entry_index(entry_id).ok_or(RejectReason::UnknownEntry)?;
        if change == ReplaceRequest::default() {
            return Err(RejectReason::InvalidReplace("nothing to change".into()));
        }
        let qty = change.qty.unwrap_or(old.qty);
        if qty <= old.filled_qty {
            return Err(RejectReason::InvalidReplace(format!(
                "quantity {qty} must exceed the {} shares already filled",
                old.filled_qty
            )));
        }
        refuse_generated_client_id(change.client_order_id.as_deref())?;
        if let Some(c) = &change.client_order_id {
            if self.client_ids.contains_key(&(entry_id, c.clone())) {
                return Err(RejectReason::DuplicateClientOrderId(c.clone()));
            }
        }
        let request = OrderRequest {
            client_order_id: change.client_order_id.clone(),
            symbol: old.symbol.clone(),
            side: old.side,
            order_type: old.order_type,
            time_in_force: change.time_in_force.unwrap_or(old.time_in_force),
            qty: qty - old.filled_qty,
            limit_price: change.limit_price.or(old.limit_price),
            stop_price: change.stop_price.or(old.stop_price),
        };
        request.validate_shape()?;
        self.check_request(idx, &request, Some(order_id), 0)?;
        self.unindex(&old);
        old.seq = self.next_seq();
        let new_id = self.next_order_id();
        old.replaced_by = Some(new_id);
        old.transition(OrderStatus::Replaced, self.now);
        fx.order(&old);
        let mut new = self.new_working_order(new_id, entry_id, request, Some(old.id));
        // A stop-limit whose stop already fired is a limit order now; only a new stop price
        // arms the stop again.
        new.stop_triggered = old.stop_triggered && change.stop_price.is_none();
        Ok(self.work_new_order(idx, new, fx))
    }

    /// Fires the resting orders a new price of instrument `inst` triggers, in order-id order.
    pub fn trigger(&mut self, inst: u32, price: Price, fx: &mut Effects, updated: &mut Vec<Order>) {
        if self.instruments[inst as usize].book.is_empty() {
            return;
        }
        let fired = self.instruments[inst as usize].book.take_triggered(price);
        for id in fired {
            let Some(mut order) = self.untrack_open(id) else { continue };
            let Some(idx) = self.entry_index(order.entry_id) else { continue };
            order.seq = self.next_seq();
            if matches!(order.order_type, OrderType::Stop | OrderType::StopLimit) && !order.stop_triggered {
                order.stop_triggered = true;
            }
            if !executable_now(&order, price) {
                // A stop-limit whose stop fired but whose limit is not reached: it rests as a limit.
                self.rest(idx, inst, order.clone());
                fx.order(&order);
                updated.push(order);
                continue;
            }
            let request = OrderRequest {
                client_order_id: None,
                symbol: order.symbol.clone(),
                side: order.side,
                order_type: OrderType::Market,
                time_in_force: TimeInForce::Day,
                qty: order.remaining(),
                limit_price: None,
                stop_price: None,
            };
            let was_open = self.market_open;
            self.market_open = true;
            let check = self.check_request(idx, &request, Some(id), 0);
            self.market_open = was_open;
            if let Err(reason) = check {
                order.reject_reason = Some(reason);
                order.transition(OrderStatus::Rejected, self.now);
                fx.order(&order);
                updated.push(order);
                continue;
            }
            let wanted = order.remaining();
            let allowed = self.volume_allowance(inst, wanted);
            if allowed.0 > 0 {
                let exec = execution_price(self, &order, price);
                self.fill(idx, inst, &mut order, allowed, exec, fx);
            }
            if order.status.is_open() {
                self.rest(idx, inst, order.clone());
            }
            fx.order(&order);
            updated.push(order);
        }
    }

    fn rest(&mut self, idx: u32, inst: u32, order: Order) {
        if let Some((kind, price)) = trigger_of(&order) {
            self.instruments[inst as usize].book.insert(kind, price, order.id);
        }
        self.track_open(idx, order);
    }

    /// Expires every open day order (end of session).
    pub fn expire_day_orders(&mut self, fx: &mut Effects) -> Vec<Order> {
        let mut ids: Vec<OrderId> =
            self.open_orders.values().filter(|o| o.time_in_force == TimeInForce::Day).map(|o| o.id).collect();
        ids.sort_unstable();
        let mut expired = Vec::with_capacity(ids.len());
        for id in ids {
            if let Some(mut order) = self.open_orders.get(&id).cloned() {
                self.unindex(&order);
                order.seq = self.next_seq();
                order.transition(OrderStatus::Expired, self.now);
                fx.order(&order);
                expired.push(order);
            }
        }
        expired
    }
}

/// Player-chosen client order ids may not look like generated ones: the store tells the two
/// apart by that format, and a chosen id it took for a generated one would not be kept for
/// idempotent retries after a restart.
fn refuse_generated_client_id(client_order_id: Option<&str>) -> Result<(), RejectReason> {
    match client_order_id {
        Some(c) if c.starts_with(bullpen_store::GENERATED_CLIENT_ORDER_ID_PREFIX) => {
            Err(RejectReason::InvalidClientOrderId)
        }
        _ => Ok(()),
    }
}

/// Volume-weighted average price, rounded to the nearest 1/10,000 dollar (halves away from zero).
fn average_price(notional: Money, qty: Qty) -> Price {
    let q = i128::from(qty.0.max(1));
    let n = i128::from(notional.0);
    Price(((2 * n + q) / (2 * q)) as i64)
}

/// Equity of a portfolio at the engine's last prices (used where the incremental value is not
/// at hand).
pub fn equity_at(live: &LiveTournament, portfolio: &Portfolio) -> Money {
    portfolio.equity(|s| live.last_price(s))
}
