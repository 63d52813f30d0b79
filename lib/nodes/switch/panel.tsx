"use client";

import { Plus } from "lucide-react";
import { nextCaseId } from "@/lib/editor/ids";
import type { NodePanelProps } from "@/lib/editor/panel-kit";
import { Field, NativeSelect, RemoveButton } from "@/components/editor/fields";
import { Button } from "@/components/ui/button";
import { Input } from "@/components/ui/input";
import type { SwitchCase, SwitchConfig } from "./definition";

/** Values are edited as one comma-separated line; commas inside a value are not supported here. */
const toText = (values: readonly string[]) => values.join(", ");
const fromText = (text: string) => {
  const values = text.split(",").map((v) => v.trim());
  return values.length > 0 ? values : [""];
};

export function SwitchPanel({ nodeId, config, onChange, fields }: NodePanelProps<SwitchConfig>) {
  const cases = config.cases ?? [];
  const variables = fields.map((f) => ({ value: `${f.nodeId}.${f.field}`, type: f.type }));
  const known = variables.some((v) => v.value === config.value);
  const setCase = (index: number, next: SwitchCase) => onChange({ ...config, cases: cases.map((c, i) => (i === index ? next : c)) });

  return (
    <div className="space-y-3">
      <Field id={`${nodeId}-value`} label="Switch on">
        <NativeSelect id={`${nodeId}-value`} value={config.value ?? ""} onChange={(e) => onChange({ ...config, value: e.target.value })}>
          <option value="">Choose a variable…</option>
          {!known && config.value ? <option value={config.value}>{config.value} (not upstream)</option> : null}
          {variables.map((v) => (
            <option key={v.value} value={v.value}>
              {v.value} ({v.type})
            </option>
          ))}
        </NativeSelect>
      </Field>
      <p className="text-xs text-muted-foreground">Cases are checked in order. List several values separated by commas to match any of them.</p>
      {cases.map((c, index) => {
        const id = `${nodeId}-${c.id}`;
        return (
          <Field
            key={c.id ?? index}
            id={id}
            label={`Case ${index + 1} (${c.id})`}
            action={<RemoveButton label={`Remove case ${index + 1}`} onClick={() => onChange({ ...config, cases: cases.filter((_, i) => i !== index) })} disabled={cases.length <= 1} />}
          >
            <Input
              id={id}
              className="font-mono text-xs"
              // Show the raw text while typing; the stored list is trimmed.
              defaultValue={toText(c.values ?? [])}
              placeholder="billing, refunds"
              onChange={(e) => setCase(index, { ...c, values: fromText(e.target.value) })}
            />
          </Field>
        );
      })}
      <Button variant="outline" size="sm" onClick={() => onChange({ ...config, cases: [...cases, { id: nextCaseId(cases), values: [""] }] })} data-testid="add-switch-case">
        <Plus aria-hidden /> Add case
      </Button>
      <div className="rounded-md border border-dashed p-3 text-xs text-muted-foreground">
        <span className="font-mono font-semibold">DEFAULT</span>: taken when no case matches.
      </div>
    </div>
  );
}
