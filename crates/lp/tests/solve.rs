//! Small models whose answers are derived by hand (in the comments) or by
//! brute-force enumeration, solved through the `Solver` trait.

use std::sync::{Arc, Mutex};
use std::time::Instant;

use lodestone_lp::{
    HighsSolver, Log, LpError, Model, Sense, SolveOptions, Solver, Status, VarType,
};

const INF: f64 = f64::INFINITY;

fn solvers() -> Vec<Box<dyn Solver>> {
    vec![Box::new(HighsSolver)]
}

fn opts() -> SolveOptions {
    SolveOptions::default()
}

fn no_presolve() -> SolveOptions {
    SolveOptions {
        presolve: false,
        ..SolveOptions::default()
    }
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-7 * (1.0 + b.abs())
}

macro_rules! assert_close {
    ($a:expr, $b:expr) => {{
        let (a, b): (f64, f64) = ($a, $b);
        assert!(close(a, b), "{} = {a}, expected {b}", stringify!($a));
    }};
}

/// Hillier & Lieberman's Wyndor Glass problem:
///   max 3x + 5y  s.t.  x <= 4 (r1),  2y <= 12 (r2),  3x + 2y <= 18 (r3),  x, y >= 0.
/// r2 and r3 bind: y = 6, 3x = 18 - 12 => x = 2, objective 6 + 30 = 36.
/// Duals from A_B' u = c over the binding rows: x: 3 u3 = 3 => u3 = 1;
/// y: 2 u2 + 2 u3 = 5 => u2 = 3/2. r1 is slack (x = 2 < 4) => u1 = 0.
/// Both x and y are basic => reduced costs 0. A third variable w (cost 1,
/// coefficient 2 in r3) is priced out: 1 - 2 u3 = -1 < 0, so w = 0 and raising
/// its lower bound by 1 would lower the objective by 1: reduced cost -1.
#[test]
fn wyndor_max_lp_optimum_duals_and_reduced_costs() {
    for s in solvers() {
        let mut m = Model::new();
        let x = m.add_continuous(0.0, INF).unwrap();
        let y = m.add_continuous(0.0, INF).unwrap();
        let w = m.add_continuous(0.0, INF).unwrap();
        let r1 = m.add_le(x, 4.0).unwrap();
        let r2 = m.add_le(2.0 * y, 12.0).unwrap();
        let r3 = m.add_le(3.0 * x + 2.0 * y + 2.0 * w, 18.0).unwrap();
        m.set_objective(Sense::Maximize, 3.0 * x + 5.0 * y + w)
            .unwrap();
        assert!(s.capabilities().duals);
        for o in [opts(), no_presolve()] {
            let sol = s.solve(&m, &o);
            assert_eq!(sol.status, Status::Optimal, "{}", s.name());
            assert_close!(sol.objective.unwrap(), 36.0);
            assert_close!(sol.value(x).unwrap(), 2.0);
            assert_close!(sol.value(y).unwrap(), 6.0);
            assert_close!(sol.value(w).unwrap(), 0.0);
            assert_close!(sol.activity(r3).unwrap(), 18.0);
            assert_close!(sol.dual(r1).unwrap(), 0.0);
            assert_close!(sol.dual(r2).unwrap(), 1.5);
            assert_close!(sol.dual(r3).unwrap(), 1.0);
            assert_close!(sol.reduced_cost(x).unwrap(), 0.0);
            assert_close!(sol.reduced_cost(y).unwrap(), 0.0);
            assert_close!(sol.reduced_cost(w).unwrap(), -1.0);
            assert_eq!(sol.best_bound, None, "no bound for an LP");
        }
    }
}

