//! Scenario files: the value tree, validation at the door, and the checked model.

mod correlation;
mod error;
mod model;
mod overrides;
mod reader;
mod toml_text;
mod validate;
mod value;

pub use correlation::cholesky;
pub use error::{FieldError, ScenarioError};
pub use model::*;
pub use overrides::apply_override;
pub use reader::nearest;
pub use toml_text::{parse_toml, parse_value};
pub use validate::{DEFAULT_PATHS, DEFAULT_SEED, validate};
pub use value::{Table, Value, format_number};
