export interface Citable {
  text: string;
  documentName: string;
  page: number | null;
  section: string | null;
}

/** "handbook.pdf, page 3, Leave › Vacation": where a chunk came from, for people and prompts. */
export function sourceLabel(chunk: Citable): string {
  return [chunk.documentName, chunk.page !== null ? `page ${chunk.page}` : null, chunk.section].filter(Boolean).join(", ");
}

/**
 * The chunks as one prompt-ready string, numbered in rank order so that an answer can cite [1], [2]:
 *
 *   [1] handbook.md, Leave › Vacation
 *   Employees get 25 vacation days…
 */
export function formatContext(chunks: Citable[]): string {
  return chunks.map((chunk, index) => `[${index + 1}] ${sourceLabel(chunk)}\n${chunk.text.trim()}`).join("\n\n");
}
