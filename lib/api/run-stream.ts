import type { RunEvent } from "@/lib/engine/run-ports";
import { eventsRedis, readPartials, subscribeToRun } from "@/lib/runs/events";
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
  const encoder = new TextEncoder();
  const resumedFrom = Number.parseInt(options.lastEventId ?? "", 10);
  let sequence = Number.isSafeInteger(resumedFrom) && resumedFrom >= 0 ? resumedFrom : 0;
  let cleanup: (() => Promise<void>) | undefined;

  const stream = new ReadableStream<Uint8Array>({
    async start(controller) {
      let closed = false;
      let snapshot: RunView | null | undefined;
      const buffered: RunEvent[] = [];
      const send = (event: StreamEvent) => {
        if (closed) return;
        sequence += 1;
        controller.enqueue(encoder.encode(`id: ${sequence}\nevent: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`));
      };
      const heartbeat = setInterval(() => {
        if (!closed) controller.enqueue(encoder.encode(": keep-alive\n\n"));
      }, HEARTBEAT_MS);
      const close = () => {
        if (closed) return;
        closed = true;
        clearInterval(heartbeat);
        void cleanup?.();
        controller.close();
      };
      // Bytes of each running step's streamed text already sent in the snapshot.
      const sentBytes = new Map<string, number>();
      const forward = (event: RunEvent) => {
        if (event.type === "delta" && event.offset !== undefined && event.offset < (sentBytes.get(`${event.nodeId}:${event.iteration}`) ?? 0)) return;
        send(event as StreamEvent);
        if (event.type === "run" && TERMINAL_RUN_STATUSES.includes(event.status)) close();
      };
      signal?.addEventListener("abort", close);

      try {
        cleanup = await subscribeToRun(runId, (event) => (snapshot ? forward(event) : buffered.push(event)));
        const current = await getRunView(workspaceId, runId);
        if (current) {
          const running = current.steps.filter((s) => s.status === "running");
          const partials = await readPartials(eventsRedis(), runId, running).catch(() => new Map<string, string>());
          for (const [key, text] of partials) sentBytes.set(key, Buffer.byteLength(text));
          current.steps = current.steps.map((s) => {
            const partialText = partials.get(`${s.nodeId}:${s.iteration}`);
            return partialText === undefined ? s : { ...s, partialText };
          });
        }
        snapshot = current;
      } catch (error) {
        clearInterval(heartbeat);
        void cleanup?.();
        controller.error(error);
        return;
      }
      if (!snapshot) return close();
      send({ type: "snapshot", run: snapshot });
      if (TERMINAL_RUN_STATUSES.includes(snapshot.status)) {
        send({ type: "run", status: snapshot.status, output: snapshot.output, error: snapshot.error, at: snapshot.finishedAt ?? snapshot.createdAt });
        return close();
      }
      // The snapshot already reflects these steps' starts; replaying one would reset their streamed text.
      const known = new Set(snapshot.steps.map((s) => `${s.nodeId}:${s.iteration}`));
      for (const event of buffered) {
        if (event.type === "step" && event.status === "running" && known.has(`${event.nodeId}:${event.iteration}`)) continue;
        forward(event);
      }
    },
    async cancel() {
      await cleanup?.();
    },
  });

  return new Response(stream, {
    headers: {
      "Content-Type": "text/event-stream; charset=utf-8",
      "Cache-Control": "no-cache, no-transform",
      Connection: "keep-alive",
      "X-Accel-Buffering": "no",
      ...Object.fromEntries(new Headers(options.headers).entries()),
    },
  });
}
