import { LIMITS } from "@/lib/engine/limits";

/** A place in a parsed JSON body that PostgreSQL or our recursive code cannot take, with why. */
export interface JsonInputProblem {
  path: string;
  message: string;
}

// A high surrogate not followed by a low one, or a low one not preceded by a high one.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function stringProblem(value: string): string | null {
  // PostgreSQL text and jsonb cannot store U+0000; a lone surrogate is not valid Unicode (no UTF-8 form).
  if (value.includes("\u0000")) return "contains a NUL character (\\u0000), which cannot be stored";
  if (LONE_SURROGATE.test(value)) return "contains a lone UTF-16 surrogate (invalid Unicode)";
  return null;
}

const pathOf = (segments: readonly (string | number)[]) => segments.map(String).join(".");

/**
 * The first problem of a parsed JSON body: a string or key with NUL or a lone surrogate, or
 * nesting deeper than `maxDepth`. One iterative walk (no recursion, so depth cannot overflow it).
 */
export function findJsonInputProblem(root: unknown, maxDepth: number = LIMITS.maxRequestJsonDepth): JsonInputProblem | null {
  const stack: { value: unknown; path: (string | number)[] }[] = [{ value: root, path: [] }];
  while (stack.length) {
    const { value, path } = stack.pop()!;
    if (typeof value === "string") {
      const problem = stringProblem(value);
      if (problem) return { path: pathOf(path), message: `This text ${problem}.` };
      continue;
    }
    if (value === null || typeof value !== "object") continue;
    if (path.length >= maxDepth) return { path: pathOf(path), message: `The body nests deeper than ${maxDepth} levels.` };
    const entries: [string | number, unknown][] = Array.isArray(value) ? value.map((item, index) => [index, item]) : Object.entries(value);
    for (const [key, child] of entries) {
      if (typeof key === "string") {
        const problem = stringProblem(key);
        if (problem) return { path: pathOf([...path, key]), message: `This key ${problem}.` };
      }
      stack.push({ value: child, path: [...path, key] });
    }
  }
  return null;
}
