import { describe, expect, it } from "vitest";
import {
  Concentration,
  binIndex,
  buildTimeline,
  choropleth,
  compareMaps,
  filterRows,
  numericToCode,
  originSankey,
  originsBeforeAfter,
  overviewRows,
  periodYear,
  sortRows,
} from "./shape";

const conc = (commodity: string, stage: string, hhi: number, top: [string, string, number] | null, groups: Record<string, number> = {}): Concentration => ({
  commodity,
  stage,
  year: 2024,
  unit: "t",
  by: "location",
  total: 100,
  hhi,
  top3_share: 0.9,
  top1: top ? { country: top[0], name: top[1], quantity: 100 * top[2], share: top[2] } : null,
  residual_share: 0,
  producers: [],
  groups,
  n_producers: 3,
  assumptions: [],
});

const items = [
  conc("nickel", "mining", 3000, ["ID", "Indonesia", 0.5], { g7: 0.1 }),
  conc("nickel", "refining", 2000, ["CN", "China", 0.3], { g7: 0.2 }),
  conc("rare_earths", "mining", 4900, ["CN", "China", 0.69], { g7: 0.05 }),
  conc("gallium", "refining", 9600, ["CN", "China", 0.98]),
  conc("sand", "mining", 800, null),
];

describe("overview rows", () => {
  const rows = overviewRows(items);
  it("keeps the API's numbers", () => {
    expect(rows.map((r) => r.key)).toEqual(["nickel/mining", "nickel/refining", "rare_earths/mining", "gallium/refining", "sand/mining"]);
    expect(rows[0]).toMatchObject({ hhi: 3000, top: "Indonesia", topCountry: "ID", topShare: 0.5, top3: 0.9 });
    expect(rows[4]).toMatchObject({ top: "", topShare: 0 });
  });
  it("sorts by number, by text and by group share, stably", () => {
    expect(sortRows(rows, "hhi", "desc").map((r) => r.hhi)).toEqual([9600, 4900, 3000, 2000, 800]);
    expect(sortRows(rows, "hhi", "asc").map((r) => r.hhi)).toEqual([800, 2000, 3000, 4900, 9600]);
    expect(sortRows(rows, "top", "asc").map((r) => r.key)).toEqual(["sand/mining", "nickel/refining", "rare_earths/mining", "gallium/refining", "nickel/mining"]);
    // missing group share counts as 0: gallium and sand (0), rare earths 0.05, nickel 0.1, 0.2
    expect(sortRows(rows, "group:g7", "desc").map((r) => r.key)).toEqual(["nickel/refining", "nickel/mining", "rare_earths/mining", "gallium/refining", "sand/mining"]);
  });
  it("filters by words, stage and HHI", () => {
    expect(filterRows(rows, "nickel").map((r) => r.key)).toEqual(["nickel/mining", "nickel/refining"]);
    expect(filterRows(rows, "china").length).toBe(3);
    expect(filterRows(rows, "China refining").map((r) => r.key)).toEqual(["nickel/refining", "gallium/refining"]);
    expect(filterRows(rows, "rare earths").map((r) => r.key)).toEqual(["rare_earths/mining"]);
    expect(filterRows(rows, "", "mining").length).toBe(3);
    expect(filterRows(rows, "", "", 2500.0001).map((r) => r.hhi)).toEqual([3000, 4900, 9600]);
  });
});

describe("map codes", () => {
  it("maps ISO numeric ids through alpha-3 to the dataset's codes", () => {
    const codes: [string, string, string][] = [
      ["CN", "CHN", "156"],
      ["XK", "XKX", "999"],
      ["CD", "COD", "180"],
    ];
    const m = numericToCode(codes, [
      { code: "CN", iso3: "CHN" },
      { code: "CD", iso3: "COD" },
    ]);
    expect(m.get("156")).toBe("CN");
    expect(m.get("180")).toBe("CD");
    expect(m.get("999")).toBe("XK"); // not in the dataset: ISO alpha-2
  });
  it("puts producers on the map and lists the rest", () => {
    const r = choropleth(
      [
        { country: "CN", quantity: 270000 },
        { country: "SG", quantity: 5 },
        { country: "US", quantity: 45000 },
      ],
      new Set(["CN", "US"]),
    );
    expect(r.data).toEqual([
      { name: "CN", value: 270000 },
      { name: "US", value: 45000 },
    ]);
    expect(r.unmapped).toEqual(["SG"]);
  });
});

describe("origin Sankey", () => {
  // Supply 100: origin CN 80%, MG 20%; direct: own output 10, imports CN 90.
  const s = originSankey(
    "US",
    ["graphite/refining", "graphite/mining"],
    [
      { country: "CN", name: "China", share: 0.8, quantity: 80 },
      { country: "MG", name: "Madagascar", share: 0.2, quantity: 20 },
    ],
    [
      { country: "US", quantity: 10 },
      { country: "CN", quantity: 90 },
    ],
    100,
  );
  const flow = (a: string, b: string) => s.links.find((l) => l.source === a && l.target === b)?.value;
  it("runs origin -> upstream stage -> downstream stage -> suppliers -> consumer", () => {
    expect(flow("CN (origin)", "[graphite/mining]")).toBeCloseTo(80, 12);
    expect(flow("MG (origin)", "[graphite/mining]")).toBeCloseTo(20, 12);
    expect(flow("[graphite/mining]", "[graphite/refining]")).toBe(100);
    expect(flow("[graphite/refining]", "US (own output)")).toBe(10);
    expect(flow("CN (exporter)", "US (consumer)")).toBe(90);
  });
  it("conserves flow at every inner node", () => {
    for (const n of s.nodes) {
      const into = s.links.filter((l) => l.target === n.name).reduce((a, l) => a + l.value, 0);
      const out = s.links.filter((l) => l.source === n.name).reduce((a, l) => a + l.value, 0);
      if (into > 0 && out > 0) expect(out).toBeCloseTo(into, 9);
    }
    expect(new Set(s.nodes.map((n) => n.name)).size).toBe(s.nodes.length);
  });
});

