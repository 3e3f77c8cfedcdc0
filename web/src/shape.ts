// Data shaping: API JSON -> what the pages and charts show. Pure functions
// (unit-tested in shape.test.ts).

export interface Producer {
  country: string;
  name: string;
  quantity: number;
  share: number;
  estimated?: boolean;
}

export interface Concentration {
  commodity: string;
  stage: string;
  year: number;
  unit: string;
  by: string;
  total: number;
  hhi: number;
  top3_share: number;
  top1: Producer | null;
  residual_share: number;
  producers: Producer[];
  groups: Record<string, number>;
  n_producers: number;
  assumptions: string[];
}

export interface OverviewRow {
  key: string;
  commodity: string;
  stage: string;
  year: number;
  unit: string;
  total: number;
  hhi: number;
  top: string;
  topCountry: string;
  topShare: number;
  top3: number;
  groups: Record<string, number>;
}

export function overviewRows(items: Concentration[]): OverviewRow[] {
  return items.map((c) => ({
    key: `${c.commodity}/${c.stage}`,
    commodity: c.commodity,
    stage: c.stage,
    year: c.year,
    unit: c.unit,
    total: c.total,
    hhi: c.hhi,
    top: c.top1 ? c.top1.name : "",
    topCountry: c.top1 ? c.top1.country : "",
    topShare: c.top1 ? c.top1.share : 0,
    top3: c.top3_share,
    groups: c.groups,
  }));
}

export type SortDir = "asc" | "desc";

/** Sorts by a column (numbers numerically, strings alphabetically); ties
 * keep the key order, so the result is stable and deterministic. */
export function sortRows<T extends object>(rows: T[], col: string, dir: SortDir): T[] {
  const get = (r: T): unknown => {
    if (col.startsWith("group:")) return ((r as any).groups ?? {})[col.slice(6)] ?? 0;
    return (r as any)[col];
  };
  const sign = dir === "asc" ? 1 : -1;
  return rows
    .map((r, i) => [r, i] as const)
    .sort(([a, i], [b, j]) => {
      const x = get(a);
      const y = get(b);
      let c = 0;
      if (typeof x === "number" && typeof y === "number") c = x - y;
      else c = String(x ?? "").localeCompare(String(y ?? ""));
      return c !== 0 ? sign * c : i - j;
    })
    .map(([r]) => r);
}

/** Rows whose commodity, stage or top producer contains every word of
 * `text` (case-insensitive), at `stage` if given, with HHI >= `minHhi`. */
export function filterRows(rows: OverviewRow[], text: string, stage = "", minHhi = 0): OverviewRow[] {
  const words = text.toLowerCase().split(/\s+/).filter(Boolean);
  return rows.filter((r) => {
    const hay = `${r.commodity.replace(/_/g, " ")} ${r.commodity} ${r.stage} ${r.top} ${r.topCountry}`.toLowerCase();
    return words.every((w) => hay.includes(w)) && (!stage || r.stage === stage) && r.hhi >= minHhi;
  });
}

/** ISO numeric (world-atlas feature id) -> dataset code, through ISO alpha-3
 * (the dataset's `iso3`), falling back to the ISO alpha-2 code. */
export function numericToCode(
  codes: [string, string, string, ...string[]][],
  countries: { code: string; iso3: string | null }[],
): Map<string, string> {
  const byIso3 = new Map(countries.filter((c) => c.iso3).map((c) => [c.iso3 as string, c.code]));
  const out = new Map<string, string>();
  for (const [a2, a3, num] of codes) out.set(num, byIso3.get(a3) ?? a2);
  return out;
}

/** Map series data: one {name, value} per producing country whose code
 * the map knows; the rest (e.g. unattributed output) listed as `unmapped`. */
export function choropleth(
  rows: { country: string; quantity: number }[],
  mapNames: Set<string>,
): { data: { name: string; value: number }[]; unmapped: string[] } {
  const data: { name: string; value: number }[] = [];
  const unmapped: string[] = [];
  for (const r of rows) {
    if (mapNames.has(r.country)) data.push({ name: r.country, value: r.quantity });
    else unmapped.push(r.country);
  }
  return { data, unmapped };
}

export interface OriginShare {
  country: string;
  name: string;
  share: number;
  quantity: number;
}

export interface SankeyData {
  nodes: { name: string }[];
  links: { source: string; target: string; value: number }[];
}

/** A Sankey from multi-tier origin: origin countries (at the upstream
 * stage) -> each commodity-stage on the path, upstream first -> the
 * direct suppliers (own production and imports by partner) -> the consumer.
 * Flows into and out of every stage node equal the supply. Origins and
 * suppliers below `minShare` of the supply are drawn as one "others" node
 * each (when there are at least two of them). */
