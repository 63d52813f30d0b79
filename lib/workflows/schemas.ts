import { z } from "zod";
import { FileKnowledgeBaseSchema } from "./knowledge-refs";
import { FileRefSchema } from "./name-refs";
import { GraphSchema } from "@/lib/engine/graph";

/** Shapes of workflows that browser, server and public API share (no server imports here). */

export const WorkflowNameSchema = z.string().trim().min(1, "Name is required").max(120, "Name is at most 120 characters");

/**
 * A workflow's slug: its name for other programs (the OpenAI endpoint's `model`, the MCP tool name).
 * Lower-case letters, digits, '-' and '_', starting with a letter or digit, at most 63 characters.
 */
export const WORKFLOW_SLUG_PATTERN = /^[a-z0-9][a-z0-9-_]{0,62}$/;
export const WorkflowSlugSchema = z
  .string()
  .trim()
  .regex(WORKFLOW_SLUG_PATTERN, "A slug is 1 to 63 lower-case letters, digits, '-' or '_', starting with a letter or digit");

/** The slug a name suggests (the migration backfilled existing rows with the same rule). */
export function slugFromName(name: string): string {
  const base = name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 56)
    .replace(/-+$/, "");
  return base || "workflow";
}

export const WORKFLOW_FILE_FORMAT = "weft.workflow";

export const WorkflowFileSchema = z.object({
  format: z.literal(WORKFLOW_FILE_FORMAT, { error: `Not a Weft workflow file (expected "format": "${WORKFLOW_FILE_FORMAT}").` }),
  version: z.literal(1, { error: "This workflow file was written by a newer Weft (file version is not 1)." }),
  name: WorkflowNameSchema,
  description: z.string().max(2000).default(""),
  graph: GraphSchema,
  /** Kept on import when free in the workspace, else suffixed (files from before slugs have none). */
  slug: WorkflowSlugSchema.optional(),
  exportedAt: z.string().optional(),
  /**
   * The knowledge bases the graph refers to, by id and name: ids belong to the exporting workspace,
   * so an import elsewhere maps them by name (lib/workflows/knowledge-refs.ts).
   */
  knowledgeBases: z.array(FileKnowledgeBaseSchema).max(200).optional(),
  /** The model providers of the rerank settings, by id and name, mapped by name on import like the knowledge bases (lib/workflows/provider-refs.ts). */
  providers: z.array(FileRefSchema).max(200).optional(),
});
export type WorkflowFile = z.infer<typeof WorkflowFileSchema>;

/** The import request: the file, optionally under another name. */
export const ImportWorkflowSchema = z.object({
  file: WorkflowFileSchema,
  name: WorkflowNameSchema.optional(),
});

