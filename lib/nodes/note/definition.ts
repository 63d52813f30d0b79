import { z } from "zod";
import { defineNode } from "@/lib/engine/node-kit";

export const NoteConfigSchema = z.object({
  /** Markdown shown on the canvas. */
  text: z.string().max(20_000).default(""),
});
export type NoteConfig = z.infer<typeof NoteConfigSchema>;

/** A canvas comment: no handles, never executed, ignored by the connectivity checks. */
export const noteNode = defineNode({
  type: "note",
  label: "Note",
  description: "A comment on the canvas (Markdown). Not part of the run.",
  category: "basic",
  color: "#ca8a04",
  configSchema: NoteConfigSchema,
  defaultConfig: () => ({ text: "" }),
  hasInput: false,
  executable: false,
  supportsErrorPolicy: false,
  outputHandles: () => [],
  outputFields: () => [],
  templates: () => [],
});
