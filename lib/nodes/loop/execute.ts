import { NodeError } from "@/lib/engine/errors";
import type { NodeExecutor } from "@/lib/engine/node-kit";
import { resolveValueTemplate } from "@/lib/engine/template";
import type { LoopConfig } from "./definition";

function describe(value: unknown): string {
  if (value === null) return "null";
  if (typeof value === "string") return `the text "${value.length > 40 ? `${value.slice(0, 39)}…` : value}"`;
  return `a ${typeof value}`;
}

/**
 * Resolves the list; the engine then runs the loop's body once per item (see run-engine.ts).
 * A bare reference keeps its type, and text holding a JSON array (a template's output) is accepted.
 */
export const executeLoop: NodeExecutor<LoopConfig> = async (ctx) => {
  let items = await resolveValueTemplate(ctx.config.items, ctx.scope);
  if (typeof items === "string" && items.trim().startsWith("[")) {
    try {
      items = JSON.parse(items);
    } catch {
      // Not JSON after all: reported below as text.
    }
  }
  if (!Array.isArray(items)) {
    throw new NodeError("invalid_input", `The loop needs a list, but ${ctx.config.items.trim()} is ${describe(items)}.`);
  }
  return { output: { items }, input: { count: items.length } };
};
