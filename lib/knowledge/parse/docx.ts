import JSZip from "jszip";
import mammoth from "mammoth";
import { KNOWLEDGE_LIMITS } from "../limits";
import { htmlToMarkdown } from "./html";
import { KnowledgeParseError } from "./types";

/** JSZip keeps each entry's declared uncompressed size here (read from the zip's central directory). */
interface ZipEntryWithSize {
  _data?: { uncompressedSize?: number };
}

/**
 * Refuses a DOCX whose entries would inflate past the limit before anything is inflated (a zip
 * bomb). JSZip checks while inflating that each entry's data matches its declared size, so a
 * size that lies fails the parse rather than exhausting memory.
 */
async function assertInflatable(bytes: Uint8Array): Promise<void> {
  let zip: JSZip;
  try {
    zip = await JSZip.loadAsync(bytes, { checkCRC32: false });
  } catch (error) {
    throw new KnowledgeParseError("corrupt", `The DOCX is not a valid Word document (zip): ${(error as Error).message}`);
  }
  let total = 0;
  for (const entry of Object.values(zip.files)) total += (entry as unknown as ZipEntryWithSize)._data?.uncompressedSize ?? 0;
  if (total > KNOWLEDGE_LIMITS.maxDocxUncompressedBytes) {
    throw new KnowledgeParseError("too_large", `The DOCX would unpack to ${Math.round(total / 1024 / 1024)} MB; the limit is ${KNOWLEDGE_LIMITS.maxDocxUncompressedBytes / 1024 / 1024} MB.`);
  }
  if (!zip.file("word/document.xml")) throw new KnowledgeParseError("corrupt", "The file is a zip but not a Word document (no word/document.xml).");
}

/** DOCX → HTML with mammoth (headings, lists, tables) → Markdown, so headings become sections. */
export async function docxToMarkdown(bytes: Uint8Array): Promise<string> {
  await assertInflatable(bytes);
  try {
    const { value } = await mammoth.convertToHtml({ buffer: Buffer.from(bytes) });
    return htmlToMarkdown(value);
  } catch (error) {
    throw new KnowledgeParseError("corrupt", `The DOCX could not be read: ${(error as Error).message}`);
  }
}
