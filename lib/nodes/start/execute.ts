import type { NodeExecutor } from "@/lib/engine/node-kit";
import { CHAT_INPUTS } from "@/lib/engine/conversation";
import type { StartConfig } from "./definition";

/** Publishes the run's inputs under the Start node's id, so `{{ start.question }}` works. */
export const executeStart: NodeExecutor<StartConfig> = async (ctx) => {
  const output: Record<string, unknown> = {};
  // The engine has validated the inputs; an absent optional input is null, never missing.
  for (const input of ctx.config.inputs) output[input.name] = ctx.inputs[input.name] ?? null;
  if (ctx.config.conversation?.enabled) for (const input of CHAT_INPUTS) output[input.name] = ctx.inputs[input.name] ?? null;
  return { output, input: output };
};
