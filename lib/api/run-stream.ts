import type { RunEvent } from "@/lib/engine/run-ports";
import { subscribeToRun } from "@/lib/runs/events";
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
 * starts with a fresh snapshot, which already contains every step's current state, then live
 * events. Missed `delta` pieces of a step still running are not replayed; its complete output
 * arrives with its `step` event.
 *
 * The subscription opens before the snapshot is read, so nothing published in between is lost;
 * buffered events the snapshot already supersedes (a `running` step that has since finished) are
 * dropped.
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
      const forward = (event: RunEvent) => {
        send(event as StreamEvent);
        if (event.type === "run" && TERMINAL_RUN_STATUSES.includes(event.status)) close();
      };
      signal?.addEventListener("abort", close);

      try {
        cleanup = await subscribeToRun(runId, (event) => (snapshot ? forward(event) : buffered.push(event)));
        snapshot = await getRunView(workspaceId, runId);
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
      const finished = new Set(snapshot.steps.filter((s) => s.status !== "running").map((s) => `${s.nodeId}:${s.iteration}`));
      for (const event of buffered) {
        if (event.type === "step" && event.status === "running" && finished.has(`${event.nodeId}:${event.iteration}`)) continue;
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
