"""The stress engine's model in vectorised numpy: the peer of
crates/sim/src/engine.rs in bench/stress/run.sh.

Reads what `stress_bench` (crates/sim/examples/stress_bench.rs) wrote: a
SYNTHETIC network (not data), the resolved disruptions and each run's
effects, and the Rust results to check against. Runs the same model, period
by period, with the same steps as the engine (see the module doc of
engine.rs): effect multipliers -> target output -> recipe needs -> claims ->
production limited by recipe inputs -> pro-rata allocation -> stock draw and
refill -> shortfall -> rerouting requests, shipments and orders.

Vectorisation: every step is a whole-array numpy operation over nodes (and
over runs: a batch of Monte Carlo runs is one (runs, nodes) array). Python
loops run only over periods, over recipe depth levels (production of a
stage depends on the same period's delivery ratio of its input stage, so
stages are processed in dependency order, all stages of one depth at once)
and over the at most a handful of edge / recipe slots per node (edges are
held in ELLPACK form so per-node sums keep the engine's order). No loop runs
over nodes or edges. Pro-rata allocation only (the bench scenario's rule).

Prints `key value` lines: timings, rates and the largest differences from
the Rust results.
"""

import json
import sys
import time

import numpy as np


def load(d):
    a = lambda name: np.load(f"{d}/{name}.npy")
    m = json.load(open(f"{d}/meta.json"))
    return m, a


