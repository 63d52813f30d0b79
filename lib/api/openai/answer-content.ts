import type { AnswerFeed } from "@/lib/channels/chat-io";
import { ANSWER_SEPARATOR } from "@/lib/chat/turn-answer";
import type { ChatTextEvent } from "@/lib/chat/turn-text";

export interface ContentPlan {
  /** LLM nodes of the turn's own run whose tokens open an Answer's text (chat-io.ts answerFeeds). */
  feeds: ReadonlyMap<string, AnswerFeed>;
  /** Nodes whose tokens are the End's answer, where no Answer node speaks (chat-io.ts answerStreamSources). */
  endSources: ReadonlySet<string>;
}

/**
 * Turns what a chat turn says (its follower's text events, lib/chat/turn-follower.ts) into the
 * `content` of an OpenAI stream, which, unlike the chat's message, cannot take back what it sent:
 *
 * - Each Answer's text is a piece of the content, joined as the chat joins them (turn-answer.ts).
 * - An Answer fed by an LLM (`feeds`) is sent as the LLM writes it: its leading text, then each
 *   token; when the Answer's text arrives, only what follows the tokens is sent. answerFeeds
 *   admits no feed with a speaker on a parallel branch; should another Answer's text come while
 *   one is being written all the same, it waits and follows, so the pieces never interleave (and
 *   tokens of a second feed are dropped: its Answer's whole text comes later).
 * - Where no Answer speaks, the tokens of the End's source are the content.
 *
 * Returns the handler of each event; `emit` gets each piece of content in order.
 */
export function answerContent(plan: ContentPlan, emit: (text: string) => void): (event: ChatTextEvent) => void {
  let spoken = false;
  let live: { answer: string; sent: string } | null = null;
  const waiting: string[] = [];
  const say = (text: string) => {
    if (!text) return;
    emit(spoken ? ANSWER_SEPARATOR + text : text);
    spoken = true;
  };
  const write = (feed: { answer: string; sent: string }, text: string) => {
    if (!text) return;
    if (feed.sent) emit(text);
    else say(text);
    feed.sent += text;
  };
  const answered = (nodeId: string, text: string) => {
    if (live?.answer !== nodeId) {
      if (live) waiting.push(text);
      else say(text);
      return;
    }
    // The Answer's text begins with what was written live (its leading text and the tokens); a
    // text that does not (the model was called again after a retry) cannot be mended here: the
    // end of the stream sends what the content still lacks when it can (stream.ts).
    if (text.startsWith(live.sent)) write(live, text.slice(live.sent.length));
    live = null;
    for (const next of waiting.splice(0)) say(next);
  };
  const token = (nodeId: string, text: string) => {
    const feed = plan.feeds.get(nodeId);
    if (feed) {
      if (!live) {
        live = { answer: feed.answer, sent: "" };
        write(live, feed.prefix + text);
      } else if (live.answer === feed.answer) write(live, text);
    } else if (plan.endSources.has(nodeId) && text) {
      emit(text);
      spoken = true;
    }
  };
  return (event) => (event.type === "answer" ? answered(event.nodeId, event.text) : token(event.nodeId, event.text));
}
