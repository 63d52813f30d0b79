"use client";

import { Plus } from "lucide-react";
import type { UpstreamField } from "@/lib/engine/validate";
import { RemoveButton, VariablePicker } from "@/components/editor/fields";
import { Button } from "@/components/ui/button";
import { Input } from "@/components/ui/input";
import type { KeyValue } from "./definition";

/** Rows of name → value templates (headers, query parameters, form fields), each value with a variable picker. */
export function KeyValueEditor({
  id,
  title,
  noun,
  rows,
  onChange,
  fields,
  keyPlaceholder,
}: {
  id: string;
  title: string;
  /** "header", "parameter", "field": used in button names. */
  noun: string;
  rows: readonly KeyValue[];
  onChange: (rows: KeyValue[]) => void;
  fields: readonly UpstreamField[];
  keyPlaceholder: string;
}) {
  const set = (index: number, patch: Partial<KeyValue>) => onChange(rows.map((r, i) => (i === index ? { ...r, ...patch } : r)));
  return (
    <fieldset className="space-y-2" data-testid={id}>
      <legend className="text-xs font-medium text-zinc-700">{title}</legend>
      {rows.map((row, index) => (
        <div key={index} className="flex items-center gap-1">
          <label htmlFor={`${id}-${index}-key`} className="sr-only">
            {`${noun} ${index + 1} name`}
          </label>
          <Input
            id={`${id}-${index}-key`}
            className="h-8 w-2/5 font-mono text-xs"
            value={row.key}
            placeholder={keyPlaceholder}
            onChange={(e) => set(index, { key: e.target.value })}
          />
          <label htmlFor={`${id}-${index}-value`} className="sr-only">
            {`${noun} ${index + 1} value`}
          </label>
          <Input
            id={`${id}-${index}-value`}
            className="h-8 flex-1 font-mono text-xs"
            value={row.value}
            placeholder="value or {{ node.field }}"
            onChange={(e) => set(index, { value: e.target.value })}
          />
          <VariablePicker fields={fields} target={`${noun} ${index + 1} value`} onPick={(reference) => set(index, { value: row.value + reference })} />
          <RemoveButton label={`Remove ${noun} ${index + 1}`} onClick={() => onChange(rows.filter((_, i) => i !== index))} />
        </div>
      ))}
      <Button variant="ghost" size="sm" onClick={() => onChange([...rows, { key: "", value: "" }])} data-testid={`${id}-add`}>
        <Plus aria-hidden /> Add {noun}
      </Button>
    </fieldset>
  );
}
