//! One sort for the whole program. A sort is the largest generic routine in the page's
//! wasm (quicksort, small-sorts, merge runs: kilobytes per element type and comparator),
//! and a dozen call sites each had their own. [`sort_by`] sorts a vector of indices with
//! a `dyn` comparator, so the sort itself exists once; each call site only adds the few
//! lines that move its elements into the new order. Stable. Slower than a direct sort by
//! an indirect call per comparison, which is nothing at the sizes sorted here (findings,
//! edits, sockets, diagnostics: thousands at most).

use std::cmp::Ordering;

/// Sorts `items` by `cmp`, keeping equal elements in their order.
pub fn sort_by<T>(items: &mut Vec<T>, cmp: impl Fn(&T, &T) -> Ordering) {
    if items.len() < 2 {
        return;
    }
    let mut order: Vec<usize> = (0..items.len()).collect();
    {
        let items: &[T] = items;
        let at = |i: usize| items.get(i);
        sort_indices(&mut order, &|a, b| match (at(a), at(b)) {
            (Some(x), Some(y)) => cmp(x, y),
            _ => Ordering::Equal,
        });
    }
    let mut slots: Vec<Option<T>> = std::mem::take(items).into_iter().map(Some).collect();
    items.extend(order.into_iter().filter_map(|i| slots.get_mut(i).and_then(Option::take)));
}

/// [`sort_by`] on a key.
pub fn sort_by_key<T, K: Ord>(items: &mut Vec<T>, key: impl Fn(&T) -> K) {
    sort_by(items, |a, b| key(a).cmp(&key(b)));
}

/// The one instantiation of the standard library's sort.
fn sort_indices(order: &mut [usize], cmp: &dyn Fn(usize, usize) -> Ordering) {
    order.sort_by(|&a, &b| cmp(a, b));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sorts_stably_like_the_standard_sort() {
        let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
        for len in [0usize, 1, 2, 3, 10, 100, 1000] {
            let v: Vec<(u8, usize)> = (0..len)
                .map(|i| {
                    x ^= x << 13;
                    x ^= x >> 7;
                    x ^= x << 17;
                    ((x % 7) as u8, i)
                })
                .collect();
            let mut ours = v.clone();
            sort_by_key(&mut ours, |e| e.0);
            let mut std_sorted = v.clone();
            std_sorted.sort_by_key(|e| e.0);
            assert_eq!(ours, std_sorted, "len {len}");
        }
    }
}
