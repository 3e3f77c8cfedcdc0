import { describe, expect, it } from "vitest";
import { csvField, hhi, hhiClass, keyLabel, pct, qty, toCsv } from "./format";

describe("qty", () => {
  it("rounds large quantities and groups thousands", () => {
    expect(qty(393950)).toBe("393,950");
    expect(qty(1234567.8)).toBe("1,234,568");
    expect(qty(100)).toBe("100");
    expect(qty(2)).toBe("2");
    expect(qty(83)).toBe("83");
  });
  it("keeps a few decimals for small ones", () => {
    expect(qty(12.345)).toBe("12.3");
    expect(qty(1.005)).toBe("1.00"); // binary 1.00499999...
    expect(qty(0.012345)).toBe("0.0123");
    expect(qty(0)).toBe("0");
    expect(qty(-250.4)).toBe("-250");
  });
  it("shows a dash for missing values", () => {
    expect(qty(null)).toBe("–");
    expect(qty(NaN)).toBe("–");
    expect(qty(Infinity)).toBe("–");
  });
});

describe("pct and hhi", () => {
  it("formats shares as percentages", () => {
    // 270000 / 393950 = 0.68536...
    expect(pct(270000 / 393950)).toBe("68.5%");
    expect(pct(1)).toBe("100.0%");
    expect(pct(0.0004)).toBe("0.0%");
    expect(pct(0.25, 0)).toBe("25%");
  });
  it("rounds HHI to a whole number", () => {
    // 60/30/10: 3600 + 900 + 100
    expect(hhi(60 ** 2 + 30 ** 2 + 10 ** 2)).toBe("4,600");
    expect(hhi(4923.55)).toBe("4,924");
  });
  it("classifies HHI by the merger-guideline bands", () => {
    expect(hhiClass(1499.99)).toBe("unconcentrated");
    expect(hhiClass(1500)).toBe("moderate");
    expect(hhiClass(2500)).toBe("moderate");
    expect(hhiClass(2500.01)).toBe("high");
    expect(hhiClass(10000)).toBe("high");
  });
});

describe("labels and CSV", () => {
  it("labels commodity-stages", () => {
    expect(keyLabel("rare_earth_compounds/refining")).toBe("rare earth compounds (refining)");
    expect(keyLabel("nickel")).toBe("nickel");
  });
  it("quotes CSV fields only when needed (RFC 4180)", () => {
    expect(csvField("plain")).toBe("plain");
    expect(csvField("a,b")).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField(null)).toBe("");
    expect(csvField(0.5)).toBe("0.5");
    expect(csvField(NaN)).toBe("");
  });
  it("writes a CSV document with CRLF line ends", () => {
    expect(toCsv(["country", "share"], [["CN", 0.685], ["Korea, Rep.", 0.1]])).toBe('country,share\r\nCN,0.685\r\n"Korea, Rep.",0.1\r\n');
  });
});
