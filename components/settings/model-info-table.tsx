"use client";

import { Input } from "@/components/ui/input";
import { knownModel } from "@/lib/models/known-models";
import type { ModelInfo, ModelInfoInput, ModelInfoMap } from "@/lib/providers/schema";

/**
 * Settings → Models → a provider's models: context window, capabilities and prices per model.
 * Numbers are kept as typed text (an empty cell means unknown) and turned into ModelInfo on save.
 */

type Capability = keyof ModelInfo["capabilities"];
const CAPABILITIES: { key: Capability; label: string }[] = [
  { key: "tools", label: "Tools" },
  { key: "json", label: "JSON" },
  { key: "vision", label: "Vision" },
  { key: "streaming", label: "Stream" },
];

export interface ModelInfoDraft {
  contextWindow: string;
  maxOutputTokens: string;
  inputPrice: string;
  outputPrice: string;
  currency: string;
  capabilities: ModelInfo["capabilities"];
}

const text = (value: number | undefined) => (value === undefined ? "" : String(value));

/** The row a model starts from: what is stored, else the known defaults, else blanks. */
export function draftFor(model: string, stored: ModelInfoMap | undefined): ModelInfoDraft {
  const info = stored?.[model] ?? knownModel(model);
  return {
    contextWindow: text(info?.contextWindow),
    maxOutputTokens: text(info?.maxOutputTokens),
    inputPrice: text(info?.inputPrice),
    outputPrice: text(info?.outputPrice),
    currency: info?.currency ?? "USD",
    capabilities: { tools: true, json: false, vision: false, streaming: true, ...info?.capabilities },
  };
}

const num = (value: string) => (value.trim() === "" ? undefined : Number(value));

export function draftsToInfo(models: readonly string[], drafts: Record<string, ModelInfoDraft>): Record<string, ModelInfoInput> {
  const out: Record<string, ModelInfoInput> = {};
  for (const model of models) {
    const d = drafts[model];
    if (!d) continue;
    out[model] = {
      contextWindow: num(d.contextWindow),
      maxOutputTokens: num(d.maxOutputTokens),
      inputPrice: num(d.inputPrice),
      outputPrice: num(d.outputPrice),
      currency: d.currency.trim() || "USD",
      capabilities: d.capabilities,
    };
  }
  return out;
}

export function ModelInfoTable({
  models,
  drafts,
  onChange,
  error,
}: {
  models: readonly string[];
  drafts: Record<string, ModelInfoDraft>;
  onChange: (model: string, draft: ModelInfoDraft) => void;
  error?: string;
}) {
  if (models.length === 0) return null;
  const cell = "px-1 py-1 align-middle";
  return (
    <div className="space-y-1.5">
      <p className="text-sm font-medium">Model details</p>
      <p className="text-xs text-muted-foreground">Prices per million tokens; runs show cost from them. Empty means unknown. Well-known models start with published values.</p>
      <div className="overflow-x-auto rounded-md border">
        <table className="w-full text-xs" data-testid="model-info-table">
          <thead className="bg-muted/50 text-left text-muted-foreground">
            <tr>
              <th className={cell}>Model</th>
              <th className={cell}>Context</th>
              <th className={cell}>Max out</th>
              {CAPABILITIES.map((c) => (
                <th key={c.key} className={cell}>
                  {c.label}
                </th>
              ))}
              <th className={cell}>In / M</th>
              <th className={cell}>Out / M</th>
              <th className={cell}>Cur.</th>
            </tr>
          </thead>
          <tbody>
            {models.map((model) => {
              const d = drafts[model] ?? draftFor(model, undefined);
              const set = (patch: Partial<ModelInfoDraft>) => onChange(model, { ...d, ...patch });
              const field = (key: "contextWindow" | "maxOutputTokens" | "inputPrice" | "outputPrice", label: string, step: string) => (
                <td className={cell}>
                  <Input
                    aria-label={`${label} of ${model}`}
                    type="number"
                    min={0}
                    step={step}
                    className="h-7 w-20 px-1.5 text-xs"
                    value={d[key]}
                    onChange={(e) => set({ [key]: e.target.value })}
                  />
                </td>
              );
              return (
                <tr key={model} className="border-t">
                  <td className={`${cell} font-mono`}>{model}</td>
                  {field("contextWindow", "Context window", "1")}
                  {field("maxOutputTokens", "Max output tokens", "1")}
                  {CAPABILITIES.map((c) => (
                    <td key={c.key} className={`${cell} text-center`}>
                      <input
                        type="checkbox"
                        aria-label={`${c.label} support of ${model}`}
                        checked={d.capabilities[c.key]}
                        onChange={(e) => set({ capabilities: { ...d.capabilities, [c.key]: e.target.checked } })}
                      />
                    </td>
                  ))}
                  {field("inputPrice", "Input price", "any")}
                  {field("outputPrice", "Output price", "any")}
                  <td className={cell}>
                    <Input aria-label={`Currency of ${model}`} maxLength={3} className="h-7 w-14 px-1.5 text-xs uppercase" value={d.currency} onChange={(e) => set({ currency: e.target.value.toUpperCase() })} />
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
      {error ? (
        <p role="alert" className="text-xs text-destructive">
          {error}
        </p>
      ) : null}
    </div>
  );
}
