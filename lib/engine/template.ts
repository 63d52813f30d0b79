import { Liquid, LiquidError, UndefinedVariableError, type Template } from "liquidjs";
import { NodeError } from "./errors";
import { LIMITS } from "./limits";

/**
 * Templates are LiquidJS (`{{ llm_1.text | upcase }}`): a real, sandboxed expression language,
 * never eval. Isomorphic: the editor uses the static analysis below, the worker renders.
 */

/** Objects and arrays print as JSON, so `{{ llm_1.json }}` is useful text rather than `[object Object]`. */
function printValue(value: unknown): string {
  if (value === null || value === undefined) return "";
  if (value instanceof Date) return value.toISOString();
  if (typeof value === "object") return JSON.stringify(value) ?? "";
  return String(value);
}

function createLiquid(): Liquid {
  const liquid = new Liquid({
    strictVariables: true,
    strictFilters: true,
    ownPropertyOnly: true,
    // Templates come from users: no file system, no partials, bounded work.
    relativeReference: false,
    dynamicPartials: false,
    parseLimit: LIMITS.templateParseChars,
    renderLimit: LIMITS.templateRenderLimitMs,
    memoryLimit: LIMITS.templateMemoryLimit,
    outputEscape: printValue,
  });
  // Tags that read other templates would reach the file system; reject them while parsing.
  for (const name of ["include", "render", "layout"]) {
    liquid.registerTag(name, {
      parse() {
        throw new Error(`the {% ${name} %} tag is not available in Weft templates`);
      },
      render() {
        return "";
      },
    });
  }
  return liquid;
}

const liquid = createLiquid();

// The editor re-validates on every keystroke; parsing each template once keeps that cheap.
const PARSE_CACHE_SIZE = 1_000;
const parseCache = new Map<string, Template[] | Error>();

function parseCached(template: string): Template[] | Error {
  const hit = parseCache.get(template);
  if (hit) return hit;
  let parsed: Template[] | Error;
  try {
    parsed = liquid.parse(template);
  } catch (error) {
    parsed = error instanceof Error ? error : new Error(String(error));
  }
  if (parseCache.size >= PARSE_CACHE_SIZE) parseCache.clear();
  parseCache.set(template, parsed);
  return parsed;
}

/** Drops LiquidJS's position suffix and code frame: users see the first line only. */
function shortLiquidMessage(error: Error): string {
  const first = error.message.split("\n")[0] ?? error.message;
  return first.replace(/, line:\d+, col:\d+$/, "");
}

/** The human message of a template syntax error, or null when the template parses. */
export function templateSyntaxError(template: string): string | null {
  const parsed = parseCached(template);
  return parsed instanceof Error ? shortLiquidMessage(parsed) : null;
}

/**
 * The global variable paths a template reads, e.g. `[["start","question"]]`.
 * Loop variables and `assign`ed names are excluded; a computed index (`a[b.c]`) ends the path there.
 * Returns [] when the template does not parse (see templateSyntaxError).
 */
const referenceCache = new Map<string, string[][]>();

export function templateReferences(template: string): string[][] {
  const hit = referenceCache.get(template);
  if (hit) return hit.map((path) => [...path]);
  const paths = computeReferences(template);
  if (referenceCache.size >= PARSE_CACHE_SIZE) referenceCache.clear();
  referenceCache.set(template, paths);
  return paths.map((path) => [...path]);
}

function computeReferences(template: string): string[][] {
  const parsed = parseCached(template);
  if (parsed instanceof Error) return [];
  let segments: unknown[][];
  try {
    segments = liquid.globalVariableSegmentsSync(parsed);
  } catch {
    return [];
  }
  const paths: string[][] = [];
  const seen = new Set<string>();
  for (const segs of segments) {
    const path: string[] = [];
    for (const seg of segs) {
      if (typeof seg === "string" || typeof seg === "number") path.push(String(seg));
      else break;
    }
    if (path.length === 0) continue;
    const key = JSON.stringify(path);
    if (!seen.has(key)) {
      seen.add(key);
      paths.push(path);
    }
  }
  return paths;
}

/**
 * Splits a plain variable path (`llm_1.json.items[0].name`, `a["b c"]`) into segments,
 * or returns null when it is not one. Surrounding `{{ }}` are tolerated.
 */
