"use client";

import { Pin, PinOff } from "lucide-react";
import { useState } from "react";
import { parseOutputJson } from "@/lib/editor/node-flags";
import { Button } from "@/components/ui/button";
import { Textarea } from "@/components/ui/textarea";
import { JsonView } from "./json-view";
import { useEditor } from "./store-context";

/**
 * Disable a node, and pin its output: from the last run's step (the button under "Last run") or
 * typed as JSON. Both are ordinary edits of the draft; pins only ever apply to test-runs from the
 * editor and are stripped when publishing.
 */
export function NodeDisableToggle({ nodeId, isStart }: { nodeId: string; isStart: boolean }) {
  const disabled = useEditor((s) => s.nodes.find((n) => n.id === nodeId)?.data.disabled === true);
  const setDisabled = useEditor((s) => s.setDisabled);
  return (
    <label className="flex items-center gap-2 text-xs" title={isStart ? "Every run begins at Start: it cannot be disabled." : undefined}>
      <input
        type="checkbox"
        checked={disabled}
        disabled={isStart && !disabled}
        onChange={(e) => setDisabled(nodeId, e.target.checked)}
        data-testid="node-disabled-toggle"
      />
      <span>
        Disabled <span className="text-muted-foreground">(skipped by runs: its output is empty, the flow goes on)</span>
      </span>
    </label>
  );
}

export function NodePinSection({ nodeId }: { nodeId: string }) {
  const pin = useEditor((s) => s.nodes.find((n) => n.id === nodeId)?.data.pin);
  const step = useEditor((s) => s.overlay?.steps[nodeId]);
  const runId = useEditor((s) => s.overlay?.runId);
  const setPin = useEditor((s) => s.setPin);
  const [editing, setEditing] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);

  const save = () => {
    const parsed = parseOutputJson(editing ?? "");
    if (!parsed.ok) return setError(parsed.message);
    setPin(nodeId, { output: parsed.value, ...(pin?.branch ? { branch: pin.branch } : {}), source: { at: new Date().toISOString() } });
    setEditing(null);
    setError(null);
  };
  const fromStep = step?.status === "succeeded" && step.output && step.origin !== "pinned" ? step : null;

  return (
    <section className="space-y-2 border-t pt-3" data-testid="node-pin">
      <div className="flex items-center gap-2">
        <h3 className="text-sm font-medium">Pinned output</h3>
        {pin ? (
          <Button size="sm" variant="ghost" className="ml-auto" onClick={() => setPin(nodeId, undefined)} data-testid="node-unpin">
            <PinOff aria-hidden /> Unpin
          </Button>
        ) : null}
      </div>
      <p className="text-xs text-muted-foreground">Test-runs from the editor use a pinned output instead of running the node. Published runs never do.</p>
      {pin && editing === null ? (
        <>
          <JsonView value={pin.output} testId="node-pin-output" />
          {pin.branch ? <p className="text-xs">Branch: <code className="font-mono">{pin.branch}</code></p> : null}
        </>
      ) : null}
      {editing !== null ? (
        <div className="space-y-1">
          <Textarea rows={6} className="font-mono text-xs" value={editing} onChange={(e) => setEditing(e.target.value)} aria-label="Pinned output (JSON)" data-testid="node-pin-json" />
          {error ? <p className="text-xs text-red-700" role="alert">{error}</p> : null}
          <div className="flex gap-2">
            <Button size="sm" onClick={save} data-testid="node-pin-save">
              <Pin aria-hidden /> Pin
            </Button>
            <Button size="sm" variant="ghost" onClick={() => { setEditing(null); setError(null); }}>
              Cancel
            </Button>
          </div>
        </div>
      ) : (
        <div className="flex flex-wrap gap-2">
          {fromStep ? (
            <Button
              size="sm"
              variant="outline"
              data-testid="node-pin-from-run"
              onClick={() => setPin(nodeId, { output: fromStep.output!, ...(fromStep.branch ? { branch: fromStep.branch } : {}), source: { ...(runId ? { runId } : {}), at: new Date().toISOString() } })}
            >
              <Pin aria-hidden /> Pin the last run&apos;s output
            </Button>
          ) : null}
          <Button size="sm" variant="outline" data-testid="node-pin-edit" onClick={() => setEditing(JSON.stringify(pin?.output ?? fromStep?.output ?? {}, null, 2))}>
            {pin ? "Edit pinned JSON" : "Type an output…"}
          </Button>
        </div>
      )}
    </section>
  );
}
