import type { NodeExecutor } from "@/lib/engine/node-kit";
import { evaluateRule } from "../condition/execute";
import { DEFAULT_HANDLE_ID, type SwitchConfig } from "./definition";

/** Takes the first case with a value equal to the switched value (same comparison as Condition's "equals"). */
export const executeSwitch: NodeExecutor<SwitchConfig> = async (ctx) => {
  const value = ctx.resolvePath(ctx.config.value) ?? null;
  const match = ctx.config.cases.find((c) => c.values.some((v) => evaluateRule("equals", value, v)));
  const branch = match?.id ?? DEFAULT_HANDLE_ID;
  return { output: { case: branch, value }, branch, input: { [ctx.config.value]: value }, detail: { branch } };
};
