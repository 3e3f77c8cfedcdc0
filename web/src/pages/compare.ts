// Compare: two finished jobs side by side (stress, Monte Carlo or plan),
// or two versions of one of the party's datasets (GET .../diff).

import { ApiError, Job, get, myJobs } from "../api";
import { keyLabel, qty } from "../format";
import { compareMaps } from "../shape";
import { clear, h, message, select, table } from "../ui";

/** Comparable numbers of a job's result, by label. */
export function jobFigures(j: Job): Record<string, number> {
  const r = j.result ?? {};
  const out: Record<string, number> = {};
  const ks = (k: any) => `${k.commodity}/${k.stage}`;
  if (r.result) {
    for (const n of r.result.nodes) {
      const k = `shortfall ${ks(n.key)}`;
      out[k] = (out[k] ?? 0) + n.cumulative_shortfall;
    }
    out["countries short"] = r.result.nodes.filter((n: any) => n.cumulative_shortfall > 0).length;
  } else if (r.monte_carlo) {
    for (const c of r.monte_carlo.commodities) {
      out[`p95 ${ks(c.key)}`] = c.p95;
      out[`mean ${ks(c.key)}`] = c.mean;
    }
  } else if (r.plan) {
    if (r.objective !== null) out["objective"] = r.objective;
    if (r.expected_shortfall !== null) out["expected shortfall"] = r.expected_shortfall;
    for (const [k, v] of Object.entries(r.parts ?? {})) out[`cost ${k}`] = v as number;
    out["builds"] = r.builds.length;
  }
  return out;
}

async function listJobs(): Promise<{ id: string; label: string }[]> {
  // The server's list of the party's jobs; only if that fails, the jobs
  // this tab ran (forgotten at sign-out).
  try {
    const l = await get<any>("/api/v1/jobs?limit=100");
    const jobs: any[] = l.jobs;
    return jobs
      .filter((j) => j.status === "done")
      .map((j) => ({ id: j.id, label: `${j.kind} ${j.label ?? ""} on ${j.data ?? "embedded"} · ${(j.created_at ?? "").replace("T", " ").slice(0, 19)} · ${j.user ?? ""} · ${j.id.slice(0, 8)}` }));
  } catch {
    /* the list is unavailable: fall back */
  }
  return myJobs().map((j) => ({ id: j.id, label: `${j.kind} ${j.id.slice(0, 8)} · ${j.label}` }));
}

export async function comparePage(root: HTMLElement, args: string[]): Promise<void> {
  root.append(h("h2", {}, "Compare"));
  const jobs = await listJobs();
  const jobBox = h("div", { id: "compare-jobs" });
  const a = args[0] ?? jobs[1]?.id ?? jobs[0]?.id ?? "";
  const b = args[1] ?? jobs[0]?.id ?? "";
  const opts = jobs.map((j) => ({ value: j.id, label: j.label }));
  let selA = a;
  let selB = b;
  const run = async () => {
    clear(jobBox);
    if (!selA || !selB) {
      jobBox.append(message("info", "Run a stress or plan job first (Stress and Plan pages); finished jobs appear here."));
      return;
    }
    try {
      const [ja, jb] = await Promise.all([get<Job>(`/api/v1/jobs/${selA}`), get<Job>(`/api/v1/jobs/${selB}`)]);
      const rows = compareMaps(jobFigures(ja), jobFigures(jb));
      const link = (j: Job) => h("a", { href: `#/${j.kind}/job/${j.id}`, "data-open": j.id }, `open ${j.kind} ${j.label ?? ""} ${j.id.slice(0, 8)}`);
      jobBox.append(h("p", { class: "note" }, "A: ", link(ja), " · B: ", link(jb)));
      jobBox.append(
        table(
          {
            columns: ["Figure", `A (${ja.kind} ${ja.id.slice(0, 8)})`, `B (${jb.kind} ${jb.id.slice(0, 8)})`, "B − A"],
            rows: rows.map((r) => [r.key, r.a, r.b, r.diff]),
            format: (c, v) => (c === 0 ? String(v).replace(/(\w+)\/(\w+)/, (m) => keyLabel(m)) : v === null ? "–" : qty(v as number)),
          },
          { id: "compare-table" },
        ),
      );
    } catch (e: any) {
      jobBox.append(message("error", e.message));
    }
  };
  root.append(
    h(
      "section",
      { class: "card" },
      h("h3", {}, "Two runs"),
      h(
        "div",
        { class: "controls" },
        h("label", {}, "A", select(opts, a, (v) => ((selA = v), run()), { id: "compare-a" })),
        h("label", {}, "B", select(opts, b, (v) => ((selB = v), run()), { id: "compare-b" })),
      ),
      jobBox,
    ),
  );
  await run();

  // Dataset versions: the party's datasets (GET /api/v1/datasets).
  const { datasets } = await get<{ datasets: { name: string; latest: { version: number } }[] }>("/api/v1/datasets?limit=1000");
  const section = h("section", { class: "card", id: "compare-datasets" }, h("h3", {}, "Two versions of a dataset"), h("p", { class: "note" }, "Your party's uploaded datasets; other parties' datasets are not visible."));
  root.append(section);
  if (!datasets.length) {
    section.append(message("info", "Your party has uploaded no dataset yet (POST /api/v1/datasets/{name}, or lodestone's dataset commands)."));
    return;
  }
  const from = h("input", { id: "diff-from", type: "number", min: "1", style: { width: "5em" } }) as HTMLInputElement;
  const to = h("input", { id: "diff-to", type: "number", min: "1", style: { width: "5em" } }) as HTMLInputElement;
  const setVersions = (n: string) => {
    const latest = datasets.find((d) => d.name === n)?.latest.version ?? 1;
    from.value = String(Math.max(1, latest - 1));
    to.value = String(latest);
  };
  let name = datasets[0].name;
  setVersions(name);
  const pickName = select(datasets.map((d) => ({ value: d.name, label: `${d.name} (${d.latest.version} version${d.latest.version === 1 ? "" : "s"})` })), name, (v) => ((name = v), setVersions(v)), { id: "diff-name" });
  const out = h("div", { id: "diff-out" });
  const diff = async () => {
    clear(out);
    try {
      const d = await get<any>(`/api/v1/datasets/${encodeURIComponent(name)}/diff?from=${from.value}&to=${to.value}`);
      out.append(h("p", { class: "note" }, `${name}: version ${d.from} vs ${d.to}: ${Object.keys(d.files).length} file(s) differ.`));
      for (const [f, x] of Object.entries<any>(d.files)) {
        out.append(
          h("h4", {}, `${f}: ${x.removed_count} removed, ${x.added_count} added`),
          h("div", { class: "grid2" }, table({ columns: [`only in ${d.from}`], rows: x.removed.map((l: string) => [l]) }), table({ columns: [`only in ${d.to}`], rows: x.added.map((l: string) => [l]) })),
        );
      }
    } catch (e: any) {
      out.append(message(e instanceof ApiError && e.status === 404 ? "info" : "error", e.message));
    }
  };
  section.append(h("div", { class: "controls" }, h("label", {}, "Dataset", pickName), h("label", {}, "From version", from), h("label", {}, "To version", to), h("button", { type: "button", id: "diff-run", onclick: diff }, "Compare")), out);
}
