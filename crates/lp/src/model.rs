//! The model: columns (variables), rows (constraints) and a sparse matrix kept
//! in compressed sparse column (CSC) form.
//!
//! Entries are appended as triplets (`row`, `col`, `value`: 16 bytes each) and
//! compressed into CSC by one counting sort the first time a solver or writer
//! asks for [`Model::matrix`]; nothing is sorted per call of `add_row`, and no
//! per-column `Vec` is allocated. The compressed form is cached; a later edit
//! folds the cache back in as the new base, so a build -> solve -> edit ->
//! solve loop compresses only what was added since.

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::OnceLock;

use crate::error::{LpError, Result};
use crate::expr::Expr;

static NEXT_MODEL_ID: AtomicU32 = AtomicU32::new(1);

/// A variable (column) handle: two `u32`s, `Copy`. Only meaningful for the
/// model that made it (and that model's clones).
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Debug)]
pub struct Var {
    pub(crate) model: u32,
    pub(crate) index: u32,
}

impl Var {
    /// Position of the column in the model (0-based, in order of creation).
    pub fn index(self) -> usize {
        self.index as usize
    }
}

/// A row (constraint) handle: two `u32`s, `Copy`.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Debug)]
pub struct Row {
    pub(crate) model: u32,
    pub(crate) index: u32,
}

impl Row {
    /// Position of the row in the model (0-based, in order of creation).
    pub fn index(self) -> usize {
        self.index as usize
    }
}

#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub enum VarType {
    #[default]
    Continuous,
    Integer,
    /// Integer with bounds inside [0, 1].
    Binary,
}

impl VarType {
    pub fn is_integer(self) -> bool {
        !matches!(self, VarType::Continuous)
    }
}

#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub enum Sense {
    #[default]
    Minimize,
    Maximize,
}

/// The constraint matrix in compressed sparse column form: the entries of
/// column `j` are `row_index[col_start[j]..col_start[j+1]]` (strictly
/// increasing) with `value[..]` (finite, nonzero).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Csc {
    pub col_start: Vec<u32>,
    pub row_index: Vec<u32>,
    pub value: Vec<f64>,
}

impl Csc {
    fn empty(ncols: usize) -> Csc {
        Csc {
            col_start: vec![0; ncols + 1],
            row_index: Vec::new(),
            value: Vec::new(),
        }
    }
    pub fn num_cols(&self) -> usize {
        self.col_start.len().saturating_sub(1)
    }
    pub fn nnz(&self) -> usize {
        self.row_index.len()
    }
    /// The entries of column `j` as (row indices, values).
    pub fn column(&self, j: usize) -> (&[u32], &[f64]) {
        let (a, b) = (self.col_start[j] as usize, self.col_start[j + 1] as usize);
        (&self.row_index[a..b], &self.value[a..b])
    }
}

#[derive(Clone, Debug, Default)]
struct Triplets {
    row: Vec<u32>,
    col: Vec<u32>,
    val: Vec<f64>,
}

impl Triplets {
    fn len(&self) -> usize {
        self.row.len()
    }
    fn push(&mut self, r: u32, c: u32, v: f64) {
        self.row.push(r);
        self.col.push(c);
        self.val.push(v);
    }
    fn clear(&mut self) {
        self.row.clear();
        self.col.clear();
        self.val.clear();
    }
}

/// Counts that describe a model's size and shape (`Display` prints a summary).
#[derive(Clone, Debug, PartialEq)]
pub struct ModelStats {
    pub vars: usize,
    pub integer_vars: usize,
    pub binary_vars: usize,
    pub free_vars: usize,
    pub fixed_vars: usize,
    pub rows: usize,
    pub equality_rows: usize,
    pub ranged_rows: usize,
    pub free_rows: usize,
    pub nonzeros: usize,
    /// Smallest and largest |a_ij| (None without entries): a quick scaling check.
    pub coef_abs_range: Option<(f64, f64)>,
    pub named_vars: usize,
    pub named_rows: usize,
    /// Rough heap footprint of the model in bytes.
    pub approx_bytes: usize,
}

impl std::fmt::Display for ModelStats {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} vars ({} integer, {} binary, {} free, {} fixed), {} rows ({} equality, {} ranged, {} free), {} nonzeros",
            self.vars,
            self.integer_vars,
            self.binary_vars,
            self.free_vars,
            self.fixed_vars,
            self.rows,
            self.equality_rows,
            self.ranged_rows,
            self.free_rows,
            self.nonzeros
        )?;
        if let Some((lo, hi)) = self.coef_abs_range {
            write!(f, ", |a| in [{lo:e}, {hi:e}]")?;
        }
        write!(
            f,
            ", ~{:.1} MiB",
            self.approx_bytes as f64 / (1024.0 * 1024.0)
        )
    }
}

