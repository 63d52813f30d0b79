"use client";

import { Plus } from "lucide-react";
import type { NodePanelProps } from "@/lib/editor/panel-kit";
import { Field, RemoveButton } from "@/components/editor/fields";
import { Button } from "@/components/ui/button";
import { Input } from "@/components/ui/input";
import { Textarea } from "@/components/ui/textarea";
import { ModelSection, TextTaskFields } from "../model-section";
import type { ClassifierClass, ClassifierConfig } from "./definition";

function nextClassId(existing: readonly { id: string }[]): string {
  const taken = new Set(existing.map((c) => c.id));
  let n = existing.length + 1;
  while (taken.has(`class_${n}`)) n++;
  return `class_${n}`;
}

export function ClassifierPanel({ nodeId, config, onChange, fields }: NodePanelProps<ClassifierConfig>) {
  const classes = config.classes ?? [];
  const setClass = (index: number, patch: Partial<ClassifierClass>) =>
    onChange({ ...config, classes: classes.map((c, i) => (i === index ? { ...c, ...patch } : c)) });

  return (
    <div className="space-y-3">
      <ModelSection nodeId={nodeId} config={config} onChange={onChange} />
      <TextTaskFields nodeId={nodeId} config={config} onChange={onChange} fields={fields} inputLabel="Text to classify" instructionsPlaceholder="Messages about invoices count as billing." />
      <p className="text-xs text-muted-foreground">Each class gets its own output branch. Describe what belongs in it; the model reads the descriptions.</p>
      {classes.map((c, index) => {
        const id = `${nodeId}-${c.id}`;
        return (
          <div key={c.id ?? index} className="space-y-1.5 rounded-md border p-2" data-testid={`classifier-class-${index}`}>
            <Field
              id={`${id}-name`}
              label={`Class ${index + 1} (${c.id})`}
              action={<RemoveButton label={`Remove class ${index + 1}`} onClick={() => onChange({ ...config, classes: classes.filter((_, i) => i !== index) })} disabled={classes.length <= 1} />}
            >
              <Input id={`${id}-name`} value={c.name ?? ""} placeholder="Billing" onChange={(e) => setClass(index, { name: e.target.value })} />
            </Field>
            <Textarea
              id={`${id}-description`}
              aria-label={`Description of class ${index + 1}`}
              rows={2}
              value={c.description ?? ""}
              placeholder="Questions about invoices, payments and refunds"
              onChange={(e) => setClass(index, { description: e.target.value })}
            />
          </div>
        );
      })}
      <Button variant="outline" size="sm" onClick={() => onChange({ ...config, classes: [...classes, { id: nextClassId(classes), name: "", description: "" }] })} data-testid="add-classifier-class">
        <Plus aria-hidden /> Add class
      </Button>
      <label className="flex items-center gap-2 text-sm" htmlFor={`${nodeId}-fallback`}>
        <input id={`${nodeId}-fallback`} type="checkbox" className="size-4" checked={config.fallback ?? true} onChange={(e) => onChange({ ...config, fallback: e.target.checked })} />
        OTHER branch for text that fits no class
      </label>
    </div>
  );
}
