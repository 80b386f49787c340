//! Worker threads: one rayon pool per command, and many runs on it at once. Each run is
//! deterministic in its seed and path range, so results never depend on the thread count.

use anyhow::{Context, Result};
use rayon::prelude::*;

/// A pool of `threads` workers (all cores when not given).
pub fn thread_pool(threads: Option<u16>) -> Result<rayon::ThreadPool> {
    let mut b = rayon::ThreadPoolBuilder::new();
    if let Some(t) = threads {
        b = b.num_threads(t as usize);
    }
    b.build().context("cannot start worker threads")
}

/// Maps `f` over `items` on `pool`, the items in parallel with each other (and each run
/// in parallel over its paths). Items go in waves of two per thread, so only that many
/// runs hold their per-path data at once. Results come back in item order; every run
/// is deterministic, so they do not depend on the thread count.
pub fn par_map<T, R, F>(pool: &rayon::ThreadPool, items: &[T], f: F) -> Vec<R>
where
    T: Sync,
    R: Send,
    F: Fn(&T) -> R + Sync + Send,
{
    let wave = 2 * pool.current_num_threads().max(1);
    pool.install(|| {
        items
            .chunks(wave)
            .flat_map(|chunk| chunk.par_iter().map(&f).collect::<Vec<R>>())
            .collect()
    })
}
