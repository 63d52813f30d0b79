import jsonata from "jsonata";
import { NodeError } from "./errors";
import { LIMITS } from "./limits";
import { compileUserRegex, RegexRefused, safeRegexEngine } from "./regex";

/**
 * JSONata expressions over the run scope (`start.items[price > 5].name`, `$sum(var.totals)`).
 * JSONata is an interpreter over JSON: it never compiles user text into JavaScript, and it reads
 * own properties only (`start.constructor` is undefined). What it cannot bound on its own is time,
 * recursion and size, so every evaluation runs with JSONata's guardrails (timeout, stack depth,
 * sequence length) plus entry/exit hooks that stop oversized intermediate values and honour an
 * AbortSignal. Isomorphic: the editor uses the static analysis, the worker evaluates.
 */

export interface ExpressionOptions {
  /** Wall-clock budget of one evaluation (ms); default LIMITS.expressionTimeoutMs. */
  timeoutMs?: number;
  /** Largest result (UTF-8 JSON bytes) and largest intermediate string or array; default LIMITS.expressionOutputBytes. */
  maxOutputBytes?: number;
  /** Cancels a long evaluation (checked on every evaluation step; the evaluator yields now and then so timers fire). */
  signal?: AbortSignal;
}

interface JsonataErrorLike {
  code?: string;
  message?: string;
  position?: number;
  token?: string;
  value?: unknown;
}

const isJsonataError = (e: unknown): e is JsonataErrorLike =>
  typeof e === "object" && e !== null && typeof (e as JsonataErrorLike).code === "string";

/** Marks errors thrown by our own hooks so they keep their message. */
class HookStop extends Error {}

const ENTRY = Symbol.for("jsonata.__evaluate_entry");
const EXIT = Symbol.for("jsonata.__evaluate_exit");

/** The expression nests deeper than we let the recursive parser and evaluator go. */
class TooDeep extends Error {
  constructor() {
    super(`the expression nests deeper than ${LIMITS.expressionMaxNesting} levels (brackets, function calls or chained operators); split it up or simplify it`);
  }
}

/**
 * Deepest bracket nesting of the text, skipping string literals and escapes: checked before
 * parsing, because JSONata's parser recurses per level and a deep enough text overflows the stack.
 */
function textNesting(expression: string): number {
  let depth = 0;
  let deepest = 0;
  let quote: string | undefined;
  for (let i = 0; i < expression.length; i++) {
    const c = expression[i];
    if (c === "\\") i++;
    else if (quote) {
      if (c === quote) quote = undefined;
    } else if (c === '"' || c === "'" || c === "`") quote = c;
    else if (c === "(" || c === "[" || c === "{") deepest = Math.max(deepest, ++depth);
    else if (c === ")" || c === "]" || c === "}") depth--;
  }
  return deepest;
}

/** Depth of the syntax tree (operator chains such as 1+1+…+1 nest without brackets), walked without recursion. */
function treeDepth(ast: unknown): number {
  let deepest = 0;
  const stack: [unknown, number][] = [[ast, 0]];
  while (stack.length > 0) {
    const [value, depth] = stack.pop()!;
    if (typeof value !== "object" || value === null || value instanceof RegExp) continue;
    const level = depth + (typeof (value as { type?: unknown }).type === "string" ? 1 : 0);
    deepest = Math.max(deepest, level);
    for (const child of Object.values(value)) if (typeof child === "object" && child !== null) stack.push([child, level]);
  }
  return deepest;
}

function compile(expression: string, timeoutMs: number = LIMITS.expressionTimeoutMs, beforeSearch?: () => void): jsonata.Expression {
  if (textNesting(expression) > LIMITS.expressionMaxNesting) throw new TooDeep();
  let compiled: jsonata.Expression;
  try {
    compiled = jsonata(expression, {
      timeout: timeoutMs,
      stack: LIMITS.expressionMaxDepth,
      sequence: LIMITS.expressionMaxSequence,
      RegexEngine: safeRegexEngine(beforeSearch) as unknown as RegExpConstructor,
    });
  } catch (error) {
    // Deep unary chains (- - - … 1) still recurse in the parser.
    throw error instanceof RangeError ? new TooDeep() : error;
  }
  if (treeDepth(compiled.ast()) > LIMITS.expressionMaxNesting) throw new TooDeep();
  return compiled;
}