export function originSankey(
  consumer: string,
  path: string[],
  shares: OriginShare[],
  direct: { country: string; quantity: number }[],
  supply: number,
  minShare = 0,
): SankeyData {
  const small = (q: number) => supply > 0 && q / supply < minShare;
  const group = <T extends { country: string }>(list: T[], qty: (x: T) => number, make: (n: number, q: number) => T): T[] => {
    const few = list.filter((x) => qty(x) > 0 && small(qty(x)) && x.country !== consumer);
    if (few.length < 2) return list;
    const rest = list.filter((x) => !few.includes(x));
    return [...rest, make(few.length, few.reduce((a, x) => a + qty(x), 0))];
  };
  shares = group(shares, (x) => x.share * supply, (n, q) => ({ country: `others, ${n} countries`, name: "others", share: q / supply, quantity: q }));
  direct = group(direct, (x) => x.quantity, (n, q) => ({ country: `others, ${n} countries`, quantity: q }));
  const stages = [...path].reverse().map((k) => `[${k}]`);
  const nodes = new Map<string, { name: string }>();
  const add = (n: string) => nodes.set(n, { name: n });
  const links: SankeyData["links"] = [];
  const origin = (c: string) => `${c} (origin)`;
  for (const s of shares) {
    if (s.share <= 0) continue;
    add(origin(s.country));
    add(stages[0]);
    links.push({ source: origin(s.country), target: stages[0], value: s.share * supply });
  }
  for (let i = 1; i < stages.length; i++) {
    add(stages[i]);
    links.push({ source: stages[i - 1], target: stages[i], value: supply });
  }
  const last = stages[stages.length - 1];
  const dest = `${consumer} (consumer)`;
  add(dest);
  for (const d of direct) {
    if (d.quantity <= 0) continue;
    const n = d.country === consumer ? `${d.country} (own output)` : `${d.country} (exporter)`;
    add(n);
    links.push({ source: last, target: n, value: d.quantity });
    links.push({ source: n, target: dest, value: d.quantity });
  }
  return { nodes: [...nodes.values()], links };
}

export interface Build {
  project: string;
  country: string;
  commodity: string;
  start: number;
  online: number;
  capacity: number;
  capex: number;
  units?: number;
}

/** Timeline bars for builds: [permitting, construction] spans per build,
 * from the project's lead times (years) where known: start -> start +
 * permitting -> online. */
export function buildTimeline(
  builds: Build[],
  leads: Record<string, { permitting_years: number; build_years: number }>,
): { project: string; phase: "permitting" | "construction" | "online"; from: number; to: number }[] {
  const out: { project: string; phase: "permitting" | "construction" | "online"; from: number; to: number }[] = [];
  for (const b of builds) {
    const l = leads[b.project];
    const permitEnd = l ? Math.min(b.start + l.permitting_years, b.online) : b.start;
    if (permitEnd > b.start) out.push({ project: b.project, phase: "permitting", from: b.start, to: permitEnd });
    if (b.online > permitEnd) out.push({ project: b.project, phase: "construction", from: permitEnd, to: b.online });
    out.push({ project: b.project, phase: "online", from: b.online, to: b.online + 1 });
  }
  return out;
}

/** Histogram bars -> [label, count] with bin centres; and the index of
 * the bin holding `x` (for marking p95 and CVaR). */
export function binIndex(bins: { from: number; to: number }[], x: number): number {
  if (bins.length === 0) return -1;
  for (let i = 0; i < bins.length; i++) if (x < bins[i].to) return i;
  return bins.length - 1;
}

/** Side-by-side comparison of two {key: number} maps: every key of
 * either, with a, b and b - a (missing = null). Sorted by key. */
export function compareMaps(
  a: Record<string, number>,
  b: Record<string, number>,
): { key: string; a: number | null; b: number | null; diff: number | null }[] {
  const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
  return keys.map((k) => {
    const x = k in a ? a[k] : null;
    const y = k in b ? b[k] : null;
    return { key: k, a: x, b: y, diff: x !== null && y !== null ? y - x : null };
  });
}

/** A plan period label as a fractional year: "2026" -> 2026,
 * "2026-04" -> 2026.25, "2026Q3" / "2026-Q3" -> 2026.5. NaN otherwise. */
export function periodYear(label: string): number {
  let m = /^(\d{4})$/.exec(label);
  if (m) return Number(m[1]);
  m = /^(\d{4})-(\d{1,2})$/.exec(label);
  if (m) return Number(m[1]) + (Number(m[2]) - 1) / 12;
  m = /^(\d{4})-?Q([1-4])$/i.exec(label);
  if (m) return Number(m[1]) + (Number(m[2]) - 1) / 4;
  return NaN;
}

export interface SupplyOut {
  country: string;
  commodity: string;
  scenario: string;
  by_origin: { origin: string; quantity: number; share: number }[];
}

/** Supply by origin of one partner, commodity and scenario in two plan
 * results (before, after): every origin of either with both quantities,
 * largest after first. */
export function originsBeforeAfter(
  before: SupplyOut[],
  after: SupplyOut[],
  partner: string,
  commodity: string,
  scenario: string,
): { origin: string; before: number; after: number }[] {
  const pick = (l: SupplyOut[]) => l.find((s) => s.country === partner && s.commodity === commodity && s.scenario === scenario)?.by_origin ?? [];
  const b = new Map(pick(before).map((o) => [o.origin, o.quantity]));
  const a = new Map(pick(after).map((o) => [o.origin, o.quantity]));
  const origins = [...new Set([...a.keys(), ...b.keys()])];
  return origins
    .map((o) => ({ origin: o, before: b.get(o) ?? 0, after: a.get(o) ?? 0 }))
    .sort((x, y) => y.after - x.after || y.before - x.before || x.origin.localeCompare(y.origin));
}
