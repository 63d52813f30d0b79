import type { Graph, GraphNode } from "./graph";
import type { AnyNodeDefinition } from "./node-kit";
import type { NodeSettings } from "./policy";

/** The shared state of one validateGraph pass and the types its steps report with. */

/** Node definitions by type; lib/nodes/registry.ts provides the real one. */
export type NodeRegistry = Readonly<Record<string, AnyNodeDefinition | undefined>>;

export interface Problem {
  severity: "error" | "warning";
  code: string;
  message: string;
  nodeId?: string;
  edgeId?: string;
  field?: string;
}

/** What the validator knows about the workspace beyond the graph; checks needing it are skipped when absent. */
export interface ValidationContext {
  /** Names of the workspace's model aliases: a node referencing another alias is an error. */
  modelAliases?: ReadonlySet<string>;
  /** The workflow being validated: a Sub-workflow node may not run it directly (nesting is bounded by depth at run time). */
  workflowId?: string;
}

export function displayLabel(node: GraphNode, def: AnyNodeDefinition | undefined): string {
  // The editor may store a user-given title beside the config; configs ignore unknown keys.
  const title = node.data.title ?? node.data.label;
  if (typeof title === "string" && title.trim()) return `"${title.trim()}" (${node.id})`;
  return `${def?.label ?? node.type} node "${node.id}"`;
}

export function zodPath(path: readonly PropertyKey[]): string {
  return path.map(String).join(".");
}

/** One validation pass: the parsed graph, what earlier steps learned, and the problems found so far. */
export interface Pass {
  graph: Graph;
  registry: NodeRegistry;
  context: ValidationContext;
  problems: Problem[];
  nodes: Map<string, GraphNode>;
  /** Parsed configs of the nodes whose config is valid. */
  configs: Map<string, unknown>;
  settingsOf: Map<string, NodeSettings>;
  error: (code: string, message: string, at?: ProblemLocation) => void;
  warning: (code: string, message: string, at?: ProblemLocation) => void;
  name: (id: string) => string;
  levelOf: (id: string) => string | undefined;
}

export type ProblemLocation = Omit<Problem, "severity" | "code" | "message">;

export function newPass(graph: Graph, registry: NodeRegistry, context: ValidationContext): Pass {
  const problems: Problem[] = [];
  const nodes = new Map<string, GraphNode>();
  return {
    graph,
    registry,
    context,
    problems,
    nodes,
    configs: new Map(),
    settingsOf: new Map(),
    error: (code, message, at = {}) => problems.push({ severity: "error", code, message, ...at }),
    warning: (code, message, at = {}) => problems.push({ severity: "warning", code, message, ...at }),
    name: (id) => {
      const node = nodes.get(id);
      return node ? displayLabel(node, registry[node.type]) : `"${id}"`;
    },
    levelOf: (id) => nodes.get(id)?.parentId,
  };
}
