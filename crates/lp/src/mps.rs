//! Free-format MPS export, so that any model can be audited and re-solved by
//! other tools (HiGHS, highspy, CBC, ...).
//!
//! Conventions, chosen for what readers agree on:
//! - `NAME <name> FREE`: the `FREE` tells CoinMPS readers (CBC) the format.
//! - `OBJSENSE` section (`MAX`) for maximisation; objective row `obj`;
//!   an objective offset `k` is written as RHS `-k` of the objective row
//!   (the reading HiGHS and CPLEX give it).
//! - Unnamed variables are `x<index>`, unnamed rows `r<index>`.
//! - Rows: `E` when lower == upper, `L`/`G` when one-sided, `G` + `RANGES`
//!   (R = upper - lower) when both are finite; a row with no finite bound is
//!   an `N` row, which readers drop (it constrains nothing).
//! - Every column is written in `COLUMNS`, with `obj 0` if it has no entry,
//!   so no variable is lost. Integer columns sit between `INTORG`/`INTEND`
//!   markers and always carry explicit bounds, because readers disagree on
//!   the default upper bound of an integer column (1 or infinity).
//! - CBC ignores `OBJSENSE` ("Coin ignores"): re-solve a maximisation there
//!   with `cbc FILE -max -solve`.
//! - Numbers are written so they read back to the same `f64`.

use std::collections::HashSet;
use std::fmt::Write as _;
use std::io::{BufWriter, Write};

use crate::error::{LpError, Result};
use crate::model::{Model, Sense};

const OBJ: &str = "obj";

