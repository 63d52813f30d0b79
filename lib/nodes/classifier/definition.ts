import { z } from "zod";
import { defineNode } from "@/lib/engine/node-kit";
import { textTaskProblems, textTaskShape } from "../model-config";

export const ClassifierClassSchema = z.object({
  /** Also the id of this class's output handle. */
  id: z.string().regex(/^class_[a-z0-9]+$/),
  name: z.string().max(200),
  /** What belongs in this class, for the model. */
  description: z.string().max(2_000).default(""),
});
export type ClassifierClass = z.infer<typeof ClassifierClassSchema>;

export const ClassifierConfigSchema = z.object({
  /** `input`: the text to classify; `instructions`: e.g. how to treat borderline cases. */
  ...textTaskShape,
  classes: z.array(ClassifierClassSchema).max(50).default([]),
  /** Offer the model an `other` class (and the node an OTHER handle) for text that fits none. */
  fallback: z.boolean().default(true),
});
export type ClassifierConfig = z.infer<typeof ClassifierConfigSchema>;

export const OTHER_CLASS_ID = "other";

export const classifierNode = defineNode({
  type: "classifier",
  label: "Classifier",
  description: "A model sorts the text into one of the classes you describe; one branch per class.",
  category: "ai",
  color: "#7c3aed",
  configSchema: ClassifierConfigSchema,
  defaultConfig: () => ({
    providerId: "",
    model: "",
    temperature: 0,
    input: "",
    instructions: "",
    classes: [
      { id: "class_1", name: "", description: "" },
      { id: "class_2", name: "", description: "" },
    ],
    fallback: true,
  }),
  hasInput: true,
  outputHandles: (config) => [
    ...config.classes.map((c) => ({ id: c.id, label: c.name || c.id })),
    ...(config.fallback ? [{ id: OTHER_CLASS_ID, label: "OTHER" }] : []),
  ],
  outputFields: () => [
    { name: "class", type: "string" as const, description: "The id of the chosen class (other when none fits)" },
    { name: "label", type: "string" as const, description: "The name of the chosen class" },
    { name: "reason", type: "string" as const, description: "The model's short reason" },
  ],
  templates: (config) => [config.input, config.instructions],
  check: (config) => {
    const problems = textTaskProblems(config, "The text to classify is empty.");
    if (config.classes.length === 0) problems.push("Add at least one class.");
    const ids = new Set<string>();
    const names = new Map<string, number>();
    config.classes.forEach((c, index) => {
      if (ids.has(c.id)) problems.push(`Class ${index + 1} repeats the id ${c.id}.`);
      ids.add(c.id);
      const name = c.name.trim().toLowerCase();
      if (!name) {
        problems.push(`Class ${index + 1} has no name.`);
        return;
      }
      if (config.fallback && name === OTHER_CLASS_ID) problems.push(`Class ${index + 1} is called "other", which is the fallback class; rename it or turn the fallback off.`);
      const earlier = names.get(name);
      if (earlier !== undefined) problems.push(`Classes ${earlier + 1} and ${index + 1} have the same name "${c.name.trim()}".`);
      else names.set(name, index);
    });
    return problems;
  },
});
