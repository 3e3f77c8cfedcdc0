// Stress: run an example scenario (or an edited one) as a job with a live
// progress bar; then shortfall over time per country, stock levels, the
// Monte Carlo distribution (histogram, p95 and CVaR marked) and time to
// survive against time to recover.

import { Job, cached, get } from "../api";
import { keyLabel, pct, qty } from "../format";
import { binIndex } from "../shape";
import { chartPanel, clear, h, message, select, table } from "../ui";
import { jobRunner } from "./jobs";

const keyStr = (k: { commodity: string; stage: string }) => `${k.commodity}/${k.stage}`;

export async function stressPage(root: HTMLElement, args: string[]): Promise<void> {
  root.append(h("h2", {}, "Stress"));
  const results = h("div", { id: "stress-results" });
  await jobRunner({ root, kind: "stress", examplesPath: "/api/v1/examples/scenarios", initial: args[0], onDone: (j) => showResult(results, j) });
  root.append(results);
  // #/stress/job/ID: an earlier job's results.
  if (args[0] === "job" && args[1]) {
    const j = await get<Job>(`/api/v1/jobs/${encodeURIComponent(args[1])}`);
    if (j.kind !== "stress" || j.status !== "done") results.append(message("info", `Job ${j.id} is a ${j.kind} job, ${j.status}.`));
    else await showResult(results, j);
  }
  const tts = h("div", { id: "tts" });
  root.append(tts);
  await ttsSection(tts);
}

export async function showResult(root: HTMLElement, job: Job): Promise<void> {
  clear(root);
  const r = job.result;
  if (r?.result) await single(root, job);
  else if (r?.monte_carlo) await monteCarlo(root, job);
  else root.append(message("error", "The job has no stress result."));
}

async function single(root: HTMLElement, job: Job): Promise<void> {
  const res = job.result.result;
  const nodes: any[] = res.nodes;
  const byKey = new Map<string, { short: number; demand: number; countries: number }>();
  for (const n of nodes) {
    const k = keyStr(n.key);
    const e = byKey.get(k) ?? { short: 0, demand: 0, countries: 0 };
    e.short += n.cumulative_shortfall;
    e.demand += n.cumulative_demand;
    if (n.cumulative_shortfall > 0) e.countries += 1;
    byKey.set(k, e);
  }
  const keys = [...byKey.keys()].sort((a, b) => byKey.get(b)!.short / Math.max(1e-12, byKey.get(b)!.demand) - byKey.get(a)!.short / Math.max(1e-12, byKey.get(a)!.demand));
  root.append(
    h("h3", {}, `Scenario ${job.result.scenario}: ${res.periods_done} of ${res.horizon} periods${res.partial ? " (partial)" : ""}`),
    h(
      "section",
      { class: "card" },
      h("h3", {}, "Shortfall by commodity-stage (over the horizon)"),
      table(
        {
          columns: ["Commodity-stage", "Shortfall", "Final demand", "Share short", "Countries short"],
          rows: keys.map((k) => [k, byKey.get(k)!.short, byKey.get(k)!.demand, byKey.get(k)!.short / Math.max(1e-12, byKey.get(k)!.demand), byKey.get(k)!.countries]),
          format: (c, v) => (c === 0 ? keyLabel(v as string) : c === 3 ? pct(v as number) : c === 4 ? String(v) : qty(v as number)),
        },
        { id: "stress-summary" },
      ),
    ),
  );
  const first = (res.first_to_fail as number[]).slice(0, 15).map((i) => nodes[i]);
  root.append(
    h(
      "section",
      { class: "card" },
      h("h3", {}, "First to fail"),
      table({
        columns: ["#", "Country", "Commodity-stage", "Time to survive (periods)", "Cumulative shortfall", "Share of demand"],
        rows: first.map((n, i) => [i + 1, n.country, keyStr(n.key), n.time_to_survive, n.cumulative_shortfall, n.cumulative_shortfall / Math.max(1e-12, n.cumulative_demand)]),
        format: (c, v) => (c === 2 ? keyLabel(v as string) : c === 4 ? qty(v as number) : c === 5 ? pct(v as number) : String(v ?? "–")),
      }),
    ),
  );
  const charts = h("div", { id: "stress-series" });
  const pick = select(keys.map((k) => ({ value: k, label: keyLabel(k) })), keys[0], (v) => drawSeries(charts, job.id, v), { id: "series-key" });
  root.append(h("div", { class: "controls" }, h("label", {}, "Series of", pick)), charts);
  await drawSeries(charts, job.id, keys[0]);
}

