import type { Dispatch, SetStateAction } from "react";
import { readChatEvents } from "@/lib/chat/read-sse";
import type { ChatStreamEvent } from "@/lib/chat/stream";
import type { ChatMessageView } from "./message-view";

interface TurnUi {
  setMessages: Dispatch<SetStateAction<ChatMessageView[]>>;
  setBusy: (messageId: string | null) => void;
}

/**
 * Shows a streamed turn (lib/chat/stream.ts) in its assistant message as it arrives: Answer texts
 * add up in the order the server sends them, the order they spoke, sub-workflow runs' included
 * (their node ids are `<child run id>/<node id>`, so nothing here is keyed by node), a model's text in progress shows after them until its Answer arrives, a Question or
 * approval the run waits for joins the message's waits (a form in the answer), and `done` replaces
 * it all with the stored message. `messageId` is the message an answered wait resumes; a new turn
 * names its message in its `turn` event, handed to `onTurn`. Resolves true when the stream ended
 * with `done`; false when it closed before (the run parked, or the connection dropped).
 */
export async function followTurn(
  body: ReadableStream<Uint8Array>,
  ui: TurnUi,
  options: { messageId?: string; onTurn?: (event: Extract<ChatStreamEvent, { type: "turn" }>) => void } = {},
): Promise<boolean> {
  let done = false;
  let answered = "";
  let preview = "";
  let id = options.messageId ?? "";
  const patch = (fields: Partial<ChatMessageView>) => ui.setMessages((list) => list.map((m) => (m.id === id ? { ...m, ...fields } : m)));
  if (id) ui.setBusy(id);
  await readChatEvents(body, (event) => {
    if (event.type === "turn") {
      id = event.messageId;
      ui.setBusy(id);
      options.onTurn?.(event);
    } else if (event.type === "answer") {
      answered = answered ? `${answered}\n\n${event.text}` : event.text;
      preview = "";
      patch({ content: answered });
    } else if (event.type === "token") {
      preview += event.text;
      patch({ content: answered ? `${answered}\n\n${preview}` : preview });
    } else if (event.type === "wait") {
      const wait = { id: event.waitId, nodeId: event.nodeId, kind: event.kind, request: event.request };
      ui.setMessages((list) => list.map((m) => (m.id === id ? { ...m, waits: [...(m.waits ?? []).filter((w) => w.id !== wait.id), wait] } : m)));
    } else if (event.type === "done") {
      done = true;
      if (event.message) patch({ content: event.message.content, status: event.message.status, citations: event.message.citations, waits: [] });
      else patch({ status: event.status === "succeeded" ? "done" : event.status, waits: [] });
    }
  });
  return done;
}
