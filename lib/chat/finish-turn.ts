import type { Db } from "@/lib/db/client";
import { conversationOf } from "@/lib/engine/conversation";
import { GraphSchema } from "@/lib/engine/graph";
import type { Prisma } from "@/lib/generated/prisma/client";
import { nodeRegistry } from "@/lib/nodes/registry";

/**
 * Closes a chat turn once its run has ended: the pending assistant message gets its text (the
 * Answer nodes' texts in the order they ran, or the End output when the workflow has no Answer
 * node), its status and the citations of knowledge retrieval; the conversation keeps the final
 * values of its conversation variables. Called by the worker when a conversational run ends and
 * by "stop generating"; idempotent (only a `pending` message is written).
 */

const MESSAGE_STATUS: Record<string, string> = { succeeded: "done", failed: "failed", cancelled: "cancelled" };

type StepRow = { nodeType: string; output: Prisma.JsonValue; detail: Prisma.JsonValue };

/** The text of the End output: one text field (or `answer`/`text`) as is, anything else as JSON. */
export function endOutputText(output: unknown): string {
  if (output === null || output === undefined) return "";
  if (typeof output === "string") return output;
  if (typeof output === "object" && !Array.isArray(output)) {
    const record = output as Record<string, unknown>;
    for (const key of ["answer", "text"]) if (typeof record[key] === "string") return record[key] as string;
    const values = Object.values(record);
    if (values.length === 1 && typeof values[0] === "string") return values[0];
  }
  return JSON.stringify(output, null, 2);
}

function citationsOf(steps: StepRow[]): Prisma.InputJsonValue[] {
  const citations: Prisma.InputJsonValue[] = [];
  for (const step of steps) {
    if (step.nodeType !== "knowledge") continue;
    const list = (step.detail as { retrieval?: { citations?: unknown[] } } | null)?.retrieval?.citations;
    if (!Array.isArray(list)) continue;
    for (const c of list as { citation?: number; documentName?: string; page?: number | null; section?: string | null }[]) {
      citations.push({ citation: c.citation ?? citations.length + 1, documentName: c.documentName ?? "", page: c.page ?? null, section: c.section ?? null });
    }
  }
  return citations;
}

/** Conversation variables after the run: assign steps' outputs in the order they finished (variables.ts). */
function finalVariables(names: readonly string[], steps: StepRow[], before: Record<string, unknown>): Record<string, unknown> {
  const values = { ...before };
  for (const step of steps) {
    if (!nodeRegistry[step.nodeType]?.assignsVariables || typeof step.output !== "object" || step.output === null) continue;
    for (const [name, value] of Object.entries(step.output)) if (names.includes(name)) values[name] = value;
  }
  return values;
}

export async function finishChatTurn(db: Db, runId: string): Promise<void> {
  const message = await db.message.findFirst({ where: { runId, role: "assistant", status: "pending" }, select: { id: true, conversationId: true } });
  if (!message) return;
  const run = await db.run.findUnique({ where: { id: runId }, select: { status: true, output: true, graph: true } });
  const status = run ? MESSAGE_STATUS[run.status] : "failed";
  if (!status) return;
  const steps = await db.runStep.findMany({
    where: { runId, status: "succeeded" },
    orderBy: [{ finishedAt: "asc" }, { startedAt: "asc" }],
    select: { nodeType: true, output: true, detail: true },
  });
  const answers = steps.filter((s) => s.nodeType === "answer").map((s) => String((s.output as { text?: unknown } | null)?.text ?? ""));
  const content = answers.length > 0 ? answers.filter(Boolean).join("\n\n") : run?.status === "succeeded" ? endOutputText(run.output) : "";
  const citations = citationsOf(steps);
  const graph = GraphSchema.safeParse(run?.graph);
  const settings = graph.success ? conversationOf(graph.data, nodeRegistry) : null;
  await db.$transaction(async (tx) => {
    const written = await tx.message.updateMany({
      where: { id: message.id, status: "pending" },
      data: { status, content, ...(citations.length ? { citations } : {}) },
    });
    if (written.count === 0 || !settings?.variables.length || run?.status !== "succeeded") return;
    const conversation = await tx.conversation.findUniqueOrThrow({ where: { id: message.conversationId }, select: { variables: true } });
    const before = (conversation.variables ?? {}) as Record<string, unknown>;
    await tx.conversation.update({ where: { id: message.conversationId }, data: { variables: finalVariables(settings.variables, steps, before) as Prisma.InputJsonValue } });
  });
}
