//! Alpaca's `trade_updates` WebSocket at `/stream` (the trading base URL plus `/stream`, where
//! alpaca-py's `TradingStream` connects).
//!
//! The route is public: authentication happens in-band, as Alpaca's protocol has it.
//!
//! ```text
//! → {"action":"authenticate","data":{"key_id":"…","secret_key":"…"}}   (or {"action":"auth","key":…,"secret":…})
//! ← {"stream":"authorization","data":{"status":"authorized","action":"authenticate"}}
//! → {"action":"listen","data":{"streams":["trade_updates"]}}
//! ← {"stream":"listening","data":{"streams":["trade_updates"]}}
//! ← {"stream":"trade_updates","data":{"event":"fill","order":{…},"timestamp":"…","price":"…","qty":"…","position_qty":"…"}}
//! ```
//!
//! Frames are JSON text (alpaca-py decodes text and binary frames alike). Only the key's own
//! entry's updates are sent.

use std::collections::HashMap;
use std::time::Duration;

use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use bullpen_domain::{Money, OrderId, Qty};
use bullpen_engine::{OrderUpdate, TournamentHandle};
use serde_json::{json, Value};
use tokio::sync::broadcast;

use super::json::{execution_uuid, per_share, time, AlpacaError, AlpacaOrder};
use crate::identity::KeyPrincipal;
use crate::policy::Access;
use crate::routes::Routes;
use crate::state::AppState;
use crate::stream::{StreamGuard, StreamKind};

/// How long a new connection may take to authenticate.
pub const AUTH_TIMEOUT: Duration = Duration::from_secs(10);
/// Largest control message accepted, in bytes.
pub const MAX_MESSAGE_BYTES: usize = 16 * 1024;

/// The stream route.
pub fn routes() -> Routes {
    Routes::new().get("/stream", Access::Public, get(upgrade))
}

async fn upgrade(
    State(state): State<AppState>,
    ws: Result<WebSocketUpgrade, axum::extract::ws::rejection::WebSocketUpgradeRejection>,
) -> Response {
    match ws {
        Ok(ws) => ws.max_message_size(MAX_MESSAGE_BYTES).on_upgrade(move |socket| session(state, socket)),
        Err(e) => {
            AlpacaError::malformed(format!("connect with a WebSocket upgrade: {}", e.body_text())).into_response()
        }
    }
}

fn frame(value: &Value) -> Message {
    Message::Text(value.to_string().into())
}

fn authorization(authorized: bool) -> Message {
    let status = if authorized { "authorized" } else { "unauthorized" };
    frame(&json!({"stream": "authorization", "data": {"status": status, "action": "authenticate"}}))
}

/// The message text of a frame (`None` for pings, pongs and close frames).
fn text_of(msg: &Message) -> Option<&[u8]> {
    match msg {
        Message::Text(t) => Some(t.as_bytes()),
        Message::Binary(b) => Some(b),
        _ => None,
    }
}

/// Key id and secret of an authentication message, in either of Alpaca's two forms.
pub fn credentials(msg: &Value) -> Option<(&str, &str)> {
    match msg.get("action")?.as_str()? {
        "authenticate" => {
            let data = msg.get("data")?;
            Some((data.get("key_id")?.as_str()?, data.get("secret_key")?.as_str()?))
        }
        "auth" => Some((msg.get("key")?.as_str()?, msg.get("secret")?.as_str()?)),
        _ => None,
    }
}

async fn authenticate(state: &AppState, socket: &mut WebSocket) -> Option<KeyPrincipal> {
    loop {
        let msg = socket.recv().await?.ok()?;
        if matches!(msg, Message::Close(_)) {
            return None;
        }
        let Some(text) = text_of(&msg) else { continue };
        let value: Value = serde_json::from_slice(text).unwrap_or(Value::Null);
        let key = match credentials(&value) {
            Some((id, secret)) => {
                state.keys.verify(state.store.as_ref(), id, secret, state.clock.now()).await.ok().flatten()
            }
            None => None,
        };
        let _ = socket.send(authorization(key.is_some())).await;
        return key;
    }
}

/// Fill quantities and prices already reported per order, to report each fill's own share
/// count and price.
#[derive(Default)]
struct FillMemory {
    seen: HashMap<OrderId, (Qty, Money)>,
}

impl FillMemory {
    /// Shares and price of the fill behind an update (`None` when nothing new filled).
    fn fill_of(&mut self, update: &OrderUpdate) -> Option<(Qty, bullpen_domain::Price)> {
        let o = &update.order;
        let avg = o.filled_avg_price?;
        let notional = avg.times(o.filled_qty);
        let (prev_qty, prev_notional) = self.seen.get(&o.id).copied().unwrap_or_default();
        if o.status.is_open() {
            self.seen.insert(o.id, (o.filled_qty, notional));
        } else {
            self.seen.remove(&o.id);
        }
        let qty = o.filled_qty - prev_qty;
        if qty.0 <= 0 {
            return None;
        }
        let price = if prev_qty.is_zero() { avg } else { per_share(notional - prev_notional, qty) };
        Some((qty, price))
    }
}

