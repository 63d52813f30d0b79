import type { z } from "zod";
import { GraphSchema, DEFAULT_HANDLE, type Graph, type GraphEdge, type GraphNode } from "./graph";
import { branchOnlyReads, offBranchFieldReads, type BranchGraph } from "./branch-reads";
import { cycles, reach, topology, type Topology } from "./graph-walk";
import type { AnyNodeDefinition, HandleSpec, OutputField, ValueType } from "./node-kit";
import { ERROR_FIELD, ERROR_HANDLE, readNodeSettings, settingsOrDefault, supportsErrorPolicy, withErrorField, withErrorHandle } from "./policy";
import { VARIABLE_SCOPE_KEY, declaredVariables } from "./variables";
import { checkNodeReferences, checkVariables, referenceChecker } from "./validate-references";
import { displayLabel, newPass, zodPath, type NodeRegistry, type Pass, type Problem, type ValidationContext } from "./validate-pass";

export type { NodeRegistry, Problem, ValidationContext } from "./validate-pass";

/**
 * The one graph validator: the editor runs it live on every change (so it must stay fast for
 * 5,000 nodes, LIMITS.maxGraphNodes), the server runs it before publishing and before every run.
 */

export const hasErrors = (problems: readonly Problem[]): boolean => problems.some((p) => p.severity === "error");

/** Node ids the run scope uses for itself. */
export const RESERVED_NODE_IDS: ReadonlySet<string> = new Set(["input", "env", VARIABLE_SCOPE_KEY]);

function rawId(raw: unknown, collection: "nodes" | "edges", index: unknown): string | undefined {
  if (typeof index !== "number" || typeof raw !== "object" || raw === null) return undefined;
  const list = (raw as Record<string, unknown>)[collection];
  if (!Array.isArray(list)) return undefined;
  const item: unknown = list[index];
  if (typeof item !== "object" || item === null) return undefined;
  const id = (item as Record<string, unknown>).id;
  return typeof id === "string" ? id : undefined;
}

function schemaProblems(raw: unknown, issues: readonly z.core.$ZodIssue[]): Problem[] {
  return issues.map((issue) => {
    const [collection, index, ...rest] = issue.path;
    if ((collection === "nodes" || collection === "edges") && typeof index === "number") {
      const id = rawId(raw, collection, index);
      const what = collection === "nodes" ? "Node" : "Edge";
      const name = id ? `${what} "${id}"` : `${what} ${index + 1}`;
      const field = rest.length > 0 ? zodPath(rest) : undefined;
      return {
        severity: "error" as const,
        code: "invalid_graph",
        message: `${name}${field ? ` (${field})` : ""}: ${issue.message}`,
        ...(collection === "nodes" ? { nodeId: id } : { edgeId: id }),
        field,
      };
    }
    const where = issue.path.length > 0 ? ` (${zodPath(issue.path)})` : "";
    return { severity: "error" as const, code: "invalid_graph", message: `The workflow graph is malformed${where}: ${issue.message}` };
  });
}

/** A model reference naming a workspace alias (lib/models/model-ref.ts ALIAS_PROVIDER_ID). */
function aliasReference(config: unknown): string | undefined {
  if (typeof config !== "object" || config === null) return undefined;
  const { providerId, model } = config as { providerId?: unknown; model?: unknown };
  return providerId === "alias" && typeof model === "string" && model ? model : undefined;
}

/** Whether any node names a model alias (so validating the graph needs the workspace's alias names). */
export function usesModelAliases(graph: { nodes: { data?: unknown }[] }): boolean {
  return graph.nodes.some((node) => aliasReference(node.data) !== undefined);
}

