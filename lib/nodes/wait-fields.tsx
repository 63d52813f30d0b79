"use client";

import type { ReactNode } from "react";
import type { UpstreamField } from "@/lib/engine/validate";
import { Field, NativeSelect, TemplateField } from "@/components/editor/fields";
import { Input } from "@/components/ui/input";
import { DURATION_UNITS, type DurationUnit, type WaitTimeout } from "./wait-kit";

/** "Time out after N minutes/hours/days", or never: shared by the Human approval and Question panels. */
export function WaitTimeoutField({
  id,
  value,
  onChange,
  hint,
}: {
  id: string;
  value: WaitTimeout | null;
  onChange: (value: WaitTimeout | null) => void;
  hint?: ReactNode;
}) {
  return (
    <div className="space-y-2">
      <label className="flex items-center gap-2 text-xs font-medium text-zinc-700" htmlFor={`${id}-enabled`}>
        <input
          id={`${id}-enabled`}
          type="checkbox"
          checked={value !== null}
          onChange={(e) => onChange(e.target.checked ? { amount: 1, unit: "days" } : null)}
          data-testid={`${id}-enabled`}
        />
        Time out
      </label>
      {value ? (
        <div className="grid grid-cols-2 gap-2">
          <Field id={`${id}-amount`} label="After">
            <Input
              id={`${id}-amount`}
              type="number"
              min={0}
              step="any"
              value={Number.isFinite(value.amount) ? value.amount : ""}
              onChange={(e) => onChange({ ...value, amount: Number(e.target.value) })}
            />
          </Field>
          <Field id={`${id}-unit`} label="Unit">
            <NativeSelect id={`${id}-unit`} value={value.unit} onChange={(e) => onChange({ ...value, unit: e.target.value as DurationUnit })}>
              {DURATION_UNITS.map((unit) => (
                <option key={unit} value={unit}>
                  {unit}
                </option>
              ))}
            </NativeSelect>
          </Field>
        </div>
      ) : null}
      {hint ? <p className="text-xs text-muted-foreground">{hint}</p> : null}
    </div>
  );
}

/** The title and the main text (approval message, question prompt) a person is shown, both templates. */
export function WaitTextFields({
  nodeId,
  title,
  text,
  textLabel,
  placeholders,
  fields,
  onChange,
}: {
  nodeId: string;
  title: string;
  text: string;
  textLabel: string;
  placeholders: { title: string; text: string };
  fields: readonly UpstreamField[];
  onChange: (patch: { title?: string; text?: string }) => void;
}) {
  return (
    <>
      <TemplateField
        id={`${nodeId}-title`}
        label="Title"
        rows={1}
        mono={false}
        value={title}
        fields={fields}
        placeholder={placeholders.title}
        onChange={(value) => onChange({ title: value })}
      />
      <TemplateField
        id={`${nodeId}-text`}
        label={textLabel}
        rows={5}
        mono={false}
        value={text}
        fields={fields}
        placeholder={placeholders.text}
        hint="Rendered with the run's data when the run reaches this node; shown in the Inbox and on the run page."
        onChange={(value) => onChange({ text: value })}
      />
    </>
  );
}
