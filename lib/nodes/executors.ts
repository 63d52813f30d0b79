import type { AnyNodeExecutor, NodeContext, NodeDefinition, NodeExecutor, NodeResult, NodeWait } from "@/lib/engine/node-kit";
import { executeApproval } from "./approval/execute";
import { executeCondition } from "./condition/execute";
import { executeAggregate } from "./aggregate/execute";
import { executeCode } from "./code/execute";
import { executeAssign } from "./assign/execute";
import { executeSubworkflow } from "./subworkflow/execute";
import { executeClassifier } from "./classifier/execute";
import { executeExtractor } from "./extractor/execute";
import { executeAgent } from "./agent/execute";
import { executeTool } from "./tool/execute";
import { executeKnowledge } from "./knowledge/execute";
import { executeAnswer } from "./answer/execute";
import { executeEnd } from "./end/execute";
import { executeHttp } from "./http/execute";
import { executeLlm } from "./llm/execute";
import { executeNote } from "./note/execute";
import { executeLoop } from "./loop/execute";
import { executeQuestion } from "./question/execute";
import { nodeDefinitions, type NodeType } from "./registry";
import { executeStart } from "./start/execute";
import { executeSwitch } from "./switch/execute";
import { executeTemplate } from "./template/execute";

/** The config type of each node type, read off its definition. */
export type NodeConfigOf<K extends NodeType> = (typeof nodeDefinitions)[K] extends NodeDefinition<infer C> ? C : never;

/** Server-side executors, one per node type: a missing one is a compile error. */
export const nodeExecutors = {
  start: executeStart,
  llm: executeLlm,
  condition: executeCondition,
  template: executeTemplate,
  http: executeHttp,
  aggregate: executeAggregate,
  code: executeCode,
  switch: executeSwitch,
  assign: executeAssign,
  subworkflow: executeSubworkflow,
  classifier: executeClassifier,
  extractor: executeExtractor,
  approval: executeApproval,
  question: executeQuestion,
  agent: executeAgent,
  tool: executeTool,
  knowledge: executeKnowledge,
  answer: executeAnswer,
  end: executeEnd,
  loop: executeLoop,
  note: executeNote,
// Most executors always finish; approval and question may return a NodeWait instead.
} satisfies { [K in NodeType]: NodeExecutor<NodeConfigOf<K>, NodeResult | NodeWait> };

// Sound because the engine parses each node's config with its definition's schema before the call.
const erase =
  <C>(executor: NodeExecutor<C, NodeResult | NodeWait>): AnyNodeExecutor =>
  (ctx) =>
    executor(ctx as NodeContext<C>);

/** The same executors with erased config types, keyed by node type, for the engine. */
export const executorRegistry: Readonly<Record<string, AnyNodeExecutor>> = {
  start: erase(nodeExecutors.start),
  llm: erase(nodeExecutors.llm),
  condition: erase(nodeExecutors.condition),
  template: erase(nodeExecutors.template),
  http: erase(nodeExecutors.http),
  aggregate: erase(nodeExecutors.aggregate),
  code: erase(nodeExecutors.code),
  switch: erase(nodeExecutors.switch),
  assign: erase(nodeExecutors.assign),
  subworkflow: erase(nodeExecutors.subworkflow),
  classifier: erase(nodeExecutors.classifier),
  extractor: erase(nodeExecutors.extractor),
  approval: erase(nodeExecutors.approval),
  question: erase(nodeExecutors.question),
  agent: erase(nodeExecutors.agent),
  tool: erase(nodeExecutors.tool),
  knowledge: erase(nodeExecutors.knowledge),
  answer: erase(nodeExecutors.answer),
  end: erase(nodeExecutors.end),
  loop: erase(nodeExecutors.loop),
  note: erase(nodeExecutors.note),
} satisfies Record<NodeType, AnyNodeExecutor>;
