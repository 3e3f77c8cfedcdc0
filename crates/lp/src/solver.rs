//! The solver interface: options in, a `Solution` with a `Status` out.
//! Solving never fails with an error; what happened is in the status.

use std::fmt;
use std::sync::Arc;

use crate::model::{Model, Row, Var};

/// Where the solver's log goes.
#[derive(Clone, Default)]
pub enum Log {
    #[default]
    Silent,
    /// Each log line to standard error (never to standard output).
    Stderr,
    /// Each log line (without trailing newline) to a callback, e.g. a progress bar.
    Callback(Arc<dyn Fn(&str) + Send + Sync>),
}

impl fmt::Debug for Log {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Log::Silent => f.write_str("Silent"),
            Log::Stderr => f.write_str("Stderr"),
            Log::Callback(_) => f.write_str("Callback(..)"),
        }
    }
}

#[derive(Clone, Debug)]
pub struct SolveOptions {
    /// Wall-clock limit in seconds (None: no limit).
    pub time_limit: Option<f64>,
    /// Relative MIP gap at which to stop (None: the solver's default, 1e-4 for HiGHS).
    pub mip_gap: Option<f64>,
    /// Run presolve (on by default). On some large flow LPs HiGHS presolve
    /// costs more than the solve: measure both.
    pub presolve: bool,
    /// Worker threads (None: the solver's default). HiGHS sizes its thread
    /// pool once per process, at its first solve: that solve's request
    /// holds for every later one in the process (see `highs.rs`).
    pub threads: Option<usize>,
    pub log: Log,
}

impl Default for SolveOptions {
    fn default() -> Self {
        SolveOptions {
            time_limit: None,
            mip_gap: None,
            presolve: true,
            threads: None,
            log: Log::Silent,
        }
    }
}

/// How a solve ended. None of these is an error of the caller's: bad input
/// is rejected when the model is built.
#[derive(Clone, Debug, PartialEq)]
pub enum Status {
    Optimal,
    Infeasible,
    Unbounded,
    /// The solver proved one of the two without telling which (typical with presolve).
    InfeasibleOrUnbounded,
    /// Stopped at the time limit; `Solution::objective` is set when a feasible
    /// point was found, `Solution::best_bound` (MIP) in any case.
    TimeLimit {
        has_solution: bool,
    },
    IterationLimit {
        has_solution: bool,
    },
    /// The solver failed (numerical trouble, out of memory, ...).
    Error(String),
}

impl Status {
    pub fn is_optimal(&self) -> bool {
        matches!(self, Status::Optimal)
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Status::Optimal => f.write_str("optimal"),
            Status::Infeasible => f.write_str("infeasible"),
            Status::Unbounded => f.write_str("unbounded"),
            Status::InfeasibleOrUnbounded => f.write_str("infeasible or unbounded"),
            Status::TimeLimit { has_solution: true } => {
                f.write_str("time limit (with a feasible solution)")
            }
            Status::TimeLimit {
                has_solution: false,
            } => f.write_str("time limit (no feasible solution)"),
            Status::IterationLimit { has_solution: true } => {
                f.write_str("iteration limit (with a feasible solution)")
            }
            Status::IterationLimit {
                has_solution: false,
            } => f.write_str("iteration limit (no feasible solution)"),
            Status::Error(e) => write!(f, "solver error: {e}"),
        }
    }
}

/// What a backend can give back. Callers that need duals check `duals`
/// rather than finding `None` later.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Capabilities {
    /// Solves models with integer variables.
    pub mip: bool,
    /// Row duals and reduced costs for LPs.
    pub duals: bool,
    pub time_limit: bool,
    pub mip_gap: bool,
}

/// The result of a solve. Vectors are indexed by `Var::index` / `Row::index`;
/// use the accessors, which also check the handle belongs to the model solved.
///
/// Sign conventions (the same for `Minimize` and `Maximize`):
/// `duals[r]` is d(objective)/d(active bound of row r) and
/// `reduced_costs[j]` is d(objective)/d(active bound of variable j), each
/// 0 when nothing is active. So the dual of a binding `<=` capacity row in
/// a maximisation is >= 0, and in a minimisation <= 0.
#[derive(Clone, Debug)]
pub struct Solution {
    pub status: Status,
    /// Objective value (offset included) of the returned point; None without one.
    pub objective: Option<f64>,
    /// MIP only: the proven bound on the optimum (dual bound).
    pub best_bound: Option<f64>,
    /// Primal values, one per variable; None when no feasible point is known.
    pub values: Option<Vec<f64>>,
    /// Row activities (A x), one per row; None with `values`.
    pub activities: Option<Vec<f64>>,
    /// Row duals (shadow prices); LPs only, and only at an optimum.
    pub duals: Option<Vec<f64>>,
    /// Reduced costs; LPs only, and only at an optimum.
    pub reduced_costs: Option<Vec<f64>>,
    pub info: SolveInfo,
    pub(crate) model_id: u32,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct SolveInfo {
    pub solver: &'static str,
    /// Wall time of the solve, passing the model included.
    pub seconds: f64,
    pub simplex_iterations: Option<u64>,
    pub mip_nodes: Option<u64>,
    /// MIP only: relative gap between objective and bound.
    pub mip_gap: Option<f64>,
}

impl Solution {
    /// A solution with only a status (for backends that fail early).
    pub fn with_status(model: &Model, status: Status, solver: &'static str) -> Solution {
        Solution {
            status,
            objective: None,
            best_bound: None,
            values: None,
            activities: None,
            duals: None,
            reduced_costs: None,
            info: SolveInfo {
                solver,
                ..SolveInfo::default()
            },
            model_id: model.id(),
        }
    }

    /// Whether the solution has a feasible point.
    pub fn has_values(&self) -> bool {
        self.values.is_some()
    }

    pub fn value(&self, var: Var) -> Option<f64> {
        self.per_var(&self.values, var)
    }

    pub fn reduced_cost(&self, var: Var) -> Option<f64> {
        self.per_var(&self.reduced_costs, var)
    }

    pub fn activity(&self, row: Row) -> Option<f64> {
        self.per_row(&self.activities, row)
    }

    pub fn dual(&self, row: Row) -> Option<f64> {
        self.per_row(&self.duals, row)
    }

    fn per_var(&self, v: &Option<Vec<f64>>, var: Var) -> Option<f64> {
        (var.model == self.model_id).then_some(())?;
        v.as_ref()?.get(var.index()).copied()
    }

    fn per_row(&self, v: &Option<Vec<f64>>, row: Row) -> Option<f64> {
        (row.model == self.model_id).then_some(())?;
        v.as_ref()?.get(row.index()).copied()
    }
}

/// A backend that solves a [`Model`]. Stateless: each call passes the whole
/// model, so one solver value can serve many threads and many models.
pub trait Solver {
    fn name(&self) -> &'static str;
    fn capabilities(&self) -> Capabilities;
    fn solve(&self, model: &Model, options: &SolveOptions) -> Solution;
}
