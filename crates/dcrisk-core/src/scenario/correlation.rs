//! The correlation of the monthly Gaussian factors and its Cholesky factor (docs/MODEL.md 2).

use std::collections::{HashMap, HashSet};

use super::limits::CORRELATION;
use super::reader::{Errors, Fields, Range, number_value};
use super::value::{Value, format_number};

/// Tolerance for a pivot that is zero up to rounding (a semi-definite matrix).
const PIVOT_TOL: f64 = 1e-10;

/// Reads the optional `[correlation]` table into a full matrix over `names`.
///
/// Either `pairs = [[a, b, rho], ...]` (identity elsewhere) or `matrix = [[...], ...]` in
/// factor order (`regions.., demand, cloud`, then `market_rent` with `[market_rent]`). Returns the identity when the table is absent.
pub(crate) fn read(e: &mut Errors, table: Option<Fields<'_>>, names: &[String]) -> Vec<f64> {
    let n = names.len();
    let mut c = identity(n);
    let Some(mut t) = table else { return c };
    if let Some(v) = t.get("pairs") {
        read_pairs(e, &t.path_of("pairs"), v, names, &mut c);
    }
    if let Some(v) = t.get("matrix") {
        read_matrix(e, &t.path_of("matrix"), v, n, &mut c);
    }
    t.finish(e);
    c
}

fn identity(n: usize) -> Vec<f64> {
    let mut c = vec![0.0; n * n];
    for i in 0..n {
        c[i * n + i] = 1.0;
    }
    c
}

fn read_pairs(e: &mut Errors, path: &str, v: &Value, names: &[String], c: &mut [f64]) {
    let n = names.len();
    let Value::Array(items) = v else {
        e.push(
            path,
            format!(
                "expected an array of [name, name, value], got {}",
                v.describe()
            ),
        );
        return;
    };
    let index: HashMap<&str, usize> = names
        .iter()
        .enumerate()
        .rev()
        .map(|(i, n)| (n.as_str(), i))
        .collect();
    let mut seen = HashSet::new();
    for (i, item) in items.iter().enumerate() {
        let p = format!("{path}[{i}]");
        let Value::Array(triple) = item else {
            e.push(
                p,
                format!("expected [name, name, value], got {}", item.describe()),
            );
            continue;
        };
        let [a, b, rho] = triple.as_slice() else {
            e.push(
                p,
                format!("expected [name, name, value], got {} entries", triple.len()),
            );
            continue;
        };
        let ia = factor_index(e, &format!("{p}[0]"), a, names, &index);
        let ib = factor_index(e, &format!("{p}[1]"), b, names, &index);
        let r = number_value(e, &format!("{p}[2]"), rho, CORRELATION);
        let (Some(ia), Some(ib)) = (ia, ib) else {
            continue;
        };
        if ia == ib {
            e.push(
                p,
                format!(
                    "a factor's correlation with itself is 1; got a pair of {:?} with itself",
                    names[ia]
                ),
            );
            continue;
        }
        let key = (ia.min(ib), ia.max(ib));
        if !seen.insert(key) {
            e.push(
                p,
                format!("the pair {:?}-{:?} is given twice", names[ia], names[ib]),
            );
        }
        c[ia * n + ib] = r;
        c[ib * n + ia] = r;
    }
}

/// Any finite number (the matrix's entries are checked as a whole afterwards).
const ANY: Range = Range::closed(f64::MIN, f64::MAX);

fn factor_index(
    e: &mut Errors,
    path: &str,
    v: &Value,
    names: &[String],
    index: &HashMap<&str, usize>,
) -> Option<usize> {
    let Value::Str(s) = v else {
        e.push(
            path,
            format!("expected a factor name, got {}", v.describe()),
        );
        return None;
    };
    let i = index.get(s.as_str()).copied();
    if i.is_none() {
        let listed = if names.len() <= 12 {
            names.join(", ")
        } else {
            format!("{}, ... ({} in all)", names[..12].join(", "), names.len())
        };
        e.push(path, format!("unknown factor {s:?}; factors are {listed}"));
    }
    i
}

fn read_matrix(e: &mut Errors, path: &str, v: &Value, n: usize, c: &mut [f64]) {
    let rows = match v {
        Value::Array(rows) if rows.len() == n => rows,
        _ => {
            e.push(
                path,
                format!("expected {n} rows of {n} numbers (factors: regions, demand, cloud, then market_rent when [market_rent] is given)"),
            );
            return;
        }
    };
    for (i, row) in rows.iter().enumerate() {
        let p = format!("{path}[{i}]");
        let Value::Array(cells) = row else {
            e.push(
                p,
                format!("expected a row of {n} numbers, got {}", row.describe()),
            );
            continue;
        };
        if cells.len() != n {
            e.push(p, format!("expected {n} numbers, got {}", cells.len()));
            continue;
        }
        for (j, cell) in cells.iter().enumerate() {
            c[i * n + j] = number_value(e, &format!("{p}[{j}]"), cell, ANY);
        }
    }
    check_matrix(e, path, c, n);
}

/// Symmetry, unit diagonal and entries in [-1, 1], each reported with its position.
fn check_matrix(e: &mut Errors, path: &str, c: &[f64], n: usize) {
    for i in 0..n {
        if (c[i * n + i] - 1.0).abs() > 1e-12 {
            e.push(
                format!("{path}[{i}][{i}]"),
                format!("diagonal must be 1, got {}", format_number(c[i * n + i])),
            );
        }
        for j in 0..n {
            let x = c[i * n + j];
            if !(-1.0..=1.0).contains(&x) {
                e.push(
                    format!("{path}[{i}][{j}]"),
                    format!("must be in [-1, 1], got {}", format_number(x)),
                );
            }
            if j > i && (x - c[j * n + i]).abs() > 1e-12 {
                e.push(
                    format!("{path}[{i}][{j}]"),
                    format!(
                        "matrix is not symmetric: {} here but {} at [{j}][{i}]",
                        format_number(x),
                        format_number(c[j * n + i])
                    ),
                );
            }
        }
    }
}

/// Lower-triangular Cholesky factor of a positive semi-definite matrix, row-major.
///
/// A zero pivot (perfect correlation) gives a zero column instead of failing, so a
/// semi-definite matrix is accepted. Returns the first factor where the matrix is found
/// not positive semi-definite.
///
/// # Examples
/// ```
/// use dcrisk_core::scenario::cholesky;
/// let l = cholesky(&[1.0, 0.6, 0.6, 1.0], 2).unwrap();
/// assert!((l[2] - 0.6).abs() < 1e-15 && (l[3] - 0.8).abs() < 1e-15);
/// assert!(cholesky(&[1.0, 0.9, 0.0, 0.9, 1.0, 0.9, 0.0, 0.9, 1.0], 3).is_err());
/// ```
pub fn cholesky(c: &[f64], n: usize) -> Result<Vec<f64>, usize> {
    let mut l = vec![0.0; n * n];
    for j in 0..n {
        let d = c[j * n + j] - (0..j).map(|k| l[j * n + k] * l[j * n + k]).sum::<f64>();
        if d < -PIVOT_TOL {
            return Err(j);
        }
        let pivot = if d > PIVOT_TOL { d.sqrt() } else { 0.0 };
        l[j * n + j] = pivot;
        for i in j + 1..n {
            let r = c[i * n + j] - (0..j).map(|k| l[i * n + k] * l[j * n + k]).sum::<f64>();
            if pivot > 0.0 {
                l[i * n + j] = r / pivot;
            } else if r.abs() > 1e-7 {
                return Err(j);
            }
        }
    }
    Ok(l)
}
