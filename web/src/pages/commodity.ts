// Commodity: world choropleths of production and of reserves, the
// producers table, every stage side by side (mining vs refining), and
// shares by location vs by owner.

import { ApiError, cached, get } from "../api";
import { hhi, keyLabel, pct, qty } from "../format";
import { Concentration, choropleth } from "../shape";
import { chartPanel, h, message, select, table } from "../ui";
import { registerWorld } from "../worldmap";

interface CommodityInfo {
  commodity: string;
  stage: string;
  key: string;
  name: string;
  unit: string;
  production_rows: number;
  reserve_rows: number;
}

export async function commodityPage(root: HTMLElement, args: string[]): Promise<void> {
  const [list, countries] = await Promise.all([
    cached<{ stages: string[]; commodities: CommodityInfo[] }>("/api/v1/commodities"),
    cached<{ countries: { code: string; name: string; iso3: string | null }[] }>("/api/v1/countries"),
  ]);
  const mapNames = registerWorld(countries.countries);
  const withProd = list.commodities.filter((c) => c.production_rows > 0);
  const ids = [...new Set(withProd.map((c) => c.commodity))].sort();
  const commodity = ids.includes(args[0]) ? args[0] : ids.includes("rare_earths") ? "rare_earths" : ids[0];
  const stages = withProd.filter((c) => c.commodity === commodity);
  const stage = stages.find((s) => s.stage === args[1])?.stage ?? stages[0].stage;
  const key = `${commodity}/${stage}`;
  const go = (c: string, s?: string) => (location.hash = `#/commodity/${c}${s ? `/${s}` : ""}`);

  root.append(
    h("h2", {}, `Commodity: ${keyLabel(key)}`),
    h(
      "div",
      { class: "controls" },
      h("label", {}, "Commodity", select(ids.map((i) => ({ value: i, label: i.replace(/_/g, " ") })), commodity, (v) => go(v), { id: "commodity-select" })),
      h("label", {}, "Stage", select(stages.map((s) => ({ value: s.stage, label: s.stage })), stage, (v) => go(commodity, v), { id: "stage-select" })),
    ),
  );

  const [loc, owner] = await Promise.all([
    cached<Concentration>(`/api/v1/exposure?commodity=${encodeURIComponent(key)}`),
    cached<Concentration>(`/api/v1/exposure?commodity=${encodeURIComponent(key)}&by=owner`).catch(() => null),
  ]);
  const kpi = (label: string, value: string, id: string) => h("div", { class: "kpi", id }, h("small", {}, label), h("b", {}, value));
  root.append(
    h(
      "div",
      { class: "kpis" },
      kpi(`Total ${loc.year}`, `${qty(loc.total)} ${loc.unit}`, "kpi-total"),
      kpi("HHI", hhi(loc.hhi), "kpi-hhi"),
      kpi("Top producer", loc.top1 ? `${loc.top1.name} ${pct(loc.top1.share)}` : "–", "kpi-top"),
      kpi("Top-3 share", pct(loc.top3_share), "kpi-top3"),
      kpi("Unattributed", pct(loc.residual_share), "kpi-residual"),
    ),
  );

  // Choropleths: production and reserves.
  const mapPanel = (id: string, title: string, rows: { country: string; name: string; quantity: number; share: number }[], unit: string, year: number, note?: string) => {
    const { data, unmapped } = choropleth(rows, mapNames);
    const max = Math.max(1e-9, ...data.map((d) => d.value));
    return chartPanel({
      id,
      title: `${title} (${year}, ${unit})`,
      height: 360,
      note: [note, unmapped.length ? `Not on the 1:110m map: ${unmapped.join(", ")}.` : ""].filter(Boolean).join(" "),
      option: {
        tooltip: { trigger: "item", formatter: (p: any) => `${p.name}: ${Number.isFinite(p.value) ? qty(p.value) + " " + unit : "no data"}` },
        visualMap: { min: 0, max, left: 10, bottom: 10, calculable: true, formatter: (v: any) => qty(Number(v)), inRange: { color: ["#e8f1f8", "#56B4E9", "#0072B2", "#003d5e"] }, text: ["high", "low"] },
        series: [{ type: "map", map: "world", roam: true, name: title, data, emphasis: { label: { show: false } }, itemStyle: { borderColor: "#999", borderWidth: 0.3, areaColor: "#f2f2f2" } }],
      },
      table: { columns: ["country", "name", "quantity", "share"], rows: rows.map((r) => [r.country, r.name, r.quantity, r.share]) },
    });
  };
  const maps = h("div", { class: "grid2" });
  root.append(maps);
  maps.append(mapPanel("map-production", "Production", loc.producers, loc.unit, loc.year));
  const reserveKey = stages.find((s) => s.reserve_rows > 0)?.key ?? list.commodities.find((c) => c.commodity === commodity && c.reserve_rows > 0)?.key;
  if (reserveKey) {
    try {
      const res = await cached<any>(`/api/v1/reserves?commodity=${encodeURIComponent(reserveKey)}`);
      maps.append(
        mapPanel(
          "map-reserves",
          `Reserves of ${keyLabel(reserveKey)}`,
          res.countries,
          res.unit,
          res.year,
          `Total ${res.lower_bound_rows ? "at least " : ""}${qty(res.total)} ${res.unit}; HHI ${hhi(res.hhi)}; reserves / production ${res.years_of_production ? qty(res.years_of_production) + " years" : "–"}.`,
        ),
      );
    } catch (e: any) {
      maps.append(message("info", `Reserves: ${e.message}`));
    }
  } else {
    maps.append(h("section", { class: "card", id: "no-reserves" }, h("h3", {}, "Reserves"), h("p", { class: "note" }, `The dataset has no reserve rows for ${commodity.replace(/_/g, " ")}.`)));
  }

  // Producers table.
  root.append(
    h(
      "section",
      { class: "card" },
      h("header", {}, h("h3", {}, `Producers, ${loc.year} (by location)`)),
      h(
        "div",
        { class: "scroll" },
        table(
          {
            columns: ["#", "Country", "Quantity", "Share", "Estimated"],
            rows: loc.producers.map((p, i) => [i + 1, `${p.name} (${p.country})`, p.quantity, p.share, p.estimated ? "e" : ""]),
            format: (c, v) => (c === 2 ? `${qty(v as number)} ${loc.unit}` : c === 3 ? pct(v as number) : String(v ?? "")),
          },
          { id: "producers-table" },
        ),
      ),
    ),
  );

  // The joint workspace: public data plus the contributions this party may
  // see (its own rows one by one; others' only inside country totals).
  try {
    const ws = await get<any>(`/api/v1/workspace/production?commodity=${encodeURIComponent(key)}&year=${loc.year}`);
    const pub = new Map(loc.producers.map((p) => [p.country, p.quantity]));
    const rows = (ws.countries as any[]).filter((c) => c.country !== "ZZ");
    const own = (ws.rows as any[]).filter((r) => r.from !== "public");
    const changed = rows.filter((c) => Math.abs(c.quantity - (pub.get(c.country) ?? 0)) > 1e-9 * Math.max(1, c.quantity));
    root.append(
      h(
        "section",
        { class: "card", id: "workspace" },
        h("h3", {}, `Joint workspace, ${ws.year}: public data and contributions`),
        h(
          "p",
          { class: "note", id: "workspace-summary" },
          `Total ${qty(ws.total)} ${ws.unit} (public ${qty(loc.total)}); HHI ${hhi(ws.hhi)}${ws.undisclosed > 0 ? `; ${qty(ws.undisclosed)} ${ws.unit} contributed without a country` : ""}. Other parties' contributions appear only inside country totals.`,
        ),
        changed.length
          ? h(
              "div",
              { class: "scroll" },
              table(
                {
                  columns: ["Country", "Public", "Workspace", "Contributed"],
                  rows: changed.map((c) => [c.country, pub.get(c.country) ?? 0, c.quantity, c.quantity - (pub.get(c.country) ?? 0)]),
                  format: (c, v) => (c === 0 ? String(v) : qty(v as number)),
                },
                { id: "workspace-countries" },
              ),
            )
          : h("p", { class: "note" }, "No contribution visible to your party changes a country's total."),
        own.length
          ? h(
              "div",
              {},
              h("h4", {}, "Your party's contributed rows"),
              table({ columns: ["Country", "Producer", "Quantity", "From"], rows: own.map((r) => [r.country, r.producer, r.quantity, r.from]), format: (c, v) => (c === 2 ? qty(v as number) : String(v ?? "")) }, { id: "workspace-own" }),
            )
          : null,
        ...(ws.notes as string[]).map((n) => h("p", { class: "note" }, n)),
      ),
    );
  } catch (e: any) {
    root.append(message("info", `Joint workspace: ${e.message}`));
  }

  // Every stage side by side: top producers' shares.
  const perStage = await Promise.all(
    stages.map((s) => cached<Concentration>(`/api/v1/exposure?commodity=${encodeURIComponent(s.key)}`).catch((e: ApiError) => ({ error: e.message, key: s.key }) as any)),
  );
  const side = h("div", { class: "grid2" });
  for (const c of perStage as Concentration[]) {
    if ((c as any).error) continue;
    const top = c.producers.slice(0, 10);
    side.append(
      chartPanel({
        id: `stage-${c.stage}`,
        title: `${keyLabel(`${c.commodity}/${c.stage}`)}: top producers, ${c.year} (HHI ${hhi(c.hhi)})`,
        option: {
          grid: { left: 110, right: 30, top: 10, bottom: 30 },
          tooltip: { trigger: "item" },
          xAxis: { type: "value", max: 1, axisLabel: { formatter: (v: number) => pct(v, 0) } },
          yAxis: { type: "category", inverse: true, data: top.map((p) => p.name) },
          series: [{ type: "bar", name: "share", data: top.map((p) => p.share) }],
        },
        table: { columns: ["country", "name", "quantity", "share"], rows: c.producers.map((p) => [p.country, p.name, p.quantity, p.share]) },
      }),
    );
  }
  root.append(h("h3", {}, "Stages side by side"), side);

  // By location vs by owner.
  if (owner) {
    const codes = [...new Set([...loc.producers.slice(0, 10), ...owner.producers.slice(0, 10)].map((p) => p.country))];
    const name = (c: string) => loc.producers.find((p) => p.country === c)?.name ?? owner.producers.find((p) => p.country === c)?.name ?? c;
    const share = (x: Concentration, c: string) => x.producers.find((p) => p.country === c)?.share ?? 0;
    codes.sort((a, b) => share(loc, b) - share(loc, a));
    root.append(
      chartPanel({
        id: "location-vs-owner",
        title: `${keyLabel(key)}: share by location vs by owner (HHI ${hhi(loc.hhi)} vs ${hhi(owner.hhi)})`,
        note: owner.assumptions.length ? owner.assumptions.join(" ") : undefined,
        option: {
          legend: { top: 0 },
          grid: { left: 110, right: 30, top: 30, bottom: 30 },
          tooltip: { trigger: "axis" },
          xAxis: { type: "value", axisLabel: { formatter: (v: number) => pct(v, 0) } },
          yAxis: { type: "category", inverse: true, data: codes.map(name) },
          series: [
            { type: "bar", name: "by location", data: codes.map((c) => share(loc, c)) },
            { type: "bar", name: "by owner", data: codes.map((c) => share(owner, c)) },
          ],
        },
        table: { columns: ["country", "name", "share_by_location", "share_by_owner"], rows: codes.map((c) => [c, name(c), share(loc, c), share(owner, c)]) },
      }),
    );
  }
}