export function validateGraph(raw: unknown, registry: NodeRegistry, context: ValidationContext = {}): Problem[] {
  const parsed = GraphSchema.safeParse(raw);
  if (!parsed.success) return schemaProblems(raw, parsed.error.issues);
  const pass = newPass(parsed.data, registry, context);
  for (const node of pass.graph.nodes) checkNode(pass, node);
  const starts = checkStartAndEnd(pass);
  const containerOf = checkLoopBodies(pass);
  const usedHandles = checkEdges(pass);
  const shape = checkShape(pass, starts, usedHandles);
  const references = referenceChecker(pass, { starts, containerOf, shape, variables: checkVariables(pass) });
  for (const node of pass.nodes.values()) checkNodeReferences(pass, node, references);
  const branches = branchGraphOf(pass);
  for (const read of offBranchFieldReads(branches, references.reads, ERROR_HANDLE, ERROR_FIELD.name)) {
    pass.warning(
      "field_not_on_branch",
      read.onlyOn === "error"
        ? `${pass.name(read.nodeId)} reads ${read.shown}, but it runs only after ${pass.name(read.root)} failed (its error branch), where ${pass.name(read.root)} publishes only "${ERROR_FIELD.name}": the value is always empty. Read {{ ${read.root}.${ERROR_FIELD.name}.message }} here, or move the node to a success branch.`
        : `${pass.name(read.nodeId)} reads ${read.shown}, but it never runs after ${pass.name(read.root)}'s error branch, the only place "${ERROR_FIELD.name}" is set: the value is always empty.`,
      { nodeId: read.nodeId },
    );
  }
  for (const read of branchOnlyReads(branches, references.reads)) {
    const at = read.taking;
    pass.warning(
      "reference_maybe_skipped",
      `${pass.name(read.nodeId)} reads ${read.shown}, but ${pass.name(read.root)} does not run when ${pass.name(at.nodeId)} takes ${at.handle === ERROR_HANDLE ? "its error branch" : `branch "${at.label || at.handle}"`}, while ${pass.name(read.nodeId)} still does: the value is then empty. Read it only on that branch, or join the branches with a Variable aggregator.`,
      { nodeId: read.nodeId },
    );
  }
  return disabledNodeProblems(pass);
}

/**
 * A disabled node never runs, so its own problems do not stop the workflow (it can be switched off
 * precisely because it is broken): they stay visible as warnings. Start cannot be disabled.
 */
function disabledNodeProblems(pass: Pass): Problem[] {
  const disabled = pass.graph.nodes.filter((n) => n.disabled);
  if (disabled.length === 0) return pass.problems;
  const ids = new Set(disabled.map((n) => n.id));
  const problems = pass.problems.map((p) =>
    p.severity === "error" && p.nodeId && ids.has(p.nodeId) && p.code !== "duplicate_node_id"
      ? { ...p, severity: "warning" as const, message: `${p.message} (the node is disabled)` }
      : p,
  );
  for (const node of disabled) {
    if (pass.registry[node.type]?.role === "start") {
      problems.push({ severity: "error", code: "start_disabled", message: `${pass.name(node.id)} cannot be disabled: every run begins there.`, nodeId: node.id });
    }
  }
  return problems;
}

/**
 * Only the unknown-key problems: a draft may be incomplete, but one holding keys no node knows
 * can never run and would be stored silently, so saving refuses it (lib/workflows/service.ts).
 */
export function unknownConfigKeyProblems(graph: Graph, registry: NodeRegistry): Problem[] {
  const pass = newPass(graph, registry, {});
  for (const node of graph.nodes) {
    const def = registry[node.type];
    if (def) checkUnknownKeys(pass, node, def);
  }
  return pass.problems;
}

/** Identity, type, config and settings of one node. */
function checkNode(pass: Pass, node: GraphNode): void {
  const { error, name } = pass;
  if (pass.nodes.has(node.id)) {
    error("duplicate_node_id", `Two nodes have the id "${node.id}"; node ids must be unique.`, { nodeId: node.id });
    return;
  }
  pass.nodes.set(node.id, node);
  const def = pass.registry[node.type];
  if (RESERVED_NODE_IDS.has(node.id)) {
    error("reserved_node_id", `The id "${node.id}" is reserved (it names {{ ${node.id}.… }} values); rename the node.`, { nodeId: node.id });
  }
  if (!def) {
    error("unknown_node_type", `${name(node.id)} has the unknown type "${node.type}".`, { nodeId: node.id });
    return;
  }
  checkUnknownKeys(pass, node, def);
  const config = def.configSchema.safeParse(node.data);
  if (!config.success) {
    for (const issue of config.error.issues) {
      const field = zodPath(issue.path);
      error("invalid_config", `${name(node.id)}: ${field ? `${field}: ` : ""}${issue.message}`, { nodeId: node.id, field: field || undefined });
    }
    return;
  }
  pass.configs.set(node.id, config.data);
  checkNodeConfig(pass, node, def, config.data);
  checkNodeSettings(pass, node, def, config.data);
}

