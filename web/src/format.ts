// Number and label formatting. Pure functions (unit-tested in format.test.ts).

/** A quantity with thousands separators, whole numbers as such, and three
 * significant digits for small values: 1234567.8 -> "1,234,568"; 2 -> "2";
 * 12.345 -> "12.3"; 0.01234 -> "0.0123". */
export function qty(x: number | null | undefined): string {
  if (x === null || x === undefined || !Number.isFinite(x)) return "–";
  const a = Math.abs(x);
  if (a >= 100 || Number.isInteger(x)) return Math.round(x).toLocaleString("en-US");
  if (a >= 10) return x.toFixed(1);
  if (a >= 1) return x.toFixed(2);
  if (a === 0) return "0";
  return x.toPrecision(3);
}

/** A share (0-1) as a percentage with one decimal: 0.6854 -> "68.5%". */
export function pct(x: number | null | undefined, decimals = 1): string {
  if (x === null || x === undefined || !Number.isFinite(x)) return "–";
  return (100 * x).toFixed(decimals) + "%";
}

/** HHI (0-10,000) rounded to a whole number with separators. */
export function hhi(x: number | null | undefined): string {
  if (x === null || x === undefined || !Number.isFinite(x)) return "–";
  return Math.round(x).toLocaleString("en-US");
}

export type HhiClass = "unconcentrated" | "moderate" | "high";

/** The U.S. merger guidelines' bands (2010): below 1,500 unconcentrated,
 * 1,500 to 2,500 moderately concentrated, above 2,500 highly concentrated. */
export function hhiClass(x: number): HhiClass {
  if (x > 2500) return "high";
  if (x >= 1500) return "moderate";
  return "unconcentrated";
}

/** Okabe-Ito: a palette readable with every common colour-vision deficiency. */
export const OKABE_ITO = [
  "#0072B2", // blue
  "#E69F00", // orange
  "#009E73", // bluish green
  "#D55E00", // vermillion
  "#56B4E9", // sky blue
  "#CC79A7", // reddish purple
  "#F0E442", // yellow
  "#000000", // black
];

export const HHI_COLOUR: Record<HhiClass, string> = {
  unconcentrated: "#56B4E9",
  moderate: "#E69F00",
  high: "#D55E00",
};

/** "rare_earth_compounds/refining" -> "rare earth compounds (refining)". */
export function keyLabel(key: string): string {
  const [c, s] = key.split("/");
  return s ? `${c.replace(/_/g, " ")} (${s})` : c.replace(/_/g, " ");
}

/** One CSV field: quoted when it holds a comma, quote or line break. */
export function csvField(v: unknown): string {
  if (v === null || v === undefined) return "";
  const s = typeof v === "number" ? (Number.isFinite(v) ? String(v) : "") : String(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** A CSV document (RFC 4180, CRLF line ends) from a header and rows. */
export function toCsv(columns: string[], rows: unknown[][]): string {
  return [columns, ...rows].map((r) => r.map(csvField).join(",")).join("\r\n") + "\r\n";
}
