import { z } from "zod";

/**
 * The model choice shared by the AI nodes (Classifier, Parameter extractor, Agent), so they are
 * configured, checked and displayed the same way as the LLM node. Isomorphic.
 */
export const modelChoiceShape = {
  providerId: z.string().default(""),
  model: z.string().default(""),
  temperature: z.number().min(0).max(2).default(0),
  maxTokens: z.number().int().min(1).max(200_000).optional(),
};

/** A model reading one text (Classifier, Parameter extractor): the text and optional guidance, both templates. */
export const textTaskShape = {
  ...modelChoiceShape,
  input: z.string().max(100_000).default(""),
  instructions: z.string().max(20_000).default(""),
};

export interface ModelChoice {
  providerId: string;
  model: string;
}

export function modelChoiceProblems(config: ModelChoice): string[] {
  const problems: string[] = [];
  if (!config.providerId) problems.push("Choose a model provider.");
  if (!config.model) problems.push("Choose a model.");
  return problems;
}

/** The model choice and a non-empty text: the first checks of every text task. */
export function textTaskProblems(config: ModelChoice & { input: string }, emptyInput: string): string[] {
  const problems = modelChoiceProblems(config);
  if (!config.input.trim()) problems.push(emptyInput);
  return problems;
}