/// The two elastic columns added by [`Model::add_elastic`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Elastic {
    /// Coefficient +1 in the row: lets the row's activity fall below its lower bound.
    pub up: Var,
    /// Coefficient -1 in the row: lets the row's activity rise above its upper bound.
    pub down: Var,
}

/// An LP/MIP: `min|max c'x + offset` s.t. `row_lower <= A x <= row_upper`,
/// `col_lower <= x <= col_upper`, some `x` integer.
///
/// `Clone` keeps the identity: handles from the original work on the clone
/// (useful for scenario variants); a fresh `Model::new` gets a new identity.
#[derive(Clone, Debug)]
pub struct Model {
    id: u32,
    name: Option<String>,
    sense: Sense,
    offset: f64,
    col_lower: Vec<f64>,
    col_upper: Vec<f64>,
    col_cost: Vec<f64>,
    col_type: Vec<VarType>,
    /// Empty until the first name is set; then one slot per column.
    col_names: Vec<Option<Box<str>>>,
    row_lower: Vec<f64>,
    row_upper: Vec<f64>,
    row_names: Vec<Option<Box<str>>>,
    num_integer: usize,
    /// Compressed entries (may have fewer columns than the model).
    base: Csc,
    /// `base` holds explicit zeros left by `set_coefficient(.., 0.0)`.
    base_has_zeros: bool,
    /// Entries appended since `base` was built; may repeat (row, col): summed.
    pending: Triplets,
    /// `base` + `pending`, compressed; reset by every edit of the matrix.
    cache: OnceLock<Csc>,
}

impl Default for Model {
    fn default() -> Self {
        Model::new()
    }
}

pub(crate) fn check_bounds(what: impl FnOnce() -> String, lower: f64, upper: f64) -> Result<()> {
    let ok = !lower.is_nan()
        && !upper.is_nan()
        && lower != f64::INFINITY
        && upper != f64::NEG_INFINITY
        && lower <= upper;
    if ok {
        Ok(())
    } else {
        Err(LpError::InvalidBounds {
            what: what(),
            lower,
            upper,
        })
    }
}

fn check_finite(what: impl FnOnce() -> String, value: f64) -> Result<()> {
    if value.is_finite() {
        Ok(())
    } else {
        Err(LpError::InvalidCoefficient {
            what: what(),
            value,
        })
    }
}

fn check_name(what: impl FnOnce() -> String, name: &str) -> Result<()> {
    let ok = !name.is_empty()
        && name.bytes().all(|b| b.is_ascii_graphic())
        && !name.starts_with('$')
        && !name.starts_with('*');
    if ok {
        Ok(())
    } else {
        Err(LpError::InvalidName {
            what: what(),
            name: name.to_string(),
        })
    }
}

impl Model {
    pub fn new() -> Model {
        Model {
            id: NEXT_MODEL_ID.fetch_add(1, Ordering::Relaxed),
            name: None,
            sense: Sense::Minimize,
            offset: 0.0,
            col_lower: Vec::new(),
            col_upper: Vec::new(),
            col_cost: Vec::new(),
            col_type: Vec::new(),
            col_names: Vec::new(),
            row_lower: Vec::new(),
            row_upper: Vec::new(),
            row_names: Vec::new(),
            num_integer: 0,
            base: Csc::empty(0),
            base_has_zeros: false,
            pending: Triplets::default(),
            cache: OnceLock::new(),
        }
    }

    /// Reserve room for `vars` columns, `rows` rows and `nonzeros` entries.
    pub fn with_capacity(vars: usize, rows: usize, nonzeros: usize) -> Model {
        let mut m = Model::new();
        m.col_lower.reserve(vars);
        m.col_upper.reserve(vars);
        m.col_cost.reserve(vars);
        m.col_type.reserve(vars);
        m.row_lower.reserve(rows);
        m.row_upper.reserve(rows);
        m.pending.row.reserve(nonzeros);
        m.pending.col.reserve(nonzeros);
        m.pending.val.reserve(nonzeros);
        m
    }

    // ----- identity and checks ------------------------------------------

    pub(crate) fn id(&self) -> u32 {
        self.id
    }

    fn check_var(&self, var: Var, what: impl FnOnce() -> String) -> Result<()> {
        if var.model == self.id && (var.index as usize) < self.col_lower.len() {
            Ok(())
        } else {
            Err(LpError::ForeignVar { what: what() })
        }
    }

    fn check_row(&self, row: Row, what: impl FnOnce() -> String) -> Result<()> {
        if row.model == self.id && (row.index as usize) < self.row_lower.len() {
            Ok(())
        } else {
            Err(LpError::ForeignRow { what: what() })
        }
    }