describe("origin Sankey with small flows grouped", () => {
  // Supply 100: origins CN 90, MG 6, LK 3, TZ 1; direct: CN 95, MX 4, KR 1.
  const s = originSankey(
    "US",
    ["graphite/mining"],
    [
      { country: "CN", name: "China", share: 0.9, quantity: 90 },
      { country: "MG", name: "Madagascar", share: 0.06, quantity: 6 },
      { country: "LK", name: "Sri Lanka", share: 0.03, quantity: 3 },
      { country: "TZ", name: "Tanzania", share: 0.01, quantity: 1 },
    ],
    [
      { country: "CN", quantity: 95 },
      { country: "MX", quantity: 4 },
      { country: "KR", quantity: 1 },
    ],
    100,
    0.05,
  );
  const flow = (a: string, b: string) => s.links.find((l) => l.source === a && l.target === b)?.value;
  it("merges the origins and suppliers below 5% into one node each", () => {
    expect(flow("MG (origin)", "[graphite/mining]")).toBeCloseTo(6, 12);
    expect(flow("others, 2 countries (origin)", "[graphite/mining]")).toBeCloseTo(4, 12);
    expect(flow("others, 2 countries (exporter)", "US (consumer)")).toBe(5);
    expect(s.nodes.some((n) => n.name.startsWith("LK"))).toBe(false);
  });
  it("keeps the totals", () => {
    const into = (t: string) => s.links.filter((l) => l.target === t).reduce((a, l) => a + l.value, 0);
    expect(into("[graphite/mining]")).toBeCloseTo(100, 9);
    expect(into("US (consumer)")).toBe(100);
  });
});

describe("plans", () => {
  it("reads period labels as years", () => {
    expect(periodYear("2026")).toBe(2026);
    expect(periodYear("2026-04")).toBe(2026.25);
    expect(periodYear("2026Q3")).toBe(2026.5);
    expect(periodYear("2026-Q1")).toBe(2026);
    expect(periodYear("month 3")).toBeNaN();
  });
  it("splits a build into permitting, construction and online", () => {
    const t = buildTimeline(
      [
        { project: "us-sep", country: "US", commodity: "x/refining", start: 2026, online: 2031, capacity: 5000, capex: 3e8 },
        { project: "unknown", country: "JP", commodity: "x/refining", start: 2027, online: 2029, capacity: 1, capex: 1 },
      ],
      { "us-sep": { permitting_years: 3, build_years: 2 } },
    );
    expect(t).toEqual([
      { project: "us-sep", phase: "permitting", from: 2026, to: 2029 },
      { project: "us-sep", phase: "construction", from: 2029, to: 2031 },
      { project: "us-sep", phase: "online", from: 2031, to: 2032 },
      // no lead times known: all of it shown as construction
      { project: "unknown", phase: "construction", from: 2027, to: 2029 },
      { project: "unknown", phase: "online", from: 2029, to: 2030 },
    ]);
  });
  it("lines up supply by origin before and after", () => {
    const before = [{ country: "JP", commodity: "x", scenario: "baseline", by_origin: [{ origin: "CN", quantity: 10, share: 1 }] }];
    const after = [
      { country: "JP", commodity: "x", scenario: "baseline", by_origin: [{ origin: "US", quantity: 6, share: 0.6 }, { origin: "CN", quantity: 4, share: 0.4 }] },
      { country: "US", commodity: "x", scenario: "baseline", by_origin: [{ origin: "US", quantity: 99, share: 1 }] },
    ];
    expect(originsBeforeAfter(before, after, "JP", "x", "baseline")).toEqual([
      { origin: "US", before: 0, after: 6 },
      { origin: "CN", before: 10, after: 4 },
    ]);
  });
});

describe("histogram and comparison", () => {
  const bins = [
    { from: 0, to: 10 },
    { from: 10, to: 20 },
    { from: 20, to: 30 },
  ];
  it("finds the bin of a value", () => {
    expect(binIndex(bins, 0)).toBe(0);
    expect(binIndex(bins, 10)).toBe(1);
    expect(binIndex(bins, 29.9)).toBe(2);
    expect(binIndex(bins, 30)).toBe(2); // the maximum falls in the last bin
    expect(binIndex([], 1)).toBe(-1);
  });
  it("compares two maps key by key", () => {
    expect(compareMaps({ a: 1, b: 2 }, { b: 5, c: 3 })).toEqual([
      { key: "a", a: 1, b: null, diff: null },
      { key: "b", a: 2, b: 5, diff: 3 },
      { key: "c", a: null, b: 3, diff: null },
    ]);
  });
});
