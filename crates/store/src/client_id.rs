//! Generated client order ids.
//!
//! Players may give a `client_order_id` for idempotent retries; when they do not, the engine
//! generates one with [`generated_client_order_id`]. The store tells the two apart by that
//! format: only ids the players chose are kept unique per entry and returned for the engine's
//! idempotency map on rebuild (generated ones are unique by construction and need neither).

use bullpen_domain::OrderId;

/// Prefix of generated client order ids. The engine should refuse player-given ids that start
/// with it, so the two kinds can never be confused.
pub const GENERATED_CLIENT_ORDER_ID_PREFIX: &str = "bp-";

/// The client order id of an order whose player gave none.
pub fn generated_client_order_id(id: OrderId) -> String {
    format!("{GENERATED_CLIENT_ORDER_ID_PREFIX}{}", id.0)
}

/// True when `client_order_id` is the generated one of order `id` (checked without allocating,
/// because it runs for every order on the commit path).
pub fn is_generated_client_order_id(id: OrderId, client_order_id: &str) -> bool {
    client_order_id
        .strip_prefix(GENERATED_CLIENT_ORDER_ID_PREFIX)
        .and_then(|digits| if digits.starts_with('+') { None } else { digits.parse::<i64>().ok() })
        .is_some_and(|n| n == id.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_ids_are_recognised_and_only_for_their_order() {
        let id = OrderId(1_099_511_627_781);
        let generated = generated_client_order_id(id);
        assert_eq!(generated, "bp-1099511627781");
        assert!(is_generated_client_order_id(id, &generated));
        assert!(!is_generated_client_order_id(OrderId(5), &generated));
        assert!(!is_generated_client_order_id(id, "my-order-1"));
        assert!(!is_generated_client_order_id(id, "bp-+1099511627781"));
        assert!(!is_generated_client_order_id(id, "bp-"));
    }
}
