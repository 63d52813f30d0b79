import { z } from "zod";

/**
 * How a node config names its model: `{ providerId, model }`. A concrete model is a provider row id
 * (a UUID) and one of that provider's model names; a workspace model alias is the reserved
 * provider id "alias" and the alias name as `model`. Keeping both in the same two fields means
 * every model-calling node (LLM, Agent, Classifier, Parameter extractor) and the `chat` port
 * handle aliases without a schema change. Isomorphic.
 */

export const ALIAS_PROVIDER_ID = "alias";

export interface ModelRef {
  providerId: string;
  model: string;
}

export const ModelAliasNameSchema = z
  .string()
  .trim()
  .regex(/^[a-z][a-z0-9_-]{0,39}$/, "Alias names are 1–40 characters: lower-case letters, digits, - and _, starting with a letter");

export const isAliasRef = (ref: ModelRef): boolean => ref.providerId === ALIAS_PROVIDER_ID;

export const aliasRef = (name: string): ModelRef => ({ providerId: ALIAS_PROVIDER_ID, model: name });

/** One step of an alias's fallback chain. */
export const ModelTargetSchema = z.object({
  providerId: z.string().trim().min(1, "Choose a provider"),
  model: z.string().trim().min(1, "Choose a model").max(200),
});
export type ModelTarget = z.infer<typeof ModelTargetSchema>;
