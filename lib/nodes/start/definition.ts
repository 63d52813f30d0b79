import { z } from "zod";
import { defineNode, VALUE_TYPES } from "@/lib/engine/node-kit";
import { CHAT_INPUTS, ConversationSettingsSchema } from "@/lib/engine/conversation";

export const StartInputSchema = z.object({
  name: z.string().regex(/^[a-zA-Z_][a-zA-Z0-9_]{0,63}$/, "input names are letters, digits and _, starting with a letter"),
  label: z.string().max(120).default(""),
  type: z.enum(VALUE_TYPES).exclude(["any"]),
  required: z.boolean().default(true),
  description: z.string().max(500).default(""),
});
export type StartInput = z.infer<typeof StartInputSchema>;

export const StartConfigSchema = z.object({
  inputs: z.array(StartInputSchema).max(50),
  /** Marks the workflow as conversational (chat apps): see lib/engine/conversation.ts. */
  conversation: ConversationSettingsSchema.optional(),
});
export type StartConfig = z.infer<typeof StartConfigSchema>;

export const startNode = defineNode({
  type: "start",
  label: "Start",
  description: "Where the workflow begins. Declares the inputs a run is started with.",
  category: "basic",
  color: "#2563eb",
  configSchema: StartConfigSchema,
  defaultConfig: () => ({ inputs: [{ name: "question", label: "Question", type: "string" as const, required: true, description: "" }] }),
  hasInput: false,
  pure: true,
  role: "start",
  outputHandles: () => [{ id: "out", label: "" }],
  outputFields: (config) => [
    ...config.inputs.map((input) => ({ name: input.name, type: input.type, description: input.label })),
    ...(config.conversation?.enabled ? CHAT_INPUTS.map((input) => ({ name: input.name, type: input.type, description: input.label })) : []),
  ],
  templates: () => [],
  check: (config) => {
    const seen = new Set<string>();
    const problems: string[] = [];
    for (const input of config.inputs) {
      if (seen.has(input.name)) problems.push(`Input "${input.name}" is declared twice.`);
      seen.add(input.name);
      if (config.conversation?.enabled && CHAT_INPUTS.some((chat) => chat.name === input.name)) {
        problems.push(`Input "${input.name}" is provided by the conversation; rename it.`);
      }
    }
    return problems;
  },
});
