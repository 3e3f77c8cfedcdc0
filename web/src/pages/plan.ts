// Plan: run an example plan (or an edited one) as a job; builds on a
// timeline (permitting, construction, online), supply by origin and
// shortfall before (the same plan with no new builds) and after, cost,
// duals, and the permitting sweep.

import { Job, get } from "../api";
import { keyLabel, qty } from "../format";
import { Build, SupplyOut, buildTimeline, originsBeforeAfter, periodYear } from "../shape";
import { chartPanel, clear, h, message, select, table } from "../ui";
import { jobRunner } from "./jobs";

export async function planPage(root: HTMLElement, args: string[]): Promise<void> {
  root.append(h("h2", {}, "Plan"), h("p", { class: "note" }, "A joint supply plan (docs/plans.md): which projects to build when, stocks, supply by origin and shortfall, solved as a MIP with HiGHS. Costs and lead times in the examples are illustrative assumptions, marked as such in the files."));
  const results = h("div", { id: "plan-results" });
  await jobRunner({ root, kind: "plan", examplesPath: "/api/v1/examples/plans", initial: args[0], onDone: (j) => showPlan(results, j) });
  root.append(results);
  // #/plan/job/ID: an earlier job's results.
  if (args[0] === "job" && args[1]) {
    const j = await get<Job>(`/api/v1/jobs/${encodeURIComponent(args[1])}`);
    if (j.kind !== "plan" || j.status !== "done") results.append(message("info", `Job ${j.id} is a ${j.kind} job, ${j.status}.`));
    else await showPlan(results, j);
  }
}