/** Keys the editor stores beside a node's config: its title and its settings (timeout, retry, on error). */
const NODE_DATA_KEYS: ReadonlySet<string> = new Set(["title", "settings"]);

/**
 * Keys of a node's data that neither its config nor the editor knows. Config schemas would drop
 * them silently, so a typo (`timeoutMS`) or a field from another node type would be stored and
 * never take effect: refused here, per node, with the keys that are allowed.
 */
function checkUnknownKeys(pass: Pass, node: GraphNode, def: AnyNodeDefinition): void {
  const shape = (def.configSchema as { shape?: Record<string, unknown> }).shape;
  if (!shape || typeof shape !== "object") return;
  const unknown = Object.keys(node.data).filter((key) => !Object.hasOwn(shape, key) && !NODE_DATA_KEYS.has(key));
  for (const key of unknown) {
    const known = Object.keys(shape).join(", ");
    pass.error("unknown_config_key", `${pass.name(node.id)}: "${key}" is not a setting of a ${def.label} node (its settings are: ${known}); remove it.`, {
      nodeId: node.id,
      field: key,
    });
  }
}

/** The node's own rules, sub-workflow self-calls and model aliases. */
function checkNodeConfig(pass: Pass, node: GraphNode, def: AnyNodeDefinition, config: unknown): void {
  const { error, name, context } = pass;
  for (const message of def.check?.(config) ?? []) {
    error("invalid_config", `${name(node.id)}: ${message}`, { nodeId: node.id });
  }
  if (context.workflowId && def.callsWorkflow?.(config) === context.workflowId) {
    error("self_subworkflow", `${name(node.id)} runs this same workflow; a workflow cannot call itself directly.`, { nodeId: node.id, field: "workflowId" });
  }
  const alias = context.modelAliases ? aliasReference(config) : undefined;
  if (alias !== undefined && !context.modelAliases?.has(alias)) {
    error("unknown_model_alias", `${name(node.id)} uses the model alias "${alias}", which does not exist in this workspace (Settings → Models → Aliases).`, { nodeId: node.id, field: "model" });
  }
}

/** Per-node settings (timeout, retry, on error) beside the config; see policy.ts. */
function checkNodeSettings(pass: Pass, node: GraphNode, def: AnyNodeDefinition, config: unknown): void {
  const { error, warning, name } = pass;
  const settings = readNodeSettings(def, node.data);
  if (!settings.ok) {
    pass.settingsOf.set(node.id, settingsOrDefault(def, {}));
    for (const issue of settings.issues) {
      const field = ["settings", ...issue.path.map(String)].join(".");
      error("invalid_settings", `${name(node.id)}: ${field}: ${issue.message}`, { nodeId: node.id, field });
    }
    return;
  }
  pass.settingsOf.set(node.id, settings.settings);
  if (node.data.settings !== undefined && !supportsErrorPolicy(def)) {
    warning("settings_ignored", `${name(node.id)} has no timeout, retry or error settings; the stored ones are ignored.`, { nodeId: node.id });
  }
  const fields = settings.settings.onError === "continue" && settings.settings.defaultOutput ? def.outputFields(config) : [];
  const missing = fields.filter((f) => !(f.name in settings.settings.defaultOutput!)).map((f) => f.name);
  if (settings.settings.onError === "continue" && missing.length > 0) {
    warning(
      "default_output_incomplete",
      `${name(node.id)}: the default output has no ${missing.join(", ")}; later nodes reading ${missing.length > 1 ? "them" : "it"} fail when this node fails.`,
      { nodeId: node.id, field: "settings.defaultOutput" },
    );
  }
}

