//! HiGHS backend through its C API (`highs-sys`, which compiles HiGHS from
//! source). The model's CSC arrays are passed as they are: no copy of the
//! matrix is made on our side.

use std::ffi::{c_char, c_int, c_void, CStr, CString};
use std::time::Instant;

use highs_sys as h;

use crate::model::{Model, VarType};
use crate::solver::{Capabilities, Log, Solution, SolveOptions, Solver, Status};


/// The thread count every solve in this process asks HiGHS for. HiGHS
/// sizes one global thread pool at the first run in a process and refuses
/// (model status "not set") a later run that asks for another size, so a
/// long-lived process mixing requests (the server solves plans with the
/// default and time-to-survive LPs with 1 thread) would fail its second
/// kind. The first solve's request settles the size (`None`: HiGHS's own
/// default); later solves ask for that size whatever their options say.
/// LP and MIP answers do not depend on it (HiGHS's parallel paths are
/// deterministic), only the speed does.
fn process_threads(requested: Option<usize>) -> Option<usize> {
    static SETTLED: std::sync::OnceLock<Option<usize>> = std::sync::OnceLock::new();
    *SETTLED.get_or_init(|| requested)
}

/// HiGHS (simplex/IPM for LPs, branch-and-cut for MIPs). Gives duals and
/// reduced costs for LPs.
#[derive(Clone, Copy, Debug, Default)]
pub struct HighsSolver;

const NAME: &str = "HiGHS";

/// Owns a `Highs` instance; destroys it on drop.
struct Instance(*mut c_void);

impl Drop for Instance {
    fn drop(&mut self) {
        // SAFETY: the pointer came from Highs_create and is destroyed once.
        unsafe { h::Highs_destroy(self.0) }
    }
}

fn cstr(s: &str) -> CString {
    CString::new(s).expect("option names have no NUL")
}

impl Instance {
    fn set_bool(&self, name: &str, v: bool) -> Result<(), String> {
        let st =
            unsafe { h::Highs_setBoolOptionValue(self.0, cstr(name).as_ptr(), v as h::HighsInt) };
        check(st, name)
    }
    fn set_int(&self, name: &str, v: i32) -> Result<(), String> {
        let st = unsafe { h::Highs_setIntOptionValue(self.0, cstr(name).as_ptr(), v) };
        check(st, name)
    }
    fn set_double(&self, name: &str, v: f64) -> Result<(), String> {
        let st = unsafe { h::Highs_setDoubleOptionValue(self.0, cstr(name).as_ptr(), v) };
        check(st, name)
    }
    fn set_string(&self, name: &str, v: &str) -> Result<(), String> {
        let st =
            unsafe { h::Highs_setStringOptionValue(self.0, cstr(name).as_ptr(), cstr(v).as_ptr()) };
        check(st, name)
    }
    fn int_info(&self, name: &str) -> Option<i32> {
        let mut v: h::HighsInt = 0;
        let st = unsafe { h::Highs_getIntInfoValue(self.0, cstr(name).as_ptr(), &mut v) };
        (st != h::STATUS_ERROR).then_some(v)
    }
    fn int64_info(&self, name: &str) -> Option<i64> {
        let mut v: i64 = 0;
        let st = unsafe { h::Highs_getInt64InfoValue(self.0, cstr(name).as_ptr(), &mut v) };
        (st != h::STATUS_ERROR).then_some(v)
    }
    fn double_info(&self, name: &str) -> Option<f64> {
        let mut v: f64 = 0.0;
        let st = unsafe { h::Highs_getDoubleInfoValue(self.0, cstr(name).as_ptr(), &mut v) };
        (st != h::STATUS_ERROR).then_some(v)
    }
}

fn check(st: h::HighsInt, what: &str) -> Result<(), String> {
    if st == h::STATUS_ERROR {
        Err(format!("HiGHS rejected option {what}"))
    } else {
        Ok(())
    }
}

/// Receives HiGHS log lines and forwards them to the caller's `Log`.
unsafe extern "C" fn log_callback(
    callback_type: c_int,
    message: *const c_char,
    _out: *const h::HighsCallbackDataOut,
    _in: *mut h::HighsCallbackDataIn,
    user: *mut c_void,
) {
    if callback_type != h::kHighsCallbackLogging as c_int || message.is_null() || user.is_null() {
        return;
    }
    // Never unwind into C++.
    let _ = std::panic::catch_unwind(|| {
        // SAFETY: `user` is the `&Log` passed to Highs_setCallback, alive for the run.
        let log = unsafe { &*(user as *const Log) };
        let msg = unsafe { CStr::from_ptr(message) }.to_string_lossy();
        let line = msg.trim_end_matches('\n');
        match log {
            Log::Silent => {}
            Log::Stderr => eprintln!("{line}"),
            Log::Callback(f) => f(line),
        }
    });
}