function describe(error: JsonataErrorLike): string {
  const text = (error.message ?? "").trim() || `error ${error.code}`;
  return typeof error.position === "number" && error.position > 0 ? `${text} (at character ${error.position})` : text;
}

function toExpressionError(error: unknown, options: { timeoutMs: number }): NodeError {
  if (error instanceof NodeError) return error;
  if (error instanceof HookStop) return new NodeError("expression_error", `The expression was stopped: ${error.message}.`, { cause: error });
  if (error instanceof TooDeep) return new NodeError("expression_error", `The expression cannot be used: ${error.message}.`, { cause: error });
  if (error instanceof RegexRefused) return new NodeError("expression_error", `${error.message[0]!.toUpperCase()}${error.message.slice(1)}.`, { cause: error });
  if (isJsonataError(error)) {
    switch (error.code) {
      case "D1012":
        return new NodeError("expression_error", `The expression ran longer than ${options.timeoutMs} ms and was stopped.`, { cause: error });
      case "D1011":
        return new NodeError(
          "expression_error",
          `The expression nested deeper than ${LIMITS.expressionMaxDepth} levels (runaway recursion?) and was stopped.`,
          { cause: error },
        );
      case "D2014":
      case "D2015":
        return new NodeError("expression_error", `The expression built a list longer than ${LIMITS.expressionMaxSequence} items and was stopped.`, {
          cause: error,
        });
      case "D3121":
      case "D3120": {
        const inner = (error as { error?: unknown }).error;
        if (inner instanceof HookStop || inner instanceof RegexRefused || inner instanceof NodeError || (isJsonataError(inner) && ["D1012", "D1011", "D2014", "D2015"].includes(inner.code ?? ""))) {
          return toExpressionError(inner, options);
        }
        break;
      }
    }
    if (error.code?.startsWith("S")) return new NodeError("expression_error", `The expression has a syntax error: ${describe(error)}.`, { cause: error });
    return new NodeError("expression_error", `The expression failed: ${describe(error)}.`, { cause: error });
  }
  if (error instanceof RangeError) {
    return new NodeError("expression_error", "The expression recursed too deeply and was stopped.", { cause: error });
  }
  return new NodeError("expression_error", "The expression failed.", { cause: error });
}

function sizeOf(value: unknown): number {
  if (typeof value === "string") return value.length;
  if (Array.isArray(value)) return value.length;
  return 0;
}

/** JSONata sequences are arrays with extra flags; functions and undefined have no JSON form. */
function toJson(value: unknown, maxBytes: number): unknown {
  if (value === undefined) return undefined;
  if (typeof value === "function") {
    throw new NodeError("expression_error", "The expression produced a function, not a value.");
  }
  const text = JSON.stringify(value);
  if (text === undefined) return undefined;
  const bytes = new TextEncoder().encode(text).length;
  if (bytes > maxBytes) {
    throw new NodeError("expression_error", `The expression produced ${bytes} bytes; the limit is ${maxBytes}.`);
  }
  return JSON.parse(text) as unknown;
}

const yieldToEventLoop = () => new Promise<void>((resolve) => setTimeout(resolve, 0));
/** Evaluation steps between yields when a signal is given (each yield costs about a millisecond). */
const YIELD_EVERY = 5_000;

/**
 * Evaluates a JSONata expression with the run scope as its input document, so `start.question`,
 * `var.count` and `$$.llm.json` read what templates read. Returns undefined when the expression
 * selects nothing. Every failure is NodeError("expression_error").
 */
