//! Keeps the last of several input rows with the same key, so an upsert of a list behaves like
//! applying the rows one after another (PostgreSQL refuses to touch one row twice in a statement).

use std::collections::HashMap;
use std::hash::Hash;

/// Indices of `items` to write: for each key the last occurrence, in input order.
pub(crate) fn last_of_each<T, K: Hash + Eq>(items: &[T], key: impl Fn(&T) -> K) -> Vec<usize> {
    let mut last: HashMap<K, usize> = HashMap::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        last.insert(key(item), i);
    }
    if last.len() == items.len() {
        return (0..items.len()).collect();
    }
    let mut keep: Vec<usize> = last.into_values().collect();
    keep.sort_unstable();
    keep
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_the_last_of_each_key_in_order() {
        let items = [("a", 1), ("b", 2), ("a", 3), ("c", 4)];
        assert_eq!(last_of_each(&items, |x| x.0), vec![1, 2, 3]);
        assert_eq!(last_of_each(&items[..2], |x| x.0), vec![0, 1]);
        assert!(last_of_each(&[] as &[(&str, i32)], |x| x.0).is_empty());
    }
}
