"use client";

import { useRef } from "react";
import { Plus } from "lucide-react";
import { VARIABLE_SCOPE_KEY } from "@/lib/engine/variables";
import type { NodePanelProps } from "@/lib/editor/panel-kit";
import { Field, NativeSelect, RemoveButton, TemplateField, VariablePicker } from "@/components/editor/fields";
import { Textarea } from "@/components/ui/textarea";
import { insertAt } from "@/lib/editor/text-insert";
import type { UpstreamField } from "@/lib/engine/validate";
import { Button } from "@/components/ui/button";
import { ASSIGN_OPERATION_LABELS, ASSIGN_OPERATIONS, type AssignConfig, type Assignment } from "./definition";

const VALUE_HINT: Record<Assignment["mode"], string> = {
  expression: "JSONata, e.g. $append(var.items, llm.text) or start.price * 2",
  template: "Liquid text; a bare {{ node.field }} keeps its type",
};

/** A JSONata field: the picker inserts plain paths (`start.name`), not `{{ }}` template references. */
function ExpressionField(props: { id: string; label: string; value: string; hint: string; fields: readonly UpstreamField[]; onChange: (value: string) => void }) {
  const ref = useRef<HTMLTextAreaElement>(null);
  const pick = (reference: string) => {
    const path = reference.replace(/^\{\{\s*|\s*\}\}$/g, "");
    const el = ref.current;
    props.onChange(insertAt(props.value, el?.selectionStart ?? props.value.length, el?.selectionEnd ?? props.value.length, path).text);
  };
  return (
    <Field id={props.id} label={props.label} hint={props.hint} action={<VariablePicker fields={props.fields} onPick={pick} target={props.label} testId={`variable-picker-${props.id}`} />}>
      <Textarea ref={ref} id={props.id} rows={2} value={props.value} spellCheck={false} className="font-mono text-xs" onChange={(e) => props.onChange(e.target.value)} />
    </Field>
  );
}

export function AssignPanel({ nodeId, config, onChange, fields }: NodePanelProps<AssignConfig>) {
  const assignments = config.assignments ?? [];
  const variables = fields.filter((f) => f.nodeId === VARIABLE_SCOPE_KEY);
  const set = (index: number, patch: Partial<Assignment>) =>
    onChange({ ...config, assignments: assignments.map((a, i) => (i === index ? { ...a, ...patch } : a)) });
  const add = () =>
    onChange({ ...config, assignments: [...assignments, { variable: "", operation: "set", mode: "expression", value: "" }] });
  const remove = (index: number) => onChange({ ...config, assignments: assignments.filter((_, i) => i !== index) });

  return (
    <div className="space-y-3">
      {variables.length === 0 ? (
        <p className="rounded-md bg-amber-50 p-2 text-xs text-amber-900">
          This workflow declares no variables yet: add them in the Variables panel of the editor.
        </p>
      ) : null}
      {assignments.map((a, index) => {
        const base = `${nodeId}-assign-${index}`;
        const declared = variables.find((v) => v.field === a.variable);
        return (
          <fieldset key={index} className="space-y-2 rounded-md border p-3" data-testid={`assignment-${index}`}>
            <div className="flex items-center justify-between">
              <legend className="text-xs font-medium text-muted-foreground">Assignment {index + 1}</legend>
              <RemoveButton label={`Remove assignment ${index + 1}`} onClick={() => remove(index)} disabled={assignments.length === 1} />
            </div>
            <div className="grid grid-cols-2 gap-2">
              <Field id={`${base}-variable`} label="Variable" hint={declared ? `type ${declared.type}` : undefined}>
                <NativeSelect id={`${base}-variable`} value={a.variable} onChange={(e) => set(index, { variable: e.target.value })}>
                  <option value="">Choose…</option>
                  {variables.map((v) => (
                    <option key={v.field} value={v.field}>
                      {v.field}
                    </option>
                  ))}
                  {a.variable && !declared ? <option value={a.variable}>{a.variable} (not declared)</option> : null}
                </NativeSelect>
              </Field>
              <Field id={`${base}-operation`} label="Operation">
                <NativeSelect
                  id={`${base}-operation`}
                  value={a.operation}
                  onChange={(e) => set(index, { operation: e.target.value as Assignment["operation"] })}
                >
                  {ASSIGN_OPERATIONS.map((op) => (
                    <option key={op} value={op}>
                      {ASSIGN_OPERATION_LABELS[op]}
                    </option>
                  ))}
                </NativeSelect>
              </Field>
            </div>
            {a.operation === "clear" ? null : (
              <>
                <Field id={`${base}-mode`} label="Value is">
                  <NativeSelect id={`${base}-mode`} value={a.mode} onChange={(e) => set(index, { mode: e.target.value === "template" ? "template" : "expression" })}>
                    <option value="expression">an expression (JSONata)</option>
                    <option value="template">a template</option>
                  </NativeSelect>
                </Field>
                {a.mode === "expression" ? (
                  <ExpressionField
                    id={`${base}-value`}
                    label={a.operation === "increment" ? "Amount (empty = 1)" : "Value"}
                    value={a.value}
                    fields={fields}
                    hint={VALUE_HINT.expression}
                    onChange={(value) => set(index, { value })}
                  />
                ) : (
                  <TemplateField
                    id={`${base}-value`}
                    label={a.operation === "increment" ? "Amount (empty = 1)" : "Value"}
                    rows={2}
                    value={a.value}
                    fields={fields}
                    placeholder={a.operation === "increment" ? "1" : VALUE_HINT.template}
                    hint={VALUE_HINT.template}
                    onChange={(value) => set(index, { value })}
                  />
                )}
              </>
            )}
          </fieldset>
        );
      })}
      <Button variant="outline" size="sm" onClick={add}>
        <Plus aria-hidden /> Add assignment
      </Button>
    </div>
  );
}
