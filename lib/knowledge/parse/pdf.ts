import { KNOWLEDGE_LIMITS } from "../limits";
import { KnowledgeParseError, type ParsedPart } from "./types";

interface TextItemLike {
  str?: string;
  hasEOL?: boolean;
}

/**
 * PDF text page by page with pdfjs-dist's Node ("legacy") build. Text only: scanned pages without
 * a text layer yield nothing (OCR is not part of ingestion). Encrypted and corrupt files fail with
 * their own messages.
 */
export async function pdfToParts(bytes: Uint8Array): Promise<ParsedPart[]> {
  const { getDocument } = await import("pdfjs-dist/legacy/build/pdf.mjs");
  // pdfjs takes ownership of (and detaches) the buffer it is given: hand it a copy.
  const task = getDocument({ data: new Uint8Array(bytes), isEvalSupported: false, disableFontFace: true, useSystemFonts: false, verbosity: 0, stopAtErrors: false });
  let pdf;
  try {
    pdf = await task.promise;
  } catch (error) {
    await task.destroy();
    // pdfjs's exception classes are not all exported; their names are stable.
    if ((error as Error).name === "PasswordException") throw new KnowledgeParseError("encrypted", "The PDF is password-protected. Remove the password and upload it again.");
    const detail = error instanceof Error ? `: ${error.message}` : "";
    throw new KnowledgeParseError("corrupt", `The PDF could not be read${detail}.`);
  }
  try {
    if (pdf.numPages > KNOWLEDGE_LIMITS.maxPdfPages) {
      throw new KnowledgeParseError("too_large", `The PDF has ${pdf.numPages} pages; the limit is ${KNOWLEDGE_LIMITS.maxPdfPages}.`);
    }
    const parts: ParsedPart[] = [];
    for (let number = 1; number <= pdf.numPages; number++) {
      const page = await pdf.getPage(number);
      const content = await page.getTextContent();
      const text = (content.items as TextItemLike[]).map((item) => (item.str ?? "") + (item.hasEOL ? "\n" : "")).join("");
      page.cleanup();
      if (text.trim()) parts.push({ text, page: number });
    }
    return parts;
  } finally {
    await pdf.destroy();
  }
}
