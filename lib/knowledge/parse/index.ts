import { KNOWLEDGE_LIMITS } from "../limits";
import { csvToParts } from "./csv";
import { docxToMarkdown } from "./docx";
import { htmlPageToMarkdown } from "./html";
import { pdfToParts } from "./pdf";
import { decodeText } from "./text";
import { type DocumentFormat, KnowledgeParseError, type ParsedDocument } from "./types";

export { detectFormat, FORMAT_MIME } from "./formats";
export * from "./types";

async function parseByFormat(bytes: Uint8Array, format: DocumentFormat): Promise<ParsedDocument> {
  switch (format) {
    case "text":
      return { kind: "plain", parts: [{ text: decodeText(bytes, "file") }] };
    case "markdown":
      return { kind: "markdown", parts: [{ text: decodeText(bytes, "Markdown file") }] };
    case "html":
      return { kind: "markdown", parts: [{ text: htmlPageToMarkdown(decodeText(bytes, "HTML page")).markdown }] };
    case "csv":
      return { kind: "plain", parts: csvToParts(decodeText(bytes, "CSV file")) };
    case "docx":
      return { kind: "markdown", parts: [{ text: await docxToMarkdown(bytes) }] };
    case "pdf":
      return { kind: "plain", parts: await pdfToParts(bytes) };
  }
}

/** The text of a document, with its pages; refuses empty, oversize and unreadable documents clearly. */
export async function parseDocument(bytes: Uint8Array, format: DocumentFormat): Promise<ParsedDocument> {
  if (bytes.byteLength === 0) throw new KnowledgeParseError("empty", "The document is empty.");
  if (bytes.byteLength > KNOWLEDGE_LIMITS.maxFileBytes) {
    throw new KnowledgeParseError("too_large", `The document is ${Math.ceil(bytes.byteLength / 1024 / 1024)} MB; the limit is ${KNOWLEDGE_LIMITS.maxFileBytes / 1024 / 1024} MB.`);
  }
  const parsed = await parseByFormat(bytes, format);
  const parts = parsed.parts.filter((part) => part.text.trim());
  const chars = parts.reduce((sum, part) => sum + part.text.length, 0);
  if (chars === 0) {
    const hint = format === "pdf" ? " (a scanned PDF has no text layer; OCR it first)" : "";
    throw new KnowledgeParseError("empty", `The document contains no text${hint}.`);
  }
  if (chars > KNOWLEDGE_LIMITS.maxTextChars) {
    throw new KnowledgeParseError("too_large", `The document holds ${chars} characters of text; the limit is ${KNOWLEDGE_LIMITS.maxTextChars}.`);
  }
  return { kind: parsed.kind, parts };
}
