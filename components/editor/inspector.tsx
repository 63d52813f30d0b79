"use client";

import { Component, useMemo, type ReactNode } from "react";
import { Trash2 } from "lucide-react";
import { upstreamFields } from "@/lib/engine/validate";
import { selectedNodeId } from "@/lib/editor/doc";
import { nodeRunStatus } from "@/lib/editor/run-overlay";
import { panelConfig, type NodePanel } from "@/lib/editor/panel-kit";
import { currentDoc, currentGraph } from "@/lib/editor/store";
import { nodePanels } from "@/lib/nodes/panels";
import { isNodeType, nodeRegistry } from "@/lib/nodes/registry";
import { Button } from "@/components/ui/button";
import { Input } from "@/components/ui/input";
import { StatusBadge } from "@/components/ui/status-badge";
import { Field } from "./fields";
import { JsonView } from "./json-view";
import { NodeSettings } from "./node-settings";
import { NodeDisableToggle, NodePinSection } from "./node-pin";
import { NodeTestSection } from "./node-test";
import { useEditor } from "./store-context";
import { useStructure } from "./use-structure";
import { VariablesPanel } from "./variables-panel";

class PanelBoundary extends Component<{ children: ReactNode; onReset: () => void; resetKey: string }, { failed: boolean; key: string }> {
  state = { failed: false, key: this.props.resetKey };
  static getDerivedStateFromError() {
    return { failed: true };
  }
  static getDerivedStateFromProps(props: { resetKey: string }, state: { failed: boolean; key: string }) {
    return props.resetKey === state.key ? null : { failed: false, key: props.resetKey };
  }
  render() {
    if (!this.state.failed) return this.props.children;
    return (
      <div className="space-y-2 rounded-md border border-red-200 bg-red-50 p-3 text-xs text-red-800">
        <p>This node&apos;s configuration is damaged and cannot be edited here.</p>
        <Button
          size="sm"
          variant="outline"
          onClick={() => {
            this.props.onReset();
            this.setState({ failed: false });
          }}
        >
          Reset to defaults
        </Button>
      </div>
    );
  }
}

function NodeRunDetails({ nodeId }: { nodeId: string }) {
  const step = useEditor((s) => s.overlay?.steps[nodeId]);
  const streamed = useEditor((s) => s.overlay?.deltas[nodeId] ?? "");
  const status = useEditor((s) => (s.overlay ? nodeRunStatus(s.overlay, nodeId) : null));
  if (!status) return null;
  return (
    <section className="space-y-2 border-t pt-3" data-testid="node-run-details">
      <div className="flex items-center justify-between">
        <h3 className="text-sm font-medium">Last run</h3>
        <StatusBadge status={status} />
      </div>
      {step && (step.iteration > 0 || Object.keys(step.items).length > 1) ? (
        // Inside a loop: one step per item; the details below are the latest item's.
        <div className="space-y-1" data-testid="node-run-items">
          <p className="text-xs text-muted-foreground">Items (showing item {step.iteration} below)</p>
          <ul className="flex flex-wrap gap-1">
            {Object.entries(step.items).map(([iteration, status]) => (
              <li key={iteration} className="flex items-center gap-1 rounded border px-1.5 py-0.5 text-[10px]">
                <span className="font-mono">#{iteration}</span>
                <StatusBadge status={status} />
              </li>
            ))}
          </ul>
        </div>
      ) : null}
      {step?.branch ? (
        <p className="text-xs">
          Branch taken: <code className="font-mono">{step.branch}</code>
        </p>
      ) : null}
      {step?.error ? (
        <p className="rounded-md bg-red-50 p-2 text-xs text-red-800" data-testid="node-run-error">
          <span className="font-mono">{step.error.code}</span>: {step.error.message}
        </p>
      ) : null}
      {step?.output ? (
        <div>
          <p className="mb-1 text-xs font-medium text-muted-foreground">Output</p>
          <JsonView value={step.output} testId="node-run-output" />
        </div>
      ) : streamed ? (
        <div>
          <p className="mb-1 text-xs font-medium text-muted-foreground">Streaming…</p>
          <pre className="max-h-48 overflow-auto whitespace-pre-wrap rounded-md bg-zinc-50 p-2 font-mono text-xs">{streamed}</pre>
        </div>
      ) : !step ? (
        <p className="text-xs text-muted-foreground">{status === "not_run" ? "The run ended before reaching this node." : "Not reached yet."}</p>
      ) : null}
    </section>
  );
}

