//! Validation errors that name the field path and the value.

use std::fmt;

use crate::text::thousands;

/// Most problems a [`ScenarioError`] lists one by one; the rest are counted in a last line
/// ("... and 19,980 more"), so a file with millions of bad entries gives a short message.
pub const MAX_LISTED: usize = 20;

/// One problem with one field: `sites[3].capacity_mw: must be > 0, got -5`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldError {
    /// Dotted path of the field, with list indices: `sites[3].delay.max`.
    pub path: String,
    pub message: String,
}

impl fmt::Display for FieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.path.is_empty() {
            write!(f, "{}", self.message)
        } else {
            write!(f, "{}: {}", self.path, self.message)
        }
    }
}

/// Every problem found in a scenario, in file order: the first [`MAX_LISTED`], then (when
/// there are more) one line with no path that counts the rest.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ScenarioError {
    #[error("{} problem(s) in the scenario:\n{}", thousands(total(.0) as u64), list(.0))]
    Invalid(Vec<FieldError>),
}

impl ScenarioError {
    /// The individual field errors, the last one counting those not listed (if any).
    pub fn errors(&self) -> &[FieldError] {
        match self {
            ScenarioError::Invalid(e) => e,
        }
    }

    /// How many problems were found in all, listed or not.
    pub fn total(&self) -> usize {
        total(self.errors())
    }
}

/// The line that stands for `more` problems not listed.
pub(crate) fn more_line(more: usize) -> FieldError {
    FieldError {
        path: String::new(),
        message: format!("... and {} more", thousands(more as u64)),
    }
}

fn total(errors: &[FieldError]) -> usize {
    match errors.last() {
        Some(last) if errors.len() > MAX_LISTED && last.path.is_empty() => {
            let digits: String = last.message.chars().filter(char::is_ascii_digit).collect();
            MAX_LISTED + digits.parse::<usize>().unwrap_or(0)
        }
        _ => errors.len(),
    }
}

fn list(errors: &[FieldError]) -> String {
    errors
        .iter()
        .map(|e| format!("  {e}"))
        .collect::<Vec<_>>()
        .join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_lists_are_counted_not_listed() {
        let mut errors: Vec<FieldError> = (0..MAX_LISTED)
            .map(|i| FieldError {
                path: format!("sites[{i}].pue"),
                message: "must be >= 1, got 0".into(),
            })
            .collect();
        errors.push(more_line(19_980));
        let e = ScenarioError::Invalid(errors);
        assert_eq!(e.total(), 20_000);
        let text = e.to_string();
        assert!(text.starts_with("20,000 problem(s)"), "{text}");
        assert!(text.ends_with("  ... and 19,980 more"), "{text}");
        assert_eq!(thousands(19_999_990), "19,999,990");
        assert_eq!(thousands(999), "999");
    }
}
