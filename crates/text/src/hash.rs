//! A fast hasher for the indexes built over the pasted inputs (log groups, per-address
//! caches). std's SipHash cost an eighth of a large diagnosis natively. Keys come from
//! text the user pasted themselves, so flooding resistance matters little; the seed still
//! differs per process.
//!
//! In the page (wasm32) the maps keep std's hasher: yew's own maps already bring it, and
//! a second hasher would duplicate every map's code in a page that has a size budget.

use std::hash::{BuildHasher, Hasher};

/// Builds [`FastHasher`]s with one per-process seed.
#[derive(Clone, Copy)]
pub struct FastBuild {
    seed: u64,
}

impl Default for FastBuild {
    fn default() -> Self {
        thread_local! {
            static SEED: u64 = std::collections::hash_map::RandomState::new().hash_one(0x5eed_u64) | 1;
        }
        FastBuild { seed: SEED.with(|s| *s) }
    }
}

impl BuildHasher for FastBuild {
    type Hasher = FastHasher;
    fn build_hasher(&self) -> FastHasher {
        FastHasher(self.seed)
    }
}

/// Word-at-a-time multiply-rotate mixing (the FxHash scheme) with a final avalanche.
pub struct FastHasher(u64);

const K: u64 = 0xf135_7aea_2e62_a9c5;

impl FastHasher {
    #[inline]
    fn add(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(26) ^ word).wrapping_mul(K);
    }
}

impl Hasher for FastHasher {
    #[inline]
    fn finish(&self) -> u64 {
        // hashbrown takes the top 7 bits as tags: spread the low bits up.
        let x = self.0 ^ (self.0 >> 29);
        x.wrapping_mul(0xbf58_476d_1ce4_e5b9) ^ (x >> 32)
    }

    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let mut w = [0u8; 8];
            w.copy_from_slice(c);
            self.add(u64::from_le_bytes(w));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut w = [0u8; 8];
            for (d, s) in w.iter_mut().zip(rest) {
                *d = *s;
            }
            self.add(u64::from_le_bytes(w) ^ ((rest.len() as u64) << 59));
        }
    }

    #[inline]
    fn write_u8(&mut self, i: u8) {
        self.add(u64::from(i));
    }
    #[inline]
    fn write_u16(&mut self, i: u16) {
        self.add(u64::from(i));
    }
    #[inline]
    fn write_u32(&mut self, i: u32) {
        self.add(u64::from(i));
    }
    #[inline]
    fn write_u64(&mut self, i: u64) {
        self.add(i);
    }
    #[inline]
    fn write_usize(&mut self, i: usize) {
        self.add(i as u64);
    }
}

#[cfg(not(target_arch = "wasm32"))]
pub type FastMap<K, V> = std::collections::HashMap<K, V, FastBuild>;
#[cfg(not(target_arch = "wasm32"))]
pub type FastSet<K> = std::collections::HashSet<K, FastBuild>;
#[cfg(target_arch = "wasm32")]
pub type FastMap<K, V> = std::collections::HashMap<K, V>;
#[cfg(target_arch = "wasm32")]
pub type FastSet<K> = std::collections::HashSet<K>;

#[cfg(test)]
mod tests {
    use super::*;

    fn h(bytes: &[u8]) -> u64 {
        FastBuild::default().hash_one(bytes)
    }

    #[test]
    fn equal_keys_hash_equal_and_near_keys_differ() {
        assert_eq!(h(b"127.0.0.1:8000"), h(b"127.0.0.1:8000"));
        let mut seen = std::collections::HashSet::new();
        // Ports and addresses that differ in one character, lengths that differ by a NUL.
        for port in 0..2000u32 {
            assert!(seen.insert(h(format!("127.0.0.1:{port}").as_bytes())));
        }
        assert!(seen.insert(h(b"ab")) && seen.insert(h(b"ab\0")) && seen.insert(h(b"")));
    }

    #[test]
    fn top_bits_spread() {
        // hashbrown's control tags are the top 7 bits: sequential keys must not share them all.
        let tags: std::collections::HashSet<u64> =
            (0..1000u64).map(|i| FastBuild::default().hash_one(i) >> 57).collect();
        assert!(tags.len() > 100, "{}", tags.len());
    }
}
