import { liveSseStream, sseResponse } from "@/lib/api/run-stream";
import { withMember } from "@/lib/auth/http";
import { followRun } from "@/lib/runs/follow";
import { getRunSnapshot, isTerminalStatus, type RunSnapshot } from "@/lib/runs/service";

export const dynamic = "force-dynamic";

/**
 * Server-Sent Events of one run. The subscription opens before the snapshot is read, so nothing
 * published in between is missed; events the snapshot already covers are not replayed backwards.
 */
export const GET = withMember("run.read", async (request, member, { params }: { params: Promise<{ id: string }> }) => {
  const { id } = await params;
  await getRunSnapshot(member, id); // 404 before opening a stream for someone else's run
  const stream = liveSseStream(request, ({ write, close }) => {
    const send = (event: string, data: unknown) => write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
    return followRun<RunSnapshot>(id, {
      load: () => getRunSnapshot(member, id),
      steps: (snapshot) => snapshot.steps,
      onSnapshot: (snapshot, partials) => {
        if (!snapshot) return close();
        send("snapshot", {
          ...snapshot,
          steps: snapshot.steps.map((s) => ({ ...s, partialText: partials.get(`${s.nodeId}:${s.iteration}`) })),
        });
        if (isTerminalStatus(snapshot.run.status)) close();
      },
      onEvent: (event) => {
        send(event.type, event);
        if (event.type === "run" && isTerminalStatus(event.status)) close();
      },
    });
  });
  return sseResponse(stream);
});
