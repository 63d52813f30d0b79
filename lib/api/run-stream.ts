import { followRun } from "@/lib/runs/follow";
import { getRunView } from "./runs";
import { TERMINAL_RUN_STATUSES, type RunView, type StreamEvent } from "./schemas";

const HEARTBEAT_MS = 15_000;

/**
 * Server-Sent Events of one run for the public API.
 *
 * Order of events: `snapshot` (the run and its steps from PostgreSQL), then live `step`, `delta`
 * and `run` events from the run's Redis channel, ending with a terminal `run` event (succeeded,
 * failed or cancelled), after which the stream closes. When the run is already finished the
 * terminal `run` event is derived from the snapshot, so every stream ends the same way.
 *
 * Event ids are a counter that continues from the `Last-Event-ID` a client reconnects with, so ids
 * only grow for one client. Resuming does not replay the missed events one by one: the reconnect
 * starts with a fresh snapshot, which already contains every step's current state and, for a
 * running LLM step, the text it has streamed so far (`partialText`, kept in Redis by
 * lib/runs/events.ts); later `delta` events continue that text.
 *
 * The subscription opens before the snapshot is read, so nothing published in between is lost;
 * buffered events the snapshot already covers are dropped: the `running` event of a step the
 * snapshot knows, and deltas whose byte offset lies inside the partial text already sent.
 */
export function runEventStream(options: { workspaceId: string; runId: string; lastEventId?: string | null; signal?: AbortSignal; headers?: HeadersInit }): Response {
  const { workspaceId, runId, signal } = options;
  const resumedFrom = Number.parseInt(options.lastEventId ?? "", 10);
  let sequence = Number.isSafeInteger(resumedFrom) && resumedFrom >= 0 ? resumedFrom : 0;

  const stream = liveSseStream(signal, (io) => {
    const send = (event: StreamEvent) => {
      if (io.closed()) return;
      sequence += 1;
      io.write(`id: ${sequence}\nevent: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`);
    };
    return followRun<RunView>(runId, {
      load: () => getRunView(workspaceId, runId),
      steps: (view) => view.steps,
      onSnapshot: (view, partials) => {
        if (!view) return io.close();
        const steps = view.steps.map((s) => {
          const partialText = partials.get(`${s.nodeId}:${s.iteration}`);
          return partialText === undefined ? s : { ...s, partialText };
        });
        send({ type: "snapshot", run: { ...view, steps } });
        if (TERMINAL_RUN_STATUSES.includes(view.status)) {
          send({ type: "run", status: view.status, output: view.output, error: view.error, at: view.finishedAt ?? view.createdAt });
          io.close();
        }
      },
      onEvent: (event) => {
        // A chat turn's stored answer rides on its end event for the chat's stream only.
        const { message: _chatMessage, ...shown } = event as StreamEvent & { message?: unknown };
        send(shown as StreamEvent);
        if (event.type === "run" && TERMINAL_RUN_STATUSES.includes(event.status)) io.close();
      },
    });
  });

  return sseResponse(stream, options.headers);
}

export interface LiveSseWriter {
  /** Enqueues SSE text (nothing once closed). */
  write(text: string): void;
  /** Ends the stream and unsubscribes; safe to call more than once, also before `follow` has resolved. */
  close(): void;
  closed(): boolean;
}

/**
 * The plumbing every live SSE stream of a run shares (this file's and the OpenAI endpoint's):
 * `follow` subscribes (it returns the unsubscribe function) and writes through the writer; a
 * keep-alive comment goes out every 15 s; the client going away (`signal`, or the stream being
 * cancelled) unsubscribes; a failure to subscribe errors the stream.
 */
export function liveSseStream(signal: AbortSignal | undefined, follow: (io: LiveSseWriter) => Promise<() => Promise<void>>): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  let cleanup: (() => Promise<void>) | undefined;
  return new ReadableStream<Uint8Array>({
    async start(controller) {
      let closed = false;
      const heartbeat = setInterval(() => {
        if (!closed) controller.enqueue(encoder.encode(": keep-alive\n\n"));
      }, HEARTBEAT_MS);
      const stop = () => {
        closed = true;
        clearInterval(heartbeat);
        void cleanup?.();
      };
      const io: LiveSseWriter = {
        write: (text) => {
          if (!closed) controller.enqueue(encoder.encode(text));
        },
        close: () => {
          if (closed) return;
          stop();
          controller.close();
        },
        closed: () => closed,
      };
      signal?.addEventListener("abort", io.close);
      try {
        cleanup = await follow(io);
      } catch (error) {
        clearInterval(heartbeat);
        closed = true;
        controller.error(error);
        return;
      }
      if (closed) await cleanup();
    },
    async cancel() {
      await cleanup?.();
    },
  });
}

/** A Server-Sent Events response: never cached or buffered by proxies (the internal and v1 streams share it). */
export function sseResponse(stream: ReadableStream<Uint8Array>, headers?: HeadersInit): Response {
  return new Response(stream, {
    headers: {
      "Content-Type": "text/event-stream; charset=utf-8",
      "Cache-Control": "no-cache, no-transform",
      Connection: "keep-alive",
      "X-Accel-Buffering": "no",
      ...Object.fromEntries(new Headers(headers).entries()),
    },
  });
}
