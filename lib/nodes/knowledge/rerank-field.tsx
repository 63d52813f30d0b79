"use client";

import { Field } from "@/components/editor/fields";
import { ModelPicker } from "@/components/editor/model-picker";
import type { RerankConfig } from "./rerank";

/** The rerank switch and model of a knowledge search: the Knowledge retrieval node's and the Agent's knowledge tools'. */
export function RerankField({ id, value, onChange }: { id: string; value: RerankConfig | undefined; onChange: (rerank: RerankConfig | undefined) => void }) {
  return (
    <>
      <Field id={id} label="Rerank" hint="Optional: a rerank model (a provider serving /rerank: Jina, Cohere, vLLM, TEI, Xinference, DashScope) orders the candidates; its scores replace the search scores.">
        <label className="flex items-center gap-2 text-sm">
          <input id={id} type="checkbox" checked={value !== undefined} onChange={(e) => onChange(e.target.checked ? { providerId: "", model: "" } : undefined)} />
          Rerank the results
        </label>
      </Field>
      {value?.unresolvedProvider ? (
        <p className="text-xs text-red-600" data-testid="unresolved-rerank-provider">
          The imported workflow used the model provider &ldquo;{value.unresolvedProvider}&rdquo; for reranking, which is not in this workspace: pick one below.
        </p>
      ) : null}
      {value ? <ModelPicker idPrefix={id} value={value} onChange={onChange} /> : null}
    </>
  );
}
