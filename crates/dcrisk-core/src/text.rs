//! Number formats for messages, shared by every crate so a count reads the same in an
//! error from the scenario reader, the merge and the command line.

/// `n` with thousands separators: `19,999,990`.
///
/// # Examples
/// ```
/// assert_eq!(dcrisk_core::text::thousands(19_999_990), "19,999,990");
/// assert_eq!(dcrisk_core::text::thousands(999), "999");
/// ```
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}