async function drawSeries(root: HTMLElement, id: string, key: string): Promise<void> {
  clear(root);
  const s = await get<any>(`/api/v1/jobs/${id}/series?commodity=${encodeURIComponent(key)}`);
  const top = (s.countries as any[]).filter((c) => c.cumulative_shortfall > 0).slice(0, 8);
  const shown = top.length ? top : (s.countries as any[]).slice(0, 8);
  const periods = Array.from({ length: s.periods }, (_, t) => t);
  const line = (field: string) =>
    shown.map((c) => ({ type: "line" as const, name: c.country, showSymbol: false, data: c[field] as number[] }));
  const tableOf = (field: string) => ({
    columns: ["period", ...shown.map((c) => c.country)],
    rows: periods.map((t) => [t, ...shown.map((c) => c[field][t] as number)]),
  });
  const disruptionEnd = { silent: true, symbol: "none", data: [{ xAxis: s.disruption_end }], lineStyle: { color: "#57606a", type: "dashed" as const }, label: { formatter: "disruptions end" } };
  const grid = h("div", { class: "grid2" });
  grid.append(
    chartPanel({
      id: "stress-shortfall",
      title: `Shortfall per period, ${keyLabel(key)} (${s.unit} per ${s.period}), largest ${shown.length} countries`,
      option: {
        legend: { top: 0 },
        tooltip: { trigger: "axis" },
        grid: { left: 60, right: 20, top: 40, bottom: 30 },
        xAxis: { type: "category", data: periods, name: s.period },
        yAxis: { type: "value" },
        series: line("shortfall").map((x, i) => (i === 0 ? { ...x, markLine: disruptionEnd } : x)),
      },
      table: tableOf("shortfall"),
    }),
    chartPanel({
      id: "stress-stock",
      title: `Stock at the end of each period, ${keyLabel(key)} (${s.unit})`,
      option: {
        legend: { top: 0 },
        tooltip: { trigger: "axis" },
        grid: { left: 60, right: 20, top: 40, bottom: 30 },
        xAxis: { type: "category", data: periods, name: s.period },
        yAxis: { type: "value" },
        series: line("stock"),
      },
      table: tableOf("stock"),
    }),
  );
  root.append(grid);
}

async function monteCarlo(root: HTMLElement, job: Job): Promise<void> {
  const mc = job.result.monte_carlo;
  const world: any[] = mc.commodities;
  root.append(
    h("h3", {}, `Scenario ${job.result.scenario}: Monte Carlo, ${mc.runs_done} runs (seed ${mc.seed})${mc.partial ? " (partial)" : ""}`),
    h(
      "section",
      { class: "card" },
      h("h3", {}, "World cumulative shortfall over the horizon, per commodity-stage"),
      table(
        {
          columns: ["Commodity-stage", "Mean", "p50", "p95", "p99", "CVaR95", "Max", "P(any shortfall)"],
          rows: world.map((w) => [keyStr(w.key), w.mean, w.p50, w.p95, w.p99, w.cvar95, w.max, w.probability_of_shortfall]),
          format: (c, v) => (c === 0 ? keyLabel(v as string) : c === 7 ? pct(v as number) : qty(v as number)),
        },
        { id: "mc-world" },
      ),
      h("p", { class: "note" }, `p50, p95, p99 and CVaR95 from a streaming sketch within ${pct(mc.quantile_relative_accuracy, 0)} relative error; mean, max and probability exact.`),
    ),
  );
  const keys = world.map((w) => keyStr(w.key));
  const box = h("div", { id: "mc-histogram" });
  const best = world.slice().sort((a, b) => b.probability_of_shortfall - a.probability_of_shortfall)[0];
  const pick = select(keys.map((k) => ({ value: k, label: keyLabel(k) })), keyStr(best.key), (v) => drawHistogram(box, job.id, v), { id: "histogram-key" });
  root.append(h("div", { class: "controls" }, h("label", {}, "Distribution of", pick)), box);
  await drawHistogram(box, job.id, keyStr(best.key));
}

async function drawHistogram(root: HTMLElement, id: string, key: string): Promise<void> {
  clear(root);
  root.append(h("p", { class: "note" }, "Re-running every run for the exact distribution…"));
  const d = await get<any>(`/api/v1/jobs/${id}/distribution?commodity=${encodeURIComponent(key)}&bins=30`);
  clear(root);
  const labels = (d.bins as any[]).map((b) => `${qty(b.from)}–${qty(b.to)}`);
  const mark = (name: string, x: number, position: "insideEndTop" | "end") => ({ name, xAxis: labels[binIndex(d.bins, x)], label: { formatter: `${name} ${qty(x)}`, position } });
  root.append(
    chartPanel({
      id: "mc-hist",
      title: `World cumulative shortfall of ${keyLabel(key)} over ${d.runs} runs (${d.unit})`,
      note: `Exact over all runs: mean ${qty(d.mean)}, p95 ${qty(d.p95)}, CVaR95 ${qty(d.cvar95)} (mean of the worst 5%), P(any) ${pct(d.p_any)}.`,
      option: {
        tooltip: { trigger: "axis" },
        grid: { left: 60, right: 30, top: 40, bottom: 10 },
        xAxis: { type: "category", data: labels, axisLabel: { rotate: 40, fontSize: 10 } },
        yAxis: { type: "value", name: "runs" },
        series: [
          {
            type: "bar",
            name: "runs",
            data: (d.bins as any[]).map((b) => b.count),
            barCategoryGap: "2%",
            markLine: { symbol: "none", data: [mark("p95", d.p95, "insideEndTop"), mark("CVaR95", d.cvar95, "end")], lineStyle: { color: "#D55E00", width: 2 } },
          },
        ],
      },
      table: { columns: ["from", "to", "runs"], rows: (d.bins as any[]).map((b) => [b.from, b.to, b.count]) },
    }),
  );
}

