//! Validation errors that name the field path and the value.

use std::fmt;

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

/// Every problem found in a scenario, in file order.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ScenarioError {
    #[error("{} problem(s) in the scenario:\n{}", .0.len(), list(.0))]
    Invalid(Vec<FieldError>),
}

impl ScenarioError {
    /// The individual field errors.
    pub fn errors(&self) -> &[FieldError] {
        match self {
            ScenarioError::Invalid(e) => e,
        }
    }
}

fn list(errors: &[FieldError]) -> String {
    errors
        .iter()
        .map(|e| format!("  {e}"))
        .collect::<Vec<_>>()
        .join("\n")
}