/// min 2x + 3y + 5z  s.t.  x + y + z >= 4 (a),  x + 3y >= 6 (b),  x, y, z >= 0.
/// Without z the vertices are (6,0): 12, (0,4): 12 and a∩b: y = 1, x = 3: 9.
/// Duals: x: ua + ub = 2, y: ua + 3ub = 3 => ub = 1/2, ua = 3/2 (>= 0:
/// raising a `>=` right-hand side raises a minimum). z prices at 5 - ua = 7/2
/// > 0, so z = 0 with reduced cost 7/2.
#[test]
fn min_lp_with_ge_rows_duals_and_reduced_costs() {
    for s in solvers() {
        let mut m = Model::new();
        let x = m.add_continuous(0.0, INF).unwrap();
        let y = m.add_continuous(0.0, INF).unwrap();
        let z = m.add_continuous(0.0, INF).unwrap();
        let a = m.add_ge(x + y + z, 4.0).unwrap();
        let b = m.add_ge(x + 3.0 * y, 6.0).unwrap();
        m.set_objective(Sense::Minimize, 2.0 * x + 3.0 * y + 5.0 * z)
            .unwrap();
        let sol = s.solve(&m, &opts());
        assert_eq!(sol.status, Status::Optimal);
        assert_close!(sol.objective.unwrap(), 9.0);
        assert_close!(sol.value(x).unwrap(), 3.0);
        assert_close!(sol.value(y).unwrap(), 1.0);
        assert_close!(sol.dual(a).unwrap(), 1.5);
        assert_close!(sol.dual(b).unwrap(), 0.5);
        assert_close!(sol.reduced_cost(z).unwrap(), 3.5);
    }
}

/// min x + 2y + 10 (offset)  s.t.  x + y == 3 (e),  0 <= x <= 2,  y >= 0.
/// Cheaper x goes to its bound 2, y = 1: objective 2 + 2 + 10 = 14.
/// y basic => ue = 2; x at its upper bound: reduced cost 1 - ue = -1.
#[test]
fn equality_row_with_objective_offset() {
    for s in solvers() {
        let mut m = Model::new();
        let x = m.add_continuous(0.0, 2.0).unwrap();
        let y = m.add_continuous(0.0, INF).unwrap();
        let e = m.add_eq(x + y, 3.0).unwrap();
        m.set_objective(Sense::Minimize, x + 2.0 * y + 10.0)
            .unwrap();
        let sol = s.solve(&m, &opts());
        assert_eq!(sol.status, Status::Optimal);
        assert_close!(sol.objective.unwrap(), 14.0);
        assert_close!(sol.value(y).unwrap(), 1.0);
        assert_close!(sol.dual(e).unwrap(), 2.0);
        assert_close!(sol.reduced_cost(x).unwrap(), -1.0);
    }
}

/// A ranged row 2 <= x + y <= 5 with 0 <= y <= 1.
/// min x: y goes to 1 and x to 1 (the row sits on its lower bound 2, dual 1;
///        y at its upper bound with reduced cost 0 - 1 = -1).
/// max x: the row sits on its upper bound 5 with y = 0: x = 5, dual 1.
#[test]
fn ranged_row_both_sides() {
    for s in solvers() {
        let mut m = Model::new();
        let x = m.add_continuous(0.0, INF).unwrap();
        let y = m.add_continuous(0.0, 1.0).unwrap();
        let r = m.add_expr_row(2.0, x + y, 5.0).unwrap();
        m.set_objective(Sense::Minimize, x).unwrap();
        let sol = s.solve(&m, &opts());
        assert_eq!(sol.status, Status::Optimal);
        assert_close!(sol.objective.unwrap(), 1.0);
        assert_close!(sol.dual(r).unwrap(), 1.0);
        assert_close!(sol.reduced_cost(y).unwrap(), -1.0);
        m.set_sense(Sense::Maximize);
        let sol = s.solve(&m, &opts());
        assert_eq!(sol.status, Status::Optimal);
        assert_close!(sol.objective.unwrap(), 5.0);
        assert_close!(sol.value(y).unwrap(), 0.0);
        assert_close!(sol.dual(r).unwrap(), 1.0);
    }
}

/// x + y <= 1 and x + y >= 2 cannot both hold.
#[test]
fn infeasible_lp_is_a_status() {
    for s in solvers() {
        let mut m = Model::new();
        let x = m.add_continuous(0.0, INF).unwrap();
        let y = m.add_continuous(0.0, INF).unwrap();
        m.add_le(x + y, 1.0).unwrap();
        m.add_ge(x + y, 2.0).unwrap();
        m.set_objective(Sense::Minimize, x).unwrap();
        for o in [opts(), no_presolve()] {
            let sol = s.solve(&m, &o);
            assert_eq!(sol.status, Status::Infeasible, "presolve {}", o.presolve);
            assert_eq!(sol.objective, None);
            assert!(sol.values.is_none() && sol.duals.is_none());
        }
    }
}

