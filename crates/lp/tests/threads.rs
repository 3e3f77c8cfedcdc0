//! HiGHS sizes one global thread pool at the first run in a process and
//! refuses a later run that asks for another size ("model status not set").
//! A long-lived process (the server runs plan jobs with the default and
//! time-to-survive LPs with 1 thread) must not fail on the second kind: the
//! process settles one size at its first solve. This file is its own
//! process, so its first solve is the one below.

use lodestone_lp::{HighsSolver, Model, Sense, SolveOptions, Solver, Status};

/// max 3x + 2y  s.t.  x + y <= 4,  x + 3y <= 6,  x <= 3;  x, y integer >= 0.
/// By enumeration: x = 3 (x <= 3), then y <= 1 (x + y <= 4): 3*3 + 2*1 = 11;
/// x = 2, y <= 1 (x + 3y <= 6 -> y <= 4/3): 8; so 11 at (3, 1).
fn small_mip() -> Model {
    let mut m = Model::new();
    let x = m.add_integer(0.0, f64::INFINITY).unwrap();
    let y = m.add_integer(0.0, f64::INFINITY).unwrap();
    m.add_le(x + y, 4.0).unwrap();
    m.add_le(x + 3.0 * y, 6.0).unwrap();
    m.add_le(1.0 * x, 3.0).unwrap();
    m.set_objective(Sense::Maximize, 3.0 * x + 2.0 * y).unwrap();
    m
}

#[test]
fn solves_asking_for_other_thread_counts_still_succeed() {
    let m = small_mip();
    for threads in [Some(1), Some(2), None, Some(1)] {
        let sol = HighsSolver.solve(&m, &SolveOptions { threads, ..SolveOptions::default() });
        assert_eq!(sol.status, Status::Optimal, "threads {threads:?}");
        assert!((sol.objective.unwrap() - 11.0).abs() < 1e-9, "threads {threads:?}: {:?}", sol.objective);
    }
}
