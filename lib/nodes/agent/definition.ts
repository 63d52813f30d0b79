import { z } from "zod";
import { LIMITS } from "@/lib/engine/limits";
import { defineNode } from "@/lib/engine/node-kit";
import { modelChoiceProblems, modelChoiceShape } from "../model-config";
import { memoryShape } from "../memory";
import { RerankConfigSchema, rerankProblems } from "../knowledge/rerank";
import { unresolvedKnowledgeProblems, unresolvedKnowledgeShape } from "../knowledge/unresolved";

export const AgentConfigSchema = z.object({
  ...modelChoiceShape,
  systemPrompt: z.string().max(100_000).default(""),
  userPrompt: z.string().max(100_000).default(""),
  /** Ids of workspace tools (Tools page) the model may call; a missing one fails the step with tool_not_found. */
  tools: z.array(z.string().min(1).max(200)).max(LIMITS.maxAgentTools).default([]),
  /** Knowledge bases the model may search, each as a tool `search_<name>` (lib/nodes/agent/knowledge-tools.ts). */
  knowledgeBases: z.array(z.string().uuid()).max(10).default([]),
  /** Optional rerank model for those searches, applied as by the Knowledge retrieval node (its tokens and cost are the step's). */
  knowledgeRerank: RerankConfigSchema.optional(),
  ...unresolvedKnowledgeShape,
  /** Model turns at most; each turn may call several tools. */
  maxIterations: z.number().int().min(1).max(LIMITS.maxAgentIterations).default(5),
  /** When the last allowed turn still asks for tools: fail (`limit_exceeded`) or return that turn's text. */
  onMaxIterations: z.enum(["fail", "return"]).default("fail"),
  /** Tool ids whose successful call ends the loop at once (e.g. a "submit answer" tool). */
  stopAfterTools: z.array(z.string().min(1).max(200)).max(LIMITS.maxAgentTools).default([]),
  /** A failing tool call: tell the model (it may try again or work around it) or fail the step. */
  onToolError: z.enum(["continue", "fail"]).default("continue"),
  /** Earlier turns of a conversation sent to the model (lib/nodes/memory.ts). */
  ...memoryShape,
});
export type AgentConfig = z.infer<typeof AgentConfigSchema>;

export const agentNode = defineNode({
  type: "agent",
  label: "Agent",
  description: "A model that calls the tools you select, in a loop, until it can answer.",
  category: "ai",
  color: "#be123c",
  configSchema: AgentConfigSchema,
  defaultConfig: () => ({
    providerId: "",
    model: "",
    temperature: 0,
    systemPrompt: "You are a helpful assistant. Use the tools when they help.",
    userPrompt: "",
    tools: [],
    knowledgeBases: [],
    maxIterations: 5,
    onMaxIterations: "fail" as const,
    stopAfterTools: [],
    onToolError: "continue" as const,
  }),
  hasInput: true,
  outputHandles: () => [{ id: "out", label: "" }],
  outputFields: () => [
    { name: "text", type: "string" as const, description: "The final answer" },
    { name: "toolCalls", type: "array" as const, description: "Every tool call: tool, arguments, status, result" },
    { name: "iterations", type: "number" as const, description: "Model turns taken" },
    { name: "stopReason", type: "string" as const, description: "answer, stop_tool or max_iterations" },
    { name: "usage", type: "object" as const, description: "Token usage of all turns" },
  ],
  templates: (config) => [config.systemPrompt, config.userPrompt],
  check: (config) => {
    const problems = modelChoiceProblems(config);
    if (!config.userPrompt.trim()) problems.push("The user prompt is empty.");
    if (new Set(config.tools).size !== config.tools.length) problems.push("A tool is selected twice.");
    if (new Set(config.knowledgeBases).size !== config.knowledgeBases.length) problems.push("A knowledge base is selected twice.");
    problems.push(...unresolvedKnowledgeProblems(config.unresolvedKnowledgeBases));
    if (config.knowledgeBases.length > 0) problems.push(...rerankProblems(config.knowledgeRerank));
    if (config.stopAfterTools.some((id) => !config.tools.includes(id))) problems.push("A \"stop after\" tool must also be one of the selected tools.");
    return problems;
  },
});
