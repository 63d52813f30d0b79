/** Limits of knowledge ingestion, as data (enforced once each; documents over them fail clearly). */
export const KNOWLEDGE_LIMITS = {
  /** Size of one uploaded or fetched file. */
  maxFileBytes: 50 * 1024 * 1024,
  /** Uncompressed size of all entries of a DOCX (a zip): more is treated as a zip bomb. */
  maxDocxUncompressedBytes: 200 * 1024 * 1024,
  /** Pages of one PDF. */
  maxPdfPages: 5_000,
  /** Characters of text extracted from one document. */
  maxTextChars: 20_000_000,
  /** Chunks of one document. */
  maxChunksPerDocument: 50_000,
  /** How long the worker waits for a URL document's server (headers and body together). */
  urlFetchTimeoutMs: 60_000,
  /** Bounds of a knowledge base's chunk settings (characters). */
  minChunkSize: 100,
  maxChunkSize: 8_000,
} as const;
