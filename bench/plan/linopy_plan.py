"""The plan model of crates/plan/src/model.rs, built with linopy and solved
with HiGHS (highspy, linopy's direct API), on an instance written by
crates/plan/examples/plan_bench.rs --json (a SYNTHETIC plan).

    python linopy_plan.py INSTANCE.json [--expect OBJECTIVE] [--no-solve] [--threads N] [--log]

Written as a linopy user would: one variable per family over xarray coords
(scenario s, node n, lane l, project j, stockpile h, key k, period t) with
masks, network sums with groupby, no loops over large dimensions (loops
over recipes and policies only). Timed phases:
  build:     Model() .. add_objective (variables, constraints, objective)
  to_highs:  linopy -> highspy.Highs (matrix generation and passing; what
             m.solve(io_api="direct") does before running)
  solve:     Highs.run() (the solver's own time)
  extract:   solution back onto every variable's coords (as m.solve does)
Prints `linopy_*` lines; with --expect, exits 3 if the objective differs
by more than 1e-6 relative.
"""

import json
import sys
import time
import warnings

import numpy as np
import pandas as pd
import xarray as xr

t_import = time.perf_counter()
import linopy  # noqa: E402

try:  # linopy >= 0.9 warns about the legacy semantics of absent slots; we rely on them (absent = 0)
    warnings.filterwarnings("ignore", category=linopy.LinopySemanticsWarning)
except AttributeError:
    pass
t_import = time.perf_counter() - t_import

INF = np.inf


def load(path):
    with open(path) as f:
        return json.load(f)


