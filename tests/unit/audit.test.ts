import { describe, expect, it } from "vitest";
import { changeSummary } from "@/lib/audit/changes";
import { csvCell, csvLine } from "@/lib/audit/export";
import { REDACTED, redactAuditJson } from "@/lib/audit/redact";

describe("changeSummary", () => {
  const fields = { shown: ["name", "models"], hidden: ["apiKey"] } as const;
  const before = { id: "p", name: "A", models: ["m1"], apiKey: "cipher-1" };

  it("records shown fields that changed with both values, hidden ones only as changed", () => {
    expect(changeSummary(before, { ...before, models: ["m1", "m2"], apiKey: "cipher-2" }, fields)).toEqual({
      models: { before: ["m1"], after: ["m1", "m2"] },
      apiKey: { changed: true },
    });
    expect(changeSummary(before, { ...before }, fields)).toEqual({});
  });

  it("records only the existing side for a creation or a deletion", () => {
    expect(changeSummary(null, before, fields)).toEqual({ name: { after: "A" }, models: { after: ["m1"] }, apiKey: { changed: true } });
    expect(changeSummary(before, null, fields)).toEqual({ name: { before: "A" }, models: { before: ["m1"] }, apiKey: { changed: true } });
    expect(changeSummary(null, { ...before, apiKey: null }, fields)).not.toHaveProperty("apiKey");
  });
});

describe("redactAuditJson", () => {
  it("replaces every value under a credential-like key, at any depth, and keeps flags", () => {
    const input = { name: "x", apiKey: { before: "sk-1", after: "sk-2" }, nested: [{ headers: { "X-Token": "t" } }], password: "p", secret: { changed: true }, hasToken: true };
    expect(redactAuditJson(input)).toEqual({
      name: "x",
      apiKey: { before: REDACTED, after: REDACTED },
      nested: [{ headers: { "X-Token": REDACTED } }],
      password: REDACTED,
      secret: { changed: true },
      hasToken: true,
    });
  });
});

describe("CSV cells", () => {
  it("quotes separators and quotes, serialises objects, and defuses formulas", () => {
    expect(csvCell('say "hi", then go')).toBe('"say ""hi"", then go"');
    expect(csvCell({ a: 1 })).toBe('"{""a"":1}"');
    expect(csvCell("=HYPERLINK(1)")).toBe("'=HYPERLINK(1)");
    expect(csvCell(null)).toBe("");
    expect(csvLine(["a", 1, true])).toBe("a,1,true\r\n");
  });
});
