"""Drives Bullpen's Alpaca-compatible API with the official, unmodified alpaca-py SDK.

Run by crates/web/tests/alpaca_sdk.rs against a test server whose market is open and whose
tournament trades AAA ($100), BBB ($50) and CCC ($20). Environment: BASE_URL (the trading base
URL), STREAM_URL (the trade_updates WebSocket), KEY and SECRET (a trade-scope API key).

When the script needs prices to move it prints `TICK <SYMBOL> <DOLLARS>` and waits for a line on
stdin (the Rust side moves the price, then answers). Every expectation is asserted: the first
mismatch prints `FAIL: ...` to stderr and exits with status 1. On success the last line printed
is a one-line summary starting with `alpaca-py`.
"""

import os
import queue
import sys
import threading
import time
from datetime import date, datetime, timedelta, timezone
from uuid import UUID

import alpaca
from alpaca.common.enums import Sort
from alpaca.common.exceptions import APIError
from alpaca.trading.client import TradingClient
from alpaca.trading.enums import (
    AssetClass,
    AssetStatus,
    OrderSide,
    OrderStatus,
    OrderType,
    PositionSide,
    QueryOrderStatus,
    TimeInForce,
)
from alpaca.trading.models import (
    Asset,
    Calendar,
    Clock,
    NonTradeActivity,
    Order,
    PortfolioHistory,
    Position,
    TradeAccount,
    TradeActivity,
    TradeUpdate,
)
from alpaca.trading.requests import (
    ClosePositionRequest,
    GetAssetsRequest,
    GetCalendarRequest,
    GetOrdersRequest,
    GetPortfolioHistoryRequest,
    LimitOrderRequest,
    MarketOrderRequest,
    ReplaceOrderRequest,
    StopLimitOrderRequest,
    StopOrderRequest,
)
from alpaca.trading.stream import TradingStream

BASE_URL = os.environ["BASE_URL"]
STREAM_URL = os.environ["STREAM_URL"]
KEY = os.environ["KEY"]
SECRET = os.environ["SECRET"]

checks = 0
covered = []


def check(condition, what):
    """Counts one expectation; exits non-zero on the first one that does not hold."""
    global checks
    if not condition:
        print(f"FAIL: {what}", file=sys.stderr, flush=True)
        sys.exit(1)
    checks += 1


def expect_api_error(call, status, code, what):
    """Runs `call`, which must fail with an Alpaca error of this HTTP status and numeric code."""
    try:
        call()
    except APIError as e:
        check(e.status_code == status, f"{what}: status {e.status_code}, wanted {status}")
        check(e.code == code, f"{what}: code {e.code}, wanted {code}")
        check(bool(e.message), f"{what}: an error message")
        return
    check(False, f"{what}: no error raised")


def tick(symbol, dollars):
    """Asks the Rust side to move a price, and waits until it has."""
    print(f"TICK {symbol} {dollars}", flush=True)
    answer = sys.stdin.readline().strip()
    check(answer == "ticked", f"tick acknowledged, got {answer!r}")


client = TradingClient(KEY, SECRET, paper=True, url_override=BASE_URL)

# ---- account, clock, calendar, assets ----
account = client.get_account()
check(isinstance(account, TradeAccount), "get_account returns a TradeAccount")
check(isinstance(account.id, UUID), "account id parses as a UUID")
check(account.status.value == "ACTIVE", f"account status {account.status}")
check(account.cash == "100000.00", f"starting cash {account.cash}")
check(account.equity == "100000.00", f"starting equity {account.equity}")
check(float(account.buying_power) == 100000.0, f"buying power {account.buying_power}")
check(account.shorting_enabled is True, "shorting enabled")

