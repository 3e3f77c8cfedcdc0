//! Joint supply planning: which projects to build where and when, what
//! stocks to hold and where partners should buy, at least expected cost
//! plus a penalty on unmet demand, under policy constraints and optional
//! disruption scenarios (a two-stage stochastic program).
//!
//! What it is:
//! - [`file`]: plan TOML text -> [`file::PlanFile`], every error located.
//! - [`instance`]: plan + dataset (+ scenario texts) -> [`Instance`], every
//!   number the model uses, conventions listed in `notes`.
//! - [`model`]: [`Instance`] -> LP/MIP over `lodestone-lp`, one pure
//!   `define_*` function per family of variables/constraints.
//! - [`solve`]: solve with HiGHS, read back builds, stocks, supply by
//!   origin, shortfall, duals; explain infeasible plans.
//! - [`check`]: an independent check that a returned plan satisfies every
//!   constraint, computed from the instance, not from the model.
//! - [`sweep`]: re-solve over values of any numeric plan parameter.
//!
//! What it is not: it does no I/O (the caller reads files, including the
//! scenario files a plan names, through a callback) and never panics on bad
//! input. Same input, same output.

pub mod check;
pub mod file;
pub mod instance;
pub mod model;
pub mod solve;
pub mod sweep;

pub use file::{parse_plan_file, PlanError, PlanErrors};
pub use instance::{resolve, Instance};
pub use model::{build_model, BuildOptions, PlanModel};
pub use solve::{solve_plan, PlanOptions, PlanResult};

use lodestone_model::Dataset;

/// Parses and resolves a plan file's text. `read_scenario` maps a
/// `[[scenario]] file` value to (name for messages, text).
pub fn load_plan(
    file: &str,
    text: &str,
    ds: &Dataset,
    read_scenario: instance::ReadScenario<'_>,
) -> Result<Instance, PlanErrors> {
    let pf = parse_plan_file(file, text)?;
    resolve(&pf, file::Located { file, text }, ds, read_scenario)
}
