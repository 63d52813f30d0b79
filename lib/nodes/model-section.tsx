"use client";

import type { UpstreamField } from "@/lib/engine/validate";
import { Field, TemplateField } from "@/components/editor/fields";
import { ModelPicker } from "@/components/editor/model-picker";
import { Input } from "@/components/ui/input";

interface ModelSettings {
  providerId: string;
  model: string;
  temperature: number;
}

/** Model, alias and temperature of the AI nodes (Classifier, Parameter extractor, Agent). */
export function ModelSection<C extends ModelSettings>({ nodeId, config, onChange }: { nodeId: string; config: C; onChange: (config: C) => void }) {
  return (
    <>
      <ModelPicker
        idPrefix={nodeId}
        value={{ providerId: config.providerId ?? "", model: config.model ?? "" }}
        onChange={(ref) => onChange({ ...config, providerId: ref.providerId, model: ref.model })}
      />
      <Field id={`${nodeId}-temperature`} label="Temperature" hint="0 is focused and repeatable (best for routing and extraction), 2 is most varied.">
        <Input
          id={`${nodeId}-temperature`}
          type="number"
          min={0}
          max={2}
          step={0.1}
          className="w-24"
          value={config.temperature ?? 0}
          onChange={(e) => {
            const value = e.target.valueAsNumber;
            if (Number.isFinite(value)) onChange({ ...config, temperature: Math.min(2, Math.max(0, value)) });
          }}
        />
      </Field>
    </>
  );
}

/** The text a Classifier or Parameter extractor reads, and optional instructions; both templates. */
export function TextTaskFields<C extends { input: string; instructions: string }>({
  nodeId,
  config,
  onChange,
  fields,
  inputLabel,
  instructionsPlaceholder,
}: {
  nodeId: string;
  config: C;
  onChange: (config: C) => void;
  fields: readonly UpstreamField[];
  inputLabel: string;
  instructionsPlaceholder?: string;
}) {
  return (
    <>
      <TemplateField
        id={`${nodeId}-input`}
        label={inputLabel}
        rows={3}
        mono={false}
        value={config.input ?? ""}
        fields={fields}
        placeholder="{{ start.message }}"
        onChange={(input) => onChange({ ...config, input })}
      />
      <TemplateField
        id={`${nodeId}-instructions`}
        label="Instructions (optional)"
        rows={2}
        mono={false}
        value={config.instructions ?? ""}
        fields={fields}
        placeholder={instructionsPlaceholder}
        onChange={(instructions) => onChange({ ...config, instructions })}
      />
    </>
  );
}
