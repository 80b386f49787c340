//! What `solve` and `frontier` share: a scenario file with its `--set` overrides, and one
//! key it decides, set to a value (`--vary`) or scaled by a factor (`--scale`); every
//! decision validated like the file, its errors blamed on the flag; and the record of
//! the command's making, `solve.run.json` or `frontier.run.json` beside the outputs.

use std::path::{Path, PathBuf};

use dcrisk_core::Scenario;
use dcrisk_core::scenario::{Table, Value, apply_override, matched_numbers, scale_override};

use crate::load::{InputError, load_tree, plausible, validate_tree};

/// How the decision enters the scenario.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// The key's value is the decision (`--vary`).
    Set,
    /// Every value the key matches is multiplied by the decision (`--scale`).
    Scale,
}

impl Mode {
    /// solve.json's `mode`.
    pub fn name(self) -> &'static str {
        match self {
            Mode::Set => "set",
            Mode::Scale => "scale",
        }
    }

    /// The flag that names the decision.
    pub fn flag(self) -> &'static str {
        match self {
            Mode::Set => "--vary",
            Mode::Scale => "--scale",
        }
    }
}

/// A scenario file and the key a command decides.
pub struct Decision {
    pub file: PathBuf,
    pub tree: Table,
    pub key: String,
    pub mode: Mode,
    pub base: Scenario,
    /// The values the key matches in the file (with their paths), for `--scale`.
    pub matched: Vec<(String, f64)>,
}

impl Decision {
    /// Reads `path` with `sets` applied, validates it (plausibility warnings refused with
    /// `strict`), and checks `key` matches numbers (for `--scale`) or can be set.
    pub fn load(
        path: &Path,
        sets: &[(String, String)],
        key: &str,
        mode: Mode,
        strict: bool,
    ) -> Result<Decision, InputError> {
        let label = path.display().to_string();
        let tree = load_tree(path, sets)?;
        let base = validate_tree(&label, &tree)?;
        plausible(path, sets, &base, strict)?;
        let mut d = Decision {
            file: path.to_path_buf(),
            tree,
            key: key.to_string(),
            mode,
            base,
            matched: Vec::new(),
        };
        if mode == Mode::Scale {
            d.matched = matched_numbers(&d.tree, key).map_err(|e| d.blame(e))?;
        }
        Ok(d)
    }

    /// The scenario at decision `x`, validated; errors name the file and the flag.
    pub fn scenario(&self, x: f64) -> Result<Scenario, InputError> {
        let mut tree = self.tree.clone();
        match self.mode {
            Mode::Set => apply_override(&mut tree, &self.key, Value::Float(x)),
            Mode::Scale => scale_override(&mut tree, &self.key, x),
        }
        .map_err(|e| self.blame(e))?;
        let label = format!(
            "{}: {} {}={x}",
            self.file.display(),
            self.mode.flag(),
            self.key
        );
        validate_tree(&label, &tree)
    }

    /// The core's `--set KEY: ...` message with this command's flag and the file.
    fn blame(&self, e: String) -> InputError {
        let e = e
            .strip_prefix("--set ")
            .map_or(e.clone(), |rest| format!("{} {rest}", self.mode.flag()));
        InputError(format!("{}: {e}", self.file.display()))
    }

    /// `sites[*].rent_per_kw_month x0.93 (= 139.5)` for the answer `x`: the scaled value
    /// when every matched value is the same.
    pub fn describe(&self, x: f64) -> String {
        match self.mode {
            Mode::Set => format!("{} = {}", self.key, significant(x)),
            Mode::Scale => {
                let first = self.matched.first().map_or(0.0, |m| m.1);
                match self.matched.iter().all(|m| m.1 == first) {
                    true => format!(
                        "{} x{} (= {})",
                        self.key,
                        significant(x),
                        significant(first * x)
                    ),
                    false => format!("{} x{}", self.key, significant(x)),
                }
            }
        }
    }
}

/// `x` to seven significant digits, without trailing zeros, for the terminal (the files
/// keep every digit): `2.226084`, `318.4`, `1500000`.
pub fn significant(x: f64) -> String {
    if x == 0.0 || !x.is_finite() {
        return format!("{x}");
    }
    let decimals = (6 - x.abs().log10().floor() as i32).clamp(0, 15) as usize;
    let text = format!("{x:.decimals$}");
    match text.contains('.') {
        true => text.trim_end_matches('0').trim_end_matches('.').to_string(),
        false => text,
    }
}

#[cfg(test)]
mod tests {
    use super::significant;

    #[test]
    fn seven_significant_digits() {
        assert_eq!(significant(2.22608410431232), "2.226084");
        assert_eq!(significant(318.449), "318.449");
        assert_eq!(significant(0.4744091892981038), "0.4744092");
        assert_eq!(significant(1.5e6), "1500000");
        assert_eq!(significant(0.0), "0");
    }
}
