//! A scenario tree whose numeric fields may be distributions: finding them, naming each
//! by its `--set` key, checking every value it can produce against the field's range,
//! and setting concrete values for one outer sample.
//!
//! This is a pre-pass on the value tree: validation itself knows nothing of
//! distributions. An outer sample's scenario is the tree with each distribution replaced
//! by a number (exactly what `--set KEY=VALUE` does) and validated as usual, so a sample
//! runs the ordinary engine on an ordinary scenario.

use super::distribution::Distribution;
use crate::scenario::{
    FieldError, Scenario, ScenarioError, Table, Value, apply_override, format_number, validate,
};

/// One uncertain input: the field's `--set` key (`sites[2].rent_per_kw_month`), its
/// distribution, and whether the field takes whole numbers.
#[derive(Clone, Debug, PartialEq)]
pub struct Input {
    pub key: String,
    pub distribution: Distribution,
    pub integer: bool,
}

impl Input {
    /// The field's value at probability `u`.
    pub fn value_at(&self, u: f64) -> f64 {
        if self.integer {
            self.distribution.integer_quantile(u)
        } else {
            self.distribution.quantile(u)
        }
    }

    /// The number as the tree holds it: an integer on an integer field.
    pub fn tree_value(&self, x: f64) -> Value {
        if self.integer {
            Value::Int(x as i64)
        } else {
            Value::Float(x)
        }
    }

    /// Mean and variance of the values it takes.
    pub fn moments(&self) -> (f64, f64) {
        if self.integer {
            self.distribution.integer_moments()
        } else {
            self.distribution.moments()
        }
    }
}

/// A scenario with uncertain inputs: the tree (distributions in place) and its inputs in
/// the tree's order (keys sorted within each table, list entries in order).
#[derive(Clone, Debug)]
pub struct UncertainScenario {
    tree: Table,
    pub inputs: Vec<Input>,
}

/// Fields that set up the run rather than the model: they cannot be uncertain.
const RUN_SETTINGS: [&str; 3] = ["paths", "seed", "horizon_years"];

/// Whether any field of the tree is a distribution (a table with a `dist` key).
pub fn has_distributions(tree: &Table) -> bool {
    tree.iter().any(|(_, v)| value_has(v))
}

fn value_has(v: &Value) -> bool {
    match v {
        Value::Table(t) => is_distribution(t) || has_distributions(t),
        Value::Array(items) => items.iter().any(value_has),
        _ => false,
    }
}

fn is_distribution(t: &Table) -> bool {
    t.iter().any(|(k, _)| k == "dist")
}

impl UncertainScenario {
    /// Finds the tree's distributions and checks them: each parses, an integer field has
    /// a uniform or discrete of whole numbers, every value it can produce is valid for
    /// the field, and the scenario with every input at its median is valid. Every problem
    /// is listed, naming the field.
    pub fn from_tree(tree: &Table) -> Result<UncertainScenario, ScenarioError> {
        let mut problems = Vec::new();
        let mut found = Vec::new();
        walk(tree, "", &mut found, &mut problems);
        let mut inputs = Vec::new();
        for (key, table) in found {
            let leaf = key.rsplit('.').next().unwrap_or(&key);
            if RUN_SETTINGS.contains(&key.as_str()) {
                problems.push(field(
                    &key,
                    format!("`{leaf}` sets up the run and cannot be uncertain"),
                ));
                continue;
            }
            match Distribution::parse(&table) {
                Ok(distribution) => inputs.push(Input {
                    key,
                    distribution,
                    integer: false,
                }),
                Err(why) => problems.push(field(&key, why)),
            }
        }
        let mut scenario = UncertainScenario {
            tree: tree.clone(),
            inputs,
        };
        if problems.is_empty() {
            scenario.check_fields(&mut problems);
        }
        if problems.is_empty()
            && let Err(e) = validate(&scenario.median_tree())
        {
            problems.extend(e.errors().iter().cloned());
        }
        match problems.is_empty() {
            true => Ok(scenario),
            false => Err(ScenarioError::Invalid(problems)),
        }
    }

    /// The tree with every input at its median (the centre the support checks hold the
    /// other inputs at).
    pub fn median_tree(&self) -> Table {
        let middle: Vec<f64> = self.inputs.iter().map(|i| i.value_at(0.5)).collect();
        self.tree_at(&middle)
    }

    /// The tree with the inputs at `values` (in input order).
    pub fn tree_at(&self, values: &[f64]) -> Table {
        let mut tree = self.tree.clone();
        for (input, &x) in self.inputs.iter().zip(values) {
            apply_override(&mut tree, &input.key, input.tree_value(x))
                .expect("an input's key names a field of its own tree");
        }
        tree
    }

    /// The validated scenario with the inputs at `values`.
    pub fn scenario_at(&self, values: &[f64]) -> Result<Scenario, ScenarioError> {
        validate(&self.tree_at(values))
    }

