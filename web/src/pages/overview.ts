// Overview: every commodity-stage with total, HHI, top producer and share,
// group shares; colour-coded by concentration, sortable and filterable.

import { cached } from "../api";
import { HHI_COLOUR, hhi, hhiClass, keyLabel, pct, qty } from "../format";
import { Concentration, OverviewRow, filterRows, overviewRows, sortRows, SortDir } from "../shape";
import { chartPanel, clear, h, select } from "../ui";

export async function overviewPage(root: HTMLElement): Promise<void> {
  const data = await cached<{ dataset: string; items: Concentration[] }>("/api/v1/overview");
  const rows = overviewRows(data.items);
  const groups = [...new Set(data.items.flatMap((c) => Object.keys(c.groups)))].sort();
  const stages = [...new Set(rows.map((r) => r.stage))];
  let sortCol = "hhi";
  let sortDir: SortDir = "desc";
  let text = "";
  let stage = "";
  let minHhi = 0;

  const cols: { col: string; label: string; num: boolean; cell: (r: OverviewRow) => Node | string }[] = [
    { col: "commodity", label: "Commodity", num: false, cell: (r) => h("a", { href: `#/commodity/${r.commodity}/${r.stage}` }, r.commodity.replace(/_/g, " ")) },
    { col: "stage", label: "Stage", num: false, cell: (r) => r.stage },
    { col: "year", label: "Year", num: true, cell: (r) => String(r.year) },
    { col: "total", label: "Total", num: true, cell: (r) => `${qty(r.total)} ${r.unit}` },
    { col: "hhi", label: "HHI", num: true, cell: (r) => h("span", { class: `hhi ${hhiClass(r.hhi)}`, title: hhiClass(r.hhi) }, hhi(r.hhi)) },
    { col: "top", label: "Top producer", num: false, cell: (r) => r.top },
    { col: "topShare", label: "Top share", num: true, cell: (r) => pct(r.topShare) },
    { col: "top3", label: "Top-3 share", num: true, cell: (r) => pct(r.top3) },
    ...groups.map((g) => ({ col: `group:${g}`, label: g.replace(/_/g, " "), num: true, cell: (r: OverviewRow) => pct(r.groups[g] ?? 0) })),
  ];

  const tableBox = h("div", { class: "scroll" });
  const count = h("span", { class: "note", id: "overview-count" });
  const render = () => {
    const shown = sortRows(filterRows(rows, text, stage, minHhi), sortCol, sortDir);
    count.textContent = `${shown.length} of ${rows.length} commodity-stages`;
    clear(tableBox);
    tableBox.append(
      h(
        "table",
        { class: "data", id: "overview-table" },
        h(
          "thead",
          {},
          h(
            "tr",
            {},
            ...cols.map((c) => {
              const th = h(
                "th",
                {
                  class: `sortable ${c.num ? "num" : ""} ${c.col === sortCol ? `sorted-${sortDir}` : ""}`,
                  "data-col": c.col,
                  tabindex: "0",
                  "aria-sort": c.col === sortCol ? (sortDir === "asc" ? "ascending" : "descending") : "none",
                },
                c.label,
              );
              th.addEventListener("keydown", (e: KeyboardEvent) => (e.key === "Enter" || e.key === " ") && (e.preventDefault(), th.click()));
              th.addEventListener("click", () => {
                if (sortCol === c.col) sortDir = sortDir === "asc" ? "desc" : "asc";
                else {
                  sortCol = c.col;
                  sortDir = c.num ? "desc" : "asc";
                }
                render();
              });
              return th;
            }),
          ),
        ),
        h("tbody", {}, ...shown.map((r) => h("tr", { "data-key": r.key }, ...cols.map((c) => h("td", { class: c.num ? "num" : "", "data-col": c.col }, c.cell(r)))))),
      ),
    );
  };

  const filter = h("input", { type: "search", id: "overview-filter", placeholder: "e.g. nickel, China", oninput: (e: Event) => ((text = (e.target as HTMLInputElement).value), render()) });
  const hhiSel = select(
    [
      { value: "0", label: "any" },
      { value: "1500", label: "≥ 1,500 (moderate or high)" },
      { value: "2500", label: "> 2,500 (high)" },
    ],
    "0",
    (v) => ((minHhi = v === "2500" ? 2500.0001 : Number(v)), render()),
    { id: "overview-hhi-filter" },
  );
  root.append(
    h("h2", {}, "Overview"),
    h("p", { class: "note" }, `Dataset ${data.dataset}: concentration of production by location, latest year with data. HHI = Σ (100 × share)² over named countries (0–10,000).`),
    h(
      "div",
      { class: "controls" },
      h("label", {}, "Filter", filter),
      h("label", {}, "Stage", select([{ value: "", label: "all" }, ...stages.map((s) => ({ value: s, label: s }))], "", (v) => ((stage = v), render()), { id: "overview-stage" })),
      h("label", {}, "HHI", hhiSel),
      h(
        "span",
        { class: "legend" },
        h("span", {}, h("span", { class: "hhi unconcentrated" }, "< 1,500"), " unconcentrated"),
        h("span", {}, h("span", { class: "hhi moderate" }, "1,500–2,500"), " moderate"),
        h("span", {}, h("span", { class: "hhi high" }, "> 2,500"), " high"),
      ),
      count,
    ),
    h("section", { class: "card" }, tableBox),
  );
  render();

  const byHhi = sortRows(rows, "hhi", "desc");
  root.append(
    chartPanel({
      id: "overview-hhi",
      title: "HHI by commodity-stage",
      height: Math.max(320, 18 * byHhi.length + 60),
      option: {
        grid: { left: 230, right: 40, top: 20, bottom: 30 },
        tooltip: { trigger: "item" },
        xAxis: { type: "value", max: 10000, name: "HHI" },
        yAxis: { type: "category", inverse: true, data: byHhi.map((r) => keyLabel(r.key)), axisLabel: { fontSize: 11 } },
        series: [
          {
            type: "bar",
            name: "HHI",
            data: byHhi.map((r) => ({ value: r.hhi, itemStyle: { color: HHI_COLOUR[hhiClass(r.hhi)] } })),
            markLine: { silent: true, symbol: "none", data: [{ xAxis: 1500 }, { xAxis: 2500 }], lineStyle: { color: "#57606a", type: "dashed" } },
          },
        ],
      },
      table: {
        columns: ["commodity", "stage", "year", "unit", "total", "hhi", "top_producer", "top_share", "top3_share", ...groups],
        rows: byHhi.map((r) => [r.commodity, r.stage, r.year, r.unit, r.total, r.hhi, r.topCountry, r.topShare, r.top3, ...groups.map((g) => r.groups[g] ?? 0)]),
      },
    }),
  );
}