    /// Does `var` belong to this model?
    pub fn owns_var(&self, var: Var) -> bool {
        self.check_var(var, String::new).is_ok()
    }

    pub fn owns_row(&self, row: Row) -> bool {
        self.check_row(row, String::new).is_ok()
    }

    /// The matrix is about to change: keep the cached compression as the base.
    fn settle(&mut self) {
        if let Some(csc) = self.cache.take() {
            self.base = csc;
            self.base_has_zeros = false;
            self.pending.clear();
        }
    }

    // ----- variables -------------------------------------------------------

    /// Add a variable with bounds (use `f64::INFINITY` / `NEG_INFINITY` for
    /// none), objective coefficient and type. `Binary` needs bounds in [0, 1].
    pub fn add_var(&mut self, lower: f64, upper: f64, cost: f64, ty: VarType) -> Result<Var> {
        let n = self.col_lower.len();
        if n >= u32::MAX as usize {
            return Err(LpError::TooLarge {
                what: "more than 2^32-1 variables".into(),
            });
        }
        check_bounds(|| format!("variable {n}"), lower, upper)?;
        check_finite(|| format!("objective coefficient of variable {n}"), cost)?;
        if ty == VarType::Binary && (lower < 0.0 || upper > 1.0) {
            return Err(LpError::InvalidBounds {
                what: format!("binary variable {n}"),
                lower,
                upper,
            });
        }
        self.col_lower.push(lower);
        self.col_upper.push(upper);
        self.col_cost.push(cost);
        self.col_type.push(ty);
        if !self.col_names.is_empty() {
            self.col_names.push(None);
        }
        if ty.is_integer() {
            self.num_integer += 1;
        }
        // Keep the base complete (an empty new column) so that `matrix()`
        // needs no rebuild just because a column without entries was added.
        self.settle();
        if self.base.num_cols() == n {
            let end = *self
                .base
                .col_start
                .last()
                .expect("col_start is never empty");
            self.base.col_start.push(end);
        }
        Ok(Var {
            model: self.id,
            index: n as u32,
        })
    }

    /// A continuous variable with cost 0.
    pub fn add_continuous(&mut self, lower: f64, upper: f64) -> Result<Var> {
        self.add_var(lower, upper, 0.0, VarType::Continuous)
    }

    /// A general integer variable with cost 0.
    pub fn add_integer(&mut self, lower: f64, upper: f64) -> Result<Var> {
        self.add_var(lower, upper, 0.0, VarType::Integer)
    }

    /// A 0/1 variable with cost 0.
    pub fn add_binary(&mut self) -> Var {
        self.add_var(0.0, 1.0, 0.0, VarType::Binary)
            .expect("binary bounds are valid")
    }

    /// Add a variable together with its entries in existing rows (the
    /// column-wise fast path). A row repeated in `entries` is summed.
    pub fn add_column(
        &mut self,
        lower: f64,
        upper: f64,
        cost: f64,
        ty: VarType,
        entries: &[(Row, f64)],
    ) -> Result<Var> {
        let n = self.col_lower.len();
        for (k, &(row, v)) in entries.iter().enumerate() {
            self.check_row(row, || format!("column {n}, entry {k}"))?;
            check_finite(|| format!("column {n}, entry {k} (row {})", row.index), v)?;
        }
        let var = self.add_var(lower, upper, cost, ty)?;
        self.settle();
        for &(row, v) in entries {
            self.pending.push(row.index, var.index, v);
        }
        Ok(var)
    }

    pub fn num_vars(&self) -> usize {
        self.col_lower.len()
    }

