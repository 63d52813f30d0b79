/** Inserts `insert` over the selection [start, end) and returns the new text and caret. */
export function insertAt(text: string, start: number, end: number, insert: string): { text: string; caret: number } {
  const from = Math.max(0, Math.min(start, text.length));
  const to = Math.max(from, Math.min(end, text.length));
  return { text: text.slice(0, from) + insert + text.slice(to), caret: from + insert.length };
}

/** The reference a template uses for a node output field. */
export const variableReference = (nodeId: string, field: string): string => `{{ ${nodeId}.${field} }}`;
