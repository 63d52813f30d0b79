import { z } from "zod";
import { defineNode } from "@/lib/engine/node-kit";

export const EndOutputSchema = z.object({
  name: z.string().regex(/^[a-zA-Z_][a-zA-Z0-9_]{0,63}$/, "output names are letters, digits and _, starting with a letter"),
  /** A template; a single bare reference like {{ llm.text }} keeps the value's own type. */
  value: z.string().max(20_000),
});

export const EndConfigSchema = z.object({
  outputs: z.array(EndOutputSchema).max(50),
});
export type EndConfig = z.infer<typeof EndConfigSchema>;

export const endNode = defineNode({
  type: "end",
  label: "End",
  description: "Maps upstream values to the workflow's output.",
  category: "basic",
  color: "#0f766e",
  configSchema: EndConfigSchema,
  defaultConfig: () => ({ outputs: [{ name: "result", value: "" }] }),
  hasInput: true,
  pure: true,
  role: "end",
  outputHandles: () => [],
  outputFields: (config) => config.outputs.map((o) => ({ name: o.name, type: "any" as const })),
  templates: (config) => config.outputs.map((o) => o.value),
  check: (config) => {
    const problems: string[] = [];
    const seen = new Set<string>();
    for (const o of config.outputs) {
      if (seen.has(o.name)) problems.push(`Output "${o.name}" is declared twice.`);
      seen.add(o.name);
      if (!o.value.trim()) problems.push(`Output "${o.name}" has no value.`);
    }
    return problems;
  },
});
