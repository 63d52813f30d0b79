/** Text of a document in reading order, split where the source has pages (PDF) or records (CSV). */
export interface ParsedDocument {
  /** markdown: headings are `#` lines, so the Markdown-aware splitter and section titles apply. */
  kind: "plain" | "markdown";
  parts: ParsedPart[];
}

export interface ParsedPart {
  text: string;
  /** 1-based page of a PDF. */
  page?: number;
}

export const DOCUMENT_FORMATS = ["text", "markdown", "html", "csv", "docx", "pdf"] as const;
export type DocumentFormat = (typeof DOCUMENT_FORMATS)[number];

export type ParseErrorCode = "empty" | "unsupported" | "corrupt" | "encrypted" | "too_large";

/** A per-document failure with a message for the person who added the document. */
export class KnowledgeParseError extends Error {
  constructor(
    readonly code: ParseErrorCode,
    message: string,
  ) {
    super(message);
    this.name = "KnowledgeParseError";
  }
}
