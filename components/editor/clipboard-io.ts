"use client";

import { parseClipboard, serializeClipboard, type NodeClipboard } from "@/lib/editor/clipboard";

/**
 * Copied nodes travel through the system clipboard (another workflow, another tab, another window)
 * as Weft JSON. localStorage keeps a copy for browsers that refuse clipboard access; it is shared by
 * every tab of this site.
 */

const STORAGE_KEY = "weft.clipboard.nodes";
const READ_TIMEOUT_MS = 1_000;

function stored(): NodeClipboard | null {
  try {
    return parseClipboard(window.localStorage.getItem(STORAGE_KEY));
  } catch {
    return null;
  }
}

/** Writes both; the system clipboard may refuse (no permission, no focus), localStorage still has it. */
export async function writeNodeClipboard(clip: NodeClipboard): Promise<void> {
  const text = serializeClipboard(clip);
  try {
    window.localStorage.setItem(STORAGE_KEY, text);
  } catch {
    // Storage full or disabled: the system clipboard alone.
  }
  try {
    await navigator.clipboard?.writeText(text);
  } catch {
    // Refused: localStorage has it.
  }
}

/**
 * What a paste event carried: Weft nodes, or null when it held other text (the user copied
 * something else since), or localStorage's copy when it held nothing readable.
 */
export function clipboardFromText(text: string | null | undefined): NodeClipboard | null {
  if (text && text.trim()) return parseClipboard(text);
  return stored();
}

/** For pastes without a paste event (the context menu): the system clipboard if readable, else localStorage. */
export async function readNodeClipboard(): Promise<NodeClipboard | null> {
  let text: string | null = null;
  try {
    const read = navigator.clipboard?.readText();
    if (read) {
      text = await Promise.race([read, new Promise<null>((resolve) => setTimeout(() => resolve(null), READ_TIMEOUT_MS))]);
    }
  } catch {
    text = null;
  }
  return clipboardFromText(text);
}
