"use client";

import Link from "next/link";
import { RefreshCw } from "lucide-react";
import type { NodePanelProps } from "@/lib/editor/panel-kit";
import { useProviders } from "@/lib/editor/use-providers";
import { Field, NativeSelect, TemplateField } from "@/components/editor/fields";
import { Button } from "@/components/ui/button";
import { Input } from "@/components/ui/input";
import { Textarea } from "@/components/ui/textarea";
import type { LlmConfig } from "./definition";

function ProvidersHint({ message, onRetry }: { message: string; onRetry?: () => void }) {
  return (
    <div className="rounded-md border border-amber-200 bg-amber-50 p-2 text-xs text-amber-900" data-testid="providers-hint">
      {message}{" "}
      <Link href="/settings/models" className="font-medium underline">
        Set up model providers
      </Link>
      {onRetry ? (
        <Button variant="ghost" size="sm" className="ml-1 h-6 px-1.5 text-xs" onClick={onRetry}>
          <RefreshCw aria-hidden /> Retry
        </Button>
      ) : null}
    </div>
  );
}

export function LlmPanel({ nodeId, config, onChange, fields }: NodePanelProps<LlmConfig>) {
  const providers = useProviders();
  const list = providers.status === "ready" ? providers.providers : [];
  const provider = list.find((p) => p.id === config.providerId);
  const models = provider?.models ?? [];
  const set = (patch: Partial<LlmConfig>) => onChange({ ...config, ...patch });
  const id = (name: string) => `${nodeId}-${name}`;

  return (
    <div className="space-y-3">
      {providers.status === "error" ? (
        <ProvidersHint
          message={providers.error.status === 401 ? "Sign in again to load the model providers." : `Could not load model providers: ${providers.error.message}`}
          onRetry={providers.reload}
        />
      ) : providers.status === "ready" && list.length === 0 ? (
        <ProvidersHint message="No model provider is configured yet." onRetry={providers.reload} />
      ) : null}

      <Field id={id("provider")} label="Provider">
        <NativeSelect
          id={id("provider")}
          value={config.providerId ?? ""}
          disabled={providers.status === "loading"}
          onChange={(e) => {
            const next = list.find((p) => p.id === e.target.value);
            set({ providerId: e.target.value, model: next?.models.includes(config.model) ? config.model : (next?.models[0] ?? "") });
          }}
        >
          <option value="">{providers.status === "loading" ? "Loading…" : "Choose a provider…"}</option>
          {config.providerId && !provider ? <option value={config.providerId}>{config.providerId} (unavailable)</option> : null}
          {list.map((p) => (
            <option key={p.id} value={p.id}>
              {p.name}
            </option>
          ))}
        </NativeSelect>
      </Field>

      <Field id={id("model")} label="Model" hint={provider && models.length === 0 ? "This provider lists no models; type the model name." : undefined}>
        {provider && models.length === 0 ? (
          <Input id={id("model")} value={config.model ?? ""} placeholder="model name" onChange={(e) => set({ model: e.target.value })} />
        ) : (
          <NativeSelect id={id("model")} value={config.model ?? ""} disabled={!provider && !config.model} onChange={(e) => set({ model: e.target.value })}>
            <option value="">{provider ? "Choose a model…" : "Choose a provider first"}</option>
            {config.model && !models.includes(config.model) ? <option value={config.model}>{config.model}</option> : null}
            {models.map((m) => (
              <option key={m} value={m}>
                {m}
              </option>
            ))}
          </NativeSelect>
        )}
      </Field>

      <TemplateField
        id={id("system")}
        label="System prompt"
        rows={3}
        mono={false}
        value={config.systemPrompt ?? ""}
        fields={fields}
        onChange={(systemPrompt) => set({ systemPrompt })}
      />
      <TemplateField
        id={id("user")}
        label="User prompt"
        rows={5}
        mono={false}
        value={config.userPrompt ?? ""}
        fields={fields}
        placeholder="Answer the question: {{ start.question }}"
        onChange={(userPrompt) => set({ userPrompt })}
      />

      <Field id={id("temperature")} label="Temperature" hint="0 is focused and repeatable, 2 is most varied.">
        <div className="flex items-center gap-2">
          <input
            type="range"
            min={0}
            max={2}
            step={0.1}
            // The number field beside it is the labelled control; the slider is a mouse shortcut.
            aria-hidden
            tabIndex={-1}
            className="flex-1 accent-zinc-900"
            value={config.temperature ?? 0.7}
            onChange={(e) => set({ temperature: Number(e.target.value) })}
          />
          <Input
            id={id("temperature")}
            type="number"
            min={0}
            max={2}
            step={0.1}
            className="w-20"
            value={config.temperature ?? 0.7}
            onChange={(e) => {
              const value = e.target.valueAsNumber;
              if (Number.isFinite(value)) set({ temperature: value });
            }}
          />
        </div>
      </Field>

      <Field id={id("max-tokens")} label="Max tokens" hint="Leave empty for the model's default.">
        <Input
          id={id("max-tokens")}
          type="number"
          min={1}
          step={1}
          value={config.maxTokens ?? ""}
          onChange={(e) => {
            const value = e.target.valueAsNumber;
            const { maxTokens: _drop, ...rest } = config;
            onChange(Number.isFinite(value) ? { ...rest, maxTokens: Math.trunc(value) } : rest);
          }}
        />
      </Field>

      <Field id={id("format")} label="Output format">
        <NativeSelect
          id={id("format")}
          value={config.outputFormat ?? "text"}
          onChange={(e) => set({ outputFormat: e.target.value === "json" ? "json" : "text" })}
        >
          <option value="text">Text</option>
          <option value="json">JSON</option>
        </NativeSelect>
      </Field>

      {config.outputFormat === "json" ? (
        <Field id={id("schema")} label="JSON schema" hint="Optional. Its properties become variables of this node.">
          <Textarea
            id={id("schema")}
            rows={6}
            spellCheck={false}
            className="font-mono text-xs"
            placeholder={'{ "type": "object", "properties": { "answer": { "type": "string" } } }'}
            value={config.jsonSchema ?? ""}
            onChange={(e) => set({ jsonSchema: e.target.value })}
          />
        </Field>
      ) : null}
    </div>
  );
}
