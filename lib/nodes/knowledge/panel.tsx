"use client";

import type { NodePanelProps } from "@/lib/editor/panel-kit";
import { Field, NativeSelect, TemplateField } from "@/components/editor/fields";
import { Input } from "@/components/ui/input";
import { KeyValueEditor } from "../http/key-values";
import { KNOWLEDGE_LIMITS, KNOWLEDGE_MODES, type KnowledgeConfig } from "./definition";
import { KnowledgeChecklist } from "./knowledge-checklist";
import { RerankField } from "./rerank-field";

const MODE_LABELS: Record<(typeof KNOWLEDGE_MODES)[number], string> = {
  hybrid: "Hybrid (vector + keyword)",
  vector: "Vector (meaning)",
  keyword: "Keyword (words)",
};

export function KnowledgePanel({ nodeId, config, onChange, fields }: NodePanelProps<KnowledgeConfig>) {
  const set = (patch: Partial<KnowledgeConfig>) => onChange({ ...config, ...patch });
  return (
    <div className="space-y-3">
      <KnowledgeChecklist
        id={nodeId}
        legend="Knowledge bases to search"
        selected={config.knowledgeBaseIds ?? []}
        onChange={(knowledgeBaseIds) => set({ knowledgeBaseIds })}
        unresolved={config.unresolvedKnowledgeBases}
        onUnresolvedChange={(unresolvedKnowledgeBases) => set({ unresolvedKnowledgeBases })}
      />
      <TemplateField id={`${nodeId}-query`} label="Query" rows={2} mono={false} value={config.query ?? ""} fields={fields} placeholder="{{ start.question }}" onChange={(query) => set({ query })} />
      <Field id={`${nodeId}-mode`} label="Search mode">
        <NativeSelect id={`${nodeId}-mode`} value={config.mode ?? "hybrid"} onChange={(e) => set({ mode: KNOWLEDGE_MODES.find((m) => m === e.target.value) ?? "hybrid" })}>
          {KNOWLEDGE_MODES.map((mode) => (
            <option key={mode} value={mode}>
              {MODE_LABELS[mode]}
            </option>
          ))}
        </NativeSelect>
      </Field>
      <Field id={`${nodeId}-top-k`} label="Top K" hint={`How many chunks at most (1–${KNOWLEDGE_LIMITS.maxTopK}).`}>
        <Input
          id={`${nodeId}-top-k`}
          type="number"
          min={1}
          max={KNOWLEDGE_LIMITS.maxTopK}
          step={1}
          className="w-24"
          value={config.topK ?? KNOWLEDGE_LIMITS.defaultTopK}
          onChange={(e) => {
            const value = e.target.valueAsNumber;
            if (Number.isFinite(value)) set({ topK: Math.min(KNOWLEDGE_LIMITS.maxTopK, Math.max(1, Math.trunc(value))) });
          }}
        />
      </Field>
      <Field id={`${nodeId}-threshold`} label="Score threshold" hint="0 to 1; chunks scoring lower are left out. Empty keeps the top K.">
        <Input
          id={`${nodeId}-threshold`}
          type="number"
          min={0}
          max={1}
          step={0.05}
          className="w-24"
          value={config.scoreThreshold ?? ""}
          onChange={(e) => {
            const value = e.target.valueAsNumber;
            set({ scoreThreshold: Number.isFinite(value) ? Math.min(1, Math.max(0, value)) : undefined });
          }}
        />
      </Field>
      <RerankField id={`${nodeId}-rerank`} value={config.rerank} onChange={(rerank) => set({ rerank })} />
      <KeyValueEditor id={`${nodeId}-filter`} title="Metadata filter (every tag must match)" noun="filter" rows={config.filter ?? []} onChange={(filter) => set({ filter })} fields={fields} keyPlaceholder="department" />
    </div>
  );
}
