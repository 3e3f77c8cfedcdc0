//! `lodestone-lp`: a small LP/MIP modelling layer with HiGHS behind a solver
//! trait.
//!
//! What it is: variables as `Copy` handles ([`Var`]), linear expressions
//! ([`Expr`]), rows with lower/upper bounds ([`Row`]), a [`Model`] that keeps
//! its matrix in compressed sparse column form (built from appended triplets
//! by one counting sort, so building a million-variable model takes well
//! under a second), edits for re-solving (bounds, costs, right-hand sides,
//! coefficients, elastic slack columns), a [`Solver`] trait whose outcome is
//! a [`Status`] value rather than an error, the [`HighsSolver`] backend, and
//! free-MPS export ([`write_mps`]) so any model can be audited and re-solved
//! elsewhere.
//!
//! What it is not: it knows nothing of minerals, datasets, networks or
//! periods; planning and simulation crates build their models with it. It
//! does no I/O except `write_mps_file`, never prints (solver logs go to the
//! [`Log`] the caller picks, stderr at most), and never panics on bad input:
//! a NaN coefficient, crossed bounds or a handle from another model is an
//! [`LpError`] when the model is built.
//!
//! ```
//! use lodestone_lp::{HighsSolver, Model, Sense, SolveOptions, Solver, Status};
//! let mut m = Model::new();
//! let x = m.add_continuous(0.0, f64::INFINITY)?;
//! let y = m.add_continuous(0.0, f64::INFINITY)?;
//! let cap = m.add_le(x + y, 4.0)?;
//! m.set_objective(Sense::Maximize, 3.0 * x + 2.0 * y)?;
//! let sol = HighsSolver.solve(&m, &SolveOptions::default());
//! assert_eq!(sol.status, Status::Optimal);
//! assert!((sol.objective.unwrap() - 12.0).abs() < 1e-9);
//! assert!((sol.dual(cap).unwrap() - 3.0).abs() < 1e-9);
//! # Ok::<(), lodestone_lp::LpError>(())
//! ```

mod error;
mod expr;
mod highs;
mod model;
mod mps;
mod solver;

pub use error::{LpError, Result};
pub use expr::Expr;
pub use highs::HighsSolver;
pub use model::{Csc, Elastic, Model, ModelStats, Row, Sense, Var, VarType};
pub use mps::{write_mps, write_mps_file};
pub use solver::{Capabilities, Log, Solution, SolveInfo, SolveOptions, Solver, Status};
