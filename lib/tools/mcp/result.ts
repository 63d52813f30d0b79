import { NodeError } from "@/lib/engine/errors";

/**
 * Mapping of an MCP `tools/call` result to a tool output: `structuredContent` when the server
 * gives it, else the text parts joined (parsed as JSON when they are JSON), other parts
 * summarised. `isError` results become NodeError("tool_error") with the server's own message.
 */

export type ContentPart = { type: string; text?: string; mimeType?: string; data?: string; resource?: { uri?: string; mimeType?: string; text?: string }; uri?: string; name?: string };

export interface CallResultLike {
  content?: ContentPart[];
  structuredContent?: Record<string, unknown>;
  isError?: boolean;
  /** Protocol 2024-10-07 servers answer `toolResult` instead of `content`. */
  toolResult?: unknown;
}

const MAX_TEXT_IN_DETAIL = 4_000;

function partSummary(part: ContentPart): unknown {
  switch (part.type) {
    case "text":
      return { type: "text", text: (part.text ?? "").slice(0, MAX_TEXT_IN_DETAIL) };
    case "image":
    case "audio":
      return { type: part.type, mimeType: part.mimeType, bytes: Math.floor(((part.data ?? "").length * 3) / 4) };
    case "resource":
      return { type: "resource", uri: part.resource?.uri, mimeType: part.resource?.mimeType, text: part.resource?.text?.slice(0, MAX_TEXT_IN_DETAIL) };
    case "resource_link":
      return { type: "resource_link", uri: part.uri, name: part.name };
    default:
      return { type: part.type };
  }
}

function parseMaybeJson(text: string): unknown {
  const trimmed = text.trim();
  if (!/^[[{"]/.test(trimmed) && !/^(-?\d|true$|false$|null$)/.test(trimmed)) return text;
  try {
    return JSON.parse(trimmed) as unknown;
  } catch {
    return text;
  }
}

export function textOf(content: ContentPart[]): string {
  return content
    .filter((part) => part.type === "text")
    .map((part) => part.text ?? "")
    .join("\n");
}

/** The output of a successful call, and a summary of the content for the step's trace. */
export function mapCallResult(result: CallResultLike, server: string, toolName: string): { output: unknown; content: unknown[] } {
  const content = Array.isArray(result.content) ? result.content : [];
  const summary = content.map(partSummary);
  if (result.isError) {
    const text = textOf(content).trim() || "The tool reported an error without a message.";
    throw new NodeError("tool_error", `${server} → ${toolName}: ${text}`, { retryable: false, trace: { detail: { content: summary, isError: true } } });
  }
  if (result.structuredContent && typeof result.structuredContent === "object") return { output: result.structuredContent, content: summary };
  if (content.length === 0 && result.toolResult !== undefined) return { output: result.toolResult, content: summary };
  const texts = content.filter((part) => part.type === "text");
  if (texts.length === content.length) return { output: texts.length ? parseMaybeJson(textOf(content)) : null, content: summary };
  // Mixed content: the text for the model, the rest described (binary data is not put into run records).
  return { output: { text: textOf(content), content: summary }, content: summary };
}