clock = client.get_clock()
check(isinstance(clock, Clock) and clock.is_open, f"market open: {clock}")
check(clock.next_close > clock.timestamp, "next close after now")
check(clock.next_open > clock.next_close, "next open after the close")
days = client.get_calendar(GetCalendarRequest(start=date(2026, 1, 1), end=date(2026, 1, 9)))
check(all(isinstance(d, Calendar) for d in days), "calendar days parse")
check([d.date for d in days] == [date(2026, 1, 2)] + [date(2026, 1, n) for n in range(5, 10)], f"calendar {days}")
check(days[0].open.hour == 9 and days[0].open.minute == 30, "calendar open 09:30")
assets = client.get_all_assets(GetAssetsRequest(status=AssetStatus.ACTIVE, asset_class=AssetClass.US_EQUITY))
check(sorted(a.symbol for a in assets) == ["AAA", "BBB", "CCC"], f"assets {[a.symbol for a in assets]}")
aaa = client.get_asset("AAA")
check(isinstance(aaa, Asset) and aaa.tradable and aaa.asset_class == AssetClass.US_EQUITY, f"asset {aaa}")
check(client.get_asset(aaa.id).symbol == "AAA", "asset by UUID")
covered.append("account/clock/calendar/assets")

# ---- trade_updates stream, in a thread ----
updates = queue.Queue()
seen = []


async def on_update(update):
    updates.put(update)


stream = TradingStream(KEY, SECRET, paper=True, url_override=STREAM_URL)
stream.subscribe_trade_updates(on_update)
stream_thread = threading.Thread(target=stream.run, daemon=True)
stream_thread.start()
deadline = time.monotonic() + 10
while not getattr(stream, "_running", False):
    check(time.monotonic() < deadline, "trade stream connected and authenticated within 10 s")
    time.sleep(0.05)
time.sleep(0.5)  # the listen request is on its way


def wait_update(matches, what, timeout=10.0):
    """The first trade update (seen or still to come) that matches."""
    for u in seen:
        if matches(u):
            return u
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        try:
            u = updates.get(timeout=max(0.01, end - time.monotonic()))
        except queue.Empty:
            break
        check(isinstance(u, TradeUpdate), f"stream items are TradeUpdate, got {type(u)}")
        seen.append(u)
        if matches(u):
            return u
    check(False, f"trade update: {what} (saw {[(u.event, str(u.order.id)) for u in seen]})")


# ---- orders: market, limit, stop, stop-limit ----
market = client.submit_order(
    MarketOrderRequest(symbol="AAA", qty=10, side=OrderSide.BUY, time_in_force=TimeInForce.DAY, client_order_id="sdk-m1")
)
check(isinstance(market, Order) and isinstance(market.id, UUID), "market order parses, id is a UUID")
check(market.status == OrderStatus.FILLED, f"market order filled: {market.status}")
check(market.filled_qty == "10" and market.filled_avg_price == "100.00", f"market fill {market.filled_qty} @ {market.filled_avg_price}")
check(market.type == OrderType.MARKET and market.side == OrderSide.BUY, "market order type and side")
check(market.client_order_id == "sdk-m1", "client order id kept")
fill = wait_update(lambda u: u.event == "fill" and u.order.id == market.id, "fill of the market order")
check(fill.price == 100.0 and fill.qty == 10.0 and fill.position_qty == 10.0, f"fill details {fill}")
check(fill.order.status == OrderStatus.FILLED, "fill event carries the filled order")
covered.append("trade_updates")

limit = client.submit_order(
    LimitOrderRequest(symbol="BBB", qty=5, side=OrderSide.BUY, time_in_force=TimeInForce.GTC, limit_price=45.5)
)
check(limit.status == OrderStatus.NEW and limit.limit_price == "45.50", f"limit order resting: {limit.status} {limit.limit_price}")
stop = client.submit_order(
    StopOrderRequest(symbol="AAA", qty=4, side=OrderSide.SELL, time_in_force=TimeInForce.GTC, stop_price=90)
)
check(stop.status == OrderStatus.NEW and stop.stop_price == "90.00" and stop.type == OrderType.STOP, f"stop order {stop}")
stop_limit = client.submit_order(
    StopLimitOrderRequest(
        symbol="CCC",
        qty=3,
        side=OrderSide.BUY,
        time_in_force=TimeInForce.DAY,
        stop_price=21,
        limit_price=23,
        client_order_id="sdk-sl",
    )
)
check(stop_limit.status == OrderStatus.NEW and stop_limit.type == OrderType.STOP_LIMIT, f"stop-limit order {stop_limit}")
covered.append("market/limit/stop/stop_limit")