export async function evaluateExpression(
  expression: string,
  scope: Record<string, unknown>,
  options: ExpressionOptions = {},
): Promise<unknown> {
  const timeoutMs = options.timeoutMs ?? LIMITS.expressionTimeoutMs;
  const maxBytes = options.maxOutputBytes ?? LIMITS.expressionOutputBytes;
  if (expression.length > LIMITS.templateParseChars) {
    throw new NodeError("expression_error", `The expression is ${expression.length} characters long; the limit is ${LIMITS.templateParseChars}.`);
  }
  const started = Date.now();
  const signal = options.signal;
  // Checked on every evaluation step and before every regular-expression search.
  const checkpoint = () => {
    if (signal?.aborted) throw new NodeError("cancelled", "The expression was cancelled.");
    // JSONata's own timeout is checked on entry too; this one also covers hooks and searches.
    if (Date.now() - started > timeoutMs) throw { code: "D1012" };
  };
  let compiled: jsonata.Expression;
  try {
    compiled = compile(expression, timeoutMs, checkpoint);
  } catch (error) {
    throw toExpressionError(error, { timeoutMs });
  }
  installHooks(compiled, checkpoint, signal, maxBytes);
  let result: unknown;
  try {
    result = await compiled.evaluate(scope);
  } catch (error) {
    throw toExpressionError(error, { timeoutMs });
  }
  return toJson(result, maxBytes);
}

/** Hooks live on the compiled expression's own environment, which is per call here. */
function installHooks(compiled: jsonata.Expression, checkpoint: () => void, signal: AbortSignal | undefined, maxBytes: number): void {
  let steps = 0;
  compiled.assign(ENTRY as unknown as string, async () => {
    checkpoint();
    steps++;
    if (signal && steps % YIELD_EVERY === 0) await yieldToEventLoop();
  });
  compiled.assign(EXIT as unknown as string, (_expr: unknown, _input: unknown, _env: unknown, result: unknown) => {
    if (sizeOf(result) > maxBytes) {
      throw new HookStop(`an intermediate value grew beyond ${maxBytes} characters or items`);
    }
  });
}

// The editor re-validates on every keystroke; cache parse results.
const CACHE_SIZE = 1_000;
const astCache = new Map<string, jsonata.ExprNode | Error>();

/** The first regular-expression literal RE2 cannot run, found at validation time rather than mid-run. */
function regexRefusal(ast: unknown): Error | undefined {
  const stack: unknown[] = [ast];
  while (stack.length > 0) {
    const value = stack.pop();
    if (value instanceof RegExp) {
      try {
        compileUserRegex(value.source, value.flags);
      } catch (error) {
        if (error instanceof RegexRefused) return error;
        throw error;
      }
    } else if (typeof value === "object" && value !== null) for (const child of Object.values(value)) stack.push(child);
  }
  return undefined;
}

function parseCached(expression: string): jsonata.ExprNode | Error {
  const hit = astCache.get(expression);
  if (hit) return hit;
  let parsed: jsonata.ExprNode | Error;
  try {
    parsed = compile(expression).ast();
    const refusal = regexRefusal(parsed);
    if (refusal) parsed = refusal;
  } catch (error) {
    parsed = isJsonataError(error) ? new Error(describe(error)) : error instanceof Error ? error : new Error(String(error));
  }
  if (astCache.size >= CACHE_SIZE) astCache.clear();
  astCache.set(expression, parsed);
  return parsed;
}

/** The human message of an expression syntax error, or undefined when it parses. */
export function expressionSyntaxError(expression: string): string | undefined {
  if (!expression.trim()) return "the expression is empty";
  const parsed = parseCached(expression);
  return parsed instanceof Error ? parsed.message : undefined;
}

// The published typings miss node types the parser emits (path, bind, apply, sort).
type Node = Omit<jsonata.ExprNode, "type" | "steps"> & {
  type: string;
  steps?: Node[];
  body?: Node;
  condition?: Node;
  then?: Node;
  else?: Node;
  expression?: Node;
  pattern?: Node;
  update?: Node;
  delete?: Node;
  group?: { lhs: [Node, Node][] };
  stages?: { type: string; expr?: Node }[];
  predicate?: { type: string; expr?: Node }[];
  terms?: { expression: Node }[];
};

