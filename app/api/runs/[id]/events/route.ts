import { NextResponse } from "next/server";
import type { RunEvent } from "@/lib/engine/run-ports";
import { authenticate, parseJson } from "@/lib/auth/http";
import { handle } from "@/lib/http/route";
import { subscribeToRun } from "@/lib/runs/events";
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
        const forward = (event: RunEvent) => {
          send(event.type, event);
          if (event.type === "run" && isTerminalStatus(event.status)) close();
        };
        const heartbeat = setInterval(() => {
          if (!closed) controller.enqueue(encoder.encode(": keep-alive\n\n"));
        }, HEARTBEAT_MS);
        request.signal.addEventListener("abort", close);

        cleanup = await subscribeToRun(id, (event) => (snapshot ? forward(event) : buffered.push(event)));
        snapshot = await getRunSnapshot(member, id);
        send("snapshot", snapshot);
        if (isTerminalStatus(snapshot.run.status)) return close();
        const finished = new Map(snapshot.steps.filter((s) => s.status !== "running").map((s) => [`${s.nodeId}:${s.iteration}`, s.status]));
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
      },
    });
  });
}
