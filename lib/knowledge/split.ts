import { createHash } from "node:crypto";
import { MarkdownTextSplitter, RecursiveCharacterTextSplitter } from "@langchain/textsplitters";
import type { ParsedDocument } from "./parse/types";

export const SPLITTER_KINDS = ["recursive", "markdown"] as const;
export type SplitterKind = (typeof SPLITTER_KINDS)[number];

export interface ChunkSettings {
  /** Target chunk length in characters. */
  chunkSize: number;
  /** Characters repeated between neighbouring chunks. */
  chunkOverlap: number;
  splitter: SplitterKind;
}

export interface ChunkDraft {
  ordinal: number;
  text: string;
  contentHash: string;
  page?: number;
  /** Heading path of a Markdown chunk, e.g. "Leave › Vacation". */
  section?: string;
}

/**
 * Paragraphs, lines, then sentence ends (Latin and CJK full stops, so Chinese and Japanese text
 * without spaces still splits at sentences), then words, then characters.
 */
const RECURSIVE_SEPARATORS = ["\n\n", "\n", "。", "！", "？", ". ", "! ", "? ", "；", "; ", " ", ""];

export const hashText = (text: string) => createHash("sha256").update(text).digest("hex");

interface Heading {
  at: number;
  path: string;
}

/** Every Markdown heading with the path of headings above it ("A › B"), in order of position. */
function headingsOf(text: string): Heading[] {
  const stack: string[] = [];
  const headings: Heading[] = [];
  for (const match of text.matchAll(/^(#{1,6})[ \t]+(.+?)[ \t#]*$/gm)) {
    const level = match[1]!.length;
    stack.length = level - 1;
    stack[level - 1] = match[2]!.trim();
    headings.push({ at: match.index, path: stack.filter(Boolean).join(" › ") });
  }
  return headings;
}

/**
 * Splits a parsed document with LangChain's splitters: Markdown-aware (headings first) when the
 * document is Markdown or the knowledge base asks for it, recursive otherwise. Chunks keep their
 * page (PDF) and the heading they fall under.
 */
export async function splitDocument(doc: ParsedDocument, settings: ChunkSettings): Promise<ChunkDraft[]> {
  const options = { chunkSize: settings.chunkSize, chunkOverlap: Math.min(settings.chunkOverlap, Math.floor(settings.chunkSize / 2)) };
  const markdown = doc.kind === "markdown" || settings.splitter === "markdown";
  const splitter = markdown ? new MarkdownTextSplitter(options) : new RecursiveCharacterTextSplitter({ ...options, separators: RECURSIVE_SEPARATORS });
  const drafts: ChunkDraft[] = [];
  for (const part of doc.parts) {
    const headings = markdown ? headingsOf(part.text) : [];
    let cursor = 0;
    for (const text of await splitter.splitText(part.text)) {
      const found = part.text.indexOf(text, cursor);
      const at = found >= 0 ? found : cursor;
      cursor = at + 1;
      // The heading over the chunk's first line of body text (a chunk may begin with its own headings).
      const body = at + Math.max(0, text.search(/^(?!#{1,6}[ \t]).*\S/m));
      const section = headings.filter((heading) => heading.at <= body).at(-1)?.path;
      drafts.push({
        ordinal: drafts.length,
        text,
        contentHash: hashText(text),
        ...(part.page !== undefined ? { page: part.page } : {}),
        ...(section ? { section } : {}),
      });
    }
  }
  return drafts;
}
