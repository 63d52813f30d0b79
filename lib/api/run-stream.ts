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
export function runEventStream(options: { workspaceId: string; runId: string; lastEventId?: string | null; client?: StreamClient; headers?: HeadersInit }): Response {
  const { workspaceId, runId } = options;
  const resumedFrom = Number.parseInt(options.lastEventId ?? "", 10);
  let sequence = Number.isSafeInteger(resumedFrom) && resumedFrom >= 0 ? resumedFrom : 0;

  const stream = liveSseStream(options.client, (io) => {
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
 * The client at the other end of a stream: the route's Request. The stream holds the Request
 * itself, not only its signal, because undici's Request forwards the server's abort (the socket
 * closed) through an AbortController that only the Request object keeps alive: once a route
 * handler has returned and the Request was collected, its signal would never abort.
 */
export type StreamClient = Pick<Request, "signal">;

/**
 * The plumbing every live SSE stream of a run shares (this file's and the OpenAI endpoint's):
 * `follow` subscribes (it returns the unsubscribe function) and writes through the writer; a
 * keep-alive comment goes out every 15 s; the client going away (its request's signal aborts, or
 * the response stream is cancelled, whichever comes first) unsubscribes and calls `onClientGone`
 * once, unless the stream had already been closed by its follower; a failure to subscribe errors
 * the stream.
 */
export function liveSseStream(
  client: StreamClient | undefined,
  follow: (io: LiveSseWriter) => Promise<() => Promise<void>>,
  onClientGone?: () => void,
): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  let cleanup: (() => Promise<void>) | undefined;
  let closed = false;
  let heartbeat: ReturnType<typeof setInterval> | undefined;
  let io: LiveSseWriter | undefined;
  const stop = () => {
    closed = true;
    clearInterval(heartbeat);
    client?.signal.removeEventListener("abort", clientGone);
    void cleanup?.();
  };
  function clientGone() {
    if (closed) return;
    onClientGone?.();
    io?.close();
  }
  return new ReadableStream<Uint8Array>({
    async start(controller) {
      heartbeat = setInterval(() => {
        if (!closed) controller.enqueue(encoder.encode(": keep-alive\n\n"));
      }, HEARTBEAT_MS);
      io = {
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
      if (client?.signal.aborted) clientGone();
      else client?.signal.addEventListener("abort", clientGone);
      try {
        cleanup = await follow(io);
      } catch (error) {
        stop();
        controller.error(error);
        return;
      }
      if (closed) await cleanup();
    },
    cancel() {
      if (closed) return;
      onClientGone?.();
      stop();
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
