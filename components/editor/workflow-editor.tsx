"use client";

import "@xyflow/react/dist/style.css";
import { useMemo, useState } from "react";
import { ReactFlowProvider } from "@xyflow/react";
import type { Graph } from "@/lib/engine/graph";
import { hasErrors } from "@/lib/engine/validate";
import { startRun, type ApiError } from "@/lib/editor/api";
import { startInputs } from "@/lib/editor/run-form";
import { createEditorStore, currentDoc } from "@/lib/editor/store";
import { Canvas } from "./canvas";
import { EditorHeader } from "./editor-header";
import { Inspector } from "./inspector";
import { Palette } from "./palette";
import { ProblemsPanel } from "./problems-panel";
import { RunDialog } from "./run-dialog";
import { RunPanel } from "./run-panel";
import { EditorStoreProvider, useEditor } from "./store-context";
import { useAutosave } from "./use-autosave";
import { useRunEvents } from "./use-run-events";
import { useValidation } from "./use-validation";

export interface EditorWorkflow {
  id: string;
  name: string;
  graph: Graph;
  revision: number;
  /** False for viewers: the editor opens read-only. */
  canEdit?: boolean;
  /** Why the member may not publish (editors: publishing is for developers), shown on the disabled Publish button; null when they may. */
  publishDeniedReason?: string | null;
}

function EditorLayout({ workflow }: { workflow: EditorWorkflow }) {
  const [store] = useState(() => createEditorStore({ workflowId: workflow.id, name: workflow.name, graph: workflow.graph, revision: workflow.revision, readOnly: workflow.canEdit === false }));
  return (
    <EditorStoreProvider store={store}>
      <ReactFlowProvider>
        <EditorBody workflow={workflow} store={store} />
      </ReactFlowProvider>
    </EditorStoreProvider>
  );
}

function EditorBody({ workflow, store }: { workflow: EditorWorkflow; store: ReturnType<typeof createEditorStore> }) {
  useValidation(store);
  const saver = useAutosave(store, workflow);
  useRunEvents(store);
  const [dialogOpen, setDialogOpen] = useState(false);
  const problems = useEditor((s) => s.problems);
  const save = useEditor((s) => s.save);
  // Read when the dialog opens: subscribing to nodes here would re-render the whole editor on every drag frame.
  const inputs = useMemo(() => (dialogOpen ? startInputs(store.getState()) : []), [dialogOpen, store]);

  const errorCount = problems.filter((p) => p.severity === "error").length;
  const readOnly = useEditor((s) => s.readOnly);
  const runBlockedReason = readOnly
    ? "Viewers cannot run workflows"
    : save.status === "conflict"
      ? "Reload first"
      : hasErrors(problems)
        ? `Fix ${errorCount} error${errorCount === 1 ? "" : "s"} to run`
        : null;

  const onStart = async (values: Record<string, unknown>): Promise<ApiError | null> => {
    // The server runs the saved draft: make sure it has the graph on screen.
    const saved = (await saver.current?.settle()) ?? true;
    if (!saved) {
      return { status: 0, code: "not_saved", message: `The latest changes are not saved (${store.getState().save.message ?? "save failed"}); the run was not started.` };
    }
    const result = await startRun(workflow.id, values);
    if (!result.ok) return result.error;
    store.getState().beginRun(result.value.runId);
    return null;
  };

  return (
    <div className="flex h-full min-h-0 flex-col bg-zinc-50" data-testid="workflow-editor">
      <EditorHeader
        onRun={() => setDialogOpen(true)}
        runBlockedReason={runBlockedReason}
        publishDeniedReason={workflow.publishDeniedReason ?? null}
        onRetrySave={() => void saver.current?.flush()}
      />
      <div className="flex min-h-0 flex-1">
        <aside className="w-60 shrink-0 border-r bg-white">
          <Palette />
        </aside>
        <main className="flex min-h-0 min-w-0 flex-1 flex-col">
          {/* React Flow needs a parent with a definite height: flex-1 inside the full-height column. */}
          <div className="min-h-0 flex-1">
            <Canvas />
          </div>
          <ProblemsPanel />
        </main>
        <aside className="flex w-96 shrink-0 flex-col border-l bg-white" aria-label="Inspector">
          <div className="min-h-0 flex-1 overflow-y-auto">
            <Inspector />
          </div>
          <RunPanel />
        </aside>
      </div>
      <RunDialog open={dialogOpen} onOpenChange={setDialogOpen} inputs={inputs} onStart={onStart} />
    </div>
  );
}

/** The workflow editor: palette, canvas, inspector, problems, run. Client only. */
export function WorkflowEditor({ workflow }: { workflow: EditorWorkflow }) {
  // A different workflow (or a reload after a conflict) gets a fresh store.
  return <EditorLayout key={`${workflow.id}:${workflow.revision}`} workflow={workflow} />;
}