class Model:
    def __init__(self, d):
        m, a = load(d)
        self.meta = m
        self.n = n = m["nodes"]
        self.h = m["horizon"]
        self.capacity = a("capacity")
        self.production = a("production")
        self.final_demand = a("final_demand")
        self.stock0 = a("stock")
        self.edge_from = a("edge_from")
        self.edge_to = a("edge_to")
        self.edge_flow = a("edge_flow")
        self.E = E = len(self.edge_flow)
        key_start = a("key_start")
        self.K = K = len(key_start) - 1
        rin_start = a("rin_start")
        rin_node = a("rin_node")
        self.rin_qty = a("rin_qty")
        self.rin_node = rin_node
        self.rin_out = np.repeat(np.arange(n), np.diff(rin_start))
        self.release = m["release_when_short"]
        self.mrs = m["max_release_share"]
        self.reroute = m["reroute"]
        self.lag = m["reroute_lag"]
        self.ramp = float(m["reroute_ramp"])
        self.recovery = m["recovery"]
        assert not m["priority_countries"], "the numpy peer implements pro-rata allocation only"

        # Edges out of each node in ELLPACK form: ell[j, i] is node i's j-th
        # edge, or E (a zero-flow sentinel).
        deg = np.bincount(self.edge_from, minlength=n)
        D = int(deg.max()) if E else 0
        start = np.concatenate([[0], np.cumsum(deg)])
        self.ell = np.full((D, n), E, dtype=np.int64)
        slot = np.arange(E) - start[self.edge_from]
        self.ell[slot, self.edge_from] = np.arange(E)
        # Recipe inputs per node in the same form (sentinel n: ratio 1).
        rdeg = np.diff(rin_start)
        RD = int(rdeg.max()) if len(rin_node) else 0
        self.rell = np.full((RD, n), n, dtype=np.int64)
        rslot = np.arange(len(rin_node)) - rin_start[self.rin_out]
        self.rell[rslot, self.rin_out] = rin_node

        # Commodity-stages: key of each node, and a padded (slot, key) index
        # for per-key sums in node order (sentinel n: zero).
        self.key_of = np.repeat(np.arange(K), np.diff(key_start))
        klen = np.diff(key_start)
        M = int(klen.max())
        self.kpad = np.full((M, K), n, dtype=np.int64)
        pos = np.arange(n) - key_start[self.key_of]
        self.kpad[pos, self.key_of] = np.arange(n)

        # Recipe depth of each key: 0 without recipe inputs, else 1 + the
        # deepest input key. Levels >= 1 are processed in order.
        has_in = np.zeros(K, dtype=bool)
        has_in[self.key_of[self.rin_out]] = True
        depth = np.zeros(K, dtype=np.int64)
        for k in range(K):  # over commodity-stages (50), once
            nodes = np.arange(key_start[k], key_start[k + 1])
            ins = self.rell[:, nodes]
            ins = ins[ins < n]
            if len(ins):
                depth[k] = 1 + depth[self.key_of[ins]].max()
        self.levels = []
        for d_ in range(1, int(depth.max()) + 1 if K else 1):
            ks = np.nonzero(depth == d_)[0]
            nodes = np.concatenate([np.arange(key_start[k], key_start[k + 1]) for k in ks])
            if len(nodes) and nodes[-1] - nodes[0] + 1 == len(nodes):
                sel = slice(int(nodes[0]), int(nodes[-1]) + 1)
            else:
                sel = nodes
            self.levels.append((sel, self.rell[:, sel]))

        # Targets.
        self.tgt_kind = a("tgt_kind")
        self.tgt_value = a("tgt_value")
        self.tgt_node_start = a("tgt_node_start")
        self.tgt_nodes = a("tgt_nodes")
        self.tgt_edge_start = a("tgt_edge_start")
        self.tgt_edges = a("tgt_edges")
        self.a = a

    def effects(self, prefix):
        a = self.a
        return (a(f"{prefix}_eff_run"), a(f"{prefix}_eff_target"), a(f"{prefix}_eff_start"), a(f"{prefix}_eff_end"))

    def expand(self, eff, R):
        """Flat (run, node) / (run, edge) indices touched by each effect,
        in effect order, per kind of target."""
        run, tgt, _, _ = eff
        n, E = self.n, self.E
        out = {}
        for name, kinds, starts, items, width in [
            ("cap", (0,), self.tgt_node_start, self.tgt_nodes, n),
            ("spare", (1,), self.tgt_node_start, self.tgt_nodes, n),
            ("edge", (1,), self.tgt_edge_start, self.tgt_edges, E),
            ("dem", (2,), self.tgt_node_start, self.tgt_nodes, n),
        ]:
            f = np.nonzero(np.isin(self.tgt_kind[tgt], kinds))[0]
            cnt = starts[tgt[f] + 1] - starts[tgt[f]]
            ef = np.repeat(f, cnt)
            first = np.repeat(starts[tgt[f]], cnt)
            within = np.arange(len(ef)) - np.repeat(np.cumsum(cnt) - cnt, cnt)
            idx = items[first + within] + width * run[ef]
            out[name] = (ef, idx)
        return out

    def simulate(self, eff, R):
        n, E, h, K = self.n, self.E, self.h, self.K
        run, tgt, start, end = eff
        ex = self.expand(eff, R)
        value = self.tgt_value[tgt]
        rec = self.recovery
        rows = np.arange(R)[:, None]
        to_flat = (self.edge_to[None, :] + n * rows).ravel()
        rin_flat = (self.rin_node[None, :] + n * rows).ravel()
        tol = 1e-9 * np.maximum(self.final_demand, 1e-300)

        stock = np.tile(self.stock0, (R, 1))
        arr_cur = np.tile(np.bincount(self.edge_to, self.edge_flow, minlength=n), (R, 1))
        rr_cur = np.zeros((R, n))
        extra = np.zeros((R, n))
        req_prev = np.zeros((R, n))
        short_run = np.zeros((R, n), dtype=np.int64)
        cum_short = np.zeros((R, n))
        ratio = np.ones((R, n + 1))  # column n: the sentinel, always 1
        last = None

        def keysum(x):
            # Per-key sums in node order (a reduction over a non-contiguous
            # axis adds slot by slot).
            xe = np.concatenate([x, np.zeros((R, 1))], axis=1)
            return xe[:, self.kpad].sum(axis=1)

        for t in range(h):
            # 1. Effect multipliers, recomputed only when an intensity changes.
            inten = np.where(t < start, 0.0, np.where(t < end, 1.0,
                    np.where(t < end + rec, 1.0 - (t - end + 1) / (rec + 1), 0.0)))
            if last is None or not np.array_equal(inten, last):
                last = inten
                mult = {}
                for name, size in [("cap", n), ("spare", n), ("edge", E), ("dem", n)]:
                    ef, idx = ex[name]
                    mm = np.ones(R * size)
                    on = inten[ef] > 0.0
                    i_ = inten[ef[on]]
                    if name == "dem":
                        fac = 1.0 + (value[ef[on]] - 1.0) * i_
                    else:
                        fac = 1.0 - value[ef[on]] * i_
                    np.multiply.at(mm, idx[on], fac)
                    mult[name] = mm.reshape(R, size)
                cap_eff = self.capacity * mult["cap"]
                fin = self.final_demand * mult["dem"]
                spare_mult = mult["spare"]
                q = np.concatenate([self.edge_flow * mult["edge"], np.zeros((R, 1))], axis=1)
                q_ell = q[:, self.ell]  # (R, D, n)
                q_edges = q[:, :E]

            # 2. Target output and recipe needs.
            target = np.minimum(cap_eff, self.production + extra)
            rn = np.bincount(rin_flat, (target[:, self.rin_out] * self.rin_qty).ravel(), minlength=R * n)
            need = fin + rn.reshape(R, n)
            # Claims on each node's supply (pro rata: one tier), in edge order.
            c2 = need + extra
            for j in range(q_ell.shape[1]):
                c2 = c2 + q_ell[:, j]

            # 3. Production limited by recipe inputs, by depth level: the
            # delivery ratio of every node, first as if nothing were limited
            # by inputs, then level by level.
            def deliver(p, sl):
                s = p + arr_cur[:, sl]
                c = c2[:, sl]
                f2 = np.where(s >= c, 1.0, s / c)
                nd = need[:, sl]
                dom = nd * f2
                gap = np.maximum(nd - dom, 0.0)
                if self.release:
                    draw = np.where(gap > 0.0, np.minimum(gap, stock[:, sl] * self.mrs), 0.0)
                else:
                    draw = np.zeros_like(gap)
                delivered = dom + draw
                rt = np.where((delivered == nd) | (nd <= 0.0), 1.0, np.minimum(delivered / nd, 1.0))
                return s, f2, dom, gap, draw, delivered, rt

            p = target.copy()
            ratio[:, :n] = deliver(p, slice(None))[6]
            for sl, rl in self.levels:
                tg = target[:, sl]
                pl = tg
                for j in range(rl.shape[0]):
                    pl = np.minimum(pl, tg * ratio[:, rl[j]])
                p[:, sl] = pl
                ratio[:, sl] = deliver(pl, sl)[6]

            # 4. Allocation, shipments, stock, shortfall: all nodes at once.
            s, f2, dom, gap, draw, delivered, rt = deliver(p, slice(None))
            x_ell = q_ell * f2[:, None, :]
            exported = np.zeros((R, n))
            for j in range(x_ell.shape[1]):
                exported = exported + x_ell[:, j]
            x_edges = q_edges * f2[:, self.edge_from]
            arr_next = np.bincount(to_flat, x_edges.ravel(), minlength=R * n).reshape(R, n)
            rr_out = extra * f2
            exported = exported + rr_out
            surplus = np.maximum(s - dom - exported, 0.0)
            st = stock - draw
            build = np.minimum(surplus, np.maximum(self.stock0 - st, 0.0))
            stock = st + build
            short = fin * (1.0 - rt)
            cum_short += np.where(short > tol, short, 0.0)

            # 5. Rerouting: requests after the lag, ramped; last period's
            # requests served from this period's rerouted output; this
            # period's requests matched to spare capacity.
            base_gap = np.minimum(gap + np.maximum(rr_cur - surplus, 0.0), need)
            short_run = np.where(self.reroute & (base_gap > 1e-9 * need), short_run + 1, 0)
            req = np.where(self.reroute & (short_run > self.lag),
                           base_gap * np.minimum((short_run - self.lag) / self.ramp, 1.0), 0.0)
            spare = np.maximum(cap_eff - np.maximum(p - extra, 0.0), 0.0) * spare_mult
            pool = keysum(rr_out)
            req_sum = keysum(req_prev)
            rs = keysum(req)
            ss = keysum(spare)
            ship = ((pool > 0.0) & (req_sum > 0.0))[:, self.key_of]
            x = np.where(ship, pool[:, self.key_of] * req_prev / req_sum[:, self.key_of], 0.0)
            v = np.minimum(rs, ss)[:, self.key_of]
            extra_next = np.where(v > 0.0, v * spare / ss[:, self.key_of], 0.0)
            arr_cur = arr_next + x
            rr_cur = x
            extra = extra_next
            req_prev = req
        return cum_short


