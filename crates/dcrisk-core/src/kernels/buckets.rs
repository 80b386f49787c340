//! The bucket counts of a quantile summary ([`super::sketch`]): a contiguous range of
//! keys, grown as values arrive, with 16-bit counts for batches settled into 32-bit ones.

/// Bucket counts over a contiguous key range.
///
/// A bucket's count is `counts[i] + recent[i]`. Batches count into the 16-bit `recent`,
/// half the memory of `counts`: a run keeps thousands of summaries, more than the cache
/// holds, so their size sets how often a batch waits on memory. `recent` is settled into
/// `counts` before it could overflow.
#[derive(Clone, Debug, Default)]
pub(super) struct Store {
    pub(super) offset: u64,
    pub(super) counts: Vec<u32>,
    pub(super) recent: Vec<u16>,
    /// Values counted into `recent` since it was last settled (an upper bound).
    pub(super) pending: u32,
}

/// Two stores are equal when they count the same keys the same number of times, whatever
/// range they happen to have allocated (that depends on the order values arrived in).
impl PartialEq for Store {
    fn eq(&self, other: &Self) -> bool {
        self.iter().eq(other.iter())
    }
}

impl Store {
    #[inline]
    pub(super) fn add(&mut self, key: u64, n: u32) {
        // One unsigned compare checks both ends of the range.
        let i = key.wrapping_sub(self.offset) as usize;
        if let Some(c) = self.counts.get_mut(i) {
            *c += n;
        } else {
            self.add_outside(key, n);
        }
    }

    #[cold]
    pub(super) fn add_outside(&mut self, key: u64, n: u32) {
        self.cover(key, key);
        self.counts[(key - self.offset) as usize] += n;
    }

    /// Widens the range to hold `key`, growing geometrically in the direction needed so
    /// that filling a wide range costs amortised constant time per bucket.
    #[cold]
    pub(super) fn grow_to(&mut self, key: u64) {
        let len = self.counts.len() as u64;
        let end = self.offset + len;
        let slack = len / 4 + 16;
        let (new_start, new_end) = if key < self.offset {
            (key.saturating_sub(slack), end)
        } else {
            (self.offset, key + 1 + slack)
        };
        let mut counts = vec![0; (new_end - new_start) as usize];
        let mut recent = vec![0; counts.len()];
        let at = (self.offset - new_start) as usize;
        counts[at..at + self.counts.len()].copy_from_slice(&self.counts);
        recent[at..at + self.recent.len()].copy_from_slice(&self.recent);
        self.offset = new_start;
        self.counts = counts;
        self.recent = recent;
    }

    /// Widens the range to hold keys `lo..=hi`.
    pub(super) fn cover(&mut self, lo: u64, hi: u64) {
        if self.counts.is_empty() {
            self.offset = lo;
            self.counts.push(0);
            self.recent.push(0);
        }
        if lo < self.offset {
            self.grow_to(lo);
        }
        if hi >= self.offset + self.counts.len() as u64 {
            self.grow_to(hi);
        }
    }

    /// Makes room in `recent` for `n` more values, settling it into `counts` if they could
    /// overflow a 16-bit count.
    #[inline]
    pub(super) fn reserve_recent(&mut self, n: usize) {
        let n = u32::try_from(n).unwrap_or(u32::MAX);
        if self.pending.saturating_add(n) > u32::from(u16::MAX) {
            for (c, r) in self.counts.iter_mut().zip(&mut self.recent) {
                *c += u32::from(*r);
                *r = 0;
            }
            self.pending = 0;
        }
        self.pending = self.pending.saturating_add(n);
    }

    /// Asks the CPU to start loading the buckets of keys `lo..=hi` (clipped to the range)
    /// into the cache.
    #[inline]
    pub(super) fn prefetch(&self, lo: u64, hi: u64) {
        #[cfg(target_arch = "x86_64")]
        {
            use std::arch::x86_64::{_MM_HINT_T0, _mm_prefetch};
            let end = self.offset + self.recent.len() as u64;
            let (a, b) = (lo.max(self.offset), hi.min(end.saturating_sub(1)));
            if a > b || self.recent.is_empty() {
                return;
            }
            let (a, b) = ((a - self.offset) as usize, (b - self.offset) as usize);
            // 32 two-byte counts per 64-byte line.
            for i in (a..=b).step_by(32).chain(std::iter::once(b)) {
                // SAFETY: prefetching is only a hint; the address lies inside `recent`.
                unsafe { _mm_prefetch(self.recent.as_ptr().add(i).cast::<i8>(), _MM_HINT_T0) };
            }
        }
        #[cfg(not(target_arch = "x86_64"))]
        let _ = (lo, hi);
    }

    /// Adds `other`'s counts: the range widened once to its counted keys, then bucket by
    /// bucket.
    pub(super) fn merge(&mut self, other: &Store) {
        let Some(first) = other.totals().position(|c| c > 0) else {
            return;
        };
        let last = other.totals().rposition(|c| c > 0).unwrap_or(first);
        let (lo, hi) = (other.offset + first as u64, other.offset + last as u64);
        self.cover(lo, hi);
        let at = (lo - self.offset) as usize;
        let counted = other.totals().skip(first).take(last + 1 - first);
        for (c, n) in self.counts[at..].iter_mut().zip(counted) {
            *c += n;
        }
    }

    /// Every bucket's count, from the first key of the range.
    pub(super) fn totals(&self) -> impl DoubleEndedIterator<Item = u32> + ExactSizeIterator + '_ {
        self.counts
            .iter()
            .zip(&self.recent)
            .map(|(&c, &r)| c + u32::from(r))
    }

    /// Keys and counts in increasing key order.
    pub(super) fn iter(&self) -> impl DoubleEndedIterator<Item = (u64, u64)> + '_ {
        self.totals()
            .enumerate()
            .filter(|(_, c)| *c > 0)
            .map(|(i, c)| (self.offset + i as u64, u64::from(c)))
    }
}
