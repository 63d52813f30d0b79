import type { GraphNode } from "./graph";
import { ancestorTest, type Topology } from "./graph-walk";
import type { BranchRead } from "./branch-reads";
import type { AnyNodeDefinition, OutputField, TypedReference, ValueType } from "./node-kit";
import { withErrorField } from "./policy";
import { expressionReferences, expressionSyntaxError } from "./expression";
import { formatPath, parsePath, templateReferences, templateSyntaxError } from "./template";
import { VARIABLE_SCOPE_KEY, declaredVariables } from "./variables";
import type { Pass, ProblemLocation } from "./validate-pass";

/** The validator's reference steps: every {{ x.y }}, expression path and typed field against what the graph produces. */

/** Liquid properties a string supports beyond its own fields. */
const STRING_PROPERTIES: ReadonlySet<string> = new Set(["size", "first", "last"]);

const PRIMITIVE_TYPES: ReadonlySet<ValueType> = new Set(["string", "number", "boolean"]);

const AN: Record<ValueType, string> = { string: "a string", number: "a number", boolean: "a boolean", object: "an object", array: "an array", any: "any value" };

/** Workflow variables: unique names. Returns name → type. */
export function checkVariables(pass: Pass): Map<string, ValueType> {
  const variables = new Map<string, ValueType>();
  for (const v of declaredVariables(pass.graph)) {
    if (variables.has(v.name)) pass.error("duplicate_variable", `Two workflow variables are named "${v.name}"; variable names must be unique.`, { field: "variables" });
    variables.set(v.name, v.type);
  }
  return variables;
}

interface ReferenceInputs {
  starts: readonly GraphNode[];
  containerOf: ReadonlyMap<string, string>;
  shape: Topology;
  variables: ReadonlyMap<string, ValueType>;
}

export interface ReferenceChecker {
  checkReference: (nodeId: string, segments: string[], reported: Set<string>, afterBody?: boolean) => void;
  checkType: (nodeId: string, ref: TypedReference) => void;
  /** Valid reads of another top-level node's output, by top-level nodes: input of the branch analysis. */
  reads: BranchRead[];
}

/** References: every {{ x.y }} must name an output of an upstream node (or a declared variable). */
export function referenceChecker(pass: Pass, inputs: ReferenceInputs): ReferenceChecker {
  const { error, name, nodes, registry } = pass;
  const { containerOf, variables } = inputs;
  const isAncestor = ancestorTest([...nodes.keys()], inputs.shape.out, inputs.shape.into);
  const fieldCache = new Map<string, OutputField[] | null>();
  const fieldsOf = (id: string): OutputField[] | null => {
    if (!fieldCache.has(id)) {
      const def = registry[nodes.get(id)!.type];
      fieldCache.set(id, def && pass.configs.has(id) ? withErrorField(def.outputFields(pass.configs.get(id)), pass.settingsOf.get(id)!) : null);
    }
    return fieldCache.get(id)!;
  };
  const startId = inputs.starts.length === 1 ? inputs.starts[0].id : undefined;
  const reads: BranchRead[] = [];

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
    return container && pass.configs.has(loopId) ? container.bodyFields(pass.configs.get(loopId)) : null;
  };

  const checkVariable = (who: string, shown: string, segments: string[], at: ProblemLocation) => {
    if (segments.length < 2) return;
    const type = variables.get(segments[1]);
    if (!type) {
      const known = [...variables.keys()].join(", ") || "none are declared";
      error("unknown_variable", `${who} references ${shown} but the workflow has no variable "${segments[1]}" (variables: ${known}).`, at);
    } else if (segments.length > 2 && PRIMITIVE_TYPES.has(type) && !(type === "string" && segments.length === 3 && STRING_PROPERTIES.has(segments[2]))) {
      error("unknown_field", `${who} references ${shown} but ${formatPath(segments.slice(0, 2))} is a ${type} and has no field "${segments[2]}".`, at);
    }
  };

  const checkField = (who: string, shown: string, segments: string[], fields: OutputField[], root: string, at: ProblemLocation) => {
    const field = fields.find((f) => f.name === segments[1]);
    if (!field) {
      const available = fields.map((f) => f.name).join(", ") || "nothing";
      error("unknown_field", `${who} references ${shown} but ${name(root)} has no output "${segments[1]}" (it produces: ${available}).`, at);
      return;
    }
    if (segments.length > 2 && PRIMITIVE_TYPES.has(field.type)) {
      const okForString = field.type === "string" && segments.length === 3 && STRING_PROPERTIES.has(segments[2]);
      if (!okForString) {
        error("unknown_field", `${who} references ${shown} but ${formatPath(segments.slice(0, 2))} is a ${field.type} and has no field "${segments[2]}".`, at);
      }
    }
  };

  const checkReference = (nodeId: string, segments: string[], reported: Set<string>, afterBody = false) => {
    const shown = `{{ ${formatPath(segments)} }}`;
    if (reported.has(shown)) return;
    reported.add(shown);
    const at = { nodeId };
    const who = name(nodeId);
    let [root] = segments;
    if (root === VARIABLE_SCOPE_KEY) return checkVariable(who, shown, segments, at);
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
      if (nodes.get(root)!.disabled && !afterBody) {
        error("reference_disabled", `${who} references ${shown} but ${name(root)} is disabled: its output is empty. Enable it, or remove the reference.`, at);
        return;
      }
      if (!afterBody && !containerOf.has(nodeId) && !containerOf.has(root)) reads.push({ nodeId, root, shown, ...(segments.length > 1 ? { field: segments[1] } : {}) });
    }
    if (segments.length < 2) return;
    const fields = root === (afterBody ? nodeId : containerOf.get(nodeId)) ? bodyFieldsOf(root) : fieldsOf(root);
    if (fields) checkField(who, shown, segments, fields, root, at);
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

  return { checkReference, checkType, reads };
}