def build(I):
    T = len(I["labels"])
    S = len(I["scenarios"])
    nodes, lanes, projects, stocks = I["nodes"], I["lanes"], I["projects"], I["stockpiles"]
    N, L, J, H, K = len(nodes), len(lanes), len(projects), len(stocks), len(I["keys"])
    cw = I["weights"]["cost_weight"]
    fair = I["weights"]["fairness"]

    s_ = pd.RangeIndex(S, name="s")
    n_ = pd.RangeIndex(N, name="n")
    l_ = pd.RangeIndex(L, name="l")
    j_ = pd.RangeIndex(J, name="j")
    h_ = pd.RangeIndex(H, name="h")
    k_ = pd.RangeIndex(K, name="k")
    t_ = pd.RangeIndex(T, name="t")
    tau_ = pd.RangeIndex(T, name="tau")

    def da(values, *dims):
        coords = {"s": s_, "n": n_, "l": l_, "j": j_, "h": h_, "k": k_, "t": t_, "tau": tau_}
        return xr.DataArray(np.asarray(values), coords=[coords[d] for d in dims])

    sc = I["scenarios"]
    prob = da([x["probability"] for x in sc], "s")
    disc = da(I["discount"], "t")
    w = prob * disc  # (s, t)
    lane_f = da(np.array([x["lane_factor"] for x in sc]).reshape(S, L, T), "s", "l", "t")
    node_f = da(np.array([x["node_factor"] for x in sc]).reshape(S, N, T), "s", "n", "t")
    dem_f = da(np.array([x["demand_factor"] for x in sc]).reshape(S, N, T), "s", "n", "t")
    disrupted = da(np.array([x["disrupted"] for x in sc]).reshape(S, K, T), "s", "k", "t")

    node_cap = da([x["cap"] for x in nodes], "n")
    node_cost = da([x["cost"] for x in nodes], "n")
    node_key = np.array([x["key"] for x in nodes])
    node_pen = da([x["penalty"] for x in nodes], "n")
    demand = (da(np.array([x["demand"] for x in nodes], dtype=float).reshape(N, T), "n", "t") * dem_f).transpose("s", "n", "t")
    max_short = da([np.nan if x["max_short_share"] is None else x["max_short_share"] for x in nodes], "n")
    country = [x["country"] for x in nodes]
    node_of = {(c, k): i for i, (c, k) in enumerate(zip(country, node_key))}

    lane_to = np.array([x["to"] for x in lanes])
    lane_from_node = np.array([x["from"]["node"] if x["from"]["kind"] == "node" else -1 for x in lanes])
    lane_origin = np.array(
        [x["from"]["country"] if x["from"]["kind"] == "outside" else country[x["from"]["node"]] for x in lanes]
    )
    lane_cap = da([INF if x["cap"] is None else x["cap"] for x in lanes], "l")
    lane_cost = da([x["cost"] for x in lanes], "l")

    p_node = np.array([p["node"] for p in projects], dtype=int)
    p_lead = np.array([p["lead"] for p in projects], dtype=int)
    p_earliest = np.array([p["earliest"] for p in projects], dtype=int)
    p_last = np.maximum(T - p_lead, p_earliest)  # exclusive (ProjectInst::start_periods)
    p_units = da([float(p["max_units"]) for p in projects], "j")
    tau = np.arange(T)
    start_ok = da((tau[None, :] >= p_earliest[:, None]) & (tau[None, :] < p_last[:, None]), "j", "tau")
    has_start = p_last > p_earliest
    # online[j, t, tau]: a start in tau is producing in t.
    online = da(
        start_ok.values[:, None, :] & (tau[None, None, :] + p_lead[:, None, None] <= tau[None, :, None]), "j", "t", "tau"
    )
    q_exists = da(has_start[:, None] & (tau[None, :] >= p_earliest[:, None] + p_lead[:, None]), "j", "t")

    h_node = np.array([x["node"] for x in stocks], dtype=int)

    m = linopy.Model()

    # --- define_builds / define_stock_targets (first stage)
    y = m.add_variables(lower=0, upper=p_units.broadcast_like(start_ok), mask=start_ok, name="build")
    nstart = start_ok.sum("tau")
    m.add_constraints(y.sum("tau") <= p_units, mask=nstart > 1, name="units")
    z = m.add_variables(
        lower=da([x["initial"] for x in stocks], "h"), upper=da([x["max"] for x in stocks], "h"), name="stock_target"
    )

    # --- define_production
    has_cap = node_cap > 0
    x = m.add_variables(lower=0, coords=[s_, n_, t_], mask=has_cap.broadcast_like(node_f), name="prod")
    m.add_constraints(x <= node_cap * node_f, mask=has_cap.broadcast_like(node_f), name="cap")

    # --- define_project_output
    g = da(
        np.array([p["cap"] for p in projects])[None, :, None] * node_f.values[:, p_node, :], "s", "j", "t"
    )  # cap_j * node factor of its node
    q = m.add_variables(lower=0, coords=[s_, j_, t_], mask=q_exists.broadcast_like(g), name="pprod")
    m.add_constraints(q - g * y.where(online).sum("tau") <= 0, mask=q_exists.broadcast_like(g), name="pcap")

    # --- define_flows
    f = m.add_variables(lower=0, upper=lane_cap * lane_f, name="flow")

    # --- define_stocks
    h_key = node_key[h_node]
    release_any = da([x["release"] == "any" for x in stocks], "h")
    may = release_any | da(disrupted.values[:, h_key, :], "s", "h", "t")
    r = m.add_variables(lower=0, upper=xr.where(may, INF, 0.0), name="release")
    b = m.add_variables(lower=0, coords=[s_, h_, t_], name="refill")
    lv = m.add_variables(lower=0, coords=[s_, h_, t_], name="level")
    first = da(tau == 0, "t")
    m.add_constraints(lv - lv.shift(t=1) - z.where(first) + r - b == 0, name="stockbal")
    m.add_constraints(lv - z <= 0, name="stockcap")

    # --- define_shortfall
    has_dem = demand > 0
    u = m.add_variables(lower=0, upper=demand, mask=has_dem, name="short")
    m.add_constraints(u <= max_short * demand, mask=has_dem & max_short.notnull(), name="hard")

    # --- define_balance_rows: output of x and q at each node, flows, stocks, recipes, shortfall
    def to_nodes(expr, dim, target):
        """Sum `expr` over `dim` into the nodes given by `target` (per element of dim)."""
        grouper = xr.DataArray(np.asarray(target), coords=[expr.indexes[dim]], name="n")
        return expr.groupby(grouper).sum().reindex(n=n_)

    out = x + to_nodes(1 * q, "j", p_node)  # output of existing capacity and projects, per node
    inflow = to_nodes(1 * f, "l", lane_to)
    from_node = np.flatnonzero(lane_from_node >= 0)
    outflow = to_nodes(f.sel(l=from_node), "l", lane_from_node[from_node])
    stock = to_nodes(r - b, "h", h_node)
    recipe = []
    for rc in I["recipes"]:  # a few recipes: each output node consumes from the same country's input node
        src = [i for i in range(N) if node_key[i] == rc["output"] and (country[i], rc["input"]) in node_of]
        if src:
            dst = [node_of[(country[i], rc["input"])] for i in src]
            recipe.append(-rc["qty"] * to_nodes(out.sel(n=src).rename(n="src"), "src", dst))
    lhs = out + inflow - outflow + stock + u
    for e in recipe:
        lhs = lhs + e
    m.add_constraints(lhs == demand, name="balance")

    # --- define_policies
    part_in = {}
    for pi, pol in enumerate(I["policies"]):
        group = set(pol["group"])
        in_g = np.flatnonzero(np.isin(lane_origin, list(group)))
        from_g = to_nodes(f.sel(l=in_g), "l", lane_to[in_g]) if in_g.size else 0
        own_in_g = da([c in group for c in country], "n")
        supply = out + inflow - outflow
        lhs = from_g + (out - outflow).where(own_in_g) - pol["share"] * supply
        rows = da(np.isin(np.arange(N), pol["nodes"]), "n") & (da(tau, "t") >= pol["from"])
        rows = rows.broadcast_like(node_f)
        if pol["kind"] == "max":
            m.add_constraints(lhs <= 0, mask=rows, name=f"policy{pi}")
        else:
            m.add_constraints(lhs >= 0, mask=rows, name=f"policy{pi}")
        part_in[pi] = in_g.size

    # --- define_fairness
    obj_fair = 0
    if fair > 0:
        key_da = xr.DataArray(node_key, coords=[n_], name="k")
        members = has_dem  # (s, n, t): nodes whose shortfall exists
        count = members.groupby(key_da).sum().reindex(k=k_, fill_value=0)
        total = demand.where(members, 0).groupby(key_da).sum().reindex(k=k_, fill_value=0)
        active = count >= 2
        rho = m.add_variables(lower=0, upper=1, coords=[s_, k_, t_], mask=active.transpose("s", "k", "t"), name="rho")
        m.add_constraints(u.groupby(key_da).sum().reindex(k=k_) - total * rho == 0, mask=active, name="fair_total")
        rho_n = rho.sel(k=xr.DataArray(node_key, coords=[n_]))  # rho of each node's key, dims (s, n, t)
        vmask = (members & active.sel(k=xr.DataArray(node_key, coords=[n_]))).transpose("s", "n", "t")
        v = m.add_variables(lower=0, coords=[s_, n_, t_], mask=vmask, name="dev")
        m.add_constraints(v - u + demand * rho_n >= 0, mask=vmask, name="dev_up")
        m.add_constraints(v + u - demand * rho_n >= 0, mask=vmask, name="dev_down")
        obj_fair = (w * fair * v).sum()

    # --- objective (the offset, -cw * purchase * initial, is added to the solver's value)
    p_capex = da([p["capex"] for p in projects], "j")
    p_opex = da([p["opex"] for p in projects], "j")
    hold = da([float(np.sum(np.array(I["discount"]) * x["hold_cost"])) for x in stocks], "h")
    purchase = da([x["purchase_cost"] for x in stocks], "h")
    disc_tau = da(I["discount"], "tau")
    obj = (
        (cw * disc_tau * p_capex * y).sum()
        + (cw * (purchase + hold) * z).sum()
        + (w * cw * node_cost * x).sum()
        + (w * cw * p_opex * q).sum()
        + (w * cw * lane_cost * f).sum()
        + (w * cw * purchase * b).sum()
        + (w * node_pen * u).sum()
    )
    if fair > 0:
        obj = obj + obj_fair
    m.add_objective(obj)
    offset = -cw * sum(x["purchase_cost"] * x["initial"] for x in stocks)
    return m, offset


