"use client";

import { Plus } from "lucide-react";
import type { NodePanelProps } from "@/lib/editor/panel-kit";
import { Field, RemoveButton, TemplateField } from "@/components/editor/fields";
import { Button } from "@/components/ui/button";
import { Input } from "@/components/ui/input";
import type { EndConfig } from "./definition";

type Output = EndConfig["outputs"][number];

function nextOutputName(outputs: readonly Output[]): string {
  const taken = new Set(outputs.map((o) => o.name));
  if (!taken.has("result")) return "result";
  let n = 2;
  while (taken.has(`result_${n}`)) n++;
  return `result_${n}`;
}

export function EndPanel({ nodeId, config, onChange, fields }: NodePanelProps<EndConfig>) {
  const outputs = config.outputs ?? [];
  const setOutput = (index: number, patch: Partial<Output>) =>
    onChange({ ...config, outputs: outputs.map((o, i) => (i === index ? { ...o, ...patch } : o)) });
  const add = () => onChange({ ...config, outputs: [...outputs, { name: nextOutputName(outputs), value: "" }] });
  const remove = (index: number) => onChange({ ...config, outputs: outputs.filter((_, i) => i !== index) });

  return (
    <div className="space-y-3">
      <div>
        <h3 className="text-sm font-medium">Outputs</h3>
        <p className="text-xs text-muted-foreground">
          The run&apos;s result. A value that is a single reference such as <code className="font-mono">{"{{ llm.text }}"}</code> keeps its type.
        </p>
      </div>
      {outputs.map((output, index) => {
        const base = `${nodeId}-output-${index}`;
        return (
          <fieldset key={index} className="space-y-2 rounded-md border p-3" data-testid={`end-output-${index}`}>
            <div className="flex items-center justify-between">
              <legend className="text-xs font-medium text-muted-foreground">Output {index + 1}</legend>
              <RemoveButton label={`Remove output ${index + 1}`} onClick={() => remove(index)} />
            </div>
            <Field id={`${base}-name`} label="Output name">
              <Input
                id={`${base}-name`}
                value={output.name ?? ""}
                className="font-mono text-xs"
                onChange={(e) => setOutput(index, { name: e.target.value })}
              />
            </Field>
            <TemplateField
              id={`${base}-value`}
              label="Value"
              rows={2}
              value={output.value ?? ""}
              fields={fields}
              placeholder="{{ llm.text }}"
              onChange={(value) => setOutput(index, { value })}
            />
          </fieldset>
        );
      })}
      <Button variant="outline" size="sm" onClick={add} data-testid="add-end-output">
        <Plus aria-hidden /> Add output
      </Button>
    </div>
  );
}