/** Exactly one Start, at least one End; returns the Start nodes. */
function checkStartAndEnd(pass: Pass): GraphNode[] {
  const { error, name } = pass;
  const starts = [...pass.nodes.values()].filter((n) => pass.registry[n.type]?.role === "start");
  const ends = [...pass.nodes.values()].filter((n) => pass.registry[n.type]?.role === "end");
  if (starts.length === 0) error("missing_start", "The workflow has no Start node.");
  for (const extra of starts.slice(1)) {
    error("multiple_starts", `The workflow has more than one Start node; remove ${name(extra.id)}.`, { nodeId: extra.id });
  }
  if (ends.length === 0) error("missing_end", "The workflow has no End node.");
  return starts;
}

/** Loop bodies (React Flow sub-flows): a body node's parent must be a top-level container. Returns body node → its loop. */
function checkLoopBodies(pass: Pass): Map<string, string> {
  const { error, name, registry, nodes } = pass;
  const containerOf = new Map<string, string>();
  const bodySize = new Map<string, number>();
  const nestedReported = new Set<string>();
  for (const node of nodes.values()) {
    if (!node.parentId) continue;
    const parent = nodes.get(node.parentId);
    const parentDef = parent ? registry[parent.type] : undefined;
    if (!parent) {
      error("unknown_parent", `${name(node.id)} sits inside "${node.parentId}", which is not a node of this workflow.`, { nodeId: node.id });
    } else if (parentDef && !parentDef.container) {
      error("parent_not_container", `${name(node.id)} sits inside ${name(parent.id)}, which is not a Loop; move it out.`, { nodeId: node.id });
    } else if (parent.parentId || registry[node.type]?.container) {
      const inner = registry[node.type]?.container ? node : parent;
      if (!nestedReported.has(inner.id)) {
        nestedReported.add(inner.id);
        error("nested_loop", `${name(inner.id)} is inside another loop; loops cannot be nested. Use a Sub-workflow inside the loop instead.`, { nodeId: inner.id });
      }
    } else if (registry[node.type]?.role) {
      error("role_in_loop", `${name(node.id)} cannot be inside a loop; Start and End belong to the top level of the workflow.`, { nodeId: node.id });
    } else if (parentDef) {
      containerOf.set(node.id, parent.id);
      bodySize.set(parent.id, (bodySize.get(parent.id) ?? 0) + 1);
    }
  }
  for (const node of nodes.values()) {
    if (registry[node.type]?.container && !node.parentId && !bodySize.get(node.id)) {
      error("empty_loop", `${name(node.id)} has no nodes inside: drag the nodes to run for each item into it.`, { nodeId: node.id });
    }
  }
  return containerOf;
}

/** The output handles of a node with a valid config (its error branch included), or null. */
function handlesOf(pass: Pass, id: string): HandleSpec[] | null {
  const def = pass.registry[pass.nodes.get(id)!.type];
  return def && pass.configs.has(id) ? withErrorHandle(def.outputHandles(pass.configs.get(id)), pass.settingsOf.get(id)!) : null;
}

/** Every edge: ids, ends, handles, direction, loop borders, duplicates. Returns node → the handles its edges leave from. */
function checkEdges(pass: Pass): Map<string, Set<string>> {
  const { error, warning, name, nodes } = pass;
  const edgeIds = new Set<string>();
  const edgeKeys = new Set<string>();
  const usedHandles = new Map<string, Set<string>>();
  for (const edge of pass.graph.edges) {
    const at = { edgeId: edge.id };
    if (edgeIds.has(edge.id)) error("duplicate_edge_id", `Two edges have the id "${edge.id}"; edge ids must be unique.`, at);
    edgeIds.add(edge.id);
    const source = nodes.get(edge.source);
    const target = nodes.get(edge.target);
    if (!source) error("dangling_edge", `An edge starts at "${edge.source}", which is not a node of this workflow.`, at);
    if (!target) error("dangling_edge", `An edge ends at "${edge.target}", which is not a node of this workflow.`, at);
    if (!source || !target) continue;
    if (edge.source === edge.target) {
      error("self_loop", `${name(edge.source)} is connected to itself.`, { ...at, nodeId: edge.source });
      continue;
    }
    const handle = edge.sourceHandle ?? DEFAULT_HANDLE;
    checkEdgeEnds(pass, edge, source, target);
    const key = `${edge.source}\u0000${handle}\u0000${edge.target}`;
    if (edgeKeys.has(key)) warning("duplicate_edge", `${name(source.id)} is connected to ${name(target.id)} twice.`, at);
    edgeKeys.add(key);
    if (!usedHandles.has(source.id)) usedHandles.set(source.id, new Set());
    usedHandles.get(source.id)!.add(handle);
  }
  return usedHandles;
}

