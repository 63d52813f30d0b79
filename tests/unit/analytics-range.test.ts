import { describe, expect, it } from "vitest";
import { lastDays, parseRange, rangeSearch } from "@/lib/analytics/range";

/** The Overview's date range from the URL: presets end today (UTC), custom ranges are inclusive. */
describe("parseRange", () => {
  const now = new Date("2026-03-01T23:30:00Z");

  it("reads presets as the last N UTC days, today included, and defaults to 30 days", () => {
    expect(parseRange({ range: "7d" }, now)).toEqual({ range: { from: "2026-02-23", to: "2026-03-01", preset: "7d", days: 7 } });
    expect(parseRange({}, now)).toEqual({ range: { from: "2026-01-31", to: "2026-03-01", preset: "30d", days: 30 } });
    expect(parseRange({ range: "90d" }, now)).toMatchObject({ range: { from: "2025-12-02", days: 90 } });
    // A preset wins over dates given with it.
    expect(parseRange({ range: "7d", from: "2026-01-01", to: "2026-01-02" }, now)).toMatchObject({ range: { preset: "7d" } });
    expect(lastDays(1, now)).toEqual({ from: "2026-03-01", to: "2026-03-01" });
  });

  it("reads a custom range, both days inclusive", () => {
    expect(parseRange({ from: "2024-02-28", to: "2024-03-01" }, now)).toEqual({ range: { from: "2024-02-28", to: "2024-03-01", preset: null, days: 3 } });
    expect(parseRange({ from: "2026-01-05", to: "2026-01-05" }, now)).toMatchObject({ range: { days: 1 } });
  });

  it("says what is wrong with a bad range", () => {
    const issues = (params: Parameters<typeof parseRange>[0]) => ("issues" in parseRange(params, now) ? (parseRange(params, now) as { issues: { path: string }[] }).issues.map((i) => i.path) : []);
    expect(issues({ range: "1y" })).toEqual(["range"]);
    expect(issues({ from: "2026-02-29", to: "2026-03-01" })).toEqual(["from"]);
    expect(issues({ from: "2026-3-1", to: "2026-03-02" })).toEqual(["from"]);
    expect(issues({ from: "2026-01-01" })).toEqual(["to"]);
    expect(issues({ from: "2026-01-02", to: "2026-01-01" })).toEqual(["to"]);
    expect(issues({ from: "2024-01-01", to: "2025-01-02" })).toEqual(["to"]);
    expect(issues({ from: "2024-01-01", to: "2024-12-31" })).toEqual([]);
  });

  it("writes the range back as the query string the picker and links use", () => {
    expect(rangeSearch({ from: "2026-01-01", to: "2026-01-31", preset: null })).toBe("from=2026-01-01&to=2026-01-31");
    expect(rangeSearch({ from: "x", to: "y", preset: "90d" })).toBe("range=90d");
  });
});