/** Leading plain names of a path that starts at the scope root. */
function leadingNames(steps: Node[], from: number): string[] {
  const names: string[] = [];
  for (let i = from; i < steps.length; i++) {
    const step = steps[i];
    if (step.type !== "name" || typeof step.value !== "string") break;
    names.push(step.value);
    if (step.stages?.length || step.predicate?.length) break;
  }
  return names;
}

/**
 * Walks the AST. `atRoot` is true where the context item is the scope itself (top level, function
 * arguments, lambda bodies defined there), false inside predicates and later path steps, where
 * names are fields of the current item. `$$` always means the scope.
 */
function collect(node: Node | undefined, atRoot: boolean, out: string[][]): void {
  if (!node || typeof node !== "object") return;
  const visitFilters = (filters?: { expr?: Node }[]) => filters?.forEach((f) => collect(f.expr, false, out));
  visitFilters(node.predicate);
  visitFilters(node.stages);
  if (node.group) for (const [k, v] of node.group.lhs) (collect(k, false, out), collect(v, false, out));
  switch (node.type) {
    case "path": {
      const steps = node.steps ?? [];
      const first = steps[0];
      if (first) {
        const rootVariable = first.type === "variable" && (first.value === "$" || (first.value === "" && atRoot));
        if (first.type === "name" && atRoot) {
          const names = leadingNames(steps, 0);
          if (names.length > 0) out.push(names);
        } else if (rootVariable) {
          const names = leadingNames(steps, 1);
          if (names.length > 0) out.push(names);
        }
        collect(first.type === "name" ? { ...first, type: "value" } : first, atRoot, out);
      }
      for (const step of steps.slice(1)) collect(step.type === "name" ? { ...step, type: "value" } : step, false, out);
      for (const step of steps) step.terms?.forEach((t) => collect(t.expression, false, out));
      return;
    }
    case "name":
      if (atRoot && typeof node.value === "string") out.push([node.value]);
      return;
    case "binary":
      collect(node.lhs as Node, atRoot, out);
      collect(node.rhs as Node, atRoot, out);
      return;
    case "unary":
      if (node.value === "{" && Array.isArray(node.lhs)) {
        for (const pair of node.lhs as [Node, Node][]) (collect(pair[0], atRoot, out), collect(pair[1], atRoot, out));
      }
      node.expressions?.forEach((e) => collect(e as Node, atRoot, out));
      collect(node.expression, atRoot, out);
      return;
    case "function":
    case "partial":
      collect(node.procedure as Node, atRoot, out);
      node.arguments?.forEach((a) => collect(a as Node, atRoot, out));
      return;
    case "lambda":
      collect(node.body, atRoot, out);
      return;
    case "condition":
      collect(node.condition, atRoot, out);
      collect(node.then, atRoot, out);
      collect(node.else, atRoot, out);
      return;
    case "block":
      node.expressions?.forEach((e) => collect(e as Node, atRoot, out));
      return;
    case "bind":
    case "apply":
      collect(node.lhs as Node, atRoot, out);
      collect(node.rhs as Node, atRoot, out);
      return;
    case "transform":
      collect(node.pattern, false, out);
      collect(node.update, false, out);
      collect(node.delete, false, out);
      return;
    default:
      return;
  }
}

/**
 * The scope paths an expression reads from the root (`[["start","items"], ["var","count"]]`),
 * for the validator. Names inside predicates and after the first path step are fields of the
 * current item, not references. Returns [] when the expression does not parse.
 */
export function expressionReferences(expression: string): string[][] {
  const parsed = parseCached(expression);
  if (parsed instanceof Error) return [];
  const out: string[][] = [];
  collect(parsed as unknown as Node, true, out);
  const seen = new Set<string>();
  return out.filter((path) => {
    const key = JSON.stringify(path);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
