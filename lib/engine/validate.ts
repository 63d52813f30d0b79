import type { z } from "zod";
import { GraphSchema, DEFAULT_HANDLE, type Graph, type GraphEdge, type GraphNode } from "./graph";
import type { AnyNodeDefinition, OutputField, TypedReference, ValueType } from "./node-kit";
import { ERROR_HANDLE, readNodeSettings, settingsOrDefault, supportsErrorPolicy, withErrorField, withErrorHandle, type NodeSettings } from "./policy";
import { expressionReferences, expressionSyntaxError } from "./expression";
import { formatPath, parsePath, templateReferences, templateSyntaxError } from "./template";
import { VARIABLE_SCOPE_KEY, declaredVariables } from "./variables";

/**
 * The one graph validator: the editor runs it live on every change (so it must stay fast for
 * 500 nodes), the server runs it before publishing and before every run.
 */

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

export const hasErrors = (problems: readonly Problem[]): boolean => problems.some((p) => p.severity === "error");

/** Node ids the run scope uses for itself. */
export const RESERVED_NODE_IDS: ReadonlySet<string> = new Set(["input", "env", VARIABLE_SCOPE_KEY]);

/** Liquid properties a string supports beyond its own fields. */
const STRING_PROPERTIES: ReadonlySet<string> = new Set(["size", "first", "last"]);
const PRIMITIVE_TYPES: ReadonlySet<ValueType> = new Set(["string", "number", "boolean"]);
const AN: Record<ValueType, string> = { string: "a string", number: "a number", boolean: "a boolean", object: "an object", array: "an array", any: "any value" };

function displayLabel(node: GraphNode, def: AnyNodeDefinition | undefined): string {
  // The editor may store a user-given title beside the config; configs ignore unknown keys.
  const title = node.data.title ?? node.data.label;
  if (typeof title === "string" && title.trim()) return `"${title.trim()}" (${node.id})`;
  return `${def?.label ?? node.type} node "${node.id}"`;
}

function zodPath(path: readonly PropertyKey[]): string {
  return path.map(String).join(".");
}

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

/** Strongly connected components with more than one node (Tarjan, iterative to bound the stack). */
function cycles(ids: readonly string[], out: ReadonlyMap<string, string[]>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const found: string[][] = [];
  let counter = 0;
  for (const root of ids) {
    if (index.has(root)) continue;
    const work: { id: string; next: number }[] = [{ id: root, next: 0 }];
    index.set(root, counter);
    low.set(root, counter++);
    stack.push(root);
    onStack.add(root);
    while (work.length > 0) {
      const frame = work[work.length - 1];
      const targets = out.get(frame.id) ?? [];
      if (frame.next < targets.length) {
        const target = targets[frame.next++];
        if (!index.has(target)) {
          index.set(target, counter);
          low.set(target, counter++);
          stack.push(target);
          onStack.add(target);
          work.push({ id: target, next: 0 });
        } else if (onStack.has(target)) {
          low.set(frame.id, Math.min(low.get(frame.id)!, index.get(target)!));
        }
        continue;
      }
      work.pop();
      if (work.length > 0) {
        const parent = work[work.length - 1].id;
        low.set(parent, Math.min(low.get(parent)!, low.get(frame.id)!));
      }
      if (low.get(frame.id) === index.get(frame.id)) {
        const component: string[] = [];
        let member: string;
        do {
          member = stack.pop()!;
          onStack.delete(member);
          component.push(member);
        } while (member !== frame.id);
        if (component.length > 1) found.push(component.reverse());
      }
    }
  }
  return found;
}

interface Topology {
  out: Map<string, string[]>;
  into: Map<string, string[]>;
}

/** Adjacency over edges whose ends exist (self-loops excluded: they are reported on their own). */
function topology(nodeIds: ReadonlySet<string>, edges: readonly GraphEdge[]): Topology {
  const out = new Map<string, string[]>();
  const into = new Map<string, string[]>();
  for (const id of nodeIds) {
    out.set(id, []);
    into.set(id, []);
  }
  for (const edge of edges) {
    if (!nodeIds.has(edge.source) || !nodeIds.has(edge.target) || edge.source === edge.target) continue;
    out.get(edge.source)!.push(edge.target);
    into.get(edge.target)!.push(edge.source);
  }
  return { out, into };
}

