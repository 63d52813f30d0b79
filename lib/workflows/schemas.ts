import { z } from "zod";
import { GraphSchema } from "@/lib/engine/graph";

/** Shapes of workflows that browser, server and public API share (no server imports here). */

export const WorkflowNameSchema = z.string().trim().min(1, "Name is required").max(120, "Name is at most 120 characters");

export const WORKFLOW_FILE_FORMAT = "weft.workflow";

export const WorkflowFileSchema = z.object({
  format: z.literal(WORKFLOW_FILE_FORMAT, { error: `Not a Weft workflow file (expected "format": "${WORKFLOW_FILE_FORMAT}").` }),
  version: z.literal(1, { error: "This workflow file was written by a newer Weft (file version is not 1)." }),
  name: WorkflowNameSchema,
  description: z.string().max(2000).default(""),
  graph: GraphSchema,
  exportedAt: z.string().optional(),
});
export type WorkflowFile = z.infer<typeof WorkflowFileSchema>;

/** The import request: the file, optionally under another name. */
export const ImportWorkflowSchema = z.object({
  file: WorkflowFileSchema,
  name: WorkflowNameSchema.optional(),
});

