// Supply chain: a Sankey from origin countries (multi-tier origin, at the
// upstream stage) through the commodity-stages on the path and the direct
// suppliers to the chosen consumer country (GET /api/v1/origin).

import { cached, get } from "../api";
import { keyLabel, pct, qty } from "../format";
import { OriginShare, originSankey } from "../shape";
import { chartPanel, h, message, select, table } from "../ui";

export async function supplyPage(root: HTMLElement, args: string[]): Promise<void> {
  const [list, countries] = await Promise.all([
    cached<{ stages: string[]; commodities: { commodity: string; stage: string; key: string; production_rows: number }[] }>("/api/v1/commodities"),
    cached<{ countries: { code: string; name: string }[] }>("/api/v1/countries"),
  ]);
  const keys = list.commodities.map((c) => c.key);
  const country = countries.countries.some((c) => c.code === args[0]) ? args[0] : "US";
  const key = keys.includes(args[1]) ? args[1] : keys.includes("graphite/mining") ? "graphite/mining" : keys[0];
  // Any commodity-stage the dataset's recipes lead back to (the API says
  // when there is no such path).
  const upstreamChoices = keys;
  const upstream = upstreamChoices.includes(args[2]) ? args[2] : key;
  const go = (c: string, k: string, u: string) => (location.hash = `#/supply/${c}/${encodeURIComponent(k)}/${encodeURIComponent(u)}`);
  root.append(
    h("h2", {}, "Supply chain"),
    h(
      "div",
      { class: "controls" },
      h("label", {}, "Consumer country", select(countries.countries.map((c) => ({ value: c.code, label: `${c.name} (${c.code})` })), country, (v) => go(v, key, upstream), { id: "supply-country" })),
      h("label", {}, "Supplied commodity-stage", select(keys.map((k) => ({ value: k, label: keyLabel(k) })), key, (v) => go(country, v, v), { id: "supply-key" })),
      h("label", {}, "Traced back to", select(upstreamChoices.map((k) => ({ value: k, label: keyLabel(k) })), upstream, (v) => go(country, key, v), { id: "supply-upstream" })),
    ),
  );
  let o: any;
  try {
    o = await get(`/api/v1/origin?country=${country}&commodity=${encodeURIComponent(key)}&upstream=${encodeURIComponent(upstream)}`);
  } catch (e: any) {
    root.append(message("error", e.message));
    return;
  }
  const shares: OriginShare[] = o.shares;
  // Origins and suppliers under 1% of the supply are drawn as one node each
  // (the tables below list every one).
  const s = originSankey(country, o.path, shares, o.direct, o.supply, 0.01);
  root.append(
    h(
      "p",
      { class: "note", id: "supply-summary" },
      `${o.name} (${o.country}), ${o.year}: supply of ${keyLabel(o.key)} ${qty(o.supply)} ${o.unit} (own production ${qty(o.production)}, imports ${qty(o.imports)}), traced through ${o.path.length} commodity-stage(s) to ${keyLabel(o.upstream)}.`,
    ),
    chartPanel({
      id: "supply-sankey",
      title: `Where ${o.country}'s ${keyLabel(o.key)} comes from`,
      height: Math.max(420, 16 * s.nodes.length),
      note: "Left: origin countries at the upstream stage (multi-tier origin through re-exports); middle: the commodity-stages on the path and the direct suppliers (own output, imports by partner); right: the consumer. Widths in " + o.unit + "; countries under 1% of the supply are drawn together as \"others\".",
      option: {
        tooltip: { trigger: "item" },
        series: [
          {
            type: "sankey",
            data: s.nodes,
            links: s.links,
            nodeAlign: "justify",
            emphasis: { focus: "adjacency" },
            lineStyle: { color: "gradient", opacity: 0.45 },
            label: { fontSize: 11 },
            left: 10,
            right: 140,
          },
        ],
      },
      table: { columns: ["source", "target", "quantity"], rows: s.links.map((l) => [l.source, l.target, l.value]) },
    }),
  );
  const grid = h("div", { class: "grid2" });
  grid.append(
    h(
      "section",
      { class: "card" },
      h("h3", {}, `Multi-tier origin (${keyLabel(o.upstream)})`),
      h("div", { class: "scroll" }, table({ columns: ["Country", "Share", "Quantity"], rows: shares.map((x) => [`${x.name} (${x.country})`, x.share, x.quantity]), format: (c, v) => (c === 1 ? pct(v as number) : c === 2 ? qty(v as number) : String(v)) }, { id: "origin-table" })),
    ),
    h(
      "section",
      { class: "card" },
      h("h3", {}, "Direct suppliers (one step)"),
      h("div", { class: "scroll" }, table({ columns: ["Country", "Share", "Quantity"], rows: o.direct.map((x: OriginShare) => [`${x.name} (${x.country})`, x.share, x.quantity]), format: (c, v) => (c === 1 ? pct(v as number) : c === 2 ? qty(v as number) : String(v)) }, { id: "direct-table" })),
    ),
  );
  root.append(grid);
  const notes: string[] = [];
  const a = o.assumptions ?? {};
  if (a.re_exported_share) notes.push(`Re-exported share: ${pct(a.re_exported_share)}.`);
  for (const k of ["zero_supply_exporters", "assumed_domestic_input", "untraced_loops"]) if (Array.isArray(a[k]) && a[k].length) notes.push(`${k.replace(/_/g, " ")}: ${a[k].length} node set(s).`);
  if (notes.length) root.append(h("p", { class: "note" }, "Assumptions: " + notes.join(" ")));
}
