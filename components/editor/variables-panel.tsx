"use client";

import { Plus } from "lucide-react";
import { VALUE_TYPES, type ValueType } from "@/lib/engine/node-kit";
import { typeDefault, type WorkflowVariable } from "@/lib/engine/variables";
import { Field, NativeSelect, RemoveButton } from "@/components/editor/fields";
import { Button } from "@/components/ui/button";
import { Input } from "@/components/ui/input";
import { useEditor } from "./store-context";

function nextName(variables: readonly WorkflowVariable[]): string {
  const taken = new Set(variables.map((v) => v.name));
  let n = 1;
  while (taken.has(`var_${n}`)) n++;
  return `var_${n}`;
}

/** The default as typed: text for strings, JSON for everything else (kept as text until it parses). */
function showDefault(v: WorkflowVariable): string {
  if (v.default === undefined) return "";
  return v.type === "string" && typeof v.default === "string" ? v.default : JSON.stringify(v.default);
}

function parseDefault(text: string, type: ValueType): unknown {
  if (text === "") return undefined;
  if (type === "string") return text;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/**
 * Workflow variables (graph-level): declared here with a type and a default, read anywhere as
 * {{ var.name }}, changed by Variable assign nodes. Shown when no node is selected.
 */
export function VariablesPanel() {
  const variables = useEditor((s) => s.variables);
  const setVariables = useEditor((s) => s.setVariables);
  const readOnly = useEditor((s) => s.readOnly);
  const allProblems = useEditor((s) => s.problems);
  const problems = allProblems.filter((p) => p.code === "duplicate_variable");
  const set = (index: number, patch: Partial<WorkflowVariable>) =>
    setVariables(variables.map((v, i) => (i === index ? { ...v, ...patch } : v)));

  return (
    <section className="space-y-3" data-testid="variables-panel">
      <div>
        <h3 className="text-sm font-medium text-foreground">Variables</h3>
        <p className="text-xs">
          Workflow variables, read anywhere as <code className="font-mono">{"{{ var.name }}"}</code> and changed by Variable assign nodes.
        </p>
      </div>
      {problems.map((p, i) => (
        <p key={i} className="rounded bg-red-50 px-2 py-1 text-xs text-red-800">
          {p.message}
        </p>
      ))}
      <fieldset disabled={readOnly} className="space-y-2">
        {variables.map((v, index) => {
          const base = `variable-${index}`;
          return (
            <div key={index} className="space-y-2 rounded-md border p-3" data-testid={base}>
              <div className="grid grid-cols-[1fr_7rem_auto] items-end gap-2">
                <Field id={`${base}-name`} label="Name">
                  <Input id={`${base}-name`} value={v.name} className="font-mono text-xs" onChange={(e) => set(index, { name: e.target.value })} />
                </Field>
                <Field id={`${base}-type`} label="Type">
                  <NativeSelect
                    id={`${base}-type`}
                    value={v.type}
                    onChange={(e) => set(index, { type: e.target.value as ValueType, default: undefined })}
                  >
                    {VALUE_TYPES.map((t) => (
                      <option key={t} value={t}>
                        {t}
                      </option>
                    ))}
                  </NativeSelect>
                </Field>
                <RemoveButton label={`Remove variable ${v.name}`} onClick={() => setVariables(variables.filter((_, i) => i !== index))} />
              </div>
              <Field id={`${base}-default`} label="Default" hint={v.type === "string" ? undefined : "JSON, e.g. 0, true, [] or {}"}>
                <Input
                  id={`${base}-default`}
                  value={showDefault(v)}
                  placeholder={JSON.stringify(typeDefault(v.type))}
                  className="font-mono text-xs"
                  onChange={(e) => set(index, { default: parseDefault(e.target.value, v.type) })}
                />
              </Field>
            </div>
          );
        })}
        <Button variant="outline" size="sm" onClick={() => setVariables([...variables, { name: nextName(variables), type: "string" }])}>
          <Plus aria-hidden /> Add variable
        </Button>
      </fieldset>
    </section>
  );
}
