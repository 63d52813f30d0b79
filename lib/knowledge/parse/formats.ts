import { type DocumentFormat, KnowledgeParseError } from "./types";

const BY_MIME: Record<string, DocumentFormat> = {
  "text/plain": "text",
  "text/markdown": "markdown",
  "text/x-markdown": "markdown",
  "text/html": "html",
  "application/xhtml+xml": "html",
  "text/csv": "csv",
  "application/csv": "csv",
  "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx",
  "application/pdf": "pdf",
};

const BY_EXTENSION: Record<string, DocumentFormat> = {
  txt: "text",
  text: "text",
  md: "markdown",
  markdown: "markdown",
  html: "html",
  htm: "html",
  csv: "csv",
  docx: "docx",
  pdf: "pdf",
};

/** The MIME type stored for each format (what a browser sends varies; this is what we keep). */
export const FORMAT_MIME: Record<DocumentFormat, string> = {
  text: "text/plain",
  markdown: "text/markdown",
  html: "text/html",
  csv: "text/csv",
  docx: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
  pdf: "application/pdf",
};

/**
 * The format of a document from its MIME type, else its file name's extension (browsers send
 * `application/octet-stream` or nothing for .md and often for .csv).
 */
export function detectFormat(fileName: string, mimeType?: string | null): DocumentFormat {
  const mime = mimeType?.split(";")[0]?.trim().toLowerCase();
  const byMime = mime ? BY_MIME[mime] : undefined;
  const extension = fileName.toLowerCase().match(/\.([a-z0-9]+)$/)?.[1];
  const byExtension = extension ? BY_EXTENSION[extension] : undefined;
  // text/plain is what many clients send for .md and .csv: the extension is more specific.
  const format = byMime === "text" && byExtension ? byExtension : (byMime ?? byExtension);
  if (!format) {
    throw new KnowledgeParseError("unsupported", `"${fileName}"${mime ? ` (${mime})` : ""} is not a supported document type. Supported: PDF, DOCX, Markdown, HTML, plain text, CSV.`);
  }
  return format;
}
