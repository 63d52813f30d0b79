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
  const { workspaceId, runId } = options;
  const resumedFrom = Number.parseInt(options.lastEventId ?? "", 10);
  let sequence = Number.isSafeInteger(resumedFrom) && resumedFrom >= 0 ? resumedFrom : 0;
  return followedSse(options, (write, close) => {
    const send = (event: StreamEvent) => {
      sequence += 1;
      write(`id: ${sequence}\nevent: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`);
    };
    return followRun<RunView>(runId, {
      load: () => getRunView(workspaceId, runId),
      steps: (view) => view.steps,
      onSnapshot: (view, partials) => {
        if (!view) return close();
        const steps = view.steps.map((s) => {
          const partialText = partials.get(`${s.nodeId}:${s.iteration}`);
          return partialText === undefined ? s : { ...s, partialText };
        });
        send({ type: "snapshot", run: { ...view, steps } });
        if (TERMINAL_RUN_STATUSES.includes(view.status)) {
          send({ type: "run", status: view.status, output: view.output, error: view.error, at: view.finishedAt ?? view.createdAt });
          close();
        }
      },
      onEvent: (event) => {
        send(event as StreamEvent);
        if (event.type === "run" && TERMINAL_RUN_STATUSES.includes(event.status)) close();
      },
    });
  });
}

/**
 * The lifecycle of a followed run as Server-Sent Events (the API stream and the chat stream):
 * `follow(write, close)` subscribes (resolving to its unsubscribe function) and writes frames;
 * a heartbeat keeps proxies from closing an idle stream; closing (by `follow`, the client going
 * away or `signal`) unsubscribes once. A failure to subscribe errors the stream.
 */
export function followedSse(
  options: { signal?: AbortSignal; headers?: HeadersInit },
  follow: (write: (frame: string) => void, close: () => void) => Promise<() => Promise<void>>,
): Response {
  const encoder = new TextEncoder();
  let cleanup: (() => Promise<void>) | undefined;
  const stream = new ReadableStream<Uint8Array>({
    async start(controller) {
      let closed = false;
      const write = (frame: string) => {
        if (!closed) controller.enqueue(encoder.encode(frame));
      };
      const heartbeat = setInterval(() => write(": keep-alive\n\n"), HEARTBEAT_MS);
      const close = () => {
        if (closed) return;
        closed = true;
        clearInterval(heartbeat);
        void cleanup?.();
        controller.close();
      };
      options.signal?.addEventListener("abort", close);
      try {
        cleanup = await follow(write, close);
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
  return sseResponse(stream, options.headers);
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