/// Write `model` as free MPS to `out` (buffered internally).
pub fn write_mps(model: &Model, out: impl Write) -> Result<()> {
    check_names(model)?;
    let mut w = BufWriter::with_capacity(1 << 16, out);
    let a = model.matrix();
    let mut num = String::new();

    // `FREE` after the name is how CoinMPS (CBC, CLP) recognises free
    // format; HiGHS and others ignore it.
    writeln!(w, "NAME {} FREE", model.name().unwrap_or("lodestone"))?;
    if model.sense() == Sense::Maximize {
        writeln!(w, "OBJSENSE\n    MAX")?;
    }
    writeln!(w, "ROWS\n N  {OBJ}")?;
    let (rl, ru) = (model.row_lower(), model.row_upper());
    for i in 0..model.num_rows() {
        let t = match (rl[i].is_finite(), ru[i].is_finite()) {
            _ if rl[i] == ru[i] => 'E',
            (false, true) => 'L',
            (true, _) => 'G',
            (false, false) => 'N',
        };
        write!(w, " {t}  ")?;
        row_name(&mut w, model, i)?;
        w.write_all(b"\n")?;
    }

    writeln!(w, "COLUMNS")?;
    let types = model.col_types();
    let cost = model.col_cost();
    let mut in_int = false;
    let mut marker = 0usize;
    for j in 0..model.num_vars() {
        let int = types[j].is_integer();
        if int != in_int {
            writeln!(
                w,
                "    MARKER{marker}  'MARKER'  '{}'",
                if int { "INTORG" } else { "INTEND" }
            )?;
            marker += 1;
            in_int = int;
        }
        let (rows, vals) = a.column(j);
        if cost[j] != 0.0 || rows.is_empty() {
            w.write_all(b"    ")?;
            col_name(&mut w, model, j)?;
            writeln!(w, "  {OBJ}  {}", fmt_num(&mut num, cost[j]))?;
        }
        for (&r, &v) in rows.iter().zip(vals) {
            w.write_all(b"    ")?;
            col_name(&mut w, model, j)?;
            w.write_all(b"  ")?;
            row_name(&mut w, model, r as usize)?;
            writeln!(w, "  {}", fmt_num(&mut num, v))?;
        }
    }
    if in_int {
        writeln!(w, "    MARKER{marker}  'MARKER'  'INTEND'")?;
    }

    writeln!(w, "RHS")?;
    if model.objective_offset() != 0.0 {
        writeln!(
            w,
            "    RHS  {OBJ}  {}",
            fmt_num(&mut num, -model.objective_offset())
        )?;
    }
    let mut has_ranges = false;
    for i in 0..model.num_rows() {
        let rhs = if rl[i] == ru[i] || !ru[i].is_finite() {
            rl[i]
        } else if !rl[i].is_finite() {
            ru[i]
        } else {
            has_ranges = true;
            rl[i]
        };
        if rhs.is_finite() && rhs != 0.0 {
            w.write_all(b"    RHS  ")?;
            row_name(&mut w, model, i)?;
            writeln!(w, "  {}", fmt_num(&mut num, rhs))?;
        }
    }
    if has_ranges {
        writeln!(w, "RANGES")?;
        for i in 0..model.num_rows() {
            if rl[i].is_finite() && ru[i].is_finite() && rl[i] != ru[i] {
                w.write_all(b"    RNG  ")?;
                row_name(&mut w, model, i)?;
                writeln!(w, "  {}", fmt_num(&mut num, ru[i] - rl[i]))?;
            }
        }
    }

    writeln!(w, "BOUNDS")?;
    let (cl, cu) = (model.col_lower(), model.col_upper());
    for j in 0..model.num_vars() {
        let (l, u) = (cl[j], cu[j]);
        let int = types[j].is_integer();
        let mut bound = |w: &mut BufWriter<_>, kind: &str, v: Option<f64>| -> Result<()> {
            write!(w, " {kind} BND  ")?;
            col_name(w, model, j)?;
            match v {
                Some(v) => writeln!(w, "  {}", fmt_num(&mut num, v))?,
                None => writeln!(w)?,
            }
            Ok(())
        };
        if l == u {
            bound(&mut w, "FX", Some(l))?;
            continue;
        }
        if !int && l == 0.0 && u == f64::INFINITY {
            continue;
        }
        if !int && l == f64::NEG_INFINITY && u == f64::INFINITY {
            bound(&mut w, "FR", None)?;
            continue;
        }
        if l == f64::NEG_INFINITY {
            bound(&mut w, "MI", None)?;
        } else if l != 0.0 || int {
            bound(&mut w, "LO", Some(l))?;
        }
        if u.is_finite() {
            bound(&mut w, "UP", Some(u))?;
        } else if int {
            bound(&mut w, "PL", None)?;
        }
    }
    writeln!(w, "ENDATA")?;
    w.flush()?;
    Ok(())
}

/// Write `model` as free MPS to the file at `path` (created or truncated).
pub fn write_mps_file(model: &Model, path: impl AsRef<std::path::Path>) -> Result<()> {
    let f = std::fs::File::create(path)?;
    write_mps(model, f)
}

fn col_name(w: &mut impl Write, m: &Model, j: usize) -> std::io::Result<()> {
    match m.var(j).and_then(|v| m.var_name(v)) {
        Some(n) => w.write_all(n.as_bytes()),
        None => write!(w, "x{j}"),
    }
}

fn row_name(w: &mut impl Write, m: &Model, i: usize) -> std::io::Result<()> {
    match m.row(i).and_then(|r| m.row_name(r)) {
        Some(n) => w.write_all(n.as_bytes()),
        None => write!(w, "r{i}"),
    }
}

