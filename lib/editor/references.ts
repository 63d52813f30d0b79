import type { AnyNodeDefinition } from "@/lib/engine/node-kit";

/**
 * Renaming node ids inside a node's config, for paste and duplicate: `{{ llm.text }}` in a pasted
 * node must read the pasted `llm_2`, not the original. Only the roots of references change
 * (`llm` in `llm.text`, never `text`), never text outside `{{ }}` / `{% %}`, never string literals.
 *
 * Which strings are code is known from the node's definition: its expressions (JSONata), plain
 * reference paths and typed references, and a container's break condition and collected path.
 * Any other string is a template: only its Liquid tags are rewritten.
 */

export type IdMap = ReadonlyMap<string, string>;

const IDENT_START = /[A-Za-z_]/;

/**
 * Rewrites root names in one run of code (a JSONata expression, a variable path, or the inside of
 * a Liquid tag). A name is a root when it is not a property (`.x`, unless `$.x` / `$$.x`), not a
 * `$variable`, and not a filter or tag name (`| upcase`, `{% assign`).
 */
function rewriteCode(code: string, ids: IdMap, opts: { liquid: boolean; skipFirstName?: boolean }): string {
  let out = "";
  let i = 0;
  let skipName = opts.skipFirstName ?? false;
  // The last significant character before the current token, and whether it ended `$` / `$$`.
  let prev = "";
  let prevIsRootVar = false;
  while (i < code.length) {
    const c = code[i];
    if (c === '"' || c === "'" || (!opts.liquid && c === "`")) {
      let j = i + 1;
      while (j < code.length && code[j] !== c) j += code[j] === "\\" ? 2 : 1;
      const literal = code.slice(i, j + 1);
      const name = literal.slice(1, -1);
      // A backtick name in JSONata is a name like any other.
      const renamed = c === "`" && prev !== "." && ids.get(name);
      out += renamed ? `\`${renamed}\`` : literal;
      i = j + 1;
      prev = c;
      prevIsRootVar = false;
      continue;
    }
    if (c === "$") {
      let j = i + 1;
      while (j < code.length && /[\w$]/.test(code[j])) j++;
      const token = code.slice(i, j);
      out += token;
      i = j;
      prev = "$";
      prevIsRootVar = token === "$" || token === "$$";
      continue;
    }
    if (/[0-9]/.test(c)) {
      // 1.5, 2e3; `1..llm.count` (a Liquid range) stops before the dots.
      const number = /^\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/.exec(code.slice(i))![0];
      out += number;
      i += number.length;
      prev = "0";
      prevIsRootVar = false;
      continue;
    }
    if (c === "." && code[i + 1] === ".") {
      // A range (`1..n`, JSONata's `[1..n]`): what follows is not a property.
      out += "..";
      i += 2;
      prev = "..";
      prevIsRootVar = false;
      continue;
    }
    if (IDENT_START.test(c)) {
      let j = i + 1;
      while (j < code.length && (opts.liquid ? /[\w-]/ : /\w/).test(code[j])) j++;
      const name = code.slice(i, j);
      const isRoot = !skipName && prev !== "|" && (prev !== "." || prevIsRootVar);
      out += isRoot ? (ids.get(name) ?? name) : name;
      skipName = false;
      i = j;
      prev = "a";
      prevIsRootVar = false;
      continue;
    }
    out += c;
    i++;
    if (!/\s/.test(c)) {
      // `$ . name`: the dot keeps the "after $" flag for the name that follows.
      prevIsRootVar = c === "." && prev === "$" && prevIsRootVar;
      prev = c;
    }
  }
  return out;
}

/** Root names in a JSONata expression or a variable path. */
export function renameInExpression(expression: string, ids: IdMap): string {
  return ids.size === 0 ? expression : rewriteCode(expression, ids, { liquid: false });
}

const LIQUID_TAG = /(\{\{-?|\{%-?)([\s\S]*?)(-?\}\}|-?%\})/g;

/** Root names inside the `{{ }}` outputs and `{% %}` tags of a Liquid template; the text around them stays. */
export function renameInTemplate(template: string, ids: IdMap): string {
  if (ids.size === 0 || !template.includes("{")) return template;
  return template.replace(LIQUID_TAG, (_whole, open: string, body: string, close: string) => {
    // A tag's first word is its name (`{% assign`), not a reference.
    const tag = open.startsWith("{%");
    return `${open}${rewriteCode(body, ids, { liquid: true, skipFirstName: tag })}${close}`;
  });
}

/** The config strings that are code (expressions and plain paths) rather than templates. */
function codeStrings(def: AnyNodeDefinition, config: Record<string, unknown>): Set<string> {
  const parsed = def.configSchema.safeParse(config);
  if (!parsed.success) return new Set();
  const typed = parsed.data;
  const strings = [
    ...(def.expressions?.(typed) ?? []),
    ...(def.references?.(typed) ?? []),
    ...(def.typedReferences?.(typed) ?? []).map((r) => r.path),
  ];
  const plan = def.container?.plan(typed);
  if (plan?.breakCondition) strings.push(plan.breakCondition);
  if (plan?.collect) strings.push(plan.collect);
  return new Set(strings.filter((s) => s && !s.includes("{{")));
}

function mapStrings(value: unknown, rename: (s: string) => string): unknown {
  if (typeof value === "string") return rename(value);
  if (Array.isArray(value)) return value.map((v) => mapStrings(v, rename));
  if (value && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, mapStrings(v, rename)]));
  }
  return value;
}

/** A copy of `config` whose references to the renamed nodes read their new ids. */
export function renameConfigReferences(def: AnyNodeDefinition | undefined, config: Record<string, unknown>, ids: IdMap): Record<string, unknown> {
  if (ids.size === 0) return config;
  const code = def ? codeStrings(def, config) : new Set<string>();
  // A `collect` path is trimmed by the plan; match the stored (untrimmed) string too.
  const isCode = (s: string) => code.has(s) || (s.trim() !== s && code.has(s.trim()));
  return mapStrings(config, (s) => (isCode(s) ? renameInExpression(s, ids) : renameInTemplate(s, ids))) as Record<string, unknown>;
}
