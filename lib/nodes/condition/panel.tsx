"use client";

import { Plus } from "lucide-react";
import { nextCaseId } from "@/lib/editor/ids";
import type { NodePanelProps } from "@/lib/editor/panel-kit";
import { Field, NativeSelect, RemoveButton } from "@/components/editor/fields";
import { Button } from "@/components/ui/button";
import { Input } from "@/components/ui/input";
import {
  CONDITION_OPERATORS,
  OPERATOR_LABELS,
  UNARY_OPERATORS,
  type ConditionCase,
  type ConditionConfig,
  type ConditionOperator,
  type ConditionRule,
} from "./definition";

const emptyRule = (): ConditionRule => ({ left: "", operator: "equals", right: "" });
const caseName = (index: number) => (index === 0 ? "IF" : `ELIF ${index}`);

export function ConditionPanel({ nodeId, config, onChange, fields }: NodePanelProps<ConditionConfig>) {
  const cases = config.cases ?? [];
  const setCase = (index: number, next: ConditionCase) => onChange({ ...config, cases: cases.map((c, i) => (i === index ? next : c)) });
  const setRule = (caseIndex: number, ruleIndex: number, patch: Partial<ConditionRule>) => {
    const current = cases[caseIndex];
    setCase(caseIndex, { ...current, rules: current.rules.map((r, i) => (i === ruleIndex ? { ...r, ...patch } : r)) });
  };
  const addCase = () => onChange({ ...config, cases: [...cases, { id: nextCaseId(cases), logic: "and", rules: [emptyRule()] }] });
  const removeCase = (index: number) => onChange({ ...config, cases: cases.filter((_, i) => i !== index) });
  const variables = fields.map((f) => ({ value: `${f.nodeId}.${f.field}`, label: `${f.nodeId}.${f.field}`, type: f.type }));

  return (
    <div className="space-y-3">
      <p className="text-xs text-muted-foreground">Branches are checked in order; the first that holds is taken, otherwise ELSE.</p>
      {cases.map((branch, caseIndex) => {
        const base = `${nodeId}-${branch.id}`;
        const rules = branch.rules ?? [];
        return (
          <fieldset key={branch.id ?? caseIndex} className="space-y-2 rounded-md border p-3" data-testid={`condition-case-${caseIndex}`}>
            <div className="flex items-center justify-between gap-2">
              <legend className="rounded bg-orange-50 px-1.5 py-0.5 font-mono text-xs font-semibold text-orange-700">{caseName(caseIndex)}</legend>
              <div className="flex items-center gap-1">
                {rules.length > 1 ? (
                  <>
                    <label htmlFor={`${base}-logic`} className="sr-only">
                      {caseName(caseIndex)} matches
                    </label>
                    <NativeSelect
                      id={`${base}-logic`}
                      className="h-7 w-auto text-xs"
                      value={branch.logic ?? "and"}
                      onChange={(e) => setCase(caseIndex, { ...branch, logic: e.target.value === "or" ? "or" : "and" })}
                    >
                      <option value="and">all rules (AND)</option>
                      <option value="or">any rule (OR)</option>
                    </NativeSelect>
                  </>
                ) : null}
                <RemoveButton label={`Remove branch ${caseName(caseIndex)}`} onClick={() => removeCase(caseIndex)} disabled={cases.length <= 1} />
              </div>
            </div>
            {rules.map((rule, ruleIndex) => {
              const id = `${base}-rule-${ruleIndex}`;
              const unary = UNARY_OPERATORS.has(rule.operator);
              const known = variables.some((v) => v.value === rule.left);
              return (
                <div key={ruleIndex} className="space-y-2 rounded border border-dashed p-2" data-testid={`condition-rule-${caseIndex}-${ruleIndex}`}>
                  {ruleIndex > 0 ? (
                    <p className="text-[10px] font-semibold uppercase text-muted-foreground">{branch.logic === "or" ? "or" : "and"}</p>
                  ) : null}
                  <Field
                    id={`${id}-left`}
                    label="Variable"
                    action={rules.length > 1 ? <RemoveButton label={`Remove rule ${ruleIndex + 1}`} onClick={() => setCase(caseIndex, { ...branch, rules: rules.filter((_, i) => i !== ruleIndex) })} /> : null}
                  >
                    <NativeSelect id={`${id}-left`} value={rule.left ?? ""} onChange={(e) => setRule(caseIndex, ruleIndex, { left: e.target.value })}>
                      <option value="">Choose a variable…</option>
                      {!known && rule.left ? <option value={rule.left}>{rule.left} (not upstream)</option> : null}
                      {variables.map((v) => (
                        <option key={v.value} value={v.value}>
                          {v.label} ({v.type})
                        </option>
                      ))}
                    </NativeSelect>
                  </Field>
                  <div className="grid grid-cols-2 gap-2">
                    <Field id={`${id}-operator`} label="Operator" className={unary ? "col-span-2" : undefined}>
                      <NativeSelect
                        id={`${id}-operator`}
                        value={rule.operator ?? "equals"}
                        onChange={(e) => setRule(caseIndex, ruleIndex, { operator: e.target.value as ConditionOperator })}
                      >
                        {CONDITION_OPERATORS.map((op) => (
                          <option key={op} value={op}>
                            {OPERATOR_LABELS[op]}
                          </option>
                        ))}
                      </NativeSelect>
                    </Field>
                    {unary ? null : (
                      <Field id={`${id}-right`} label="Value">
                        <Input
                          id={`${id}-right`}
                          value={rule.right ?? ""}
                          placeholder="text or {{ node.field }}"
                          onChange={(e) => setRule(caseIndex, ruleIndex, { right: e.target.value })}
                        />
                      </Field>
                    )}
                  </div>
                </div>
              );
            })}
            <Button variant="ghost" size="sm" onClick={() => setCase(caseIndex, { ...branch, rules: [...rules, emptyRule()] })}>
              <Plus aria-hidden /> Add rule
            </Button>
          </fieldset>
        );
      })}
      <Button variant="outline" size="sm" onClick={addCase} data-testid="add-condition-case">
        <Plus aria-hidden /> Add ELIF
      </Button>
      <div className="rounded-md border border-dashed p-3 text-xs text-muted-foreground">
        <span className="font-mono font-semibold">ELSE</span>: taken when no branch above holds.
      </div>
    </div>
  );
}
