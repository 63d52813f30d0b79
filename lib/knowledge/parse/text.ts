import { KnowledgeParseError } from "./types";

/** UTF-8 text (a BOM is dropped); binary data is refused rather than indexed as garbage. */
export function decodeText(bytes: Uint8Array, what: string): string {
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    throw new KnowledgeParseError("corrupt", `The ${what} is not valid UTF-8 text.`);
  }
  if (text.includes("\u0000")) throw new KnowledgeParseError("corrupt", `The ${what} contains binary data, not text.`);
  return text;
}