def compare(ours, theirs, scale):
    """Largest relative difference, with differences below 1e-9 x `scale`
    (the engine's own shortfall threshold, summed over the horizon) taken
    as agreement."""
    diff = np.abs(ours - theirs)
    rel = diff / np.maximum(np.maximum(np.abs(ours), np.abs(theirs)), 1e-300)
    bad = (diff > 1e-9 * np.maximum(np.abs(theirs), np.abs(ours))) & (diff > 1e-9 * scale)
    return float(rel[diff > 1e-9 * scale].max(initial=0.0)), int(bad.sum())


def main():
    # The engine's divisions are guarded by `where`; numpy evaluates both
    # branches, so 0/0 in the discarded one is expected (no context manager
    # per call: it costs more than some of the array operations).
    np.seterr(divide="ignore", invalid="ignore")
    d = sys.argv[1]
    reps = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    mc_runs = int(sys.argv[3]) if len(sys.argv) > 3 else 64
    model = Model(d)
    n, h = model.n, model.h
    scale = model.h * model.final_demand
    print(f"numpy_version {np.__version__}")

    eff = model.effects("single")
    times = []
    c0 = time.process_time()
    for _ in range(reps):
        t0 = time.perf_counter()
        cs = model.simulate(eff, 1)[0]
        times.append(time.perf_counter() - t0)
    dt = sum(times) / len(times)
    cpu = (time.process_time() - c0) / reps
    print(f"numpy_single_s_per_run {dt:.6f}")
    print(f"numpy_single_best_s {min(times):.6f}")
    print(f"numpy_single_updates_per_s {n * h / dt:.4e}")
    print(f"numpy_single_updates_per_cpu_s {n * h / cpu:.4e}")
    print(f"numpy_single_total_shortfall {cs.sum():.6f}")
    ref = model.a("single_cum_short")
    worst, bad = compare(cs, ref, scale)
    print(f"single_max_rel_diff {worst:.3e}")
    print(f"single_nodes_disagreeing {bad}")

    check = model.meta["check_runs"]
    R = min(mc_runs, check)
    run, tgt, start, end = model.effects("mc")
    keep = run < R
    effs = (run[keep], tgt[keep], start[keep], end[keep])
    c0 = time.process_time()
    t0 = time.perf_counter()
    cs = model.simulate(effs, R)
    dt = time.perf_counter() - t0
    cpu = time.process_time() - c0
    print(f"numpy_mc_runs {R}")
    print(f"numpy_mc_s {dt:.4f}")
    print(f"numpy_mc_updates_per_s {n * h * R / dt:.4e}")
    print(f"numpy_mc_updates_per_cpu_s {n * h * R / cpu:.4e}")
    ref = model.a("mc_cum_short")[:R]
    worst2, bad2 = compare(cs, ref, scale[None, :])
    print(f"mc_max_rel_diff {worst2:.3e}")
    print(f"mc_node_runs_disagreeing {bad2}")
    ok = bad == 0 and bad2 == 0
    print(f"agree {'yes' if ok else 'NO'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