function reach(from: readonly string[], next: ReadonlyMap<string, string[]>): Set<string> {
  const seen = new Set<string>();
  const queue = [...from];
  while (queue.length > 0) {
    const id = queue.pop()!;
    for (const n of next.get(id) ?? []) {
      if (!seen.has(n)) {
        seen.add(n);
        queue.push(n);
      }
    }
  }
  return seen;
}

/**
 * `isAncestor(a, b)`: is there a path a → … → b? Bitsets filled in topological order keep this
 * linear in the graph for the editor's live validation; nodes on a cycle fall back to a search.
 */
function ancestorTest(
  ids: readonly string[],
  out: ReadonlyMap<string, string[]>,
  into: ReadonlyMap<string, string[]>,
): (a: string, b: string) => boolean {
  const index = new Map(ids.map((id, i) => [id, i] as const));
  const words = Math.ceil(ids.length / 32) || 1;
  const bits = new Map<string, Uint32Array>();
  const pending = new Map(ids.map((id) => [id, into.get(id)?.length ?? 0] as const));
  const queue = ids.filter((id) => pending.get(id) === 0);
  while (queue.length > 0) {
    const id = queue.pop()!;
    const own = new Uint32Array(words);
    for (const parent of into.get(id) ?? []) {
      const p = bits.get(parent)!;
      for (let w = 0; w < words; w++) own[w] |= p[w];
      const i = index.get(parent)!;
      own[i >>> 5] |= 1 << (i & 31);
    }
    bits.set(id, own);
    for (const child of out.get(id) ?? []) {
      const left = pending.get(child)! - 1;
      pending.set(child, left);
      if (left === 0) queue.push(child);
    }
  }
  const searched = new Map<string, Set<string>>();
  return (a, b) => {
    const set = bits.get(b);
    const i = index.get(a);
    if (i === undefined) return false;
    if (set) return (set[i >>> 5] & (1 << (i & 31))) !== 0;
    let found = searched.get(b);
    if (!found) {
      found = reach([b], into);
      searched.set(b, found);
    }
    return found.has(a);
  };
}

/** What the validator knows about the workspace beyond the graph; checks needing it are skipped when absent. */
export interface ValidationContext {
  /** Names of the workspace's model aliases: a node referencing another alias is an error. */
  modelAliases?: ReadonlySet<string>;
  /** The workflow being validated: a Sub-workflow node may not run it directly (nesting is bounded by depth at run time). */
  workflowId?: string;
}

/** A model reference naming a workspace alias (lib/models/model-ref.ts ALIAS_PROVIDER_ID). */
function aliasReference(config: unknown): string | undefined {
  if (typeof config !== "object" || config === null) return undefined;
  const { providerId, model } = config as { providerId?: unknown; model?: unknown };
  return providerId === "alias" && typeof model === "string" && model ? model : undefined;
}

