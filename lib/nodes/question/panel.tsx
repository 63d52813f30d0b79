"use client";

import { Plus } from "lucide-react";
import type { NodePanelProps } from "@/lib/editor/panel-kit";
import { Field, NativeSelect, RemoveButton } from "@/components/editor/fields";
import { Button } from "@/components/ui/button";
import { Input } from "@/components/ui/input";
import { WaitTextFields, WaitTimeoutField } from "../wait-fields";
import { QUESTION_FIELD_TYPES, type QuestionConfig, type QuestionField, type QuestionFieldType } from "./definition";

const TYPE_LABELS: Record<QuestionFieldType, string> = { string: "Text", number: "Number", boolean: "Yes / no", select: "Choice" };

function nextFieldName(fields: readonly QuestionField[]): string {
  const taken = new Set(fields.map((f) => f.name));
  let n = fields.length + 1;
  while (taken.has(`field_${n}`)) n++;
  return `field_${n}`;
}

/** The default as typed in the panel: text for strings and choices, a number, or yes/no. */
function parseDefault(field: QuestionField, text: string): QuestionField["default"] {
  if (text === "") return null;
  if (field.type === "number") return Number.isFinite(Number(text)) ? Number(text) : text;
  if (field.type === "boolean") return text === "true";
  return text;
}

function DefaultInput({ id, field, onChange }: { id: string; field: QuestionField; onChange: (value: QuestionField["default"]) => void }) {
  const current = field.default === null || field.default === undefined ? "" : String(field.default);
  if (field.type === "boolean" || field.type === "select") {
    const choices = field.type === "boolean" ? ["true", "false"] : (field.options ?? []);
    return (
      <NativeSelect id={id} value={current} onChange={(e) => onChange(parseDefault(field, e.target.value))}>
        <option value="">No default</option>
        {choices.map((choice) => (
          <option key={choice} value={choice}>
            {field.type === "boolean" ? (choice === "true" ? "Yes" : "No") : choice}
          </option>
        ))}
      </NativeSelect>
    );
  }
  return <Input id={id} type={field.type === "number" ? "number" : "text"} value={current} placeholder="None" onChange={(e) => onChange(parseDefault(field, e.target.value))} />;
}

export function QuestionPanel({ nodeId, config, onChange, fields: upstream }: NodePanelProps<QuestionConfig>) {
  const fields = config.fields ?? [];
  const setField = (index: number, patch: Partial<QuestionField>) => onChange({ ...config, fields: fields.map((f, i) => (i === index ? { ...f, ...patch } : f)) });
  const add = () =>
    onChange({
      ...config,
      fields: [...fields, { name: nextFieldName(fields), label: "", type: "string", required: true, options: [], default: null, description: "" }],
    });

  return (
    <div className="space-y-3">
      <WaitTextFields
        nodeId={nodeId}
        title={config.title ?? ""}
        text={config.prompt ?? ""}
        textLabel="Question"
        placeholders={{ title: "Shipping details for order {{ start.order }}", text: "Which carrier should ship {{ start.order }}?" }}
        fields={upstream}
        onChange={(patch) => onChange({ ...config, title: patch.title ?? config.title, prompt: patch.text ?? config.prompt })}
      />
      <div>
        <h3 className="text-sm font-medium">Answer fields</h3>
        <p className="text-xs text-muted-foreground">
          Later nodes read them as <code className="font-mono">{`{{ ${nodeId}.name }}`}</code>.
        </p>
      </div>
      {fields.map((field, index) => {
        const base = `${nodeId}-field-${index}`;
        return (
          <fieldset key={index} className="space-y-2 rounded-md border p-3" data-testid={`question-field-${index}`}>
            <div className="flex items-center justify-between">
              <legend className="text-xs font-medium text-muted-foreground">Field {index + 1}</legend>
              <RemoveButton label={`Remove field ${index + 1}`} onClick={() => onChange({ ...config, fields: fields.filter((_, i) => i !== index) })} disabled={fields.length <= 1} />
            </div>
            <div className="grid grid-cols-2 gap-2">
              <Field id={`${base}-name`} label="Name">
                <Input id={`${base}-name`} className="font-mono text-xs" value={field.name ?? ""} onChange={(e) => setField(index, { name: e.target.value })} />
              </Field>
              <Field id={`${base}-type`} label="Type">
                <NativeSelect id={`${base}-type`} value={field.type ?? "string"} onChange={(e) => setField(index, { type: e.target.value as QuestionFieldType, default: null })}>
                  {QUESTION_FIELD_TYPES.map((type) => (
                    <option key={type} value={type}>
                      {TYPE_LABELS[type]}
                    </option>
                  ))}
                </NativeSelect>
              </Field>
            </div>
            <Field id={`${base}-label`} label="Label">
              <Input id={`${base}-label`} value={field.label ?? ""} placeholder="Shown in the answer form" onChange={(e) => setField(index, { label: e.target.value })} />
            </Field>
            {field.type === "select" ? (
              <Field id={`${base}-options`} label="Options" hint="Separated by commas.">
                <Input
                  id={`${base}-options`}
                  // The raw text while typing; the stored list drops empty entries.
                  defaultValue={(field.options ?? []).join(", ")}
                  placeholder="DHL, UPS, FedEx"
                  onChange={(e) => setField(index, { options: e.target.value.split(",").map((o) => o.trim()).filter(Boolean) })}
                />
              </Field>
            ) : null}
            <Field id={`${base}-default`} label="Default" hint={config.timeout ? "Pre-filled, and used when the question times out." : "Pre-filled in the form."}>
              <DefaultInput id={`${base}-default`} field={field} onChange={(value) => setField(index, { default: value })} />
            </Field>
            <label className="flex items-center gap-2 text-xs" htmlFor={`${base}-required`}>
              <input id={`${base}-required`} type="checkbox" checked={field.required ?? true} onChange={(e) => setField(index, { required: e.target.checked })} />
              Required
            </label>
          </fieldset>
        );
      })}
      <Button variant="outline" size="sm" onClick={add} data-testid="add-question-field">
        <Plus aria-hidden /> Add field
      </Button>
      <WaitTimeoutField
        id={`${nodeId}-timeout`}
        value={config.timeout ?? null}
        onChange={(timeout) => onChange({ ...config, timeout })}
        hint={config.timeout ? "On timeout every field takes its default (or null) and timedOut is true." : undefined}
      />
    </div>
  );
}