/// max x + y s.t. x - y <= 1: the ray (1,1) keeps the row and grows the objective.
#[test]
fn unbounded_lp_is_a_status() {
    for s in solvers() {
        let mut m = Model::new();
        let x = m.add_continuous(0.0, INF).unwrap();
        let y = m.add_continuous(0.0, INF).unwrap();
        m.add_le(x - y, 1.0).unwrap();
        m.set_objective(Sense::Maximize, x + y).unwrap();
        let sol = s.solve(&m, &no_presolve());
        assert_eq!(sol.status, Status::Unbounded);
        assert_eq!(sol.objective, None);
        // Presolve may only be able to say "one of the two".
        let sol = s.solve(&m, &opts());
        assert!(
            matches!(
                sol.status,
                Status::Unbounded | Status::InfeasibleOrUnbounded
            ),
            "{:?}",
            sol.status
        );
    }
}

/// 0/1 knapsack, capacity 10, items (weight, value): A(5,10) B(6,13) C(4,7)
/// D(3,8) E(2,5). By hand: B+D = 21, B+C = 20, C+D+E = 20, A+D+E = 23 (weight
/// 10), and nothing with B beats 21 (B + anything of weight <= 4: C, D, E or
/// D... D+E weighs 5). So 23 = A+D+E. The test also enumerates all 32 sets.
#[test]
fn knapsack_mip_optimum_and_no_duals() {
    let w = [5.0, 6.0, 4.0, 3.0, 2.0];
    let v = [10.0, 13.0, 7.0, 8.0, 5.0];
    let brute = (0u32..32)
        .filter(|s| {
            (0..5)
                .filter(|i| s & (1 << i) != 0)
                .map(|i| w[i])
                .sum::<f64>()
                <= 10.0
        })
        .map(|s| {
            (0..5)
                .filter(|i| s & (1 << i) != 0)
                .map(|i| v[i])
                .sum::<f64>()
        })
        .fold(0.0, f64::max);
    assert_eq!(brute, 23.0);
    for s in solvers() {
        let mut m = Model::new();
        let xs: Vec<_> = (0..5).map(|_| m.add_binary()).collect();
        m.add_le(
            xs.iter()
                .zip(w)
                .map(|(&x, w)| w * x)
                .sum::<lodestone_lp::Expr>(),
            10.0,
        )
        .unwrap();
        m.set_objective(
            Sense::Maximize,
            xs.iter()
                .zip(v)
                .map(|(&x, v)| v * x)
                .sum::<lodestone_lp::Expr>(),
        )
        .unwrap();
        assert!(m.is_mip());
        let sol = s.solve(
            &m,
            &SolveOptions {
                mip_gap: Some(0.0),
                ..opts()
            },
        );
        assert_eq!(sol.status, Status::Optimal);
        assert_close!(sol.objective.unwrap(), 23.0);
        assert_close!(sol.best_bound.unwrap(), 23.0);
        let chosen: Vec<_> = xs
            .iter()
            .map(|&x| sol.value(x).unwrap().round() as i32)
            .collect();
        assert_eq!(chosen, vec![1, 0, 0, 1, 1]);
        assert!(
            sol.duals.is_none() && sol.reduced_costs.is_none(),
            "no duals for a MIP"
        );
        // Relaxing the integers gives the LP bound (greedy by ratio: E 2.5,
        // D 2.67 ... sorted D(8/3), E(5/2), B(13/6), A(2), C(7/4): D+E+B = 11
        // weight, so D + E + 5/6 B: 8 + 5 + 65/6 = 23.8333..) and duals again.
        for &x in &xs {
            m.set_var_type(x, VarType::Continuous).unwrap();
        }
        let lp = s.solve(&m, &opts());
        assert_close!(lp.objective.unwrap(), 8.0 + 5.0 + 65.0 / 6.0);
        assert!(lp.duals.is_some());
    }
}

