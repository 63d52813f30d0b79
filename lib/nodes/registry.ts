import type { AnyNodeDefinition } from "@/lib/engine/node-kit";
import { startNode } from "./start/definition";
import { llmNode } from "./llm/definition";
import { noteNode } from "./note/definition";
import { loopNode } from "./loop/definition";
import { conditionNode } from "./condition/definition";
import { templateNode } from "./template/definition";
import { aggregateNode } from "./aggregate/definition";
import { codeNode } from "./code/definition";
import { endNode } from "./end/definition";
import { switchNode } from "./switch/definition";
import { approvalNode } from "./approval/definition";
import { questionNode } from "./question/definition";
import { httpNode } from "./http/definition";
import { assignNode } from "./assign/definition";
import { subworkflowNode } from "./subworkflow/definition";
import { classifierNode } from "./classifier/definition";
import { extractorNode } from "./extractor/definition";
import { agentNode } from "./agent/definition";
import { toolNode } from "./tool/definition";
import { knowledgeNode } from "./knowledge/definition";
import { answerNode } from "./answer/definition";

/** Every node type, declared once. Executors and panels are keyed by this list, so a missing one fails to compile. */
export const NODE_TYPES = ["start", "llm", "condition", "template", "http", "aggregate", "code", "switch", "assign", "subworkflow", "classifier", "extractor", "agent", "tool", "knowledge", "answer", "approval", "question", "loop", "end", "note"] as const;
export type NodeType = (typeof NODE_TYPES)[number];

export const nodeDefinitions = {
  start: startNode,
  llm: llmNode,
  condition: conditionNode,
  template: templateNode,
  http: httpNode,
  aggregate: aggregateNode,
  code: codeNode,
  switch: switchNode,
  assign: assignNode,
  subworkflow: subworkflowNode,
  classifier: classifierNode,
  extractor: extractorNode,
  approval: approvalNode,
  question: questionNode,
  agent: agentNode,
  tool: toolNode,
  knowledge: knowledgeNode,
  answer: answerNode,
  end: endNode,
  loop: loopNode,
  note: noteNode,
} satisfies Record<NodeType, AnyNodeDefinition>;

export type NodeRegistry = Readonly<Record<string, AnyNodeDefinition | undefined>>;
export const nodeRegistry: NodeRegistry = nodeDefinitions;

export function isNodeType(type: string): type is NodeType {
  return (NODE_TYPES as readonly string[]).includes(type);
}
