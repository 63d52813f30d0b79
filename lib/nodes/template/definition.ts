import { z } from "zod";
import { defineNode } from "@/lib/engine/node-kit";

export const TemplateConfigSchema = z.object({
  template: z.string().max(100_000),
  /** "json" parses the rendered text as JSON and publishes it as `json`. */
  format: z.enum(["text", "json"]).default("text"),
});
export type TemplateConfig = z.infer<typeof TemplateConfigSchema>;

export const templateNode = defineNode({
  type: "template",
  label: "Template",
  description: "Builds text or JSON from upstream values.",
  category: "basic",
  color: "#7c3aed",
  configSchema: TemplateConfigSchema,
  defaultConfig: () => ({ template: "", format: "text" as const }),
  hasInput: true,
  pure: true,
  outputHandles: () => [{ id: "out", label: "" }],
  outputFields: (config) =>
    config.format === "json"
      ? [
          { name: "text", type: "string" as const },
          { name: "json", type: "any" as const },
        ]
      : [{ name: "text", type: "string" as const }],
  templates: (config) => [config.template],
  check: (config) => (config.template.trim() ? [] : ["The template is empty."]),
});
