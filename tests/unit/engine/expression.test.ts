import { describe, expect, it } from "vitest";
import { NodeError } from "@/lib/engine/errors";
import { evaluateExpression, expressionReferences, expressionSyntaxError } from "@/lib/engine/expression";
import { LIMITS } from "@/lib/engine/limits";
import { safeRegexEngine, unsupportedRegexFeature } from "@/lib/engine/regex";

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

describe("regular expressions in expressions (RE2, linear time)", () => {
  const attack = "a".repeat(27) + "!";
  const timed = async (expression: string, input: Record<string, unknown>) => {
    const started = Date.now();
    const value = await evaluateExpression(expression, input);
    return { value, ms: Date.now() - started };
  };

  it.each([
    ["((a+))+$", attack, false],
    ["(a|a)+$", attack, false],
    ["((ab)*)+$", "ab".repeat(20) + "!", true],
    ["((ab)*)+!$", "ab".repeat(5_000) + "!", true],
    ["(a+)+$", "a".repeat(5_000) + "!", false],
    ["(\\w+\\s?)+$", "word ".repeat(2_000) + "!", false],
  ])("%s finishes fast with the right answer (backtracking engines take seconds to forever)", async (pattern, text, expected) => {
    const contains = await timed(`$contains(s, /${pattern}/)`, { s: text });
    // A generous bound that only proves "does not hang": well within the 1 s expression limit.
    expect(contains.ms).toBeLessThan(LIMITS.expressionTimeoutMs);
    expect(contains.value).toBe(expected);
  });

  it("also runs regular expressions built at run time by $eval on RE2", async () => {
    const started = Date.now();
    expect(await evaluateExpression("$eval('$contains(s, /((a+))+$/)')", { s: attack })).toBe(false);
    expect(Date.now() - started).toBeLessThan(LIMITS.expressionTimeoutMs);
    const error = await evaluateExpression("$eval('$contains(s, /(?=a)/)')", { s: "a" }).catch((e: unknown) => e as NodeError);
    expect(error).toMatchObject({ code: "expression_error", message: expect.stringMatching(/no lookahead/) });
  });

  it("gives the same answers as JavaScript for $match, $contains, $replace and $split", async () => {
    const s = "Order A12, order b7 and ORDER c300.\nnext line 42";
    expect(await evaluateExpression("$contains(s, /order [a-z]\\d+/i)", { s })).toBe(true);
    expect(await evaluateExpression("$match(s, /([a-z])(\\d+)/i)", { s })).toEqual([
      { match: "A12", index: 6, groups: ["A", "12"] },
      { match: "b7", index: s.indexOf("b7"), groups: ["b", "7"] },
      { match: "c300", index: s.indexOf("c300"), groups: ["c", "300"] },
    ]);
    expect(await evaluateExpression("$match(s, /\\d+/, 2).match", { s })).toEqual(["12", "7"]);
    expect(await evaluateExpression('$replace(s, /(\\d+)/, "#$1")', { s })).toBe(s.replace(/(\d+)/g, "#$1"));
    expect(await evaluateExpression("$split(s, /\\s*,\\s*|\\s+and\\s+/)", { s })).toEqual(s.split(/\s*,\s*|\s+and\s+/));
    expect(await evaluateExpression("$match(s, /^\\w+/m).match", { s })).toEqual(["Order", "next"]);
    // An optional group that did not take part is undefined, as in JavaScript (null once the result is JSON).
    expect(await evaluateExpression('$match(s, /(x)?(\\d)$/).groups', { s })).toEqual([null, "2"]);
    // Indices count UTF-16 code units, as JavaScript strings do.
    expect(await evaluateExpression('$match("😀a😀a", /a/).index', {})).toEqual([2, 5]);
    expect(await evaluateExpression('$replace("a.b.c", /\\./, "-", 1)', {})).toBe("a-b.c");
  });

  it.each([
    ["(?=a)a", /no lookahead/],
    ["a(?!b)", /no lookahead/],
    ["(?<=a)b", /no lookbehind/],
    ["(?<!a)b", /no lookbehind/],
    ["(a)\\1", /no backreferences/],
    ["(?<x>a)\\k<x>", /no backreferences/],
  ])("refuses /%s/ with a clear error, at validation and at run time", async (pattern, why) => {
    const expression = `$contains(s, /${pattern}/)`;
    expect(expressionSyntaxError(expression)).toMatch(/the regular expression .* cannot be used: Weft runs regular expressions on RE2/);
    expect(expressionSyntaxError(expression)).toMatch(why);
    const error = await evaluateExpression(expression, { s: "ab" }).catch((e: unknown) => e as NodeError);
    expect(error).toMatchObject({ code: "expression_error", message: expect.stringMatching(why) });
  });

  it("does not mistake escapes and classes for backreferences or lookaround", () => {
    expect(unsupportedRegexFeature("[(?=]\\(\\?=x\\)")).toBeUndefined();
    expect(unsupportedRegexFeature("\\\\1")).toBeUndefined();
    expect(unsupportedRegexFeature("(?:a)(?<name>b)\\0")).toBeUndefined();
    expect(expressionSyntaxError("$match(s, /(?:a)(?<name>b)/)")).toBeUndefined();
  });

  it("refuses a search whose work (pattern size × text) would block the worker, instead of running it", async () => {
    const text = "ab".repeat(500_000);
    const started = Date.now();
    const error = await evaluateExpression("$contains(s, /((a|b)(b|a)){200}$/)", { s: text }).catch((e: unknown) => e as NodeError);
    expect(error).toMatchObject({ code: "expression_error", message: expect.stringMatching(/would take too long/) });
    expect(Date.now() - started).toBeLessThan(LIMITS.expressionTimeoutMs);
    // The same pattern on a short text is fine.
    expect(await evaluateExpression("$contains(s, /((a|b)(b|a)){200}$/)", { s: "ab".repeat(300) })).toBe(true);
  });

  it("enforces the expression's time limit between searches", async () => {
    const started = Date.now();
    const error = await evaluateExpression("$count($match(s, /a/))", { s: "a".repeat(900_000) }, { timeoutMs: 100 }).catch((e: unknown) => e as NodeError);
    expect(error).toMatchObject({ code: "expression_error", message: expect.stringMatching(/longer than 100 ms/) });
    expect(Date.now() - started).toBeLessThan(3_000);
  });

  it("the RE2 engine follows exec/lastIndex semantics", () => {
    const Engine = safeRegexEngine();
    const re = new Engine(/(b)?a/g);
    const first = re.exec("xba a")!;
    expect([...first]).toEqual(["ba", "b"]);
    expect(first.index).toBe(1);
    expect(re.lastIndex).toBe(3);
    const second = re.exec("xba a")!;
    expect([...second]).toEqual(["a", undefined]);
    expect(second.index).toBe(4);
    expect(re.exec("xba a")).toBeNull();
    expect(re.lastIndex).toBe(0);
  });
});

describe("expression nesting", () => {
  it.each([
    ["brackets", "(".repeat(5_000) + "1" + ")".repeat(5_000)],
    ["arrays", "[".repeat(5_000) + "]".repeat(5_000)],
    ["calls", "$string(".repeat(3_000) + "1" + ")".repeat(3_000)],
    ["an operator chain", Array(3_000).fill("start.n").join(" + ")],
    ["a unary chain", "-".repeat(20_000) + "1"],
  ])("very deep %s are a clear problem, not a stack overflow", async (_what, expression) => {
    expect(expressionSyntaxError(expression)).toMatch(/nests deeper than 120 levels/);
    expect(expressionReferences(expression)).toEqual([]);
    const error = await evaluateExpression(expression, { start: { n: 1 } }).catch((e: unknown) => e as NodeError);
    expect(error).toMatchObject({ code: "expression_error", message: expect.stringMatching(/nests deeper than 120 levels/) });
  });

  it("accepts ordinary nesting and brackets inside strings", async () => {
    const expression = "(".repeat(50) + '"((((" & start.s' + ")".repeat(50);
    expect(expressionSyntaxError(expression)).toBeUndefined();
    expect(await evaluateExpression(expression, { start: { s: "x" } })).toBe("((((x");
  });
});
