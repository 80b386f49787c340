//! Scenario files: the value tree, validation at the door, and the checked model.

mod contracts;
mod correlation;
mod error;
mod limits;
mod model;
mod overrides;
mod reader;
mod toml_text;
mod validate;
mod value;
mod warnings;

pub use correlation::cholesky;
pub use error::{FieldError, MAX_LISTED, ScenarioError};
pub use limits::{
    MAX_EVENT_RATE, MAX_JUMP_LOAD, MAX_LOG_DRIFT, MAX_LOG_SD, MAX_PATHS, MAX_REGIONS,
};
pub use model::*;
pub use overrides::{apply_override, matched_numbers, scale_override};
pub use reader::nearest;
pub use toml_text::{parse_toml, parse_value, write_toml};
pub use validate::{DEFAULT_PATHS, DEFAULT_SEED, MAX_NAME_BYTES, name_problem, validate};
pub use value::{Table, Value, format_number};
pub use warnings::{
    CAPEX_RANGE, CLOUD_PRICE_RANGE, FieldWarning, POWER_PRICE_RANGE, RENT_RANGE, warnings,
};

/// The shipped base case, `scenarios/gigawatt-program.toml`, validated: for unit tests
/// that need a realistic scenario.
#[cfg(test)]
pub(crate) fn shipped_base_case() -> Scenario {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../scenarios/gigawatt-program.toml"
    );
    let text = std::fs::read_to_string(path).expect("the shipped base case");
    validate(&parse_toml(&text).expect("base case TOML")).expect("a valid base case")
}
