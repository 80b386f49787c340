//! Hot loops compiled for the widest vectors the CPU has.
//!
//! The release build targets plain x86-64 (SSE2) so that it runs on any such machine. A few
//! loops over whole months or batches gain from AVX-512 or AVX2; [`widest`] runs them from a
//! function compiled with those features when the CPU has them. It is only for code whose
//! results do not depend on the vector width: separate IEEE multiplications, additions and
//! divisions (Rust never fuses them), comparisons and integer work, element by element.
//! Then every variant gives the same bits.

/// Calls `f`, compiled for AVX-512 or AVX2 when the CPU has them. `f` should be an
/// `#[inline(always)]` closure, so that its loops are compiled inside the chosen variant.
#[inline(always)]
pub fn widest<R>(f: impl FnOnce() -> R) -> R {
    #[cfg(target_arch = "x86_64")]
    {
        if std::arch::is_x86_feature_detected!("avx512f") {
            // SAFETY: the CPU supports AVX-512F, checked just above.
            return unsafe { avx512(f) };
        }
        if std::arch::is_x86_feature_detected!("avx2") {
            // SAFETY: the CPU supports AVX2, checked just above.
            return unsafe { avx2(f) };
        }
    }
    f()
}

/// Runs `f` compiled for AVX-512F.
///
/// # Safety
/// The CPU must support AVX-512F.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f")]
pub unsafe fn avx512<R>(f: impl FnOnce() -> R) -> R {
    f()
}

/// Runs `f` compiled for AVX2.
///
/// # Safety
/// The CPU must support AVX2.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
pub unsafe fn avx2<R>(f: impl FnOnce() -> R) -> R {
    f()
}
