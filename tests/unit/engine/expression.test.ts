import { describe, expect, it } from "vitest";
import { NodeError } from "@/lib/engine/errors";
import { evaluateExpression, expressionReferences, expressionSyntaxError } from "@/lib/engine/expression";
import { LIMITS } from "@/lib/engine/limits";

const scope = {
  input: { question: "why?" },
  start: { question: "why?", items: [{ name: "a", price: 3 }, { name: "b", price: 8 }, { name: "c", price: 12 }] },
  var: { count: 2, names: ["x"] },
};

async function failure(expression: string, options?: Parameters<typeof evaluateExpression>[2]): Promise<NodeError> {
  const error = await evaluateExpression(expression, scope, options).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(NodeError);
  return error as NodeError;
}

describe("evaluateExpression", () => {
  it("reads the run scope: paths, predicates, functions, variables", async () => {
    expect(await evaluateExpression("start.items[price > 5].name", scope)).toEqual(["b", "c"]);
    expect(await evaluateExpression("$sum(start.items.price) + var.count", scope)).toBe(25);
    expect(await evaluateExpression("$append(var.names, input.question)", scope)).toEqual(["x", "why?"]);
    expect(await evaluateExpression("{ 'n': $count(start.items) }", scope)).toEqual({ n: 3 });
  });

  it("returns plain JSON (no sequence flags) and undefined when nothing matches", async () => {
    const list = await evaluateExpression("start.items.name", scope);
    expect(Object.keys(list as object)).toEqual(["0", "1", "2"]);
    expect(await evaluateExpression("start.nothing", scope)).toBeUndefined();
  });

  it("reads own properties only", async () => {
    expect(await evaluateExpression("start.constructor", scope)).toBeUndefined();
    expect((await failure('(start.constructor.constructor)("return process")()')).code).toBe("expression_error");
  });

  it("stops a runaway (infinitely recursive) expression within its time or depth limit", async () => {
    const started = Date.now();
    const error = await failure("($loop := function($n) { $loop($n + 1) + 1 }; $loop(0))", { timeoutMs: 300 });
    expect(error.code).toBe("expression_error");
    expect(error.message).toMatch(/stopped/);
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it("stops a long-running loop at its time limit", async () => {
    const started = Date.now();
    const error = await failure("$reduce([1..900000], function($a, $b) { $a + $b }, 0) + $reduce([1..900000], function($a, $b) { $a + $b }, 0)", {
      timeoutMs: 200,
    });
    expect(error.message).toMatch(/longer than 200 ms/);
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it("stops values that grow beyond the output limit (string doubling)", async () => {
    const error = await failure('$reduce([1..40], function($acc, $i) { $acc & $acc }, "ab")', { maxOutputBytes: 10_000 });
    expect(error.message).toMatch(/grew beyond 10000/);
  });

  it("refuses a result larger than the output limit", async () => {
    const error = await failure("[1..5000]", { maxOutputBytes: 1_000 });
    expect(error.code).toBe("expression_error");
  });

  it("refuses lists longer than the sequence limit", async () => {
    const error = await failure(`[1..${LIMITS.expressionMaxSequence + 1}]`);
    expect(error.message).toMatch(/longer than/);
  });

  it("refuses regular expressions with nested repetition (catastrophic backtracking)", async () => {
    const error = await failure('$match("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!", /(a+)+$/)');
    expect(error.message).toMatch(/nests repetitions/);
    expect(await evaluateExpression('$contains("hello", /l+o/)', scope)).toBe(true);
  });

  it("is cancelled by its signal", async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    const error = await failure("($loop := function($n) { $n > 1e12 ? $n : $loop($n + 1) }; $loop(0))", {
      signal: controller.signal,
      timeoutMs: 10_000,
    });
    expect(["cancelled", "expression_error"]).toContain(error.code);
  });

  it("reports syntax errors as expression_error", async () => {
    const error = await failure("start.items[");
    expect(error.message).toMatch(/syntax error/);
  });
});

describe("expressionSyntaxError", () => {
  it("is undefined for a valid expression and a message otherwise", () => {
    expect(expressionSyntaxError("start.items[price > 5]")).toBeUndefined();
    expect(expressionSyntaxError("start.items[")).toMatch(/.+/);
    expect(expressionSyntaxError("  ")).toMatch(/empty/);
  });
});

describe("expressionReferences", () => {
  it("lists root paths, not fields inside predicates or lambda parameters", () => {
    expect(expressionReferences("start.items[price > 5].name & var.count")).toEqual([
      ["start", "items"],
      ["var", "count"],
    ]);
    expect(expressionReferences("$map(llm.json.list, function($v) { $v.a + other.b })")).toEqual([
      ["llm", "json", "list"],
      ["other", "b"],
    ]);
  });

  it("treats $$ (and $ at top level) as the root", () => {
    expect(expressionReferences("start.items[price > $$.var.min]")).toEqual([
      ["start", "items"],
      ["var", "min"],
    ]);
    expect(expressionReferences("$.input.q")).toEqual([["input", "q"]]);
  });

  it("walks conditions, blocks, objects and arrays", () => {
    expect(expressionReferences("($x := a.b; c.d ? { 'k': [e.f] } : g)")).toEqual([["a", "b"], ["c", "d"], ["e", "f"], ["g"]]);
  });

  it("returns [] for an expression that does not parse", () => {
    expect(expressionReferences("a.[")).toEqual([]);
  });
});
