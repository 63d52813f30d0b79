"use client";

import { Plus } from "lucide-react";
import type { NodePanelProps } from "@/lib/editor/panel-kit";
import { Field, NativeSelect, RemoveButton } from "@/components/editor/fields";
import { Button } from "@/components/ui/button";
import type { AggregateConfig } from "./definition";

export function AggregatePanel({ nodeId, config, onChange, fields }: NodePanelProps<AggregateConfig>) {
  const variables = config.variables ?? [];
  const options = fields.map((f) => ({ value: `${f.nodeId}.${f.field}`, label: `${f.nodeId}.${f.field}`, type: f.type }));
  const set = (index: number, value: string) => onChange({ ...config, variables: variables.map((v, i) => (i === index ? value : v)) });

  return (
    <div className="space-y-3">
      <p className="text-xs text-muted-foreground">
        Checked in order: the output <code className="font-mono">value</code> is the first variable whose node ran. Put it after the branches of a Condition to read
        “whichever branch ran”.
      </p>
      {variables.map((variable, index) => {
        const id = `${nodeId}-variable-${index}`;
        const known = options.some((o) => o.value === variable);
        return (
          <Field
            key={index}
            id={id}
            label={`Variable ${index + 1}`}
            action={<RemoveButton label={`Remove variable ${index + 1}`} onClick={() => onChange({ ...config, variables: variables.filter((_, i) => i !== index) })} disabled={variables.length <= 1} />}
          >
            <NativeSelect id={id} value={variable} onChange={(e) => set(index, e.target.value)}>
              <option value="">Choose a variable…</option>
              {!known && variable ? <option value={variable}>{variable} (not upstream)</option> : null}
              {options.map((o) => (
                <option key={o.value} value={o.value}>
                  {o.label} ({o.type})
                </option>
              ))}
            </NativeSelect>
          </Field>
        );
      })}
      <Button variant="outline" size="sm" onClick={() => onChange({ ...config, variables: [...variables, ""] })} data-testid="add-aggregate-variable">
        <Plus aria-hidden /> Add variable
      </Button>
    </div>
  );
}
