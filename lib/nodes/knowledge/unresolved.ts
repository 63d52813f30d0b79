import { z } from "zod";

/**
 * Knowledge bases an imported workflow referred to that the import could not find in this
 * workspace (lib/workflows/knowledge-refs.ts), by their name in the file. Kept on the node (Knowledge
 * node, Agent) as a validation error until someone picks a base and dismisses the notice, so a
 * workflow never silently runs without them or against another base.
 */
export const unresolvedKnowledgeShape = {
  unresolvedKnowledgeBases: z.array(z.string().max(200)).max(10).optional(),
};

export const unresolvedKnowledgeProblems = (names: readonly string[] | undefined): string[] =>
  (names ?? []).map((name) => `Knowledge base "${name}" not found in this workspace, pick one (then dismiss the notice).`);