# ---- get by id, by client order id, list with filters ----
check(client.get_order_by_id(limit.id) == limit, "get_order_by_id returns the same order")
check(client.get_order_by_id(str(stop.id)).id == stop.id, "get_order_by_id with a string id")
check(client.get_order_by_client_id("sdk-sl").id == stop_limit.id, "get_order_by_client_id")
open_orders = client.get_orders(GetOrdersRequest(status=QueryOrderStatus.OPEN))
check({o.id for o in open_orders} == {limit.id, stop.id, stop_limit.id}, f"open orders {open_orders}")
aaa_orders = client.get_orders(GetOrdersRequest(status=QueryOrderStatus.ALL, symbols=["AAA"], direction=Sort.ASC))
check([o.id for o in aaa_orders] == [market.id, stop.id], "orders filtered by symbol, oldest first")
check(len(client.get_orders(GetOrdersRequest(status=QueryOrderStatus.ALL, limit=2))) == 2, "orders limit")
check(client.get_orders(GetOrdersRequest(status=QueryOrderStatus.CLOSED, side=OrderSide.BUY))[0].id == market.id, "closed buys")
later = datetime.now(timezone.utc) + timedelta(days=3650)
check(client.get_orders(GetOrdersRequest(status=QueryOrderStatus.ALL, after=later)) == [], "orders after a future time")
covered.append("get/list")

# ---- replace ----
replacement = client.replace_order_by_id(limit.id, ReplaceOrderRequest(qty=6, limit_price=46))
check(replacement.replaces == limit.id, "replacement names the order it replaces")
check(replacement.qty == "6" and replacement.limit_price == "46.00", f"replacement {replacement.qty} @ {replacement.limit_price}")
old = client.get_order_by_id(limit.id)
check(old.status == OrderStatus.REPLACED and old.replaced_by == replacement.id, f"old order replaced: {old.status}")
wait_update(lambda u: u.event == "replaced" and u.order.id == replacement.id, "replaced event")
covered.append("replace")

# ---- prices move: the stop-limit triggers and fills ----
tick("CCC", 22)
filled = client.get_order_by_id(stop_limit.id)
check(filled.status == OrderStatus.FILLED and filled.filled_avg_price == "22.00", f"stop-limit filled at 22: {filled}")
update = wait_update(lambda u: u.event == "fill" and u.order.id == stop_limit.id, "fill of the stop-limit order")
check(update.price == 22.0 and update.qty == 3.0, f"stop-limit fill details {update}")

# ---- cancel one, cancel all ----
check(client.cancel_order_by_id(stop.id) is None, "cancel_order_by_id answers no content")
check(client.get_order_by_id(stop.id).status == OrderStatus.CANCELED, "stop order canceled")
wait_update(lambda u: u.event == "canceled" and u.order.id == stop.id, "canceled event")
expect_api_error(lambda: client.cancel_order_by_id(stop.id), 422, 42210000, "canceling a canceled order")
canceled = client.cancel_orders()
check([c.id for c in canceled] == [replacement.id] and canceled[0].status == 200, f"cancel_orders {canceled}")
check(client.get_orders() == [], "no open orders left")
covered.append("cancel/cancel_all")

