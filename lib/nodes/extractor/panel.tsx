"use client";

import { Plus } from "lucide-react";
import type { NodePanelProps } from "@/lib/editor/panel-kit";
import { Field, NativeSelect, RemoveButton } from "@/components/editor/fields";
import { Button } from "@/components/ui/button";
import { Input } from "@/components/ui/input";
import { ModelSection, TextTaskFields } from "../model-section";
import { EXTRACTOR_FIELD_TYPES, type ExtractorConfig, type ExtractorField } from "./definition";

export function ExtractorPanel({ nodeId, config, onChange, fields }: NodePanelProps<ExtractorConfig>) {
  const list = config.fields ?? [];
  const setField = (index: number, patch: Partial<ExtractorField>) => onChange({ ...config, fields: list.map((f, i) => (i === index ? { ...f, ...patch } : f)) });

  return (
    <div className="space-y-3">
      <ModelSection nodeId={nodeId} config={config} onChange={onChange} />
      <TextTaskFields nodeId={nodeId} config={config} onChange={onChange} fields={fields} inputLabel="Text to extract from" />
      <p className="text-xs text-muted-foreground">Each field becomes an output of this node ({`{{ ${nodeId}.<name> }}`}); fields the text does not give are null.</p>
      {list.map((field, index) => {
        const base = `${nodeId}-field-${index}`;
        return (
          <div key={index} className="space-y-1.5 rounded-md border p-2" data-testid={`extractor-field-${index}`}>
            <Field id={`${base}-name`} label={`Field ${index + 1}`} action={<RemoveButton label={`Remove field ${index + 1}`} onClick={() => onChange({ ...config, fields: list.filter((_, i) => i !== index) })} />}>
              <div className="flex gap-2">
                <Input id={`${base}-name`} className="font-mono text-xs" value={field.name ?? ""} placeholder="order_id" onChange={(e) => setField(index, { name: e.target.value })} />
                <NativeSelect aria-label={`Type of field ${index + 1}`} className="w-28" value={field.type ?? "string"} onChange={(e) => setField(index, { type: e.target.value as ExtractorField["type"] })}>
                  {EXTRACTOR_FIELD_TYPES.map((t) => (
                    <option key={t} value={t}>
                      {t}
                    </option>
                  ))}
                </NativeSelect>
              </div>
            </Field>
            <Input aria-label={`Description of field ${index + 1}`} value={field.description ?? ""} placeholder="What the value is, for the model" onChange={(e) => setField(index, { description: e.target.value })} />
            <label className="flex items-center gap-2 text-xs" htmlFor={`${base}-required`}>
              <input id={`${base}-required`} type="checkbox" checked={field.required ?? false} onChange={(e) => setField(index, { required: e.target.checked })} />
              Required
            </label>
          </div>
        );
      })}
      <Button variant="outline" size="sm" onClick={() => onChange({ ...config, fields: [...list, { name: "", type: "string", description: "", required: false }] })} data-testid="add-extractor-field">
        <Plus aria-hidden /> Add field
      </Button>
      <Field id={`${nodeId}-on-missing`} label="When a required field is missing">
        <NativeSelect id={`${nodeId}-on-missing`} value={config.onMissing ?? "continue"} onChange={(e) => onChange({ ...config, onMissing: e.target.value === "fail" ? "fail" : "continue" })}>
          <option value="continue">Continue (listed in missing)</option>
          <option value="fail">Fail the step</option>
        </NativeSelect>
      </Field>
    </div>
  );
}
