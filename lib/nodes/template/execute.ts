import { NodeError } from "@/lib/engine/errors";
import type { NodeExecutor } from "@/lib/engine/node-kit";
import type { TemplateConfig } from "./definition";

export const executeTemplate: NodeExecutor<TemplateConfig> = async (ctx) => {
  const text = await ctx.render(ctx.config.template);
  if (ctx.config.format === "text") return { output: { text } };
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new NodeError("output_invalid", `The template did not produce valid JSON: ${reason}`, { cause: error });
  }
  return { output: { text, json } };
};
