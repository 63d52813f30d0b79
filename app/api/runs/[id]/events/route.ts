import { NextResponse } from "next/server";
import type { RunEvent } from "@/lib/engine/run-ports";
import { authenticate, parseJson } from "@/lib/auth/http";
import { handle } from "@/lib/http/route";
import { eventsRedis, readPartials, subscribeToRun } from "@/lib/runs/events";
import { getRunSnapshot, isTerminalStatus, type RunSnapshot } from "@/lib/runs/service";

export const dynamic = "force-dynamic";

const HEARTBEAT_MS = 15_000;

/**
 * Server-Sent Events of one run. The subscription opens before the snapshot is read, so nothing
 * published in between is missed; events the snapshot already covers are not replayed backwards.
 */
export async function GET(request: Request, { params }: { params: Promise<{ id: string }> }) {
  const member = await authenticate(request);
  if (member instanceof Response) return member;
  const { id } = await params;
  return handle(async () => {
    await getRunSnapshot(member, id); // 404 before opening a stream for someone else's run
    const encoder = new TextEncoder();
    let cleanup: (() => Promise<void>) | undefined;

    const stream = new ReadableStream<Uint8Array>({
      async start(controller) {
        let closed = false;
        let snapshot: RunSnapshot | undefined;
        const buffered: RunEvent[] = [];
        const send = (event: string, data: unknown) => {
          if (!closed) controller.enqueue(encoder.encode(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`));
        };
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
          send(event.type, event);
          if (event.type === "run" && isTerminalStatus(event.status)) close();
        };
        const heartbeat = setInterval(() => {
          if (!closed) controller.enqueue(encoder.encode(": keep-alive\n\n"));
        }, HEARTBEAT_MS);
        request.signal.addEventListener("abort", close);

        cleanup = await subscribeToRun(id, (event) => (snapshot ? forward(event) : buffered.push(event)));
        const current = await getRunSnapshot(member, id);
        const running = current.steps.filter((s) => s.status === "running");
        const partials = await readPartials(eventsRedis(), id, running).catch(() => new Map<string, string>());
        for (const [key, text] of partials) sentBytes.set(key, Buffer.byteLength(text));
        snapshot = current;
        send("snapshot", {
          ...current,
          steps: current.steps.map((s) => ({ ...s, partialText: partials.get(`${s.nodeId}:${s.iteration}`) })),
        });
        if (isTerminalStatus(current.run.status)) return close();
        // The snapshot already reflects these steps' starts; replaying one would reset their streamed text.
        const known = new Set(current.steps.map((s) => `${s.nodeId}:${s.iteration}`));
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
      },
    });
  });
}
