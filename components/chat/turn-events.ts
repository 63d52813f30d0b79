import type { Dispatch, SetStateAction } from "react";
import { readChatEvents } from "@/lib/chat/read-sse";
import type { ChatMessageView } from "./message-view";

interface TurnUi {
  setMessages: Dispatch<SetStateAction<ChatMessageView[]>>;
  setBusy: (messageId: string | null) => void;
  setWaiting: (text: string | null) => void;
  /** The turn's conversation (a new one when the turn started it). */
  onConversation: (conversationId: string) => void;
}

/**
 * Shows a streamed turn (lib/chat/stream.ts) as it arrives: Answer texts add up, a model's text in
 * progress shows after them until its Answer arrives, and `done` replaces both with the stored message.
 */
export async function showTurn(body: ReadableStream<Uint8Array>, request: { message?: string; regenerate?: boolean }, ui: TurnUi): Promise<void> {
  let answered = "";
  let preview = "";
  let messageId = "";
  const patch = (fields: Partial<ChatMessageView>) => ui.setMessages((list) => list.map((m) => (m.id === messageId ? { ...m, ...fields } : m)));
  await readChatEvents(body, (event) => {
    if (event.type === "turn") {
      messageId = event.messageId;
      ui.setBusy(event.messageId);
      ui.onConversation(event.conversationId);
      ui.setMessages((list) => [
        ...(request.regenerate ? list.slice(0, list.map((m) => m.role).lastIndexOf("user") + 1) : list),
        ...(request.message ? [{ id: event.userMessageId ?? `user-${event.messageId}`, role: "user", content: request.message, status: "done" }] : []),
        { id: event.messageId, role: "assistant", content: "", status: "pending" },
      ]);
    } else if (event.type === "answer") {
      answered = answered ? `${answered}\n\n${event.text}` : event.text;
      preview = "";
      patch({ content: answered });
    } else if (event.type === "token") {
      preview += event.text;
      patch({ content: answered ? `${answered}\n\n${preview}` : preview });
    } else if (event.type === "wait") {
      ui.setWaiting(String(event.request.prompt ?? event.request.title ?? "The assistant is waiting for an answer in Weft."));
    } else if (event.type === "done") {
      if (event.message) patch({ content: event.message.content, status: event.message.status, citations: event.message.citations });
      else patch({ status: event.status === "succeeded" ? "done" : event.status });
    }
  });
}