/** The two kinds of text a node's config holds that read the run scope: templates and JSONata expressions. */
const TEXT_KINDS = [
  {
    code: "template_syntax",
    what: "a template error",
    list: (def: AnyNodeDefinition, config: unknown) => def.templates(config),
    syntaxError: templateSyntaxError,
    references: templateReferences,
  },
  {
    code: "expression_syntax",
    what: "an expression error",
    list: (def: AnyNodeDefinition, config: unknown) => def.expressions?.(config) ?? [],
    syntaxError: expressionSyntaxError,
    references: expressionReferences,
  },
] as const;

/** Templates, expressions, plain references and typed references of one node (and a loop's break condition and collected value). */
export function checkNodeReferences(pass: Pass, node: GraphNode, refs: ReferenceChecker): void {
  const { error, name } = pass;
  const def = pass.registry[node.type];
  if (!def || !pass.configs.has(node.id)) return;
  const config = pass.configs.get(node.id);
  const reported = new Set<string>();
  const readsBefore = refs.reads.length;
  for (const kind of TEXT_KINDS) {
    for (const text of kind.list(def, config)) {
      if (!text) continue;
      const syntax = kind.syntaxError(text);
      if (syntax) {
        error(kind.code, `${name(node.id)} has ${kind.what}: ${syntax}.`, { nodeId: node.id });
        continue;
      }
      for (const segments of kind.references(text)) refs.checkReference(node.id, segments, reported);
    }
  }
  for (const path of def.references?.(config) ?? []) {
    const segments = parsePath(path);
    if (!segments) {
      error("invalid_reference", `${name(node.id)} uses "${path}", which is not a variable path such as start.question.`, { nodeId: node.id });
      continue;
    }
    refs.checkReference(node.id, segments, reported);
  }
  for (const ref of def.typedReferences?.(config) ?? []) refs.checkType(node.id, ref);
  // A node that picks the first of several branch outputs reads untaken branches on purpose.
  if (def.readsOptionalBranches) refs.reads.splice(readsBefore);
  checkLoopPlan(pass, node, def, config, refs, reported);
}

/** A loop's break condition and collected value read the item's scope after each item. */
function checkLoopPlan(pass: Pass, node: GraphNode, def: AnyNodeDefinition, config: unknown, refs: ReferenceChecker, reported: Set<string>): void {
  const { error, name } = pass;
  const plan = !node.parentId ? def.container?.plan(config) : undefined;
  if (plan?.breakCondition) {
    const syntax = expressionSyntaxError(plan.breakCondition);
    if (syntax) error("expression_syntax", `${name(node.id)} has an error in its break condition: ${syntax}.`, { nodeId: node.id, field: "breakCondition" });
    else for (const segments of expressionReferences(plan.breakCondition)) refs.checkReference(node.id, segments, reported, true);
  }
  if (plan?.collect) {
    const segments = parsePath(plan.collect);
    if (!segments) {
      error("invalid_reference", `${name(node.id)} collects "${plan.collect}", which is not a variable path such as fetch.body.`, { nodeId: node.id, field: "output" });
    } else {
      refs.checkReference(node.id, segments, reported, true);
    }
  }
}
