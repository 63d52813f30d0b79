/**
 * Readable ids that are also valid template references ({{ llm_2.text }}):
 * the first node of a type takes the type's name, later ones get _2, _3, …
 */
const NODE_ID = /^[a-z][a-z0-9_]{0,62}$/;

function baseFor(type: string): string {
  const cleaned = type.toLowerCase().replace(/[^a-z0-9_]/g, "_").replace(/^[^a-z]+/, "");
  return (cleaned || "node").slice(0, 56);
}

export function nextNodeId(type: string, existing: Iterable<string>): string {
  const taken = new Set(existing);
  const base = baseFor(type);
  if (!taken.has(base)) return base;
  for (let n = 2; ; n++) {
    const candidate = `${base}_${n}`;
    if (!taken.has(candidate)) return candidate;
  }
}

export function isValidNodeId(id: string): boolean {
  return NODE_ID.test(id);
}

/** Condition branch ids are `case_<n>`; a new one takes the next free number. */
export function nextCaseId(existing: readonly { id: string }[]): string {
  const taken = new Set(existing.map((c) => c.id));
  let n = existing.length + 1;
  while (taken.has(`case_${n}`)) n++;
  return `case_${n}`;
}

/** An edge id that says what it connects, unique among `existing`. */
export function nextEdgeId(source: string, sourceHandle: string | null | undefined, target: string, existing: Iterable<string>): string {
  const taken = new Set(existing);
  const base = `${source}.${sourceHandle ?? "out"}->${target}`;
  if (!taken.has(base)) return base;
  for (let n = 2; ; n++) {
    const candidate = `${base}#${n}`;
    if (!taken.has(candidate)) return candidate;
  }
}
