import type { Graph } from "@/lib/engine/graph";
import { db } from "@/lib/db/client";

/** Graph builders and polls for the tests of approvals and questions. */

let x = 0;
const at = () => ({ x: (x += 200), y: 0 });
const startNode = { id: "start", type: "start", position: at(), data: { inputs: [{ name: "customer", label: "", type: "string", required: true, description: "" }] } };

/**
 * start → gate (Human approval) → APPROVED: ok / REJECTED: no / TIMEOUT: late (when chosen) →
 * pick (first that ran) → end { decision, comment, by, path }.
 */
export function approvalGraph(options: { timeout?: { amount: number; unit: "minutes" }; onTimeout?: "approve" | "reject" | "timeout"; assigneeRole?: string } = {}): Graph {
  const timeoutBranch = options.timeout && options.onTimeout === "timeout";
  const branches = [
    ["ok", "approved", "approved for {{ start.customer }}"],
    ["no", "rejected", "rejected for {{ start.customer }}"],
    ...(timeoutBranch ? [["late", "timeout", "nobody decided"]] : []),
  ] as const;
  return {
    version: 1,
    nodes: [
      startNode,
      {
        id: "gate",
        type: "approval",
        position: at(),
        data: {
          title: "Refund for {{ start.customer }}?",
          message: "Customer {{ start.customer }} asks for a refund.",
          assigneeRole: options.assigneeRole ?? null,
          timeout: options.timeout ?? null,
          onTimeout: options.onTimeout ?? "reject",
        },
      },
      ...branches.map(([id, , text]) => ({ id, type: "template", position: at(), data: { template: text, format: "text" } })),
      { id: "pick", type: "aggregate", position: at(), data: { variables: branches.map(([id]) => `${id}.text`) } },
      {
        id: "end",
        type: "end",
        position: at(),
        data: {
          outputs: [
            { name: "decision", value: "{{ gate.decision }}" },
            { name: "comment", value: "{{ gate.comment }}" },
            { name: "by", value: "{{ gate.decidedBy }}" },
            { name: "path", value: "{{ pick.value }}" },
          ],
        },
      },
    ],
    edges: [
      { id: "e1", source: "start", target: "gate" },
      ...branches.map(([id, handle]) => ({ id: `e_${id}`, source: "gate", sourceHandle: handle, target: id })),
      ...branches.map(([id]) => ({ id: `e_${id}_pick`, source: id, target: "pick" })),
      { id: "e_end", source: "pick", target: "end" },
    ],
  };
}

/** start → ask (Question: carrier choice, parcels number, express yes/no) → end with the answers. */
export function questionGraph(timeout?: { amount: number; unit: "minutes" }): Graph {
  return {
    version: 1,
    nodes: [
      startNode,
      {
        id: "ask",
        type: "question",
        position: at(),
        data: {
          title: "Shipping for {{ start.customer }}",
          prompt: "How should we ship the order of {{ start.customer }}?",
          fields: [
            { name: "carrier", label: "Carrier", type: "select", required: true, options: ["DHL", "UPS"], default: "DHL", description: "" },
            { name: "parcels", label: "Parcels", type: "number", required: true, options: [], default: 1, description: "" },
            { name: "express", label: "Express", type: "boolean", required: false, options: [], default: false, description: "" },
          ],
          timeout: timeout ?? null,
        },
      },
      {
        id: "end",
        type: "end",
        position: at(),
        data: {
          outputs: [
            { name: "carrier", value: "{{ ask.carrier }}" },
            { name: "parcels", value: "{{ ask.parcels }}" },
            { name: "express", value: "{{ ask.express }}" },
            { name: "by", value: "{{ ask.answeredBy }}" },
            { name: "timedOut", value: "{{ ask.timedOut }}" },
          ],
        },
      },
    ],
    edges: [
      { id: "e1", source: "start", target: "ask" },
      { id: "e2", source: "ask", target: "end" },
    ],
  };
}

/**
 * Two branches from Start: `gate` (approval) and `side` (a template) that finishes while the gate
 * waits; `end` joins them.
 */
export function parallelGraph(): Graph {
  const base = approvalGraph();
  return {
    version: 1,
    nodes: [
      startNode,
      base.nodes.find((n) => n.id === "gate")!,
      { id: "side", type: "template", position: at(), data: { template: "side work for {{ start.customer }}", format: "text" } },
      { id: "end", type: "end", position: at(), data: { outputs: [{ name: "decision", value: "{{ gate.decision }}" }, { name: "side", value: "{{ side.text }}" }] } },
    ],
    edges: [
      { id: "e1", source: "start", target: "gate" },
      { id: "e2", source: "start", target: "side" },
      { id: "e3", source: "gate", sourceHandle: "approved", target: "end" },
      { id: "e4", source: "gate", sourceHandle: "rejected", target: "end" },
      { id: "e5", source: "side", target: "end" },
    ],
  };
}

/** Polls PostgreSQL until the run has `status` (the worker is another process). */
export async function waitForStatus(runId: string, status: string, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const run = await db().run.findUniqueOrThrow({ where: { id: runId }, include: { steps: true, waits: true } });
    if (run.status === status) return run;
    if (["succeeded", "failed", "cancelled"].includes(run.status) && run.status !== status) {
      throw new Error(`run ${runId} ended ${run.status} while waiting for ${status}: ${JSON.stringify(run.error)}`);
    }
    if (Date.now() > deadline) throw new Error(`run ${runId} still ${run.status} after ${timeoutMs} ms (wanted ${status})`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The run's one pending wait (the test's runs wait for one thing at a time). */
export async function pendingWait(runId: string) {
  return db().runWait.findFirstOrThrow({ where: { runId, status: "pending" } });
}
