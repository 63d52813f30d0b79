"use client";

import { MemorySection } from "../memory-section";
import type { NodePanelProps } from "@/lib/editor/panel-kit";
import { Field, NativeSelect, TemplateField } from "@/components/editor/fields";
import { ModelPicker } from "@/components/editor/model-picker";
import { Input } from "@/components/ui/input";
import { Textarea } from "@/components/ui/textarea";
import type { LlmConfig } from "./definition";

export function LlmPanel({ nodeId, config, onChange, fields }: NodePanelProps<LlmConfig>) {
  const set = (patch: Partial<LlmConfig>) => onChange({ ...config, ...patch });
  const id = (name: string) => `${nodeId}-${name}`;

  return (
    <div className="space-y-3">
      <ModelPicker idPrefix={nodeId} value={{ providerId: config.providerId ?? "", model: config.model ?? "" }} onChange={(ref) => set(ref)} />

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
      <MemorySection id={nodeId} memory={config.memory} onChange={(memory) => set({ memory })} />
    </div>
  );
}