/// General integers with negative bounds: max x + y, x + y <= 2.5, -3 <= x <= 1,
/// y integer in [-2, 4], 2y - x <= 3.  Integer y: y <= (3 + x)/2 <= 2 and
/// x <= 1 => x + y <= 3 > 2.5, so the row binds... x continuous: for y = 2,
/// x >= 1 (from 2y - x <= 3) and x <= 0.5 (from x + y <= 2.5): infeasible; y = 1:
/// x in [-1, 1], x + y <= 2 => objective 2 (y=1, x=1). Less y only loses. So 2.
#[test]
fn mixed_integer_with_negative_bounds() {
    for s in solvers() {
        let mut m = Model::new();
        let x = m.add_continuous(-3.0, 1.0).unwrap();
        let y = m.add_integer(-2.0, 4.0).unwrap();
        m.add_le(x + y, 2.5).unwrap();
        m.add_le(2.0 * y - x, 3.0).unwrap();
        m.set_objective(Sense::Maximize, x + y).unwrap();
        let sol = s.solve(&m, &opts());
        assert_eq!(sol.status, Status::Optimal);
        assert_close!(sol.objective.unwrap(), 2.0);
        assert_close!(sol.value(y).unwrap(), 1.0);
    }
}

/// A multi-dimensional knapsack (40 items, 5 capacity rows, generated by a
/// fixed LCG) is hard enough that 0.02 s rarely proves optimality. Whatever
/// the machine's speed, the status is Optimal or TimeLimit, never an error,
/// and a time-limited answer is consistent: incumbent <= bound (maximising).
#[test]
fn time_limit_returns_status_with_consistent_bound() {
    let mut seed: u64 = 12345;
    let mut rnd = move || {
        seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((seed >> 33) % 1000) as f64 / 10.0 + 1.0
    };
    let n = 40;
    let mut m = Model::new();
    let xs: Vec<_> = (0..n).map(|_| m.add_binary()).collect();
    for _ in 0..5 {
        let terms: Vec<_> = xs.iter().map(|&x| (x, rnd())).collect();
        let cap = terms.iter().map(|t| t.1).sum::<f64>() / 2.0;
        m.add_row(-INF, cap, &terms).unwrap();
    }
    let obj: Vec<_> = xs.iter().map(|&x| (x, rnd())).collect();
    m.set_objective(Sense::Maximize, lodestone_lp::Expr::from_terms(obj))
        .unwrap();
    for s in solvers() {
        let t0 = Instant::now();
        let sol = s.solve(
            &m,
            &SolveOptions {
                time_limit: Some(0.02),
                mip_gap: Some(0.0),
                ..opts()
            },
        );
        let secs = t0.elapsed().as_secs_f64();
        eprintln!(
            "{}: {} in {secs:.3} s, objective {:?}, bound {:?}",
            s.name(),
            sol.status,
            sol.objective,
            sol.best_bound
        );
        assert!(secs < 10.0, "time limit not honoured: {secs} s");
        let bound = sol.best_bound.expect("a MIP reports its bound");
        match sol.status {
            Status::Optimal => assert_close!(sol.objective.unwrap(), bound),
            Status::TimeLimit { has_solution: true } => {
                let obj = sol.objective.unwrap();
                assert!(obj <= bound + 1e-6, "incumbent {obj} above bound {bound}");
                assert!(sol.values.is_some());
            }
            Status::TimeLimit {
                has_solution: false,
            } => {
                assert!(sol.objective.is_none() && sol.values.is_none())
            }
            other => panic!("unexpected status {other:?}"),
        }
    }
}

