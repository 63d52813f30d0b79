"use client";

import { MemorySection } from "../memory-section";
import Link from "next/link";
import type { NodePanelProps } from "@/lib/editor/panel-kit";
import { LIMITS } from "@/lib/engine/limits";
import { Field, NativeSelect, TemplateField } from "@/components/editor/fields";
import { Button } from "@/components/ui/button";
import { Input } from "@/components/ui/input";
import { ModelSection } from "../model-section";
import { useWorkspaceTools } from "../tool/use-tools";
import type { AgentConfig } from "./definition";
import { ToolsLoadError } from "../tool/tools-error";
import { KnowledgeChecklist } from "../knowledge/knowledge-checklist";
import { RerankField } from "../knowledge/rerank-field";
import { knowledgeToolName } from "./knowledge-tools";

function ToolList({ nodeId, config, onChange }: { nodeId: string; config: AgentConfig; onChange: (config: AgentConfig) => void }) {
  const tools = useWorkspaceTools();
  const selected = config.tools ?? [];
  const stops = config.stopAfterTools ?? [];
  const list = tools.status === "ready" ? tools.tools : [];
  const missing = tools.status === "ready" ? selected.filter((id) => !list.some((t) => t.id === id)) : [];
  const toggle = (id: string, on: boolean) =>
    onChange({ ...config, tools: on ? [...selected, id] : selected.filter((t) => t !== id), stopAfterTools: on ? stops : stops.filter((t) => t !== id) });
  const toggleStop = (id: string, on: boolean) => onChange({ ...config, stopAfterTools: on ? [...stops, id] : stops.filter((t) => t !== id) });

  return (
    <fieldset className="space-y-2" data-testid="agent-tools">
      <legend className="text-xs font-medium text-zinc-700">Tools the model may call</legend>
      {tools.status === "loading" ? <p className="text-xs text-muted-foreground">Loading tools…</p> : null}
      <ToolsLoadError state={tools} />
      {tools.status === "ready" && list.length === 0 ? (
        <p className="text-xs text-muted-foreground">
          This workspace has no tools yet. <Link href="/tools" className="underline">Register a tool</Link>
        </p>
      ) : null}
      {list.map((tool) => {
        const id = `${nodeId}-tool-${tool.id}`;
        const on = selected.includes(tool.id);
        return (
          <div key={tool.id} className="rounded-md border p-2">
            <label htmlFor={id} className="flex items-start gap-2 text-sm">
              <input id={id} type="checkbox" className="mt-0.5 size-4" checked={on} onChange={(e) => toggle(tool.id, e.target.checked)} />
              <span className="min-w-0">
                <span className="font-mono text-xs font-medium">{tool.name}</span>
                <span className="ml-1 text-[10px] uppercase text-muted-foreground">{tool.kind}</span>
                {!tool.enabled ? <span className="ml-1 text-[10px] uppercase text-amber-700">disabled</span> : null}
                {tool.description ? <span className="block text-xs text-muted-foreground">{tool.description}</span> : null}
              </span>
            </label>
            {on ? (
              <label htmlFor={`${id}-stop`} className="ml-6 mt-1 flex items-center gap-2 text-xs text-muted-foreground">
                <input id={`${id}-stop`} type="checkbox" checked={stops.includes(tool.id)} onChange={(e) => toggleStop(tool.id, e.target.checked)} />
                Stop after a successful call
              </label>
            ) : null}
          </div>
        );
      })}
      {missing.map((id) => (
        <p key={id} className="text-xs text-red-600">
          Selected tool {id} no longer exists.{" "}
          <Button variant="ghost" size="sm" className="h-6 px-1.5 text-xs" onClick={() => toggle(id, false)}>
            Remove
          </Button>
        </p>
      ))}
    </fieldset>
  );
}

export function AgentPanel({ nodeId, config, onChange, fields }: NodePanelProps<AgentConfig>) {
  const set = (patch: Partial<AgentConfig>) => onChange({ ...config, ...patch });
  return (
    <div className="space-y-3">
      <ModelSection nodeId={nodeId} config={config} onChange={onChange} />
      <TemplateField id={`${nodeId}-system`} label="System prompt" rows={3} mono={false} value={config.systemPrompt ?? ""} fields={fields} onChange={(systemPrompt) => set({ systemPrompt })} />
      <TemplateField
        id={`${nodeId}-user`}
        label="User prompt"
        rows={4}
        mono={false}
        value={config.userPrompt ?? ""}
        fields={fields}
        placeholder="{{ start.question }}"
        onChange={(userPrompt) => set({ userPrompt })}
      />
      <ToolList nodeId={nodeId} config={config} onChange={onChange} />
      <KnowledgeChecklist
        id={nodeId}
        legend="Knowledge bases the model may search"
        selected={config.knowledgeBases ?? []}
        onChange={(knowledgeBases) => set({ knowledgeBases })}
        describe={(kb) => `Tool ${knowledgeToolName(kb.name)}`}
        unresolved={config.unresolvedKnowledgeBases}
        onUnresolvedChange={(unresolvedKnowledgeBases) => set({ unresolvedKnowledgeBases })}
      />
      {(config.knowledgeBases ?? []).length > 0 ? <RerankField id={`${nodeId}-knowledge-rerank`} value={config.knowledgeRerank} onChange={(knowledgeRerank) => set({ knowledgeRerank })} /> : null}
      <Field id={`${nodeId}-max-iterations`} label="Max iterations" hint={`Model turns at most (1–${LIMITS.maxAgentIterations}); each turn may call several tools.`}>
        <Input
          id={`${nodeId}-max-iterations`}
          type="number"
          min={1}
          max={LIMITS.maxAgentIterations}
          step={1}
          className="w-24"
          value={config.maxIterations ?? 5}
          onChange={(e) => {
            const value = e.target.valueAsNumber;
            if (Number.isFinite(value)) set({ maxIterations: Math.min(LIMITS.maxAgentIterations, Math.max(1, Math.trunc(value))) });
          }}
        />
      </Field>
      <Field id={`${nodeId}-on-max`} label="At the iteration limit">
        <NativeSelect id={`${nodeId}-on-max`} value={config.onMaxIterations ?? "fail"} onChange={(e) => set({ onMaxIterations: e.target.value === "return" ? "return" : "fail" })}>
          <option value="fail">Fail the step</option>
          <option value="return">Return the last answer</option>
        </NativeSelect>
      </Field>
      <Field id={`${nodeId}-on-tool-error`} label="When a tool fails">
        <NativeSelect id={`${nodeId}-on-tool-error`} value={config.onToolError ?? "continue"} onChange={(e) => set({ onToolError: e.target.value === "fail" ? "fail" : "continue" })}>
          <option value="continue">Tell the model and go on</option>
          <option value="fail">Fail the step</option>
        </NativeSelect>
      </Field>
      <MemorySection id={nodeId} memory={config.memory} onChange={(memory) => set({ memory })} />
    </div>
  );
}
