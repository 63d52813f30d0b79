import { NodeError } from "@/lib/engine/errors";
import type { ServerRequestAnswers } from "./client-features";

/**
 * Which tool call a server's sampling or elicitation request belongs to. MCP does not say (a
 * request from the server names no request of the client), and a pooled connection carries the
 * calls of many runs. So on a source that enables sampling or elicitation (`exclusive`), calls on
 * one connection take turns: the one in flight is the one whose server asks, and its run answers
 * (its model budget, its Question). Other sources keep concurrent calls and answer no such request.
 */
export class CallScope {
  private turn: Promise<void> = Promise.resolve();
  private answers: ServerRequestAnswers | undefined;

  constructor(readonly exclusive: boolean) {}

  current(): ServerRequestAnswers | undefined {
    return this.answers;
  }

  async run<T>(answers: ServerRequestAnswers, signal: AbortSignal, work: () => Promise<T>): Promise<T> {
    if (!this.exclusive) return work();
    const previous = this.turn;
    let release!: () => void;
    this.turn = new Promise<void>((resolve) => (release = resolve));
    let mine = false;
    try {
      await waitOrAbort(previous, signal);
      this.answers = answers;
      mine = true;
      return await work();
    } finally {
      if (mine) this.answers = undefined;
      // The next call starts only after the previous one ended, even when this one gave up waiting.
      void previous.then(release);
    }
  }
}

function waitOrAbort(turn: Promise<void>, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.reject(new NodeError("cancelled", "The run was cancelled."));
  return new Promise((resolve, reject) => {
    const onAbort = () => reject(new NodeError("cancelled", "The run was cancelled."));
    signal.addEventListener("abort", onAbort, { once: true });
    void turn.then(() => {
      signal.removeEventListener("abort", onAbort);
      resolve();
    });
  });
}