/// Re-solving after edits: raising r3's capacity in Wyndor from 18 to 20
/// moves the objective by dual(r3) * 2 = 2 while the basis stays (x = 8/3 <= 4).
/// Then x's cost changes to 10 and x is capped at 1 through its bound.
#[test]
fn edits_between_solves() {
    let s = HighsSolver;
    let mut m = Model::new();
    let x = m.add_continuous(0.0, INF).unwrap();
    let y = m.add_continuous(0.0, INF).unwrap();
    m.add_le(x, 4.0).unwrap();
    m.add_le(2.0 * y, 12.0).unwrap();
    let r3 = m.add_le(3.0 * x + 2.0 * y, 18.0).unwrap();
    m.set_objective(Sense::Maximize, 3.0 * x + 5.0 * y).unwrap();
    assert_close!(s.solve(&m, &opts()).objective.unwrap(), 36.0);
    m.set_row_bounds(r3, -INF, 20.0).unwrap();
    assert_close!(s.solve(&m, &opts()).objective.unwrap(), 38.0);
    // x: cost 10, bound 1 => 10 + 5y with 2y <= 12 and 2y <= 20 - 3 => y = 6: 40.
    m.set_cost(x, 10.0).unwrap();
    m.set_var_bounds(x, 0.0, 1.0).unwrap();
    assert_close!(s.solve(&m, &opts()).objective.unwrap(), 40.0);
    // Coefficient edit: r3 becomes 3x + 4y <= 20 => y <= 17/4 with x = 1: 10 + 21.25.
    m.set_coefficient(r3, y, 4.0).unwrap();
    assert_close!(s.solve(&m, &opts()).objective.unwrap(), 31.25);
}

/// Elastic rows turn the infeasible pair x + y <= 1, x + y >= 2 into a
/// feasible model whose optimal slack is the violation (1), at penalty 100.
#[test]
fn elastic_columns_explain_infeasibility() {
    let s = HighsSolver;
    let mut m = Model::new();
    let x = m.add_continuous(0.0, INF).unwrap();
    let y = m.add_continuous(0.0, INF).unwrap();
    let lo = m.add_le(x + y, 1.0).unwrap();
    let hi = m.add_ge(x + y, 2.0).unwrap();
    m.set_objective(Sense::Minimize, x).unwrap();
    assert_eq!(s.solve(&m, &opts()).status, Status::Infeasible);
    let e_lo = m.add_elastic(lo, 100.0).unwrap();
    let e_hi = m.add_elastic(hi, 100.0).unwrap();
    let sol = s.solve(&m, &opts());
    assert_eq!(sol.status, Status::Optimal);
    assert_close!(sol.objective.unwrap(), 100.0);
    let slack: f64 = [e_lo.up, e_lo.down, e_hi.up, e_hi.down]
        .iter()
        .map(|&v| sol.value(v).unwrap())
        .sum();
    assert_close!(slack, 1.0);
}

#[test]
fn empty_model_and_offset_only() {
    let mut m = Model::new();
    m.set_objective_offset(7.0).unwrap();
    let sol = HighsSolver.solve(&m, &opts());
    assert_eq!(sol.status, Status::Optimal);
    assert_eq!(sol.objective, Some(7.0));
    // Variables without rows.
    let x = m.add_var(-1.0, 2.0, 3.0, VarType::Continuous).unwrap();
    let sol = HighsSolver.solve(&m, &opts());
    assert_close!(sol.objective.unwrap(), 4.0);
    assert_close!(sol.value(x).unwrap(), -1.0);
}

#[test]
fn log_goes_to_the_callback_and_handles_of_other_models_read_none() {
    let lines = Arc::new(Mutex::new(Vec::<String>::new()));
    let sink = lines.clone();
    let mut m = Model::new();
    let x = m.add_continuous(0.0, 1.0).unwrap();
    m.set_objective(Sense::Maximize, x).unwrap();
    let o = SolveOptions {
        log: Log::Callback(Arc::new(move |l: &str| {
            sink.lock().unwrap().push(l.to_string())
        })),
        ..opts()
    };
    let sol = HighsSolver.solve(&m, &o);
    assert_eq!(sol.status, Status::Optimal);
    assert!(!lines.lock().unwrap().is_empty(), "HiGHS logged nothing");
    let other = Model::new().add_binary();
    assert_eq!(sol.value(other), None);
}

#[test]
fn bad_objective_input_is_an_error() {
    let mut m = Model::new();
    let x = m.add_continuous(0.0, 1.0).unwrap();
    let y = Model::new().add_binary();
    assert!(matches!(
        m.set_objective(Sense::Minimize, x + y),
        Err(LpError::ForeignVar { .. })
    ));
    assert!(matches!(
        m.set_objective(Sense::Minimize, x * f64::NAN),
        Err(LpError::InvalidCoefficient { .. })
    ));
    assert!(matches!(
        m.add_le(x + f64::INFINITY, 1.0),
        Err(LpError::InvalidCoefficient { .. })
    ));
}