    /// Every variable handle, in order.
    pub fn vars(&self) -> impl ExactSizeIterator<Item = Var> + '_ {
        let id = self.id;
        (0..self.col_lower.len() as u32).map(move |index| Var { model: id, index })
    }

    /// The handle of the variable at `index`, if there is one.
    pub fn var(&self, index: usize) -> Option<Var> {
        (index < self.col_lower.len()).then_some(Var {
            model: self.id,
            index: index as u32,
        })
    }

    pub fn var_bounds(&self, var: Var) -> Result<(f64, f64)> {
        self.check_var(var, || format!("var_bounds({var:?})"))?;
        Ok((self.col_lower[var.index()], self.col_upper[var.index()]))
    }

    pub fn set_var_bounds(&mut self, var: Var, lower: f64, upper: f64) -> Result<()> {
        self.check_var(var, || format!("set_var_bounds({var:?})"))?;
        check_bounds(|| format!("variable {}", var.index), lower, upper)?;
        if self.col_type[var.index()] == VarType::Binary && (lower < 0.0 || upper > 1.0) {
            return Err(LpError::InvalidBounds {
                what: format!("binary variable {}", var.index),
                lower,
                upper,
            });
        }
        self.col_lower[var.index()] = lower;
        self.col_upper[var.index()] = upper;
        Ok(())
    }

    pub fn var_type(&self, var: Var) -> Result<VarType> {
        self.check_var(var, || format!("var_type({var:?})"))?;
        Ok(self.col_type[var.index()])
    }

    /// Change a variable's type (e.g. relax integers to get an LP with duals).
    pub fn set_var_type(&mut self, var: Var, ty: VarType) -> Result<()> {
        self.check_var(var, || format!("set_var_type({var:?})"))?;
        let i = var.index();
        if ty == VarType::Binary && (self.col_lower[i] < 0.0 || self.col_upper[i] > 1.0) {
            return Err(LpError::InvalidBounds {
                what: format!("binary variable {i}"),
                lower: self.col_lower[i],
                upper: self.col_upper[i],
            });
        }
        let old = std::mem::replace(&mut self.col_type[i], ty);
        self.num_integer = self.num_integer + ty.is_integer() as usize - old.is_integer() as usize;
        Ok(())
    }

    pub fn cost(&self, var: Var) -> Result<f64> {
        self.check_var(var, || format!("cost({var:?})"))?;
        Ok(self.col_cost[var.index()])
    }

    /// Set one objective coefficient.
    pub fn set_cost(&mut self, var: Var, cost: f64) -> Result<()> {
        self.check_var(var, || format!("set_cost({var:?})"))?;
        check_finite(
            || format!("objective coefficient of variable {}", var.index),
            cost,
        )?;
        self.col_cost[var.index()] = cost;
        Ok(())
    }

    pub fn var_name(&self, var: Var) -> Option<&str> {
        self.col_names.get(var.index()).and_then(|n| n.as_deref())
    }

    /// Name a variable (names cost memory; unnamed ones are exported as `x<index>`).
    pub fn set_var_name(&mut self, var: Var, name: &str) -> Result<()> {
        self.check_var(var, || format!("set_var_name({var:?})"))?;
        check_name(|| format!("variable {}", var.index), name)?;
        if self.col_names.is_empty() {
            self.col_names.resize(self.col_lower.len(), None);
        }
        self.col_names[var.index()] = Some(name.into());
        Ok(())
    }

    pub fn num_integer_vars(&self) -> usize {
        self.num_integer
    }

    /// Whether any variable is integer (then solvers give no duals).
    pub fn is_mip(&self) -> bool {
        self.num_integer > 0
    }

    // ----- rows -------------------------------------------------------------

    /// Add `lower <= sum(coef * var) <= upper` (the row-wise fast path). Use
    /// infinities for one-sided rows and `lower == upper` for equalities. A
    /// variable repeated in `terms` is summed; zero coefficients are dropped.
    pub fn add_row(&mut self, lower: f64, upper: f64, terms: &[(Var, f64)]) -> Result<Row> {
        let r = self.row_lower.len();
        if r >= u32::MAX as usize {
            return Err(LpError::TooLarge {
                what: "more than 2^32-1 rows".into(),
            });
        }
        check_bounds(|| format!("row {r}"), lower, upper)?;
        for (k, &(var, v)) in terms.iter().enumerate() {
            self.check_var(var, || format!("row {r}, term {k}"))?;
            check_finite(|| format!("row {r}, term {k} (variable {})", var.index), v)?;
        }
        self.settle();
        self.row_lower.push(lower);
        self.row_upper.push(upper);
        if !self.row_names.is_empty() {
            self.row_names.push(None);
        }
        let ri = r as u32;
        for &(var, v) in terms {
            self.pending.push(ri, var.index, v);
        }
        Ok(Row {
            model: self.id,
            index: ri,
        })
    }

    /// Add `lower <= expr <= upper`; the expression's constant moves to the bounds.
    pub fn add_expr_row(&mut self, lower: f64, expr: impl Into<Expr>, upper: f64) -> Result<Row> {
        let e = expr.into();
        let c = e.constant();
        check_finite(|| format!("constant of row {}", self.row_lower.len()), c)?;
        self.add_row(lower - c, upper - c, e.terms())
    }

    /// `expr <= rhs`
    pub fn add_le(&mut self, expr: impl Into<Expr>, rhs: f64) -> Result<Row> {
        self.add_expr_row(f64::NEG_INFINITY, expr, rhs)
    }

    /// `expr >= rhs`
    pub fn add_ge(&mut self, expr: impl Into<Expr>, rhs: f64) -> Result<Row> {
        self.add_expr_row(rhs, expr, f64::INFINITY)
    }

    /// `expr == rhs`
    pub fn add_eq(&mut self, expr: impl Into<Expr>, rhs: f64) -> Result<Row> {
        self.add_expr_row(rhs, expr, rhs)
    }

    pub fn num_rows(&self) -> usize {
        self.row_lower.len()
    }

    pub fn rows(&self) -> impl ExactSizeIterator<Item = Row> + '_ {
        let id = self.id;
        (0..self.row_lower.len() as u32).map(move |index| Row { model: id, index })
    }

    pub fn row(&self, index: usize) -> Option<Row> {
        (index < self.row_lower.len()).then_some(Row {
            model: self.id,
            index: index as u32,
        })
    }

    pub fn row_bounds(&self, row: Row) -> Result<(f64, f64)> {
        self.check_row(row, || format!("row_bounds({row:?})"))?;
        Ok((self.row_lower[row.index()], self.row_upper[row.index()]))
    }

    /// Change a row's bounds (its right-hand side).
    pub fn set_row_bounds(&mut self, row: Row, lower: f64, upper: f64) -> Result<()> {
        self.check_row(row, || format!("set_row_bounds({row:?})"))?;
        check_bounds(|| format!("row {}", row.index), lower, upper)?;
        self.row_lower[row.index()] = lower;
        self.row_upper[row.index()] = upper;
        Ok(())
    }

    pub fn row_name(&self, row: Row) -> Option<&str> {
        self.row_names.get(row.index()).and_then(|n| n.as_deref())
    }

    /// Name a row (unnamed ones are exported as `r<index>`).
    pub fn set_row_name(&mut self, row: Row, name: &str) -> Result<()> {
        self.check_row(row, || format!("set_row_name({row:?})"))?;
        check_name(|| format!("row {}", row.index), name)?;
        if self.row_names.is_empty() {
            self.row_names.resize(self.row_lower.len(), None);
        }
        self.row_names[row.index()] = Some(name.into());
        Ok(())
    }

    // ----- matrix edits -------------------------------------------------

    /// The coefficient of `var` in `row` (0 when absent).
    pub fn coefficient(&self, row: Row, var: Var) -> Result<f64> {
        self.check_row(row, || format!("coefficient({row:?}, {var:?})"))?;
        self.check_var(var, || format!("coefficient({row:?}, {var:?})"))?;
        let (rows, vals) = self.matrix().column(var.index());
        Ok(rows
            .binary_search(&row.index)
            .map(|k| vals[k])
            .unwrap_or(0.0))
    }

    /// Set (replace) the coefficient of `var` in `row`; 0 removes it.
    pub fn set_coefficient(&mut self, row: Row, var: Var, value: f64) -> Result<()> {
        self.check_row(row, || format!("set_coefficient({row:?}, {var:?})"))?;
        self.check_var(var, || format!("set_coefficient({row:?}, {var:?})"))?;
        check_finite(
            || format!("row {}, variable {}", row.index, var.index),
            value,
        )?;
        self.compress();
        let j = var.index();
        let (a, b) = (
            self.base.col_start[j] as usize,
            self.base.col_start[j + 1] as usize,
        );
        match self.base.row_index[a..b].binary_search(&row.index) {
            Ok(k) => {
                self.base.value[a + k] = value;
                if value == 0.0 {
                    self.base_has_zeros = true;
                }
                self.cache = OnceLock::new();
            }
            Err(_) if value != 0.0 => {
                self.cache = OnceLock::new();
                self.pending.push(row.index, var.index, value);
            }
            Err(_) => {}
        }
        Ok(())
    }

    /// Add two nonnegative elastic columns to `row` (+1 and -1) with
    /// objective coefficient `penalty` (negated for `Maximize`, so the slack
    /// is always penalised): the row can then always be satisfied, and a
    /// nonzero elastic value at the optimum says the row was in the way.
    pub fn add_elastic(&mut self, row: Row, penalty: f64) -> Result<Elastic> {
        self.check_row(row, || format!("add_elastic({row:?})"))?;
        check_finite(|| format!("elastic penalty of row {}", row.index), penalty)?;
        let c = match self.sense {
            Sense::Minimize => penalty,
            Sense::Maximize => -penalty,
        };
        let up = self.add_column(0.0, f64::INFINITY, c, VarType::Continuous, &[(row, 1.0)])?;
        let down = self.add_column(0.0, f64::INFINITY, c, VarType::Continuous, &[(row, -1.0)])?;
        Ok(Elastic { up, down })
    }

    /// Compress pending entries into the column form now (solvers and writers
    /// do this on demand through [`Model::matrix`]; calling it explicitly
    /// makes later `&self` calls free and drops the triplet buffers).
    pub fn compress(&mut self) {
        let _ = self.matrix();
        self.settle();
        self.pending = Triplets::default();
    }

    /// The constraint matrix in CSC form (built on first call after an edit).
    pub fn matrix(&self) -> &Csc {
        let ncols = self.col_lower.len();
        if self.pending.len() == 0 && !self.base_has_zeros && self.base.num_cols() == ncols {
            return &self.base;
        }
        self.cache
            .get_or_init(|| merge(&self.base, &self.pending, ncols))
    }

    /// Number of stored entries (after compression: exact; before: an upper bound).
    pub fn num_nonzeros(&self) -> usize {
        match self.cache.get() {
            Some(c) => c.nnz(),
            None => self.base.nnz() + self.pending.len(),
        }
    }

    // ----- objective --------------------------------------------------------

    pub fn sense(&self) -> Sense {
        self.sense
    }

    pub fn set_sense(&mut self, sense: Sense) {
        self.sense = sense;
    }

    /// Replace the whole objective: every cost is reset, then the terms of
    /// `expr` are added (repeats summed), and its constant becomes the offset.
    pub fn set_objective(&mut self, sense: Sense, expr: impl Into<Expr>) -> Result<()> {
        let e = expr.into();
        for (k, &(var, c)) in e.terms().iter().enumerate() {
            self.check_var(var, || format!("objective, term {k}"))?;
            check_finite(|| format!("objective, term {k}"), c)?;
        }
        check_finite(|| "objective constant".into(), e.constant())?;
        self.col_cost.iter_mut().for_each(|c| *c = 0.0);
        for &(var, c) in e.terms() {
            self.col_cost[var.index()] += c;
        }
        self.offset = e.constant();
        self.sense = sense;
        Ok(())
    }

    pub fn objective_offset(&self) -> f64 {
        self.offset
    }

    pub fn set_objective_offset(&mut self, offset: f64) -> Result<()> {
        check_finite(|| "objective offset".into(), offset)?;
        self.offset = offset;
        Ok(())
    }

    pub fn name(&self) -> Option<&str> {
        self.name.as_deref()
    }

    /// The model's name (the MPS `NAME` line).
    pub fn set_name(&mut self, name: &str) -> Result<()> {
        check_name(|| "model".into(), name)?;
        self.name = Some(name.to_string());
        Ok(())
    }

    // ----- raw column/row data for solvers and writers ----------------------

    pub fn col_lower(&self) -> &[f64] {
        &self.col_lower
    }
    pub fn col_upper(&self) -> &[f64] {
        &self.col_upper
    }
    pub fn col_cost(&self) -> &[f64] {
        &self.col_cost
    }
    pub fn col_types(&self) -> &[VarType] {
        &self.col_type
    }
    pub fn row_lower(&self) -> &[f64] {
        &self.row_lower
    }
    pub fn row_upper(&self) -> &[f64] {
        &self.row_upper
    }

    /// Evaluate the objective at `values` (one per variable), offset included.
    pub fn objective_value(&self, values: &[f64]) -> f64 {
        self.offset
            + self
                .col_cost
                .iter()
                .zip(values)
                .map(|(c, x)| c * x)
                .sum::<f64>()
    }

    pub fn stats(&self) -> ModelStats {
        let m = self.matrix();
        let mut s = ModelStats {
            vars: self.num_vars(),
            integer_vars: self.num_integer,
            binary_vars: self
                .col_type
                .iter()
                .filter(|t| **t == VarType::Binary)
                .count(),
            free_vars: 0,
            fixed_vars: 0,
            rows: self.num_rows(),
            equality_rows: 0,
            ranged_rows: 0,
            free_rows: 0,
            nonzeros: m.nnz(),
            coef_abs_range: None,
            named_vars: self.col_names.iter().filter(|n| n.is_some()).count(),
            named_rows: self.row_names.iter().filter(|n| n.is_some()).count(),
            approx_bytes: 0,
        };
        for (&l, &u) in self.col_lower.iter().zip(&self.col_upper) {
            s.free_vars += (l == f64::NEG_INFINITY && u == f64::INFINITY) as usize;
            s.fixed_vars += (l == u) as usize;
        }
        for (&l, &u) in self.row_lower.iter().zip(&self.row_upper) {
            if l == u {
                s.equality_rows += 1;
            } else if l.is_finite() && u.is_finite() {
                s.ranged_rows += 1;
            } else if !l.is_finite() && !u.is_finite() {
                s.free_rows += 1;
            }
        }
        if !m.value.is_empty() {
            let (mut lo, mut hi) = (f64::INFINITY, 0.0f64);
            for v in &m.value {
                lo = lo.min(v.abs());
                hi = hi.max(v.abs());
            }
            s.coef_abs_range = Some((lo, hi));
        }
        let names: usize = self
            .col_names
            .iter()
            .chain(&self.row_names)
            .map(|n| 16 + n.as_ref().map_or(0, |s| s.len()))
            .sum();
        s.approx_bytes = self.col_lower.capacity() * 8
            + self.col_upper.capacity() * 8
            + self.col_cost.capacity() * 8
            + self.col_type.capacity()
            + self.row_lower.capacity() * 8
            + self.row_upper.capacity() * 8
            + names
            + csc_bytes(&self.base)
            + self.cache.get().map_or(0, csc_bytes)
            + self.pending.row.capacity() * 16;
        s
    }
}

