import { describe, expect, it } from "vitest";
import { lexicalEmbedding, lexicalTokens } from "../fixtures/lexical-embeddings";

const cosine = (a: number[], b: number[]) => a.reduce((sum, value, i) => sum + value * b[i]!, 0);

describe("lexical test embeddings", () => {
  it("are unit vectors of the asked length, the same for the same text", () => {
    const v = lexicalEmbedding("The refund policy allows returns within 30 days", 128);
    expect(v).toHaveLength(128);
    expect(Math.hypot(...v)).toBeCloseTo(1, 10);
    expect(lexicalEmbedding("The refund policy allows returns within 30 days", 128)).toEqual(v);
    expect(Math.hypot(...lexicalEmbedding("", 8))).toBe(1);
  });

  it("make texts that share words closer than texts that do not", () => {
    const query = lexicalEmbedding("how many vacation days do employees get");
    const near = lexicalEmbedding("Employees get 25 vacation days per year.");
    const far = lexicalEmbedding("The office printer needs toner on Fridays.");
    expect(cosine(query, near)).toBeGreaterThan(cosine(query, far) + 0.2);
  });

  it("split Chinese and Japanese into characters and character pairs", () => {
    expect(lexicalTokens("年假 policy of the firm")).toEqual(["年", "年假", "假", "policy", "firm"]);
    const query = lexicalEmbedding("年假有多少天");
    expect(cosine(query, lexicalEmbedding("员工每年有十五天年假。"))).toBeGreaterThan(cosine(query, lexicalEmbedding("打印机在三楼。")));
  });
});