export function validateGraph(raw: unknown, registry: NodeRegistry, context: ValidationContext = {}): Problem[] {
  const parsed = GraphSchema.safeParse(raw);
  if (!parsed.success) return schemaProblems(raw, parsed.error.issues);
  const graph = parsed.data;
  const problems: Problem[] = [];
  const error = (code: string, message: string, at: Omit<Problem, "severity" | "code" | "message"> = {}) =>
    problems.push({ severity: "error", code, message, ...at });
  const warning = (code: string, message: string, at: Omit<Problem, "severity" | "code" | "message"> = {}) =>
    problems.push({ severity: "warning", code, message, ...at });

  // Nodes: identity, type, config.
  const nodes = new Map<string, GraphNode>();
  const configs = new Map<string, unknown>();
  const settingsOf = new Map<string, NodeSettings>();
  const name = (id: string): string => {
    const node = nodes.get(id);
    return node ? displayLabel(node, registry[node.type]) : `"${id}"`;
  };
  for (const node of graph.nodes) {
    if (nodes.has(node.id)) {
      error("duplicate_node_id", `Two nodes have the id "${node.id}"; node ids must be unique.`, { nodeId: node.id });
      continue;
    }
    nodes.set(node.id, node);
    const def = registry[node.type];
    if (RESERVED_NODE_IDS.has(node.id)) {
      error("reserved_node_id", `The id "${node.id}" is reserved (it names {{ ${node.id}.… }} values); rename the node.`, { nodeId: node.id });
    }
    if (!def) {
      error("unknown_node_type", `${name(node.id)} has the unknown type "${node.type}".`, { nodeId: node.id });
      continue;
    }
    const config = def.configSchema.safeParse(node.data);
    if (!config.success) {
      for (const issue of config.error.issues) {
        const field = zodPath(issue.path);
        error("invalid_config", `${name(node.id)}: ${field ? `${field}: ` : ""}${issue.message}`, { nodeId: node.id, field: field || undefined });
      }
      continue;
    }
    configs.set(node.id, config.data);
    for (const message of def.check?.(config.data) ?? []) {
      error("invalid_config", `${name(node.id)}: ${message}`, { nodeId: node.id });
    }
    if (context.workflowId && def.callsWorkflow?.(config.data) === context.workflowId) {
      error("self_subworkflow", `${name(node.id)} runs this same workflow; a workflow cannot call itself directly.`, { nodeId: node.id, field: "workflowId" });
    }
    const alias = context.modelAliases ? aliasReference(config.data) : undefined;
    if (alias !== undefined && !context.modelAliases?.has(alias)) {
      error("unknown_model_alias", `${name(node.id)} uses the model alias "${alias}", which does not exist in this workspace (Settings → Models → Aliases).`, { nodeId: node.id, field: "model" });
    }
    // Per-node settings (timeout, retry, on error) beside the config; see policy.ts.
    const settings = readNodeSettings(def, node.data);
    if (settings.ok) {
      settingsOf.set(node.id, settings.settings);
      if (node.data.settings !== undefined && !supportsErrorPolicy(def)) {
        warning("settings_ignored", `${name(node.id)} has no timeout, retry or error settings; the stored ones are ignored.`, { nodeId: node.id });
      }
      const fields = settings.settings.onError === "continue" && settings.settings.defaultOutput ? def.outputFields(config.data) : [];
      const missing = fields.filter((f) => !(f.name in settings.settings.defaultOutput!)).map((f) => f.name);
      if (settings.settings.onError === "continue" && missing.length > 0) {
        warning(
          "default_output_incomplete",
          `${name(node.id)}: the default output has no ${missing.join(", ")}; later nodes reading ${missing.length > 1 ? "them" : "it"} fail when this node fails.`,
          { nodeId: node.id, field: "settings.defaultOutput" },
        );
      }
    } else {
      settingsOf.set(node.id, settingsOrDefault(def, {}));
      for (const issue of settings.issues) {
        const field = ["settings", ...issue.path.map(String)].join(".");
        error("invalid_settings", `${name(node.id)}: ${field}: ${issue.message}`, { nodeId: node.id, field });
      }
    }
  }

  const starts = [...nodes.values()].filter((n) => registry[n.type]?.role === "start");
  const ends = [...nodes.values()].filter((n) => registry[n.type]?.role === "end");
  if (starts.length === 0) error("missing_start", "The workflow has no Start node.");
  for (const extra of starts.slice(1)) {
    error("multiple_starts", `The workflow has more than one Start node; remove ${name(extra.id)}.`, { nodeId: extra.id });
  }
  if (ends.length === 0) error("missing_end", "The workflow has no End node.");

  // Loop bodies (React Flow sub-flows): a body node's parent must be a top-level container.
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
  const levelOf = (id: string) => nodes.get(id)?.parentId;

  // Edges.
  const edgeIds = new Set<string>();
  const edgeKeys = new Set<string>();
  const handleCache = new Map<string, Set<string> | null>();
  const handlesOf = (id: string): Set<string> | null => {
    if (!handleCache.has(id)) {
      const node = nodes.get(id)!;
      const def = registry[node.type];
      const config = configs.get(id);
      handleCache.set(
        id,
        def && configs.has(id) ? new Set(withErrorHandle(def.outputHandles(config), settingsOf.get(id)!).map((h) => h.id)) : null,
      );
    }
    return handleCache.get(id)!;
  };
  const usedHandles = new Map<string, Set<string>>();
  for (const edge of graph.edges) {
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
    const sourceDef = registry[source.type];
    const targetDef = registry[target.type];
    if (sourceDef?.role === "end") {
      error("edge_from_end", `${name(source.id)} is an End node and cannot have outgoing connections.`, { ...at, nodeId: source.id });
    } else {
      const handles = handlesOf(source.id);
      if (handles && !handles.has(handle)) {
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
      const loop = nodes.get(levelOf(source.id) ?? levelOf(target.id)!);
      const message =
        levelOf(target.id) === source.id
          ? `${name(source.id)} does not connect to the nodes inside it: they start with each item ({{ ${source.id}.item }}).`
          : `The connection from ${name(source.id)} to ${name(target.id)} crosses the border of ${loop ? name(loop.id) : "a loop"}; a loop's body connects only inside it, and the loop itself to the outside.`;
      error("edge_crosses_loop", message, at);
    }
    const key = `${edge.source}\u0000${handle}\u0000${edge.target}`;
    if (edgeKeys.has(key)) warning("duplicate_edge", `${name(source.id)} is connected to ${name(target.id)} twice.`, at);
    edgeKeys.add(key);
    if (!usedHandles.has(source.id)) usedHandles.set(source.id, new Set());
    usedHandles.get(source.id)!.add(handle);
  }

  function warnUnusedHandles(node: GraphNode, def: AnyNodeDefinition) {
    const handles = withErrorHandle(def.outputHandles(configs.get(node.id)), settingsOf.get(node.id)!);
    if (handles.length <= 1) return;
    const used = usedHandles.get(node.id) ?? new Set<string>();
    for (const h of handles) {
      if (!used.has(h.id)) {
        warning("handle_not_connected", `Branch ${h.label || h.id} of ${name(node.id)} is not connected; runs taking it stop there.`, {
          nodeId: node.id,
          field: h.id,
        });
      }
    }
  }

  // Shape: connectivity, reachability, cycles.
  const ids = new Set(nodes.keys());
  const { out, into } = topology(
    ids,
    graph.edges.filter((e) => levelOf(e.source) === levelOf(e.target)),
  );
  const reachable = reach(
    starts.map((s) => s.id),
    out,
  );
  for (const s of starts) reachable.add(s.id);
  for (const node of nodes.values()) {
    const def = registry[node.type];
    // Canvas-only nodes (notes) stand alone by design.
    if (def?.executable === false) continue;
    const hasOut = out.get(node.id)!.length > 0;
    // A body starts with each item and ends where its results are collected: a lone body node is fine.
    if (node.parentId) {
      if (hasOut && def && configs.has(node.id)) warnUnusedHandles(node, def);
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
    } else if (hasOut && def && configs.has(node.id)) {
      warnUnusedHandles(node, def);
    }
  }
  for (const cycle of cycles([...ids], out)) {
    error("cycle", `These nodes form a cycle: ${cycle.map(name).join(" → ")} → ${name(cycle[0])}.`, { nodeId: cycle[0] });
  }

  // References: every {{ x.y }} must name an output of an upstream node.
  const isAncestor = ancestorTest([...ids], out, into);
  const fieldCache = new Map<string, OutputField[] | null>();
  const fieldsOf = (id: string): OutputField[] | null => {
    if (!fieldCache.has(id)) {
      const def = registry[nodes.get(id)!.type];
      fieldCache.set(id, def && configs.has(id) ? withErrorField(def.outputFields(configs.get(id)), settingsOf.get(id)!) : null);
    }
    return fieldCache.get(id)!;
  };
  const startId = starts.length === 1 ? starts[0].id : undefined;

  // Workflow variables: unique names; `{{ var.x }}` must name a declared one.
  const variables = new Map<string, ValueType>();
  for (const v of declaredVariables(graph)) {
    if (variables.has(v.name)) error("duplicate_variable", `Two workflow variables are named "${v.name}"; variable names must be unique.`, { field: "variables" });
    variables.set(v.name, v.type);
  }

  /**
   * Why `viewer` cannot read `root`'s output, or undefined when it can. A loop body reads what is
   * upstream of its loop, its loop's `item`/`index`, and body nodes upstream of it in the same
   * body; nothing outside a body reads its nodes (only the loop's results). `afterBody`: the
   * viewer is a loop reading its own item scope after each item (break condition, collected value).
   */
  const unreadable = (root: string, viewer: string, afterBody: boolean): { code: string; why: string } | undefined => {
    const owner = afterBody ? viewer : containerOf.get(viewer);
    if (owner && root === owner) return undefined;
    const notUpstream = {
      code: "reference_not_upstream",
      why: `${name(root)} is not upstream of it, so no upstream node produces it; connect ${name(root)} before this node.`,
    };
    const rootLoop = containerOf.get(root);
    if (rootLoop) {
      if (rootLoop !== owner) {
        return { code: "reference_into_loop_body", why: `${name(root)} is inside ${name(rootLoop)} and runs once per item; read {{ ${rootLoop}.results }} instead.` };
      }
      return afterBody || (root !== viewer && isAncestor(root, viewer)) ? undefined : notUpstream;
    }
    const anchor = owner ?? viewer;
    return root !== anchor && isAncestor(root, anchor) ? undefined : notUpstream;
  };
  const bodyFieldsOf = (loopId: string): OutputField[] | null => {
    const container = registry[nodes.get(loopId)!.type]?.container;
    return container && configs.has(loopId) ? container.bodyFields(configs.get(loopId)) : null;
  };

  const checkReference = (nodeId: string, segments: string[], reported: Set<string>, afterBody = false) => {
    const shown = `{{ ${formatPath(segments)} }}`;
    if (reported.has(shown)) return;
    reported.add(shown);
    const at = { nodeId };
    const who = name(nodeId);
    let [root] = segments;
    if (root === VARIABLE_SCOPE_KEY) {
      if (segments.length < 2) return;
      const type = variables.get(segments[1]);
      if (!type) {
        const known = [...variables.keys()].join(", ") || "none are declared";
        error("unknown_variable", `${who} references ${shown} but the workflow has no variable "${segments[1]}" (variables: ${known}).`, at);
      } else if (segments.length > 2 && PRIMITIVE_TYPES.has(type) && !(type === "string" && segments.length === 3 && STRING_PROPERTIES.has(segments[2]))) {
        error("unknown_field", `${who} references ${shown} but ${formatPath(segments.slice(0, 2))} is a ${type} and has no field "${segments[2]}".`, at);
      }
      return;
    }
    if (root === "input") {
      if (!startId) return;
      root = startId;
    } else if (!nodes.has(root)) {
      error("unknown_reference", `${who} references ${shown} but there is no node "${root}", so no upstream node produces it.`, at);
      return;
    } else {
      const denied = unreadable(root, nodeId, afterBody);
      if (denied) {
        error(denied.code, `${who} references ${shown} but ${denied.why}`, at);
        return;
      }
    }
    if (segments.length < 2) return;
    const fields = root === (afterBody ? nodeId : containerOf.get(nodeId)) ? bodyFieldsOf(root) : fieldsOf(root);
    if (!fields) return;
    const field = fields.find((f) => f.name === segments[1]);
    if (!field) {
      const available = fields.map((f) => f.name).join(", ") || "nothing";
      error("unknown_field", `${who} references ${shown} but ${name(root)} has no output "${segments[1]}" (it produces: ${available}).`, at);
      return;
    }
    if (segments.length > 2 && PRIMITIVE_TYPES.has(field.type)) {
      const okForString = field.type === "string" && segments.length === 3 && STRING_PROPERTIES.has(segments[2]);
      if (!okForString) {
        error(
          "unknown_field",
          `${who} references ${shown} but ${formatPath(segments.slice(0, 2))} is a ${field.type} and has no field "${segments[2]}".`,
          at,
        );
      }
    }
  };

  /** The declared type at a reference (undefined when not known statically: deeper paths, loop items, unknown roots). */
  const declaredType = (segments: readonly string[] | null): ValueType | undefined => {
    if (!segments || segments.length > 2) return undefined;
    if (segments[0] === VARIABLE_SCOPE_KEY) return segments.length === 2 ? variables.get(segments[1]) : "object";
    const root = segments[0] === "input" ? startId : segments[0];
    const rootNode = root ? nodes.get(root) : undefined;
    const rootDef = rootNode ? registry[rootNode.type] : undefined;
    // Containers (loops) publish per-item fields inside their body; those are not typed here.
    if (!rootNode || !rootDef || "container" in rootDef) return undefined;
    if (segments.length === 1) return "object";
    return fieldsOf(rootNode.id)?.find((f) => f.name === segments[1])?.type;
  };

  /** A field that needs a type reading a reference whose declared type cannot match (`any` matches everything). */
  const checkType = (nodeId: string, ref: TypedReference) => {
    const segments = parsePath(ref.path);
    const actual = declaredType(segments);
    if (!segments || !actual || actual === "any") return;
    const expected = Array.isArray(ref.expects) ? ref.expects : [declaredType(parsePath((ref.expects as { sameAs: string }).sameAs))];
    if (expected.some((t) => t === undefined || t === "any") || expected.includes(actual)) return;
    const wanted = (expected as ValueType[]).map((t) => AN[t]).join(" or ");
    error("type_mismatch", `${name(nodeId)}: ${ref.what} needs ${wanted}, but {{ ${formatPath(segments)} }} is ${AN[actual]}.`, { nodeId });
  };

  for (const node of nodes.values()) {
    const def = registry[node.type];
    if (!def || !configs.has(node.id)) continue;
    const config = configs.get(node.id);
    const reported = new Set<string>();
    for (const template of def.templates(config)) {
      if (!template) continue;
      const syntax = templateSyntaxError(template);
      if (syntax) {
        error("template_syntax", `${name(node.id)} has a template error: ${syntax}.`, { nodeId: node.id });
        continue;
      }
      for (const segments of templateReferences(template)) checkReference(node.id, segments, reported);
    }
    for (const expression of def.expressions?.(config) ?? []) {
      const syntax = expressionSyntaxError(expression);
      if (syntax) {
        error("expression_syntax", `${name(node.id)} has an expression error: ${syntax}.`, { nodeId: node.id });
        continue;
      }
      for (const segments of expressionReferences(expression)) checkReference(node.id, segments, reported);
    }
    for (const path of def.references?.(config) ?? []) {
      const segments = parsePath(path);
      if (!segments) {
        error("invalid_reference", `${name(node.id)} uses "${path}", which is not a variable path such as start.question.`, { nodeId: node.id });
        continue;
      }
      checkReference(node.id, segments, reported);
    }
    for (const ref of def.typedReferences?.(config) ?? []) checkType(node.id, ref);
    // A loop's break condition and collected value read the item's scope after each item.
    const plan = !node.parentId ? def.container?.plan(config) : undefined;
    if (plan?.breakCondition) {
      const syntax = expressionSyntaxError(plan.breakCondition);
      if (syntax) error("expression_syntax", `${name(node.id)} has an error in its break condition: ${syntax}.`, { nodeId: node.id, field: "breakCondition" });
      else for (const segments of expressionReferences(plan.breakCondition)) checkReference(node.id, segments, reported, true);
    }
    if (plan?.collect) {
      const segments = parsePath(plan.collect);
      if (!segments) {
        error("invalid_reference", `${name(node.id)} collects "${plan.collect}", which is not a variable path such as fetch.body.`, { nodeId: node.id, field: "output" });
      } else {
        checkReference(node.id, segments, reported, true);
      }
    }
  }
  return problems;
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