fn csc_bytes(c: &Csc) -> usize {
    c.col_start.capacity() * 4 + c.row_index.capacity() * 4 + c.value.capacity() * 8
}

/// Merge compressed `base` entries and appended triplets into a new CSC with
/// `ncols` columns: a counting sort by column (O(nnz + ncols), stable), then
/// per column a sort by row only where entries arrived out of order (they do
/// not when rows are appended in order), summing repeats and dropping zeros.
fn merge(base: &Csc, pending: &Triplets, ncols: usize) -> Csc {
    let bcols = base.num_cols();
    let mut start = vec![0u32; ncols + 1];
    for j in 0..bcols {
        start[j + 1] = base.col_start[j + 1] - base.col_start[j];
    }
    for &c in &pending.col {
        start[c as usize + 1] += 1;
    }
    for j in 0..ncols {
        start[j + 1] += start[j];
    }
    let nnz = start[ncols] as usize;
    let mut row_index = vec![0u32; nnz];
    let mut value = vec![0f64; nnz];
    let mut next: Vec<u32> = start[..ncols].to_vec();
    for (j, nj) in next.iter_mut().enumerate().take(bcols) {
        let (rows, vals) = base.column(j);
        let at = *nj as usize;
        row_index[at..at + rows.len()].copy_from_slice(rows);
        value[at..at + rows.len()].copy_from_slice(vals);
        *nj += rows.len() as u32;
    }
    for k in 0..pending.len() {
        let c = pending.col[k] as usize;
        let at = next[c] as usize;
        row_index[at] = pending.row[k];
        value[at] = pending.val[k];
        next[c] += 1;
    }
    drop(next);
    // Per column: sort if needed, sum repeats, drop zeros; compact in place.
    let mut out = 0usize;
    let mut scratch: Vec<(u32, f64)> = Vec::new();
    let mut col_start = Vec::with_capacity(ncols + 1);
    col_start.push(0u32);
    for j in 0..ncols {
        let (a, b) = (start[j] as usize, start[j + 1] as usize);
        let sorted = row_index[a..b].windows(2).all(|w| w[0] < w[1]);
        if !sorted {
            scratch.clear();
            scratch.extend(
                row_index[a..b]
                    .iter()
                    .copied()
                    .zip(value[a..b].iter().copied()),
            );
            scratch.sort_by_key(|e| e.0); // stable: repeats keep insertion order
            for (k, &(r, v)) in scratch.iter().enumerate() {
                row_index[a + k] = r;
                value[a + k] = v;
            }
        }
        let mut k = a;
        while k < b {
            let r = row_index[k];
            let mut v = value[k];
            k += 1;
            while k < b && row_index[k] == r {
                v += value[k];
                k += 1;
            }
            if v != 0.0 {
                row_index[out] = r;
                value[out] = v;
                out += 1;
            }
        }
        col_start.push(out as u32);
    }
    row_index.truncate(out);
    value.truncate(out);
    row_index.shrink_to_fit();
    value.shrink_to_fit();
    Csc {
        col_start,
        row_index,
        value,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_and_columns_compress_to_sorted_csc_with_repeats_summed() {
        let mut m = Model::new();
        let x = m.add_continuous(0.0, 10.0).unwrap();
        let y = m.add_continuous(0.0, 10.0).unwrap();
        let r0 = m
            .add_row(f64::NEG_INFINITY, 4.0, &[(y, 1.0), (x, 2.0), (x, 1.0)])
            .unwrap();
        let r1 = m.add_row(1.0, 1.0, &[(x, 0.0), (y, -1.0)]).unwrap();
        let z = m
            .add_column(0.0, 1.0, 3.0, VarType::Continuous, &[(r1, 5.0), (r0, 7.0)])
            .unwrap();
        let a = m.matrix();
        assert_eq!(a.col_start, vec![0, 1, 3, 5]);
        assert_eq!(a.row_index, vec![0, 0, 1, 0, 1]);
        assert_eq!(a.value, vec![3.0, 1.0, -1.0, 7.0, 5.0]);
        assert_eq!(m.coefficient(r0, z).unwrap(), 7.0);
        assert_eq!(m.coefficient(r1, x).unwrap(), 0.0);
    }

    #[test]
    fn set_coefficient_replaces_adds_and_removes() {
        let mut m = Model::new();
        let x = m.add_continuous(0.0, 1.0).unwrap();
        let y = m.add_continuous(0.0, 1.0).unwrap();
        let r = m.add_row(0.0, 1.0, &[(x, 1.0)]).unwrap();
        m.set_coefficient(r, x, 4.0).unwrap();
        m.set_coefficient(r, y, 2.0).unwrap();
        assert_eq!(m.matrix().value, vec![4.0, 2.0]);
        m.set_coefficient(r, x, 0.0).unwrap();
        assert_eq!(m.matrix().row_index, vec![0]);
        assert_eq!(m.matrix().col_start, vec![0, 0, 1]);
        // New rows after a compression still land in the right columns.
        let r2 = m.add_row(0.0, 1.0, &[(x, 1.0), (y, 1.0)]).unwrap();
        assert_eq!(m.matrix().col_start, vec![0, 1, 3]);
        assert_eq!(m.coefficient(r2, y).unwrap(), 1.0);
        assert_eq!(m.coefficient(r, y).unwrap(), 2.0);
    }

    #[test]
    fn bad_input_is_an_error_not_a_panic() {
        let mut m = Model::new();
        let mut other = Model::new();
        let x = m.add_continuous(0.0, 1.0).unwrap();
        let o = other.add_continuous(0.0, 1.0).unwrap();
        assert!(matches!(
            m.add_continuous(2.0, 1.0),
            Err(LpError::InvalidBounds { .. })
        ));
        assert!(matches!(
            m.add_continuous(f64::NAN, 1.0),
            Err(LpError::InvalidBounds { .. })
        ));
        assert!(matches!(
            m.add_continuous(f64::INFINITY, f64::INFINITY),
            Err(LpError::InvalidBounds { .. })
        ));
        assert!(matches!(
            m.add_var(0.0, 1.0, f64::NAN, VarType::Continuous),
            Err(LpError::InvalidCoefficient { .. })
        ));
        assert!(matches!(
            m.add_var(0.0, 2.0, 0.0, VarType::Binary),
            Err(LpError::InvalidBounds { .. })
        ));
        assert!(matches!(
            m.add_row(0.0, 1.0, &[(x, f64::NAN)]),
            Err(LpError::InvalidCoefficient { .. })
        ));
        assert!(matches!(
            m.add_row(0.0, 1.0, &[(o, 1.0)]),
            Err(LpError::ForeignVar { .. })
        ));
        assert!(matches!(
            m.add_row(1.0, 0.0, &[(x, 1.0)]),
            Err(LpError::InvalidBounds { .. })
        ));
        assert!(matches!(
            m.set_var_bounds(o, 0.0, 1.0),
            Err(LpError::ForeignVar { .. })
        ));
        assert!(matches!(
            m.set_var_name(x, "has space"),
            Err(LpError::InvalidName { .. })
        ));
        let r = other.add_row(0.0, 1.0, &[(o, 1.0)]).unwrap();
        assert!(matches!(
            m.add_column(0.0, 1.0, 0.0, VarType::Continuous, &[(r, 1.0)]),
            Err(LpError::ForeignRow { .. })
        ));
        // A failed call leaves the model as it was.
        assert_eq!((m.num_vars(), m.num_rows(), m.num_nonzeros()), (1, 0, 0));
    }

    #[test]
    fn stats_count_shapes() {
        let mut m = Model::new();
        let x = m.add_continuous(f64::NEG_INFINITY, f64::INFINITY).unwrap();
        let b = m.add_binary();
        m.add_row(1.0, 1.0, &[(x, 1.0)]).unwrap();
        m.add_row(0.0, 2.0, &[(x, -3.0), (b, 0.5)]).unwrap();
        m.add_row(f64::NEG_INFINITY, f64::INFINITY, &[(b, 1.0)])
            .unwrap();
        let s = m.stats();
        assert_eq!(
            (s.vars, s.integer_vars, s.binary_vars, s.free_vars),
            (2, 1, 1, 1)
        );
        assert_eq!(
            (s.rows, s.equality_rows, s.ranged_rows, s.free_rows),
            (3, 1, 1, 1)
        );
        assert_eq!(s.nonzeros, 4);
        assert_eq!(s.coef_abs_range, Some((0.5, 3.0)));
    }
}
