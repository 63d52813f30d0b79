import type { NodeExecutor } from "@/lib/engine/node-kit";
import type { AnswerConfig } from "./definition";

/**
 * Renders the text and publishes it as the step's streamed text (a `delta` run event on the same
 * path as model tokens, lib/runs/events.ts), so the chat shows it at once; the step's output keeps it.
 */
export const executeAnswer: NodeExecutor<AnswerConfig> = async (ctx) => {
  const text = await ctx.render(ctx.config.text);
  if (text) ctx.emitDelta(text);
  return { output: { text }, input: { text } };
};
