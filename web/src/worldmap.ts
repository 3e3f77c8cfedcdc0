// The world map: Natural Earth 1:110m country outlines from the world-atlas
// npm package (bundled; nothing fetched at run time), registered with
// ECharts under the dataset's ISO alpha-2 codes.

import * as echarts from "echarts";
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
  // Antarctica only takes room.
  fc.features = fc.features.filter((f: any) => f.properties.name !== "AQ");
  echarts.registerMap("world", fc);
  registered = names;
  return names;
}