export function parsePath(path: string): string[] | null {
  let text = path.trim();
  const braced = /^\{\{-?([\s\S]*?)-?\}\}$/.exec(text);
  if (braced) text = braced[1].trim();
  const head = /^[A-Za-z_][\w-]*/.exec(text);
  if (!head) return null;
  const segments = [head[0]];
  let rest = text.slice(head[0].length);
  const part = /^(?:\.([A-Za-z0-9_][\w-]*)|\[(\d+)\]|\["([^"]*)"\]|\['([^']*)'\])/;
  while (rest.length > 0) {
    const m = part.exec(rest);
    if (!m) return null;
    segments.push(m[1] ?? m[2] ?? m[3] ?? m[4]);
    rest = rest.slice(m[0].length);
  }
  return segments;
}

/** Shows segments the way users write them: `llm_1.json.items[0].name`. */
export function formatPath(segments: readonly string[]): string {
  return segments.map((s, i) => (i === 0 ? s : /^\d+$/.test(s) ? `[${s}]` : `.${s}`)).join("");
}

function step(value: unknown, key: string): unknown {
  if (value === null || value === undefined) return undefined;
  if (typeof value !== "object" && typeof value !== "string") return undefined;
  // Own properties only, like the renderer: no `constructor`, no `__proto__`.
  return Object.hasOwn(value as object, key) ? (value as Record<string, unknown>)[key] : undefined;
}

/** The value at a plain variable path (`start.age`, `llm_1.json.items[0]`), or undefined when missing. */
export function resolvePath(scope: Record<string, unknown>, path: string): unknown {
  const segments = parsePath(path);
  if (!segments) return undefined;
  let value: unknown = scope;
  for (const key of segments) {
    value = step(value, key);
    if (value === undefined) return undefined;
  }
  return value;
}

function describeMissing(path: string, scope: Record<string, unknown>): string {
  const segments = parsePath(path);
  if (!segments) return "it is not defined";
  let value: unknown = scope;
  for (let i = 0; i < segments.length; i++) {
    const next = step(value, segments[i]);
    if (next === undefined) {
      if (i === 0) return `no node "${segments[0]}" has produced output`;
      return `${formatPath(segments.slice(0, i))} has no field "${segments[i]}"`;
    }
    value = next;
  }
  return "it is not defined";
}

function toTemplateError(error: unknown, scope: Record<string, unknown>): NodeError {
  if (error instanceof NodeError) return error;
  if (error instanceof UndefinedVariableError) {
    const match = /undefined variable: ([^,\n]+)/.exec(error.message);
    const raw = match ? match[1].trim() : "?";
    const segments = parsePath(raw);
    const name = segments ? formatPath(segments) : raw;
    return new NodeError("template_error", `Unknown value {{ ${name} }}: ${describeMissing(name, scope)}.`, { cause: error });
  }
  if (error instanceof LiquidError) {
    const message = shortLiquidMessage(error);
    if (/limit exceeded/.test(message)) {
      return new NodeError("template_error", `The template used too much time or memory (${message}).`, { cause: error });
    }
    if (error.name === "ParseError" || error.name === "TokenizationError") {
      return new NodeError("template_error", `The template has a syntax error: ${message}.`, { cause: error });
    }
    return new NodeError("template_error", `The template failed: ${message}.`, { cause: error });
  }
  return new NodeError("template_error", "The template failed.", { cause: error });
}

/** Renders a template against the run scope. Every failure is a NodeError("template_error"). */
export async function renderTemplate(template: string, scope: Record<string, unknown>): Promise<string> {
  const parsed = parseCached(template);
  if (parsed instanceof Error) throw toTemplateError(parsed, scope);
  let text: string;
  try {
    text = await liquid.render(parsed, scope);
  } catch (error) {
    throw toTemplateError(error, scope);
  }
  if (text.length > LIMITS.templateOutputChars) {
    throw new NodeError(
      "template_error",
      `The template produced ${text.length} characters; the limit is ${LIMITS.templateOutputChars}.`,
    );
  }
  return text;
}

const BARE_REFERENCE = /^\s*\{\{-?([^{}|]*?)-?\}\}\s*$/;

/**
 * Like renderTemplate, but a template that is exactly one bare reference (`{{ llm_1.json }}`)
 * yields the referenced value with its own type (object, number, ...). Used by End outputs.
 */
export async function resolveValueTemplate(template: string, scope: Record<string, unknown>): Promise<unknown> {
  const bare = BARE_REFERENCE.exec(template);
  if (bare && parsePath(bare[1])) {
    const value = resolvePath(scope, bare[1]);
    // Missing values (and Liquid-only properties such as `.size`) go through the renderer,
    // which gives the same error or result as anywhere else.
    if (value !== undefined) return value;
  }
  return renderTemplate(template, scope);
}
