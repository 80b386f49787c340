//! The hot kernels, behind one door: the code that is written for speed rather than for
//! reading, each with a plain reference it is tested against. Everything `unsafe` in
//! dcrisk lives here, each block's safety argument beside it.
//!
//! - [`simd`]: runs a closure compiled for the widest vectors the CPU has.
//! - [`exp`]: a vectorisable `exp` within 1 ulp (fdlibm's algorithm).
//! - [`ziggurat`]: the standard normal sampler (rand_distr's, inlined), tables apart.
//! - [`sketch`]: the fixed-memory quantile summary with bounded relative error (its
//!   bucket counts in `buckets`).
//! - [`batch`]: the huge-page buffer that feeds the series summaries in batches.
//! - [`exact`]: exact (fixed-point) sums, so merged runs and shards add up bit for bit.
//! - [`codec`]: the binary encoding of shard parts.

pub mod batch;
mod buckets;
pub mod codec;
pub mod exact;
pub mod exp;
pub mod simd;
pub mod sketch;
pub mod ziggurat;
mod ziggurat_tables;
