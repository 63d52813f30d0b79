import { describe, expect, it } from "vitest";
import { validateRunInputs } from "@/lib/engine/inputs";
import { nodeRegistry } from "@/lib/nodes/registry";
import { edge, end, graph, start } from "./fixtures";

const workflow = graph(
  [
    start("start", [
      { name: "question", type: "string" },
      { name: "age", type: "number" },
      { name: "verbose", type: "boolean", required: false },
      { name: "meta", type: "object", required: false },
      { name: "tags", type: "array", required: false },
    ]),
    end("end", { q: "{{ start.question }}" }),
  ],
  [edge("start", "end")],
);
const check = (inputs: unknown) => validateRunInputs(workflow, nodeRegistry, inputs);

describe("validateRunInputs", () => {
  it("accepts inputs of the declared types and fills absent optional ones with null", () => {
    expect(check({ question: "why?", age: 3, tags: ["a"] })).toEqual({
      ok: true,
      inputs: { question: "why?", age: 3, verbose: null, meta: null, tags: ["a"] },
    });
    expect(check({ question: "q", age: 0, verbose: false, meta: { a: 1 }, tags: [] })).toEqual({
      ok: true,
      inputs: { question: "q", age: 0, verbose: false, meta: { a: 1 }, tags: [] },
    });
  });

  it("reports required inputs that are missing, null or empty", () => {
    expect(check({})).toEqual({
      ok: false,
      problems: [
        { field: "question", message: "question is required." },
        { field: "age", message: "age is required." },
      ],
    });
    expect(check({ question: "", age: null })).toMatchObject({ ok: false, problems: [{ field: "question" }, { field: "age" }] });
    expect(check(undefined)).toMatchObject({ ok: false });
  });

  it("does not coerce: numbers must be numbers, not numerals", () => {
    expect(check({ question: "q", age: "42" })).toEqual({ ok: false, problems: [{ field: "age", message: "age must be a number, got string." }] });
    expect(check({ question: 5, age: Number.NaN })).toEqual({
      ok: false,
      problems: [
        { field: "question", message: "question must be a string, got number." },
        { field: "age", message: "age must be a number, got a non-finite number." },
      ],
    });
    expect(check({ question: "q", age: 1, verbose: "true", meta: [], tags: {} })).toEqual({
      ok: false,
      problems: [
        { field: "verbose", message: "verbose must be a boolean, got string." },
        { field: "meta", message: "meta must be an object, got array." },
        { field: "tags", message: "tags must be an array, got object." },
      ],
    });
  });

  it("rejects unknown keys", () => {
    expect(check({ question: "q", age: 1, qestion: "typo" })).toEqual({
      ok: false,
      problems: [{ field: "qestion", message: "qestion is not an input of this workflow." }],
    });
  });

  it("rejects inputs that are not an object", () => {
    expect(check(["q"])).toEqual({ ok: false, problems: [{ field: "", message: "Inputs must be an object, got array." }] });
    expect(check("q")).toMatchObject({ ok: false, problems: [{ message: "Inputs must be an object, got string." }] });
  });

  it("needs a Start node", () => {
    const noStart = graph([end("end", { a: "x" })], []);
    expect(validateRunInputs(noStart, nodeRegistry, {})).toMatchObject({ ok: false, problems: [{ message: "The workflow has no valid Start node." }] });
  });
});
