import { describe, expect, it } from "vitest";
import { formatContext, sourceLabel } from "@/lib/knowledge/citations";
import { metadataFilterSql, MetadataFilterSchema } from "@/lib/knowledge/filter";
import { reciprocalRankFusion, RRF_K } from "@/lib/knowledge/fusion";
import { orTsQuery, pairsTsQuery } from "@/lib/knowledge/search-sql";

describe("reciprocalRankFusion", () => {
  it("ranks items found high in both lists first and normalises to (0, 1]", () => {
    const fused = reciprocalRankFusion([[{ id: "a" }, { id: "b" }, { id: "c" }], [{ id: "b" }, { id: "d" }, { id: "a" }]]);
    expect(fused.map((f) => f.id)).toEqual(["b", "a", "d", "c"]);
    const best = 2 / (RRF_K + 1);
    expect(fused[0]!.score).toBeCloseTo((1 / (RRF_K + 2) + 1 / (RRF_K + 1)) / best, 12);
    expect(reciprocalRankFusion([[{ id: "x" }], [{ id: "x" }]])[0]!.score).toBe(1);
  });

  it("does not penalise a single non-empty list and handles none", () => {
    const [x, y] = reciprocalRankFusion([[{ id: "x" }, { id: "y" }], []]);
    expect(x!.score).toBe(1);
    expect(y!.score).toBeCloseTo((RRF_K + 1) / (RRF_K + 2), 12);
    expect(reciprocalRankFusion([[], []])).toEqual([]);
  });
});

describe("metadataFilterSql", () => {
  it("builds parameterised clauses, chunk tags before document tags", () => {
    expect(metadataFilterSql({ department: "HR", year: 2024, active: true }, 4)).toEqual({
      sql: [4, 6, 8].map((k) => `COALESCE(c.metadata ->> $${k}, (SELECT d.metadata FROM knowledge_documents d WHERE d.id = c."documentId") ->> $${k}) = $${k + 1}`).join(" AND "),
      params: ["department", "HR", "year", "2024", "active", "true"],
    });
    expect(metadataFilterSql(undefined, 1)).toEqual({ sql: "TRUE", params: [] });
  });

  it("never splices keys or values into SQL", () => {
    const { sql, params } = metadataFilterSql({ "x'); DROP TABLE knowledge_chunks; --": "y' OR '1'='1" }, 1);
    expect(sql).not.toContain("DROP");
    expect(params[0]).toContain("DROP");
  });

  it("validates filters", () => {
    expect(MetadataFilterSchema.safeParse({ "": "x" }).success).toBe(false);
    expect(MetadataFilterSchema.safeParse({ a: { nested: 1 } }).success).toBe(false);
    expect(MetadataFilterSchema.safeParse(Object.fromEntries(Array.from({ length: 21 }, (_, i) => [`k${i}`, i]))).success).toBe(false);
  });
});

describe("citations", () => {
  it("numbers chunks in rank order with their source", () => {
    const chunks = [
      { text: "Employees get 25 vacation days.\n", documentName: "handbook.md", page: null, section: "Leave › Vacation" },
      { text: "Passwords need 14 characters.", documentName: "security.pdf", page: 1, section: null },
    ];
    expect(sourceLabel(chunks[1]!)).toBe("security.pdf, page 1");
    expect(formatContext(chunks)).toBe("[1] handbook.md, Leave › Vacation\nEmployees get 25 vacation days.\n\n[2] security.pdf, page 1\nPasswords need 14 characters.");
    expect(formatContext([])).toBe("");
  });
});

describe("keyword queries", () => {
  it("an OR query of the distinct words; unspaced scripts are left to trigrams", () => {
    expect(orTsQuery("Vacation days, vacation PAY!")).toBe("vacation | days | pay");
    expect(orTsQuery("年假 days")).toBe("days");
    expect(orTsQuery("年假")).toBeNull();
  });

  it("the pairs query matches chunks holding at least two of 2 to 12 words", () => {
    expect(pairsTsQuery("vacation days pay")).toBe("(vacation & days) | (vacation & pay) | (days & pay)");
    expect(pairsTsQuery("vacation")).toBeNull();
    expect(pairsTsQuery("vacation vacation")).toBeNull();
    const many = Array.from({ length: 13 }, (_, i) => `w${i}`).join(" ");
    expect(pairsTsQuery(many)).toBeNull();
    expect(pairsTsQuery(many.split(" ").slice(0, 12).join(" "))!.split(" | ")).toHaveLength(66);
  });
});
