import { z } from "zod";

/**
 * Pinned outputs. A pin lives on the draft graph's node (`node.pin`), so it is saved, copied and
 * undone like any other edit. Only runs of the draft from the editor use pins (the engine's
 * `usePins`, set by the worker for runs without a published version); publishing strips every pin
 * (`withoutPins`), so a published version, and every run of it, never sees one.
 */

/** The largest pinned output (JSON text), well under the engine's per-step output limit. */
export const MAX_PIN_BYTES = 256 * 1024;

export const NodePinSchema = z.object({
  output: z.record(z.string(), z.unknown()).refine((output) => JSON.stringify(output).length <= MAX_PIN_BYTES, {
    message: `A pinned output is at most ${MAX_PIN_BYTES / 1024} KiB of JSON.`,
  }),
  /** The handle the node takes (If/else, Classifier…); absent: every normal handle, as for a node that reports no branch. */
  branch: z.string().min(1).max(100).optional(),
  /** Where the value came from: a past step (run id) or typed by hand. */
  source: z.object({ runId: z.string().max(100).optional(), at: z.string().max(40) }).optional(),
});
export type NodePin = z.infer<typeof NodePinSchema>;

/** The graph as it is published: the same nodes without their pins. */
export function withoutPins<G extends { nodes: readonly { pin?: unknown }[] }>(graph: G): G {
  if (!graph.nodes.some((n) => n.pin !== undefined)) return graph;
  return { ...graph, nodes: graph.nodes.map(({ pin: _pin, ...node }) => node) };
}