    /// The inputs' values at probabilities `u` (one per input).
    pub fn values_at(&self, u: &[f64]) -> Vec<f64> {
        self.inputs
            .iter()
            .zip(u)
            .map(|(i, &u)| i.value_at(u))
            .collect()
    }

    /// Marks integer fields and checks each distribution's support against its field.
    fn check_fields(&mut self, problems: &mut Vec<FieldError>) {
        let middle: Vec<f64> = self
            .inputs
            .iter()
            .map(|i| i.distribution.quantile(0.5))
            .collect();
        for i in 0..self.inputs.len() {
            let probe = |x: Value| self.field_problem(&middle, i, x);
            let integer =
                probe(Value::Float(0.5)).is_some_and(|m| m.starts_with("expected a whole number"));
            let input = &mut self.inputs[i];
            input.integer = integer;
            if integer && !input.distribution.is_whole() {
                problems.push(field(
                    &input.key,
                    format!(
                        "takes whole numbers: only a uniform with whole ends or a discrete of \
                         whole numbers, not a {}",
                        input.distribution.family()
                    ),
                ));
                continue;
            }
            if let Some(p) = self.support_problem(&middle, i) {
                problems.push(p);
            }
        }
    }

    /// The field's complaint about the least or greatest value input `i` can produce
    /// (every value, for a discrete), the others at `middle`; `None` if all are valid.
    fn support_problem(&self, middle: &[f64], i: usize) -> Option<FieldError> {
        let input = &self.inputs[i];
        let d = &input.distribution;
        let (lo, hi) = d.support();
        // The lower end as the support has it (a normal's -inf is refused by any field
        // bounded below, as every field is); an unbounded upper end at the largest value
        // the sampler can produce (the quantile of the largest uniform it draws): the
        // fields' upper ends guard against overflow, and a lognormal within them is fine.
        let top = d.quantile(super::sampling::U_MAX);
        let mut probes = match d {
            Distribution::Discrete { values, .. } => values.clone(),
            _ => vec![lo, if hi.is_finite() { hi } else { top }],
        };
        if d.open_below() {
            probes[0] = lo + f64::MIN_POSITIVE;
        }
        for x in probes {
            // An infinite end probed at the largest double: the field's message then
            // states its bound rather than that the number is not finite.
            let finite = x.clamp(-f64::MAX, f64::MAX);
            if let Some(why) = self.field_problem(middle, i, input.tree_value(finite)) {
                let rule = why.split(", got").next().unwrap_or(&why).to_string();
                return Some(field(
                    &input.key,
                    format!(
                        "this {} can produce {} (its support is {} to {}), but the field {rule}",
                        d.family(),
                        format_number(x),
                        format_number(lo),
                        format_number(hi)
                    ),
                ));
            }
        }
        None
    }

    /// Validation's message for input `i`'s field when it is set to `x` and the other
    /// inputs to `middle`, if it has one.
    fn field_problem(&self, middle: &[f64], i: usize, x: Value) -> Option<String> {
        let mut tree = self.tree.clone();
        for (j, input) in self.inputs.iter().enumerate() {
            let v = if j == i {
                x.clone()
            } else {
                Value::Float(middle[j])
            };
            apply_override(&mut tree, &input.key, v).ok()?;
        }
        let key = &self.inputs[i].key;
        validate(&tree)
            .err()?
            .errors()
            .iter()
            .find(|e| &e.path == key)
            .map(|e| e.message.clone())
    }
}

fn field(path: &str, message: String) -> FieldError {
    FieldError {
        path: path.to_string(),
        message,
    }
}

/// Collects every distribution table with its `--set` key; a distribution where no key
/// can reach it (inside an array of plain values) is a problem.
fn walk(
    table: &Table,
    here: &str,
    found: &mut Vec<(String, Table)>,
    problems: &mut Vec<FieldError>,
) {
    for (k, v) in table {
        let key = if here.is_empty() {
            k.clone()
        } else {
            format!("{here}.{k}")
        };
        match v {
            Value::Table(t) if is_distribution(t) => found.push((key, t.clone())),
            Value::Table(t) => walk(t, &key, found, problems),
            Value::Array(items) if items.iter().all(|x| matches!(x, Value::Table(_))) => {
                for (i, item) in items.iter().enumerate() {
                    if let Value::Table(t) = item {
                        let at = format!("{key}[{i}]");
                        match is_distribution(t) {
                            true => problems
                                .push(field(&at, "a list entry cannot be a distribution".into())),
                            false => walk(t, &at, found, problems),
                        }
                    }
                }
            }
            Value::Array(items) if items.iter().any(value_has) => problems.push(field(
                &key,
                "a distribution can stand only for a named field, not inside a list of values"
                    .into(),
            )),
            _ => {}
        }
    }
}
