import { z } from "zod";
import { LIMITS } from "@/lib/engine/limits";
import { defineNode } from "@/lib/engine/node-kit";

export const LOOP_ITEM_ERRORS = ["fail", "continue", "skip"] as const;

export const LoopConfigSchema = z.object({
  /** The list to iterate: a template that resolves to an array, usually one reference (`{{ start.urls }}`). */
  items: z.string().max(10_000),
  /** Items whose body runs at the same time; results keep the input order whatever this is. */
  parallelism: z.number().int().min(1).max(LIMITS.maxLoopParallelism).default(1),
  /** The body value collected per item (`fetch.body`); empty: every body node's output, by node id. */
  output: z.string().max(500).default(""),
  /** JSONata, evaluated after each item in the item's scope; true stops the loop after that item. */
  breakCondition: z.string().max(10_000).default(""),
  /** What a failed item does: fail the loop, count as null, or be left out of the results. */
  onItemError: z.enum(LOOP_ITEM_ERRORS).default("fail"),
});
export type LoopConfig = z.infer<typeof LoopConfigSchema>;

export const loopNode = defineNode({
  type: "loop",
  label: "Loop",
  description: "Runs the nodes inside it once per item of a list and collects their results in order.",
  category: "logic",
  color: "#0f766e",
  configSchema: LoopConfigSchema,
  defaultConfig: () => ({ items: "", parallelism: 1, output: "", breakCondition: "", onItemError: "fail" as const }),
  hasInput: true,
  // Timeout and retry are per body node; the loop's own failure policy is onItemError.
  supportsErrorPolicy: false,
  outputHandles: () => [{ id: "out", label: "" }],
  outputFields: () => [
    { name: "results", type: "array" as const, description: "One result per item, in the order of the list" },
    { name: "count", type: "number" as const, description: "How many results there are" },
  ],
  templates: (config) => [config.items],
  check: (config) => (config.items.trim() ? [] : ["Choose the list to loop over, such as {{ start.items }}."]),
  container: {
    bodyFields: () => [
      { name: "item", type: "any" as const, description: "The current item of the list" },
      { name: "index", type: "number" as const, description: "Its position in the list, from 0" },
    ],
    plan: (config) => ({
      parallelism: config.parallelism,
      onItemError: config.onItemError,
      ...(config.breakCondition.trim() ? { breakCondition: config.breakCondition } : {}),
      ...(config.output.trim() ? { collect: config.output.trim() } : {}),
    }),
  },
});