/// The `trade_updates` message of an update.
async fn trade_update(handle: &TournamentHandle, memory: &mut FillMemory, update: &OrderUpdate) -> Message {
    let o = &update.order;
    let mut data = json!({
        "event": update.event,
        "order": AlpacaOrder::of(o),
        "timestamp": time(o.updated_at),
    });
    if matches!(update.event, "fill" | "partial_fill") {
        if let Some((qty, price)) = memory.fill_of(update) {
            data["execution_id"] = json!(execution_uuid(o.seq));
            data["qty"] = json!(qty.to_string());
            data["price"] = json!(price.to_string());
            let held = handle.accounts(vec![o.entry_id]).await.ok().and_then(|accounts| {
                accounts.into_iter().next()?.positions.into_iter().find(|(s, _)| *s == o.symbol).map(|(_, q)| q)
            });
            data["position_qty"] = json!(held.unwrap_or_default().to_string());
        }
    }
    frame(&json!({"stream": "trade_updates", "data": data}))
}

/// Handles a control message after authentication; returns the reply, and whether the client
/// now listens to `trade_updates` (`None`: unchanged).
pub fn control(msg: &Value) -> (Value, Option<bool>) {
    match msg.get("action").and_then(Value::as_str) {
        Some("listen") => {
            let streams: Vec<&str> = msg
                .get("data")
                .and_then(|d| d.get("streams"))
                .and_then(Value::as_array)
                .map(|a| a.iter().filter_map(Value::as_str).filter(|s| *s == "trade_updates").collect())
                .unwrap_or_default();
            let listening = !streams.is_empty();
            (json!({"stream": "listening", "data": {"streams": streams}}), Some(listening))
        }
        Some("authenticate" | "auth") => {
            (json!({"stream": "authorization", "data": {"status": "authorized", "action": "authenticate"}}), None)
        }
        _ => (
            json!({"stream": "listening", "data": {"error": "invalid syntax: send {\"action\":\"listen\",\"data\":{\"streams\":[\"trade_updates\"]}}"}}),
            None,
        ),
    }
}

async fn next_update(updates: &mut Option<broadcast::Receiver<OrderUpdate>>) -> Option<OrderUpdate> {
    let Some(rx) = updates.as_mut() else { return std::future::pending().await };
    loop {
        match rx.recv().await {
            Ok(u) => return Some(u),
            Err(broadcast::error::RecvError::Lagged(n)) => {
                tracing::warn!(missed = n, "trade_updates stream lagged");
            }
            Err(broadcast::error::RecvError::Closed) => return None,
        }
    }
}

async fn session(state: AppState, mut socket: WebSocket) {
    let _guard = StreamGuard::open(&state, StreamKind::TradeUpdates);
    let key = match tokio::time::timeout(AUTH_TIMEOUT, authenticate(&state, &mut socket)).await {
        Ok(Some(key)) => key,
        Ok(None) => {
            let _ = socket.send(Message::Close(None)).await;
            return;
        }
        Err(_) => {
            let _ = socket.send(authorization(false)).await;
            let _ = socket.send(Message::Close(None)).await;
            return;
        }
    };
    let handle = match state.tournament_handle(key.tournament_id).await {
        Ok(h) => h,
        Err(e) => {
            let _ = socket.send(frame(&json!({"stream": "listening", "data": {"error": e.message}}))).await;
            let _ = socket.send(Message::Close(None)).await;
            return;
        }
    };
    let mut updates: Option<broadcast::Receiver<OrderUpdate>> = None;
    let mut memory = FillMemory::default();
    loop {
        tokio::select! {
            msg = socket.recv() => {
                let msg = match msg {
                    Some(Ok(m)) => m,
                    _ => return,
                };
                if matches!(msg, Message::Close(_)) {
                    return;
                }
                let Some(text) = text_of(&msg) else { continue };
                let value: Value = serde_json::from_slice(text).unwrap_or(Value::Null);
                let (reply, listen) = control(&value);
                match listen {
                    Some(true) if updates.is_none() => updates = Some(handle.subscribe_updates()),
                    Some(false) => updates = None,
                    _ => {}
                }
                if socket.send(frame(&reply)).await.is_err() {
                    return;
                }
            }
            update = next_update(&mut updates) => {
                let Some(update) = update else { return };
                if update.entry_id != key.entry_id {
                    continue;
                }
                let msg = trade_update(&handle, &mut memory, &update).await;
                if socket.send(msg).await.is_err() {
                    return;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_authentication_forms_are_understood() {
        let a = json!({"action": "authenticate", "data": {"key_id": "K", "secret_key": "S"}});
        assert_eq!(credentials(&a), Some(("K", "S")));
        let b = json!({"action": "auth", "key": "K", "secret": "S"});
        assert_eq!(credentials(&b), Some(("K", "S")));
        assert_eq!(credentials(&json!({"action": "listen"})), None);
    }

    #[test]
    fn listen_replies_with_the_streams_served() {
        let (reply, listen) = control(&json!({"action": "listen", "data": {"streams": ["trade_updates", "bars"]}}));
        assert_eq!(reply, json!({"stream": "listening", "data": {"streams": ["trade_updates"]}}));
        assert_eq!(listen, Some(true));
        let (_, listen) = control(&json!({"action": "listen", "data": {"streams": []}}));
        assert_eq!(listen, Some(false));
        assert_eq!(control(&json!("junk")).1, None);
    }
}