fn i32_len(n: usize, what: &str) -> Result<h::HighsInt, String> {
    h::HighsInt::try_from(n).map_err(|_| format!("{what} = {n} exceeds HiGHS's 32-bit index"))
}

impl Solver for HighsSolver {
    fn name(&self) -> &'static str {
        NAME
    }

    fn capabilities(&self) -> Capabilities {
        Capabilities {
            mip: true,
            duals: true,
            time_limit: true,
            mip_gap: true,
        }
    }

    fn solve(&self, model: &Model, options: &SolveOptions) -> Solution {
        let t0 = Instant::now();
        let mut sol = match solve_highs(model, options) {
            Ok(s) => s,
            Err(e) => Solution::with_status(model, Status::Error(e), NAME),
        };
        sol.info.seconds = t0.elapsed().as_secs_f64();
        sol
    }
}

fn solve_highs(model: &Model, options: &SolveOptions) -> Result<Solution, String> {
    let a = model.matrix();
    let ncol = i32_len(model.num_vars(), "variables")?;
    let nrow = i32_len(model.num_rows(), "rows")?;
    let nnz = i32_len(a.nnz(), "nonzeros")?;
    // Every start is <= nnz and every row index < nrow, both < 2^31, so the
    // u32 arrays have the same bits as HighsInt (i32) arrays.
    const _: () = assert!(std::mem::size_of::<h::HighsInt>() == std::mem::size_of::<u32>());
    let a_start = a.col_start.as_ptr() as *const h::HighsInt;
    let a_index = a.row_index.as_ptr() as *const h::HighsInt;

    // SAFETY: Highs_create returns a fresh instance or null.
    let inst = Instance(unsafe { h::Highs_create() });
    if inst.0.is_null() {
        return Err("Highs_create failed".into());
    }
    inst.set_bool("output_flag", !matches!(options.log, Log::Silent))?;
    // HiGHS's console is stdout; lines go through our callback instead.
    inst.set_bool("log_to_console", false)?;
    if let Some(t) = options.time_limit {
        inst.set_double("time_limit", t.max(0.0))?;
    }
    if let Some(g) = options.mip_gap {
        inst.set_double("mip_rel_gap", g.max(0.0))?;
    }
    inst.set_string("presolve", if options.presolve { "on" } else { "off" })?;
    if let Some(n) = process_threads(options.threads) {
        inst.set_int("threads", n.min(i32::MAX as usize) as i32)?;
    }
    let log = options.log.clone();
    if !matches!(log, Log::Silent) {
        // SAFETY: `log` outlives the instance's run (both live to the end of
        // this function, and `inst` is dropped first: declared earlier, but we
        // clear the callback before returning anyway).
        unsafe {
            h::Highs_setCallback(
                inst.0,
                Some(log_callback),
                &log as *const Log as *mut c_void,
            );
            h::Highs_startCallback(inst.0, h::kHighsCallbackLogging as h::HighsInt);
        }
    }

    let sense = match model.sense() {
        crate::Sense::Minimize => h::OBJECTIVE_SENSE_MINIMIZE,
        crate::Sense::Maximize => h::OBJECTIVE_SENSE_MAXIMIZE,
    };
    let is_mip = model.is_mip();
    // SAFETY: all arrays have the lengths HiGHS expects (ncol, nrow, ncol+1,
    // nnz) and outlive the call; HiGHS copies them.
    let st = unsafe {
        if is_mip {
            let integrality: Vec<h::HighsInt> = model
                .col_types()
                .iter()
                .map(|t| match t {
                    VarType::Continuous => h::kHighsVarTypeContinuous,
                    VarType::Integer | VarType::Binary => h::kHighsVarTypeInteger,
                })
                .collect();
            h::Highs_passMip(
                inst.0,
                ncol,
                nrow,
                nnz,
                h::MATRIX_FORMAT_COLUMN_WISE,
                sense,
                model.objective_offset(),
                model.col_cost().as_ptr(),
                model.col_lower().as_ptr(),
                model.col_upper().as_ptr(),
                model.row_lower().as_ptr(),
                model.row_upper().as_ptr(),
                a_start,
                a_index,
                a.value.as_ptr(),
                integrality.as_ptr(),
            )
        } else {
            h::Highs_passLp(
                inst.0,
                ncol,
                nrow,
                nnz,
                h::MATRIX_FORMAT_COLUMN_WISE,
                sense,
                model.objective_offset(),
                model.col_cost().as_ptr(),
                model.col_lower().as_ptr(),
                model.col_upper().as_ptr(),
                model.row_lower().as_ptr(),
                model.row_upper().as_ptr(),
                a_start,
                a_index,
                a.value.as_ptr(),
            )
        }
    };
    if st == h::STATUS_ERROR {
        return Err("HiGHS rejected the model".into());
    }

    let run = unsafe { h::Highs_run(inst.0) };
    let model_status = unsafe { h::Highs_getModelStatus(inst.0) };
    if !matches!(log, Log::Silent) {
        unsafe { h::Highs_setCallback(inst.0, None, std::ptr::null_mut()) };
    }
    let primal_ok = inst.int_info("primal_solution_status") == Some(h::SOLUTION_STATUS_FEASIBLE);
    let dual_ok = inst.int_info("dual_solution_status") == Some(h::SOLUTION_STATUS_FEASIBLE);

    let status = match model_status {
        h::MODEL_STATUS_OPTIMAL | h::MODEL_STATUS_MODEL_EMPTY => Status::Optimal,
        h::MODEL_STATUS_INFEASIBLE => Status::Infeasible,
        h::MODEL_STATUS_UNBOUNDED => Status::Unbounded,
        h::MODEL_STATUS_UNBOUNDED_OR_INFEASIBLE => Status::InfeasibleOrUnbounded,
        h::MODEL_STATUS_REACHED_TIME_LIMIT => Status::TimeLimit {
            has_solution: primal_ok,
        },
        h::MODEL_STATUS_REACHED_ITERATION_LIMIT => Status::IterationLimit {
            has_solution: primal_ok,
        },
        other => {
            let mut msg = format!(
                "HiGHS model status {other} ({}), run status {run}",
                model_status_name(other)
            );
            if process_threads(options.threads).is_some() && other == h::MODEL_STATUS_NOTSET {
                // HiGHS's thread pool is global and sized by the first run in
                // the process; asking for another size later is refused.
                msg.push_str(" (did an earlier solve in this process use a different `threads`?)");
            }
            Status::Error(msg)
        }
    };

    let mut sol = Solution::with_status(model, status, NAME);
    sol.info.simplex_iterations = inst
        .int_info("simplex_iteration_count")
        .map(|n| n.max(0) as u64);
    if is_mip {
        sol.info.mip_nodes = inst.int64_info("mip_node_count").map(|n| n.max(0) as u64);
        sol.best_bound = inst.double_info("mip_dual_bound").filter(|b| !b.is_nan());
        sol.info.mip_gap = inst.double_info("mip_gap").filter(|g| g.is_finite());
    }
    let keep_point = primal_ok && !matches!(sol.status, Status::Unbounded | Status::Error(_));
    if keep_point || model_status == h::MODEL_STATUS_MODEL_EMPTY {
        let mut values = vec![0.0; model.num_vars()];
        let mut activities = vec![0.0; model.num_rows()];
        let mut duals = vec![0.0; model.num_rows()];
        let mut reduced = vec![0.0; model.num_vars()];
        if model.num_vars() > 0 {
            // SAFETY: buffers sized num_col / num_row as HiGHS requires.
            unsafe {
                h::Highs_getSolution(
                    inst.0,
                    values.as_mut_ptr(),
                    reduced.as_mut_ptr(),
                    activities.as_mut_ptr(),
                    duals.as_mut_ptr(),
                )
            };
        }
        sol.objective = Some(if model.num_vars() > 0 {
            unsafe { h::Highs_getObjectiveValue(inst.0) }
        } else {
            model.objective_offset()
        });
        if !is_mip && sol.status == Status::Optimal && (dual_ok || model.num_vars() == 0) {
            sol.duals = Some(duals);
            sol.reduced_costs = Some(reduced);
        }
        sol.values = Some(values);
        sol.activities = Some(activities);
    }
    Ok(sol)
}

fn model_status_name(s: h::HighsInt) -> &'static str {
    match s {
        h::MODEL_STATUS_NOTSET => "not set",
        h::MODEL_STATUS_LOAD_ERROR => "load error",
        h::MODEL_STATUS_MODEL_ERROR => "model error",
        h::MODEL_STATUS_PRESOLVE_ERROR => "presolve error",
        h::MODEL_STATUS_SOLVE_ERROR => "solve error",
        h::MODEL_STATUS_POSTSOLVE_ERROR => "postsolve error",
        h::MODEL_STATUS_OBJECTIVE_BOUND => "objective bound reached",
        h::MODEL_STATUS_OBJECTIVE_TARGET => "objective target reached",
        h::MODEL_STATUS_UNKNOWN => "unknown",
        h::MODEL_STATUS_REACHED_SOLUTION_LIMIT => "solution limit",
        h::MODEL_STATUS_REACHED_INTERRUPT | h::MODEL_STATUS_HIGHS_INTERRUPT => "interrupted",
        h::MODEL_STATUS_REACHED_MEMORY_LIMIT => "memory limit",
        _ => "?",
    }
}