export function Inspector() {
  const id = useEditor((s) => selectedNodeId(currentDoc(s)));
  const structure = useStructure();
  const { nodes, edges, variables } = structure;
  const node = useMemo(() => (id ? nodes.find((n) => n.id === id) : undefined), [nodes, id]);
  const problems = useEditor((s) => s.problems);
  const updateConfig = useEditor((s) => s.updateConfig);
  const setTitle = useEditor((s) => s.setTitle);
  const removeNodes = useEditor((s) => s.removeNodes);
  const readOnly = useEditor((s) => s.readOnly);

  const fields = useMemo(() => (id ? upstreamFields(currentGraph({ nodes, edges, variables }), nodeRegistry, id) : []), [nodes, edges, variables, id]);
  const nodeProblems = useMemo(() => problems.filter((p) => p.nodeId === id), [problems, id]);
  const isContainer = Boolean(node && nodeRegistry[node.data.kind]?.container);
  const bodyFields = useMemo(
    () => (id && isContainer ? upstreamFields(currentGraph({ nodes, edges }), nodeRegistry, id, { afterBody: true }) : undefined),
    [nodes, edges, id, isContainer],
  );

  if (!node || !id) {
    return (
      <div className="space-y-2 p-4 text-sm text-muted-foreground" data-testid="inspector-empty">
        <p>Select a node to configure it.</p>
        <p className="text-xs">Connect nodes by dragging from a handle on the right of one node to the left of another. Delete a selected node or edge with Backspace or Delete.</p>
        <VariablesPanel />
      </div>
    );
  }

  const kind = node.data.kind;
  const def = nodeRegistry[kind];
  const title = typeof node.data.config.title === "string" ? node.data.config.title : "";
  const Panel = isNodeType(kind) ? (nodePanels[kind] as NodePanel<unknown>) : null;

  return (
    <div className="space-y-4 p-4" data-testid="inspector" data-node-id={id}>
      {/* A disabled fieldset disables every control inside, panels included. */}
      <fieldset disabled={readOnly} className="min-w-0 space-y-4">
        <header className="space-y-3">
          <div className="flex items-center gap-2">
            <span aria-hidden className="size-3 rounded-full" style={{ backgroundColor: def?.color ?? "#71717a" }} />
            <h2 className="text-sm font-semibold">{def?.label ?? kind}</h2>
            <code className="rounded bg-zinc-100 px-1.5 py-0.5 font-mono text-xs" data-testid="inspector-node-id" title="Use it in templates as {{ id.field }}">
              {id}
            </code>
            {readOnly ? null : (
              <Button variant="ghost" size="icon-sm" className="ml-auto" aria-label="Delete node" title="Delete node" onClick={() => removeNodes([id])}>
                <Trash2 aria-hidden />
              </Button>
            )}
          </div>
          {def ? <p className="text-xs text-muted-foreground">{def.description}</p> : null}
          <Field id={`${id}-title`} label="Title" hint="Shown on the canvas; the id stays the same.">
            <Input id={`${id}-title`} value={title} placeholder={def?.label ?? kind} onChange={(e) => setTitle(id, e.target.value)} />
          </Field>
          {def?.executable !== false ? <NodeDisableToggle nodeId={id} isStart={def?.role === "start"} /> : null}
        </header>

        {nodeProblems.length > 0 ? (
          <ul className="space-y-1" data-testid="inspector-problems">
            {nodeProblems.map((p, index) => (
              <li key={index} className={p.severity === "error" ? "rounded bg-red-50 px-2 py-1 text-xs text-red-800" : "rounded bg-amber-50 px-2 py-1 text-xs text-amber-900"}>
                {p.message}
              </li>
            ))}
          </ul>
        ) : null}

        {def && Panel ? (
          <PanelBoundary resetKey={id} onReset={() => updateConfig(id, def.defaultConfig() as Record<string, unknown>)}>
            <Panel
              nodeId={id}
              config={panelConfig(def, node.data.config)}
              onChange={(config) => updateConfig(id, config as Record<string, unknown>)}
              fields={fields}
              bodyFields={bodyFields}
              problems={nodeProblems}
            />
          </PanelBoundary>
        ) : (
          <p className="text-xs text-red-700">This node type is not known to this version of Weft; remove the node.</p>
        )}

        {def ? <NodeSettings key={id} nodeId={id} def={def} stored={node.data.config.settings} /> : null}
        {def && def.executable !== false && def.role !== "start" && !node.parentId ? (
          <>
            <NodePinSection nodeId={id} />
            <NodeTestSection nodeId={id} />
          </>
        ) : null}
      </fieldset>

      <NodeRunDetails nodeId={id} />
    </div>
  );
}
