//! Hot loops compiled for the widest vectors the CPU has.
//!
//! The release build targets plain x86-64 (SSE2) so that it runs on any such machine. A few
//! loops over whole months or batches gain from AVX-512 or AVX2; [`widest`] runs them from a
//! function compiled with those features when the CPU has them. It is only for code whose
//! results do not depend on the vector width: separate IEEE multiplications, additions and
//! divisions (Rust never fuses them), explicit fused multiply-adds (`mul_add`: one rounding,
//! the same bits from the instruction or, without it, the library's software `fma`),
//! comparisons and integer work, element by element. Then every variant gives the same
//! bits. Both variants have the FMA instructions, so a `mul_add` in them is one instruction.

/// Calls `f`, compiled for AVX-512 or AVX2 (each with FMA) when the CPU has them. `f`
/// should be an `#[inline(always)]` closure, so that its loops are compiled inside the
/// chosen variant.
#[inline(always)]
pub fn widest<R>(f: impl FnOnce() -> R) -> R {
    #[cfg(target_arch = "x86_64")]
    {
        if std::arch::is_x86_feature_detected!("avx512f")
            && std::arch::is_x86_feature_detected!("fma")
        {
            // SAFETY: the CPU supports AVX-512F and FMA, checked just above.
            return unsafe { avx512(f) };
        }
        if std::arch::is_x86_feature_detected!("avx2") && std::arch::is_x86_feature_detected!("fma")
        {
            // SAFETY: the CPU supports AVX2 and FMA, checked just above.
            return unsafe { avx2(f) };
        }
    }
    f()
}

/// Runs `f` compiled for AVX-512F and FMA.
///
/// # Safety
/// The CPU must support AVX-512F and FMA.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f,fma")]
pub unsafe fn avx512<R>(f: impl FnOnce() -> R) -> R {
    f()
}

/// Runs `f` compiled for AVX2 and FMA.
///
/// # Safety
/// The CPU must support AVX2 and FMA.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
pub unsafe fn avx2<R>(f: impl FnOnce() -> R) -> R {
    f()
}