/// Names must be unique among columns and among rows (the objective row is a
/// row). Generated names are `x<i>`/`r<i>`, so a user name of that form
/// clashes exactly when the variable or row `<i>` is unnamed.
fn check_names(m: &Model) -> Result<()> {
    fn generated_index(name: &str, prefix: char) -> Option<usize> {
        let digits = name.strip_prefix(prefix)?;
        let canonical = !digits.is_empty()
            && digits.bytes().all(|b| b.is_ascii_digit())
            && (digits == "0" || !digits.starts_with('0'));
        canonical.then(|| digits.parse().ok()).flatten()
    }
    let mut seen = HashSet::new();
    for v in m.vars() {
        if let Some(n) = m.var_name(v) {
            let clash = generated_index(n, 'x')
                .and_then(|k| m.var(k))
                .is_some_and(|other| m.var_name(other).is_none());
            if !seen.insert(n) || clash {
                return Err(LpError::DuplicateName {
                    name: n.to_string(),
                });
            }
        }
    }
    let mut seen = HashSet::new();
    for r in m.rows() {
        if let Some(n) = m.row_name(r) {
            let clash = generated_index(n, 'r')
                .and_then(|k| m.row(k))
                .is_some_and(|other| m.row_name(other).is_none());
            if n == OBJ || !seen.insert(n) || clash {
                return Err(LpError::DuplicateName {
                    name: n.to_string(),
                });
            }
        }
    }
    Ok(())
}

/// Shortest text that reads back to the same `f64`: plain for ordinary
/// magnitudes, exponent form for very large or small ones.
fn fmt_num(buf: &mut String, v: f64) -> &str {
    buf.clear();
    let a = v.abs();
    if a == 0.0 || (1e-4..1e15).contains(&a) {
        let _ = write!(buf, "{v}");
    } else {
        let _ = write!(buf, "{v:e}");
    }
    buf
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Model, VarType};

    #[test]
    fn numbers_round_trip() {
        let mut b = String::new();
        for v in [
            0.0,
            1.0,
            -2.5,
            0.1,
            1e-7,
            123456.789,
            1e20,
            -3.0e-300,
            1.0 / 3.0,
        ] {
            let s = fmt_num(&mut b, v).to_string();
            assert_eq!(s.parse::<f64>().unwrap(), v, "{s}");
        }
        assert_eq!(fmt_num(&mut b, 4.0), "4");
        assert_eq!(fmt_num(&mut b, 1e20), "1e20");
    }

    #[test]
    fn writes_the_expected_sections() {
        let mut m = Model::new();
        let x = m.add_var(0.0, 4.0, 1.0, VarType::Continuous).unwrap();
        let y = m
            .add_var(f64::NEG_INFINITY, f64::INFINITY, 0.0, VarType::Continuous)
            .unwrap();
        let z = m.add_var(0.0, 10.0, -2.0, VarType::Integer).unwrap();
        m.set_var_name(z, "build_z").unwrap();
        let r = m.add_row(1.0, 3.0, &[(x, 1.0), (z, 2.0)]).unwrap();
        m.set_row_name(r, "cap").unwrap();
        m.add_row(2.0, 2.0, &[(x, 1.0), (y, -1.0)]).unwrap();
        m.set_sense(Sense::Maximize);
        m.set_objective_offset(5.0).unwrap();
        let mut out = Vec::new();
        write_mps(&m, &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        let expected = "NAME lodestone FREE
OBJSENSE
    MAX
ROWS
 N  obj
 G  cap
 E  r1
COLUMNS
    x0  obj  1
    x0  cap  1
    x0  r1  1
    x1  r1  -1
    MARKER0  'MARKER'  'INTORG'
    build_z  obj  -2
    build_z  cap  2
    MARKER1  'MARKER'  'INTEND'
RHS
    RHS  obj  -5
    RHS  cap  1
    RHS  r1  2
RANGES
    RNG  cap  2
BOUNDS
 UP BND  x0  4
 FR BND  x1
 LO BND  build_z  0
 UP BND  build_z  10
ENDATA
";
        assert_eq!(text, expected);
    }

    #[test]
    fn clashing_names_are_an_error() {
        let mut m = Model::new();
        let a = m.add_continuous(0.0, 1.0).unwrap();
        let _b = m.add_continuous(0.0, 1.0).unwrap();
        m.set_var_name(a, "x1").unwrap(); // x1 is also the generated name of b
        assert!(matches!(
            write_mps(&m, Vec::new()),
            Err(LpError::DuplicateName { .. })
        ));
        m.set_var_name(a, "x0").unwrap(); // its own generated name: fine
        assert!(write_mps(&m, Vec::new()).is_ok());
    }
}
