import type { NodeExecutor } from "@/lib/engine/node-kit";
import { resolveValueTemplate } from "@/lib/engine/template";
import type { EndConfig } from "./definition";

/** Maps upstream values to the run output; `{{ llm_1.json }}` alone keeps the object, not its text. */
export const executeEnd: NodeExecutor<EndConfig> = async (ctx) => {
  const output: Record<string, unknown> = {};
  for (const { name, value } of ctx.config.outputs) {
    output[name] = await resolveValueTemplate(value, ctx.scope);
  }
  return { output };
};
