// DOM helpers and the chart panel: every chart comes with a table view of
// the same numbers and a CSV download of them.

import { echarts, type EChartsOption } from "./echarts";
import { OKABE_ITO, toCsv } from "./format";

export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Record<string, any> = {},
  ...children: (Node | string | null | undefined | false)[]
): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith("on") && typeof v === "function") e.addEventListener(k.slice(2), v);
    else if (k === "class") e.className = v;
    else if (k === "style" && typeof v === "object") Object.assign(e.style, v);
    else e.setAttribute(k, v === true ? "" : String(v));
  }
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    e.append(typeof c === "string" ? document.createTextNode(c) : c);
  }
  return e;
}

export function clear(e: Element): void {
  while (e.firstChild) e.removeChild(e.firstChild);
}

export function message(kind: "error" | "info", text: string, problems: string[] = []): HTMLElement {
  return h(
    "div",
    { class: `msg ${kind}`, role: kind === "error" ? "alert" : "status" },
    text,
    problems.length ? h("ul", {}, ...problems.map((p) => h("li", {}, p))) : null,
  );
}

export function select(options: { value: string; label: string }[], value: string, onchange: (v: string) => void, attrs: Record<string, any> = {}): HTMLSelectElement {
  const s = h("select", attrs, ...options.map((o) => h("option", { value: o.value, selected: o.value === value }, o.label)));
  s.value = value;
  s.addEventListener("change", () => onchange(s.value));
  return s;
}

export interface TableSpec {
  columns: string[];
  rows: (string | number | null)[][];
  /** How to show a cell (default: as is); the CSV keeps the raw value. */
  format?: (col: number, v: string | number | null) => string;
}

export function table(spec: TableSpec, attrs: Record<string, any> = {}): HTMLTableElement {
  const fmt = spec.format ?? ((_c, v) => (v === null ? "" : String(v)));
  return h(
    "table",
    { class: "data", ...attrs },
    h("thead", {}, h("tr", {}, ...spec.columns.map((c, i) => h("th", { class: typeof spec.rows[0]?.[i] === "number" ? "num" : "" }, c)))),
    h(
      "tbody",
      {},
      ...spec.rows.map((r) => h("tr", {}, ...r.map((v, i) => h("td", { class: typeof v === "number" ? "num" : "" }, fmt(i, v))))),
    ),
  );
}

export function download(name: string, text: string, type = "text/csv"): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = h("a", { href: url, download: name });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

/** Every live chart by id, for resizing and for the end-to-end tests
 * (which read the series data the chart was given). */
const charts = new Map<string, ReturnType<typeof echarts.init>>();

declare global {
  interface Window {
    __lodestone: { charts: () => Record<string, { series: { type: string; points: number }[] }>; option: (id: string) => any };
  }
}
window.__lodestone = {
  charts: () => {
    const out: Record<string, { series: { type: string; points: number }[] }> = {};
    for (const [id, c] of charts) {
      if (c.isDisposed()) continue;
      const o: any = c.getOption();
      out[id] = {
        series: (o.series ?? []).map((s: any) => ({
          type: s.type,
          points: Array.isArray(s.data) ? s.data.length : Array.isArray(s.links) ? s.links.length : 0,
        })),
      };
    }
    return out;
  },
  option: (id: string) => {
    const c = charts.get(id);
    return c && !c.isDisposed() ? JSON.parse(JSON.stringify(c.getOption())) : null;
  },
};
window.addEventListener("resize", () => charts.forEach((c) => c.isDisposed() || c.resize()));

export function disposeCharts(): void {
  charts.forEach((c) => c.dispose());
  charts.clear();
}

/** Cartesian charts: axis labels kept inside the chart (long country
 * names are not cut), axis names centred beside their axis. */
function tidy(o: EChartsOption): EChartsOption {
  const out: any = { ...o };
  if (out.grid && !Array.isArray(out.grid)) out.grid = { ...out.grid, left: Math.min(out.grid.left ?? 20, 20), containLabel: true };
  const place = (ax: any, gap: number) => (ax && !Array.isArray(ax) && ax.name ? { nameLocation: "middle", nameGap: gap, ...ax } : ax);
  out.xAxis = place(out.xAxis, 28);
  if (out.yAxis && !Array.isArray(out.yAxis) && out.yAxis.type === "value") out.yAxis = place(out.yAxis, 50);
  return out;
}

/** A card with a chart, a Chart/Table toggle and a CSV download. */
export function chartPanel(opts: {
  id: string;
  title: string;
  option: EChartsOption;
  table: TableSpec;
  height?: number;
  note?: string;
}): HTMLElement {
  const chartDiv = h("div", { class: "chart", style: { height: `${opts.height ?? 320}px` }, "data-chart": opts.id });
  const tableDiv = h("div", { class: "table-view", hidden: true }, table(opts.table));
  const toggle = h("button", { type: "button", class: "small", "data-toggle": opts.id }, "Table");
  toggle.addEventListener("click", () => {
    const showTable = tableDiv.hidden;
    tableDiv.hidden = !showTable;
    chartDiv.hidden = showTable;
    toggle.textContent = showTable ? "Chart" : "Table";
    if (!showTable) charts.get(opts.id)?.resize();
  });
  const csv = h("button", { type: "button", class: "small", "data-csv": opts.id }, "CSV");
  csv.addEventListener("click", () => download(`${opts.id}.csv`, toCsv(opts.table.columns, opts.table.rows)));
  const card = h(
    "section",
    { class: "card", "data-panel": opts.id },
    h("header", {}, h("h3", {}, opts.title), h("span", { class: "tools" }, toggle, csv)),
    opts.note ? h("p", { class: "note" }, opts.note) : null,
    chartDiv,
    tableDiv,
  );
  // Initialise once the card is in the document (it needs a size).
  const init = () => {
    if (!chartDiv.isConnected) {
      setTimeout(init, 20);
      return;
    }
    charts.get(opts.id)?.dispose();
    const c = echarts.init(chartDiv, undefined, { renderer: "canvas" });
    c.setOption({ color: OKABE_ITO, animation: false, textStyle: { fontFamily: "system-ui, sans-serif" }, ...tidy(opts.option) });
    charts.set(opts.id, c);
  };
  queueMicrotask(init);
  return card;
}
