//! The entries holding a position in one instrument: a dense list for fast revaluation sweeps
//! plus an index for O(1) updates.

use crate::idhash::IdMap;

/// Holders of one instrument: entry index → signed quantity.
#[derive(Debug, Clone, Default)]
pub struct Holders {
    items: Vec<(u32, i64)>,
    position: IdMap<u32, u32>,
}

impl Holders {
    /// Sets an entry's quantity; zero removes it.
    pub fn set(&mut self, idx: u32, qty: i64) {
        if qty == 0 {
            self.remove(idx);
            return;
        }
        match self.position.get(&idx) {
            Some(&p) => {
                if let Some(item) = self.items.get_mut(p as usize) {
                    item.1 = qty;
                }
            }
            None => {
                self.position.insert(idx, self.items.len() as u32);
                self.items.push((idx, qty));
            }
        }
    }

    /// Removes an entry (no-op when absent).
    pub fn remove(&mut self, idx: u32) {
        let Some(p) = self.position.remove(&idx) else { return };
        self.items.swap_remove(p as usize);
        if let Some(&(moved, _)) = self.items.get(p as usize) {
            self.position.insert(moved, p);
        }
    }

    /// An entry's quantity.
    pub fn get(&self, idx: u32) -> Option<i64> {
        self.position.get(&idx).and_then(|&p| self.items.get(p as usize)).map(|(_, q)| *q)
    }

    /// Every (entry index, quantity), in no particular order.
    pub fn iter(&self) -> impl Iterator<Item = (&u32, &i64)> + '_ {
        self.items.iter().map(|(i, q)| (i, q))
    }

    /// Entry indexes holding the instrument.
    pub fn keys(&self) -> impl Iterator<Item = &u32> + '_ {
        self.items.iter().map(|(i, _)| i)
    }

    /// Number of holders.
    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// True when nobody holds the instrument.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn set_update_remove_keep_the_index_consistent() {
        let mut h = Holders::default();
        h.set(3, 10);
        h.set(7, -5);
        h.set(9, 1);
        h.set(3, 12);
        assert_eq!(h.get(3), Some(12));
        h.remove(3);
        assert_eq!(h.get(3), None);
        assert_eq!(h.get(9), Some(1));
        assert_eq!(h.get(7), Some(-5));
        h.set(7, 0);
        assert_eq!(h.len(), 1);
        let all: Vec<_> = h.iter().map(|(i, q)| (*i, *q)).collect();
        assert_eq!(all, vec![(9, 1)]);
    }
}