async function ttsSection(root: HTMLElement): Promise<void> {
  const list = await cached<{ commodities: { commodity: string; production_rows: number }[] }>("/api/v1/commodities");
  const ids = [...new Set(list.commodities.filter((c) => c.production_rows > 0).map((c) => c.commodity))].sort();
  const box = h("div");
  let commodity = ids.includes("rare_earths") ? "rare_earths" : ids[0];
  const num = (id: string, value: string, step: string) => h("input", { id, type: "number", min: "0", step, value, style: { width: "6em" } }) as HTMLInputElement;
  const ttr = num("tts-ttr", "12", "1");
  const headroom = num("tts-headroom", "10", "1");
  const stock = num("tts-stock", "3", "0.5");
  const solve = () => drawTts(box, commodity, { ttr: ttr.value, headroom: String(Number(headroom.value) / 100), stock_months: stock.value });
  root.append(
    h("h3", {}, "Time to survive against time to recover"),
    h("p", { class: "note" }, "For each producer removed from month 0: the longest time the rest of the network, with its stocks and spare capacity, meets all demand (Simchi-Levi et al. 2015). Hot spots: TTS below the time to recover. Spare capacity and stock are assumed only where the dataset has none."),
    h(
      "div",
      { class: "controls" },
      h("label", {}, "Commodity", select(ids.map((i) => ({ value: i, label: i.replace(/_/g, " ") })), commodity, (v) => ((commodity = v), solve()), { id: "tts-commodity" })),
      h("label", {}, "Time to recover (months)", ttr),
      h("label", {}, "Spare capacity (% of output)", headroom),
      h("label", {}, "Stock (months of need)", stock),
      h("button", { type: "button", id: "tts-solve", onclick: () => solve() }, "Solve"),
    ),
    box,
  );
  await solve();
}

async function drawTts(root: HTMLElement, commodity: string, o: { ttr: string; headroom: string; stock_months: string }): Promise<void> {
  clear(root);
  root.append(h("p", { class: "note" }, "Solving…"));
  let t: any;
  try {
    t = await cached<any>(`/api/v1/tts?commodity=${encodeURIComponent(commodity)}&ttr=${o.ttr}&headroom=${o.headroom}&stock_months=${o.stock_months}`);
  } catch (e: any) {
    clear(root);
    root.append(message("error", e.message));
    return;
  }
  clear(root);
  const nodes = (t.nodes as any[]).slice(0, 25);
  const label = (n: any) => `${n.country} ${n.stage}`;
  root.append(
    chartPanel({
      id: "tts-chart",
      title: `${commodity.replace(/_/g, " ")}: TTS per producer removed (months; ${t.hot_spots} hot spot(s) of ${t.solved})`,
      height: Math.max(300, 20 * nodes.length + 60),
      option: {
        tooltip: { trigger: "axis" },
        legend: { top: 0 },
        grid: { left: 100, right: 30, top: 30, bottom: 30 },
        xAxis: { type: "value", name: "months", max: t.horizon },
        yAxis: { type: "category", inverse: true, data: nodes.map(label) },
        series: [
          { type: "bar", name: "TTS", data: nodes.map((n) => ({ value: n.tts, itemStyle: { color: n.hot_spot ? "#D55E00" : "#0072B2" } })) },
          { type: "scatter", name: "TTR", symbol: "diamond", symbolSize: 10, itemStyle: { color: "#000" }, data: nodes.map((n) => n.ttr) },
        ],
      },
      table: {
        columns: ["country", "commodity", "stage", "share", "tts_months", "capped", "ttr_months", "hot_spot"],
        rows: (t.nodes as any[]).map((n) => [n.country, n.commodity, n.stage, n.share, n.tts, n.capped ? "yes" : "no", n.ttr, n.hot_spot ? "yes" : "no"]),
      },
    }),
  );
}