/** What an edge's source and target allow: no edges out of an End or into a Start, known handles, no crossing a loop's border. */
function checkEdgeEnds(pass: Pass, edge: GraphEdge, source: GraphNode, target: GraphNode): void {
  const { error, name, levelOf } = pass;
  const at = { edgeId: edge.id };
  const handle = edge.sourceHandle ?? DEFAULT_HANDLE;
  const sourceDef = pass.registry[source.type];
  const targetDef = pass.registry[target.type];
  if (sourceDef?.role === "end") {
    error("edge_from_end", `${name(source.id)} is an End node and cannot have outgoing connections.`, { ...at, nodeId: source.id });
  } else {
    const handles = handlesOf(pass, source.id);
    if (handles && !handles.some((h) => h.id === handle)) {
      const message =
        handle === ERROR_HANDLE && sourceDef && supportsErrorPolicy(sourceDef)
          ? `${name(source.id)} has no error branch for this connection: set its On error setting to "Take the error branch".`
          : `${name(source.id)} has no output "${handle}" for this connection.`;
      error("unknown_handle", message, { ...at, nodeId: source.id });
    }
  }
  if (targetDef && !targetDef.hasInput) {
    error("edge_into_start", `${name(target.id)} takes no incoming connection.`, { ...at, nodeId: target.id });
  }
  if (levelOf(source.id) !== levelOf(target.id)) {
    const loop = pass.nodes.get(levelOf(source.id) ?? levelOf(target.id)!);
    const message =
      levelOf(target.id) === source.id
        ? `${name(source.id)} does not connect to the nodes inside it: they start with each item ({{ ${source.id}.item }}).`
        : `The connection from ${name(source.id)} to ${name(target.id)} crosses the border of ${loop ? name(loop.id) : "a loop"}; a loop's body connects only inside it, and the loop itself to the outside.`;
    error("edge_crosses_loop", message, at);
  }
}

function warnUnusedHandles(pass: Pass, node: GraphNode, usedHandles: ReadonlyMap<string, Set<string>>): void {
  const handles = handlesOf(pass, node.id) ?? [];
  if (handles.length <= 1) return;
  const used = usedHandles.get(node.id) ?? new Set<string>();
  for (const h of handles) {
    if (!used.has(h.id)) {
      pass.warning("handle_not_connected", `Branch ${h.label || h.id} of ${pass.name(node.id)} is not connected; runs taking it stop there.`, {
        nodeId: node.id,
        field: h.id,
      });
    }
  }
}

/** Connectivity, reachability and cycles; returns the topology the reference checks use. */
function checkShape(pass: Pass, starts: readonly GraphNode[], usedHandles: ReadonlyMap<string, Set<string>>): Topology {
  const { error, warning, name, levelOf } = pass;
  const ids = new Set(pass.nodes.keys());
  const shape = topology(
    ids,
    pass.graph.edges.filter((e) => levelOf(e.source) === levelOf(e.target)),
  );
  const { out, into } = shape;
  const reachable = reach(
    starts.map((s) => s.id),
    out,
  );
  for (const s of starts) reachable.add(s.id);
  for (const node of pass.nodes.values()) {
    const def = pass.registry[node.type];
    // Canvas-only nodes (notes) stand alone by design.
    if (def?.executable === false) continue;
    const hasOut = out.get(node.id)!.length > 0;
    // A body starts with each item and ends where its results are collected: a lone body node is fine.
    if (node.parentId) {
      if (hasOut && def) warnUnusedHandles(pass, node, usedHandles);
      continue;
    }
    const connected = hasOut || into.get(node.id)!.length > 0;
    if (!connected) {
      error("not_connected", `${name(node.id)} is not connected to anything.`, { nodeId: node.id });
      continue;
    }
    if (starts.length > 0 && !reachable.has(node.id)) {
      error("unreachable", `${name(node.id)} cannot be reached from the Start node.`, { nodeId: node.id });
    }
    if (def?.role !== "end" && !hasOut) {
      warning("leads_nowhere", `${name(node.id)} leads nowhere: connect it to a following node.`, { nodeId: node.id });
    } else if (hasOut && def) {
      warnUnusedHandles(pass, node, usedHandles);
    }
  }
  for (const cycle of cycles([...ids], out)) {
    error("cycle", `These nodes form a cycle: ${cycle.map(name).join(" → ")} → ${name(cycle[0])}.`, { nodeId: cycle[0] });
  }
  return shape;
}