def main():
    args = sys.argv[1:]
    path = args[0]
    expect = float(args[args.index("--expect") + 1]) if "--expect" in args else None
    solve = "--no-solve" not in args
    I = load(path)
    print(f"linopy_version {linopy.__version__}")
    from importlib.metadata import version

    print(f"linopy_highspy {version('highspy')}")
    print(f"linopy_import_s {t_import:.3f} (not counted)")
    t0 = time.perf_counter()
    m, offset = build(I)
    t_build = time.perf_counter() - t0
    print(f"linopy_build_s {t_build:.3f}")
    t0 = time.perf_counter()
    h = m.to_highspy()
    t_to = time.perf_counter() - t0
    lp = h.getLp()
    print(f"linopy_vars {lp.num_col_}")
    print(f"linopy_rows {lp.num_row_}")
    print(f"linopy_nonzeros {len(lp.a_matrix_.value_)}")
    print(f"linopy_to_highs_s {t_to:.3f}")
    if not solve:
        return
    h.setOptionValue("output_flag", "--log" in args)
    if "--threads" in args:
        h.setOptionValue("threads", int(args[args.index("--threads") + 1]))
    print(f"linopy_threads {args[args.index('--threads') + 1] if '--threads' in args else 'default'}")
    t0 = time.perf_counter()
    h.run()
    t_solve = time.perf_counter() - t0
    status = h.modelStatusToString(h.getModelStatus())
    print(f"linopy_status {status}")
    print(f"linopy_solve_s {t_solve:.3f}")
    t0 = time.perf_counter()
    col = np.asarray(h.getSolution().col_value)
    by_label = np.full(m._xCounter + 1, np.nan)  # the last slot stays NaN for absent labels (-1)
    by_label[m.variables.label_index.vlabels] = col
    sol = {}
    for name, var in m.variables.items():  # what m.solve does: values back onto each variable's coords
        sol[name] = xr.DataArray(by_label[var.labels.values], coords=var.labels.coords)
    obj = h.getInfo().objective_function_value + offset
    t_extract = time.perf_counter() - t0
    print(f"linopy_extract_s {t_extract:.3f}")
    print(f"linopy_objective {obj:.12e}")
    total = t_build + t_to + t_solve + t_extract
    print(f"linopy_total_s {total:.3f}")
    print(f"linopy_nonsolver_share {(t_build + t_to + t_extract) / total:.4f}")
    if status != "Optimal":
        print("linopy: not optimal")
        sys.exit(2)
    if expect is not None:
        rel = abs(obj - expect) / max(abs(expect), 1.0)
        print(f"objective_rel_diff {rel:.2e}")
        if rel > 1e-6:
            print(f"OBJECTIVES DISAGREE: linopy {obj:.12e} vs ours {expect:.12e} (rel {rel:.2e} > 1e-6)")
            sys.exit(3)


if __name__ == "__main__":
    main()
