import type { NodeDefinition } from "@/lib/engine/node-kit";
import type { NodePanel } from "@/lib/editor/panel-kit";
import type { NodeType, nodeDefinitions } from "./registry";
import { ConditionPanel } from "./condition/panel";
import { AggregatePanel } from "./aggregate/panel";
import { CodePanel } from "./code/panel";
import { AssignPanel } from "./assign/panel";
import { SubworkflowPanel } from "./subworkflow/panel";
import { ClassifierPanel } from "./classifier/panel";
import { ExtractorPanel } from "./extractor/panel";
import { AgentPanel } from "./agent/panel";
import { ToolPanel } from "./tool/panel";
import { KnowledgePanel } from "./knowledge/panel";
import { AnswerPanel } from "./answer/panel";
import { EndPanel } from "./end/panel";
import { HttpPanel } from "./http/panel";
import { LlmPanel } from "./llm/panel";
import { NotePanel } from "./note/panel";
import { LoopPanel } from "./loop/panel";
import { ApprovalPanel } from "./approval/panel";
import { QuestionPanel } from "./question/panel";
import { StartPanel } from "./start/panel";
import { SwitchPanel } from "./switch/panel";
import { TemplatePanel } from "./template/panel";

/** The config type of a node type, as its definition's zod schema infers it. */
export type ConfigOf<K extends NodeType> = (typeof nodeDefinitions)[K] extends NodeDefinition<infer C> ? C : never;

/** One config panel per node type (client only); a missing panel is a compile error. */
export const nodePanels = {
  start: StartPanel,
  llm: LlmPanel,
  condition: ConditionPanel,
  template: TemplatePanel,
  http: HttpPanel,
  aggregate: AggregatePanel,
  code: CodePanel,
  switch: SwitchPanel,
  assign: AssignPanel,
  subworkflow: SubworkflowPanel,
  classifier: ClassifierPanel,
  extractor: ExtractorPanel,
  approval: ApprovalPanel,
  question: QuestionPanel,
  agent: AgentPanel,
  tool: ToolPanel,
  knowledge: KnowledgePanel,
  answer: AnswerPanel,
  end: EndPanel,
  loop: LoopPanel,
  note: NotePanel,
} satisfies { [K in NodeType]: NodePanel<ConfigOf<K>> };