# ---- positions ----
positions = {p.symbol: p for p in client.get_all_positions()}
check(set(positions) == {"AAA", "CCC"}, f"positions {list(positions)}")
check(all(isinstance(p, Position) for p in positions.values()), "positions parse")
check(positions["AAA"].qty == "10" and positions["AAA"].side == PositionSide.LONG, f"AAA position {positions['AAA']}")
check(positions["AAA"].avg_entry_price == "100.00" and positions["AAA"].market_value == "1000.00", "AAA value")
check(client.get_open_position("CCC").qty == "3", "get_open_position")
expect_api_error(lambda: client.get_open_position("BBB"), 404, 40410000, "no BBB position")
half = client.close_position("AAA", ClosePositionRequest(percentage="50"))
check(isinstance(half, Order) and half.qty == "5" and half.side == OrderSide.SELL, f"close half of AAA: {half}")
check(half.status == OrderStatus.FILLED, "closing order filled")
closed = client.close_position("CCC")
check(closed.qty == "3" and closed.status == OrderStatus.FILLED, f"close CCC: {closed}")
check(client.get_open_position("AAA").qty == "5", "AAA half left")
covered.append("positions/close")

# ---- errors ----
expect_api_error(
    lambda: client.submit_order(MarketOrderRequest(symbol="AAA", qty=100000, side=OrderSide.BUY, time_in_force=TimeInForce.DAY)),
    403,
    40310000,
    "insufficient buying power",
)
expect_api_error(
    lambda: client.submit_order(MarketOrderRequest(symbol="ZZZZ", qty=1, side=OrderSide.BUY, time_in_force=TimeInForce.DAY)),
    422,
    42210000,
    "unknown symbol",
)
expect_api_error(lambda: client.get_order_by_id(UUID(int=12345)), 404, 40410000, "unknown order id")
covered.append("errors")

# ---- activities (no TradingClient method: the documented endpoint through the client's get) ----
raw = client.get("/account/activities")
check(isinstance(raw, list) and len(raw) >= 5, f"activities {raw}")
fills = [TradeActivity(**a) for a in raw if a["activity_type"] == "FILL"]
others = [NonTradeActivity(**a) for a in raw if a["activity_type"] != "FILL"]
check(len(fills) == 4, f"four fills, got {len(fills)}")
check(fills[-1].order_id == market.id and fills[-1].qty == 10 and fills[-1].price == 100, f"oldest fill {fills[-1]}")
check([o.activity_type.value for o in others] == ["CSD"] and others[0].net_amount == 100000, f"deposit {others}")
page = client.get("/account/activities/FILL", {"page_size": 2, "direction": "asc"})
check([TradeActivity(**a).order_id for a in page] == [market.id, stop_limit.id], "first page of fills, oldest first")
rest = client.get("/account/activities/FILL", {"page_size": 2, "direction": "asc", "page_token": page[-1]["id"]})
check(len(rest) == 2, f"second page of fills {rest}")
covered.append("activities")

# ---- portfolio history ----
history = client.get_portfolio_history(GetPortfolioHistoryRequest(period="1W", timeframe="1D"))
check(isinstance(history, PortfolioHistory), "portfolio history parses")
check(history.base_value == 100000 and history.timeframe == "1D", f"history base {history.base_value}")
check(len(history.equity) == len(history.timestamp) == len(history.profit_loss) >= 1, f"history {history}")
current = float(client.get_account().equity)
check(history.equity[-1] == current, f"last point is the current equity {history.equity[-1]} vs {current}")
check(abs(history.profit_loss[-1] - (current - 100000)) < 1e-6, "profit and loss from the base value")
covered.append("portfolio_history")

# ---- close everything ----
closes = client.close_all_positions(cancel_orders=True)
check([c.symbol for c in closes] == ["AAA"] and closes[0].status == 200, f"close_all_positions {closes}")
check(client.get_all_positions() == [], "no positions left")

stream.stop()
stream_thread.join(timeout=10)
print(
    f"alpaca-py {alpaca.__version__ if hasattr(alpaca, '__version__') else ''} against Bullpen: "
    f"{checks} checks passed ({', '.join(covered)}); {len(seen)} trade updates received",
    flush=True,
)
