import { createHash } from "node:crypto";

/** Function-calling APIs (OpenAI, Anthropic) accept tool names of at most 64 of these characters. */
export const MAX_TOOL_NAME = 64;
const HASH_CHARS = 8;

/** A tool name from the operation: its operationId, else method and path, made safe for function names. */
export function toolNameFor(operationId: string | null, method: string, path: string): string {
  return safeName(operationId, method, path).slice(0, MAX_TOOL_NAME);
}

function safeName(operationId: string | null, method: string, path: string): string {
  return (operationId ?? `${method}_${path}`).replace(/[^A-Za-z0-9_-]+/g, "_").replace(/_+/g, "_").replace(/^_|_$/g, "") || method;
}

/** A short, stable suffix for an operation ("GET /repos/{owner}/{repo}"): the same on every import. */
const suffixOf = (operationKey: string) => createHash("sha256").update(operationKey).digest("hex").slice(0, HASH_CHARS);

/**
 * A unique name for an operation's tool. A name that fits and is free is kept as it is; one that
 * was cut to fit (so that two long operationIds sharing 64 characters would collide) or is already
 * taken gets a hash of the operation key instead of its tail, so it does not depend on which other
 * operations are imported or in which order.
 */
export function uniqueToolName(operationId: string | null, method: string, path: string, operationKey: string, used: ReadonlySet<string>): string {
  const full = safeName(operationId, method, path);
  if (full.length <= MAX_TOOL_NAME && !used.has(full)) return full;
  const stem = full.slice(0, MAX_TOOL_NAME - HASH_CHARS - 1).replace(/_+$/, "");
  const hashed = `${stem}_${suffixOf(operationKey)}`;
  if (!used.has(hashed)) return hashed;
  // Two operations with the same key cannot exist in one document; this is another source's tool.
  for (let n = 2; ; n++) {
    const counted = `${stem.slice(0, MAX_TOOL_NAME - HASH_CHARS - 2 - String(n).length)}_${suffixOf(operationKey)}_${n}`;
    if (!used.has(counted)) return counted;
  }
}
