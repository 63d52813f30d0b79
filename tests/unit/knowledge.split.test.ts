import { describe, expect, it } from "vitest";
import { hashText, splitDocument } from "@/lib/knowledge/split";

const settings = { chunkSize: 120, chunkOverlap: 20, splitter: "recursive" as const };

describe("splitDocument", () => {
  it("splits Markdown by headings and names each chunk's section path", async () => {
    const text = [
      "# Handbook",
      "Welcome to the company.",
      "## Leave",
      "### Vacation",
      "Employees get 25 vacation days per year. Unused days carry over until March.",
      "### Sick leave",
      "Tell your manager before 10:00 on the first day of illness.",
      "## Expenses",
      "Submit receipts within 30 days in the expense tool.",
    ].join("\n\n");
    const chunks = await splitDocument({ kind: "markdown", parts: [{ text }] }, settings);
    const vacation = chunks.find((c) => c.text.includes("25 vacation days"));
    expect(vacation?.section).toBe("Handbook › Leave › Vacation");
    expect(chunks.find((c) => c.text.includes("receipts"))?.section).toBe("Handbook › Expenses");
    expect(chunks.map((c) => c.ordinal)).toEqual(chunks.map((_, i) => i));
    expect(chunks.every((c) => c.text.length <= 120 && c.contentHash === hashText(c.text))).toBe(true);
  });

  it("keeps page numbers and overlaps long text", async () => {
    const long = Array.from({ length: 40 }, (_, i) => `Sentence number ${i} about the warranty.`).join(" ");
    const chunks = await splitDocument({ kind: "plain", parts: [{ text: "Short first page.", page: 1 }, { text: long, page: 2 }] }, settings);
    expect(chunks[0]).toMatchObject({ text: "Short first page.", page: 1 });
    expect(chunks.slice(1).every((c) => c.page === 2)).toBe(true);
    expect(chunks.length).toBeGreaterThan(10);
    const [a, b] = [chunks[1]!.text, chunks[2]!.text];
    expect(b.startsWith(a.slice(-10).trim().split(" ").at(-1)!) || a.includes(b.slice(0, 8))).toBe(true);
  });

  it("splits Chinese text without spaces at sentence ends", async () => {
    const text = "员工每年享有十五天带薪年假。".repeat(20);
    const chunks = await splitDocument({ kind: "plain", parts: [{ text }] }, { ...settings, chunkSize: 100, chunkOverlap: 0 });
    expect(chunks.length).toBeGreaterThan(2);
    expect(chunks.every((c) => c.text.length <= 100)).toBe(true);
  });
});
