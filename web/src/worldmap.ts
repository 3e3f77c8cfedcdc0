// The world map: Natural Earth 1:110m country outlines from the world-atlas
// npm package (bundled; nothing fetched at run time), registered with
// ECharts under the dataset's ISO alpha-2 codes.

import { echarts } from "./echarts";
import { feature } from "topojson-client";
import world from "world-atlas/countries-110m.json";
import codes from "i18n-iso-countries/codes.json";
import { numericToCode } from "./shape";

let registered: Set<string> | null = null;

/** Registers the map "world" once; returns the codes it knows. */
export function registerWorld(countries: { code: string; iso3: string | null }[]): Set<string> {
  if (registered) return registered;
  const byNum = numericToCode(codes as any, countries);
  const fc: any = feature(world as any, (world as any).objects.countries);
  const names = new Set<string>();
  for (const f of fc.features) {
    const code = f.id !== undefined ? byNum.get(String(f.id).padStart(3, "0")) : undefined;
    f.properties = { ...f.properties, name: code ?? `?${f.properties?.name ?? ""}` };
    if (code) names.add(code);
  }
  for (const f of fc.features) f.geometry = unwrap(f.geometry);
  // Antarctica only takes room.
  fc.features = fc.features.filter((f: any) => f.properties.name !== "AQ");
  echarts.registerMap("world", fc);
  registered = names;
  return names;
}

/** Rings that cross the antimeridian (Russia's Chukotka, Fiji) have points
 * near both -180 and +180; drawn as is they streak across the map. Such a
 * ring's points are moved to the side where most of the ring lies. */
export function unwrapRing(ring: number[][]): number[][] {
  let lo = Infinity;
  let hi = -Infinity;
  let east = 0;
  for (const [x] of ring) {
    lo = Math.min(lo, x);
    hi = Math.max(hi, x);
    if (x > 0) east++;
  }
  if (hi - lo <= 180) return ring;
  return east * 2 >= ring.length ? ring.map(([x, y]) => [x < 0 ? x + 360 : x, y]) : ring.map(([x, y]) => [x > 0 ? x - 360 : x, y]);
}

function unwrap(g: any): any {
  if (!g) return g;
  if (g.type === "Polygon") return { ...g, coordinates: g.coordinates.map(unwrapRing) };
  if (g.type === "MultiPolygon") return { ...g, coordinates: g.coordinates.map((p: number[][][]) => p.map(unwrapRing)) };
  return g;
}