export async function showPlan(root: HTMLElement, job: Job): Promise<void> {
  clear(root);
  const r = job.result;
  const money = (x: number | null | undefined) => (x === null || x === undefined ? "–" : `$${qty(x / 1e6)}M`);
  root.append(
    h("h3", {}, `${r.plan}: ${r.status}`),
    h(
      "div",
      { class: "kpis" },
      h("div", { class: "kpi", id: "plan-objective" }, h("small", {}, "Objective (expected, discounted)"), h("b", {}, money(r.objective))),
      h("div", { class: "kpi" }, h("small", {}, "Expected shortfall"), h("b", {}, qty(r.expected_shortfall))),
      h("div", { class: "kpi" }, h("small", {}, "Builds"), h("b", { id: "plan-builds" }, String(r.builds.length))),
      h("div", { class: "kpi" }, h("small", {}, "Model"), h("b", {}, `${qty(r.model.vars)} vars`)),
    ),
  );
  if (r.status !== "optimal" && r.explanation) root.append(message("error", r.explanation.message));
  root.append(h("p", { class: "note" }, "Solving the same plan without new builds and the permitting sweep…"));
  const ctx = await get<any>(`/api/v1/jobs/${job.id}/plan-context?sweep=permitting_years`);
  root.lastElementChild?.remove();
  const before = ctx.without_builds;
  const leads: Record<string, { permitting_years: number; build_years: number }> = {};
  for (const p of ctx.projects) leads[p.id] = p;

  // Builds on a timeline.
  const builds: Build[] = r.builds.map((b: any) => ({ ...b, start: periodYear(b.start), online: periodYear(b.online) }));
  const spans = buildTimeline(builds, leads);
  const projects = [...new Set(spans.map((s) => s.project))];
  const phaseColour = { permitting: "#E69F00", construction: "#56B4E9", online: "#009E73" } as const;
  const first = periodYear(ctx.periods[0]);
  const last = periodYear(ctx.periods[ctx.periods.length - 1]) + 1 / Math.max(1, ctx.per_year);
  root.append(
    chartPanel({
      id: "plan-timeline",
      title: "Builds: permitting, construction, online",
      height: Math.max(160, 40 * projects.length + 80),
      note: builds.length ? undefined : "The optimum builds nothing.",
      option: {
        tooltip: { trigger: "item", formatter: (p: any) => `${p.data.value[3]}: ${p.data.value[4]} ${p.data.value[1]}–${p.data.value[2]}` },
        grid: { left: 150, right: 30, top: 20, bottom: 30 },
        xAxis: { type: "value", min: Math.floor(first), max: Math.ceil(Math.max(last, ...spans.map((s) => s.to))), name: "year", axisLabel: { formatter: (v: number) => String(v) } },
        yAxis: { type: "category", data: projects },
        series: [
          {
            type: "custom",
            name: "builds",
            renderItem: (_params: any, api: any) => {
              const y = api.value(0);
              const a = api.coord([api.value(1), y]);
              const b = api.coord([api.value(2), y]);
              const hgt = api.size([0, 1])[1] * 0.5;
              return { type: "rect", shape: { x: a[0], y: a[1] - hgt / 2, width: Math.max(2, b[0] - a[0]), height: hgt }, style: api.style() };
            },
            encode: { x: [1, 2], y: 0 },
            data: spans.map((s) => ({ value: [projects.indexOf(s.project), s.from, s.to, s.project, s.phase], itemStyle: { color: phaseColour[s.phase] } })),
          },
        ],
      },
      table: { columns: ["project", "phase", "from", "to"], rows: spans.map((s) => [s.project, s.phase, s.from, s.to]) },
    }),
    h("p", { class: "legend note" }, ...Object.entries(phaseColour).map(([k, c]) => h("span", {}, h("span", { style: { background: c, display: "inline-block", width: "1em", height: "0.8em" } }), ` ${k}`))),
  );
  root.append(
    h(
      "section",
      { class: "card" },
      h("h3", {}, "Builds"),
      table(
        {
          columns: ["Project", "Kind", "Country", "Commodity-stage", "Units", "Start", "Online", "Capacity / yr", "Capex", "Permitting (yr)", "Construction (yr)"],
          rows: r.builds.map((b: any) => [b.project, b.kind, b.country, b.commodity, b.units, b.start, b.online, b.capacity, b.capex, leads[b.project]?.permitting_years ?? null, leads[b.project]?.build_years ?? null]),
          format: (c, v) => (c === 3 ? keyLabel(v as string) : c === 7 ? qty(v as number) : c === 8 ? money(v as number) : String(v ?? "–")),
        },
        { id: "builds-table" },
      ),
    ),
  );

  // Cost: after vs before.
  const partKeys = ["capex", "supply", "stock", "shortfall_penalty", "fairness_penalty"];
  root.append(
    chartPanel({
      id: "plan-cost",
      title: "Cost parts: without new builds vs the plan (expected, discounted, $M)",
      option: {
        legend: { top: 0 },
        tooltip: { trigger: "axis" },
        grid: { left: 130, right: 30, top: 30, bottom: 30 },
        xAxis: { type: "value" },
        yAxis: { type: "category", data: partKeys.map((k) => k.replace(/_/g, " ")) },
        series: [
          { type: "bar", name: "without new builds", data: partKeys.map((k) => (before.parts?.[k] ?? 0) / 1e6) },
          { type: "bar", name: "plan", data: partKeys.map((k) => (r.parts?.[k] ?? 0) / 1e6) },
        ],
      },
      table: { columns: ["part", "without_new_builds", "plan"], rows: partKeys.map((k) => [k, before.parts?.[k] ?? null, r.parts?.[k] ?? null]) },
      note: `Objective ${money(before.objective)} without new builds, ${money(r.objective)} with the plan.`,
    }),
  );

  // Supply by origin and shortfall, before and after.
  const supplies: SupplyOut[] = r.supply;
  const combos = supplies.map((s) => `${s.country}|${s.commodity}|${s.scenario}`);
  const box = h("div", { class: "grid2", id: "plan-before-after" });
  const draw = (combo: string) => {
    clear(box);
    const [country, commodity, scenario] = combo.split("|");
    const rows = originsBeforeAfter(before.supply, supplies, country, commodity, scenario);
    box.append(
      chartPanel({
        id: "plan-origins",
        title: `${country} ${keyLabel(commodity)}, scenario ${scenario}: supply by origin over the horizon`,
        option: {
          legend: { top: 0 },
          tooltip: { trigger: "axis" },
          grid: { left: 60, right: 20, top: 30, bottom: 30 },
          xAxis: { type: "category", data: rows.map((x) => x.origin) },
          yAxis: { type: "value" },
          series: [
            { type: "bar", name: "without new builds", data: rows.map((x) => x.before) },
            { type: "bar", name: "plan", data: rows.map((x) => x.after) },
          ],
        },
        table: { columns: ["origin", "without_new_builds", "plan"], rows: rows.map((x) => [x.origin, x.before, x.after]) },
      }),
    );
    const sf = (l: any[]) => l.find((s) => s.country === country && s.commodity === commodity && s.scenario === scenario);
    const a = sf(r.shortfall);
    const b = sf(before.shortfall);
    const periods: string[] = r.periods;
    box.append(
      chartPanel({
        id: "plan-shortfall",
        title: `Shortfall per period: without new builds ${qty(b?.total ?? 0)}, plan ${qty(a?.total ?? 0)}`,
        option: {
          legend: { top: 0 },
          tooltip: { trigger: "axis" },
          grid: { left: 60, right: 20, top: 30, bottom: 30 },
          xAxis: { type: "category", data: periods },
          yAxis: { type: "value" },
          series: [
            { type: "line", name: "without new builds", data: b?.by_period ?? periods.map(() => 0) },
            { type: "line", name: "plan", data: a?.by_period ?? periods.map(() => 0) },
            { type: "line", name: "demand", lineStyle: { type: "dashed" }, data: a?.demand ?? b?.demand ?? [] },
          ],
        },
        table: { columns: ["period", "without_new_builds", "plan", "demand"], rows: periods.map((p, t) => [p, b?.by_period?.[t] ?? 0, a?.by_period?.[t] ?? 0, a?.demand?.[t] ?? null]) },
      }),
    );
  };
  // Start with the partner, commodity and scenario whose shortfall the plan changes most.
  const total = (l: any[], c: string) => l.find((x) => `${x.country}|${x.commodity}|${x.scenario}` === c)?.total ?? 0;
  const firstCombo = combos.slice().sort((x, y) => Math.abs(total(before.shortfall, y) - total(r.shortfall, y)) - Math.abs(total(before.shortfall, x) - total(r.shortfall, x)))[0] ?? "";
  const pick = select(combos.map((c) => ({ value: c, label: c.split("|").join(" · ") })), firstCombo, draw, { id: "plan-combo" });
  root.append(h("h3", {}, "Before (no new builds) and after (the plan)"), h("div", { class: "controls" }, h("label", {}, "Partner, commodity, scenario", pick)), box);
  if (combos.length) draw(pick.value);

  // Duals.
  const d = r.duals;
  if (d) {
    const caps = (d.capacity as any[]).filter((c) => Math.abs(c.value) > 1e-9).sort((x, y) => y.value - x.value).slice(0, 15);
    root.append(
      h(
        "section",
        { class: "card" },
        h("h3", {}, "Duals"),
        h("p", { class: "note" }, d.method),
        h(
          "div",
          { class: "grid2" },
          caps.length
            ? table({ columns: ["Capacity at", "Value per unit/period"], rows: caps.map((c) => [`${c.country} ${keyLabel(c.commodity)}`, c.value]), format: (c, v) => (c === 1 ? qty(v as number) : String(v)) }, { id: "duals-capacity" })
            : h("p", { class: "note", id: "duals-capacity" }, "No existing capacity is binding: one more unit anywhere would not lower the cost."),
          table({
            columns: ["Policy / project", "Marginal value"],
            rows: [...(d.policies as any[]).map((p) => [`policy ${p.policy} (${p.binding_rows} binding rows)`, p.marginal_cost]), ...(d.projects as any[]).map((p) => [`project ${p.project}`, p.value])],
            format: (c, v) => (c === 1 ? qty(v as number) : String(v)),
          }),
        ),
      ),
    );
  }

  // Permitting sweep.
  if (ctx.sweep) {
    const pts: any[] = ctx.sweep.points;
    root.append(
      chartPanel({
        id: "plan-sweep",
        title: "What shorter permitting is worth: every project's permitting set to 1–10 years",
        option: {
          legend: { top: 0 },
          tooltip: { trigger: "axis" },
          grid: { left: 70, right: 70, top: 30, bottom: 40 },
          xAxis: { type: "category", data: pts.map((p) => p.value), name: "permitting years" },
          yAxis: [
            { type: "value", name: "objective $M" },
            { type: "value", name: "expected shortfall" },
          ],
          series: [
            { type: "line", name: "objective ($M)", data: pts.map((p) => (p.objective ?? NaN) / 1e6) },
            { type: "line", name: "expected shortfall", yAxisIndex: 1, data: pts.map((p) => p.expected_shortfall) },
          ],
        },
        table: { columns: ["permitting_years", "status", "objective", "expected_shortfall", "capex", "builds"], rows: pts.map((p) => [p.value, p.status, p.objective, p.expected_shortfall, p.capex, (p.builds ?? []).join(" ")]) },
      }),
    );
  }
  if (r.notes?.length) root.append(h("details", {}, h("summary", {}, `Notes (${r.notes.length})`), h("ul", { class: "note" }, ...r.notes.map((n: string) => h("li", {}, n)))));
}