/** The top-level graph of executable nodes with valid configs and their handles, for the branch analysis. */
function branchGraphOf(pass: Pass): BranchGraph {
  const handles = new Map<string, string[]>();
  for (const node of pass.nodes.values()) {
    if (node.parentId || pass.registry[node.type]?.executable === false) continue;
    handles.set(node.id, (handlesOf(pass, node.id) ?? []).map((h) => h.id));
  }
  const edges = pass.graph.edges.filter((e) => handles.has(e.source) && handles.has(e.target) && e.source !== e.target);
  const labels = new Map<string, string>();
  for (const node of pass.nodes.values()) for (const h of handlesOf(pass, node.id) ?? []) labels.set(`${node.id}\u0000${h.id}`, h.label);
  return { handles, edges: edges.map((e) => ({ source: e.source, target: e.target, handle: e.sourceHandle ?? DEFAULT_HANDLE })), labelOf: (id, h) => labels.get(`${id}\u0000${h}`) ?? "" };
}

export interface UpstreamField {
  nodeId: string;
  nodeLabel: string;
  field: string;
  type: ValueType;
  description?: string;
}

/**
 * Output fields of every ancestor of `nodeId`, in graph order, for the editor's variable picker.
 * Inside a loop body: the loop's `item`/`index` first. `afterBody` (for a loop): what its break
 * condition and collected value can read, its body nodes included.
 */
export function upstreamFields(graph: Graph, registry: NodeRegistry, nodeId: string, options: { afterBody?: boolean } = {}): UpstreamField[] {
  const nodes = new Map(graph.nodes.map((n) => [n.id, n] as const));
  const { into } = topology(
    new Set(nodes.keys()),
    graph.edges.filter((e) => nodes.get(e.source)?.parentId === nodes.get(e.target)?.parentId),
  );
  // Inside a loop body (or after it, for the loop's own break condition and collected value):
  // the loop's item fields, what is upstream of the loop, and the body nodes before this point.
  const owner = options.afterBody ? nodeId : nodes.get(nodeId)?.parentId;
  const ancestors = reach([nodeId], into);
  if (owner) for (const id of reach([owner], into)) ancestors.add(id);
  if (options.afterBody) for (const n of graph.nodes) if (n.parentId === nodeId) ancestors.add(n.id);
  const result: UpstreamField[] = [];
  const push = (node: GraphNode, def: AnyNodeDefinition, fields: OutputField[]) => {
    const title = node.data.title ?? node.data.label;
    const nodeLabel = typeof title === "string" && title.trim() ? title.trim() : def.label;
    for (const f of fields) {
      result.push({ nodeId: node.id, nodeLabel, field: f.name, type: f.type, ...(f.description ? { description: f.description } : {}) });
    }
  };
  const ownerNode = owner ? nodes.get(owner) : undefined;
  const ownerDef = ownerNode ? registry[ownerNode.type] : undefined;
  const ownerConfig = ownerNode && ownerDef?.container ? ownerDef.configSchema.safeParse(ownerNode.data) : undefined;
  if (ownerNode && ownerDef?.container && ownerConfig?.success) push(ownerNode, ownerDef, ownerDef.container.bodyFields(ownerConfig.data));
  for (const node of graph.nodes) {
    if (!ancestors.has(node.id) || node.id === nodeId) continue;
    const def = registry[node.type];
    if (!def) continue;
    const config = def.configSchema.safeParse(node.data);
    if (!config.success) continue;
    push(node, def, withErrorField(def.outputFields(config.data), settingsOrDefault(def, node.data)));
  }
  for (const v of declaredVariables(graph)) {
    result.push({ nodeId: VARIABLE_SCOPE_KEY, nodeLabel: "Workflow variables", field: v.name, type: v.type });
  }
  return result;
}
