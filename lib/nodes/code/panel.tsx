"use client";

import { Plus } from "lucide-react";
import { VALUE_TYPES, type ValueType } from "@/lib/engine/node-kit";
import type { NodePanelProps } from "@/lib/editor/panel-kit";
import { Field, NativeSelect, RemoveButton, VariablePicker } from "@/components/editor/fields";
import { Button } from "@/components/ui/button";
import { Input } from "@/components/ui/input";
import { Textarea } from "@/components/ui/textarea";
import { CODE_LIMITS, type CodeConfig } from "./definition";

type CodeInput = CodeConfig["inputs"][number];
type CodeOutput = CodeConfig["outputs"][number];

function nextName(taken: readonly { name: string }[], base: string): string {
  const names = new Set(taken.map((t) => t.name));
  if (!names.has(base)) return base;
  let n = 2;
  while (names.has(`${base}_${n}`)) n++;
  return `${base}_${n}`;
}

export function CodePanel({ nodeId, config, onChange, fields }: NodePanelProps<CodeConfig>) {
  const set = (patch: Partial<CodeConfig>) => onChange({ ...config, ...patch });
  const id = (name: string) => `${nodeId}-${name}`;
  const inputs = config.inputs ?? [];
  const outputs = config.outputs ?? [];
  const setInput = (index: number, patch: Partial<CodeInput>) => set({ inputs: inputs.map((v, i) => (i === index ? { ...v, ...patch } : v)) });
  const setOutput = (index: number, patch: Partial<CodeOutput>) => set({ outputs: outputs.map((v, i) => (i === index ? { ...v, ...patch } : v)) });

  return (
    <div className="space-y-3">
      <fieldset className="space-y-2" data-testid={id("inputs")}>
        <legend className="text-xs font-medium text-zinc-700">Inputs</legend>
        <p className="text-xs text-muted-foreground">
          Passed as <code className="font-mono">inputs.name</code>. A single reference such as <code className="font-mono">{"{{ llm.json }}"}</code> keeps its type.
        </p>
        {inputs.map((input, index) => (
          <div key={index} className="flex items-center gap-1">
            <label htmlFor={id(`input-${index}-name`)} className="sr-only">{`Input ${index + 1} name`}</label>
            <Input id={id(`input-${index}-name`)} className="h-8 w-1/3 font-mono text-xs" value={input.name} onChange={(e) => setInput(index, { name: e.target.value })} />
            <label htmlFor={id(`input-${index}-value`)} className="sr-only">{`Input ${index + 1} value`}</label>
            <Input
              id={id(`input-${index}-value`)}
              className="h-8 flex-1 font-mono text-xs"
              value={input.value}
              placeholder="{{ node.field }}"
              onChange={(e) => setInput(index, { value: e.target.value })}
            />
            <VariablePicker fields={fields} target={`input ${index + 1} value`} onPick={(reference) => setInput(index, { value: reference })} />
            <RemoveButton label={`Remove input ${index + 1}`} onClick={() => set({ inputs: inputs.filter((_, i) => i !== index) })} />
          </div>
        ))}
        <Button variant="ghost" size="sm" onClick={() => set({ inputs: [...inputs, { name: nextName(inputs, "value"), value: "" }] })}>
          <Plus aria-hidden /> Add input
        </Button>
      </fieldset>

      <Field
        id={id("code")}
        label="JavaScript"
        hint={
          <>
            Define <code className="font-mono">function main(inputs)</code> returning an object, or write just its body. No <code className="font-mono">require</code>,
            network, files or environment; <code className="font-mono">console.log</code> shows in the run trace.
          </>
        }
      >
        <Textarea
          id={id("code")}
          rows={12}
          spellCheck={false}
          className="font-mono text-xs"
          value={config.code ?? ""}
          onChange={(e) => set({ code: e.target.value })}
          onKeyDown={(e) => {
            // Tab indents instead of leaving the editor; Escape then Tab still moves focus (browsers release it on Escape).
            if (e.key !== "Tab" || e.shiftKey) return;
            e.preventDefault();
            const el = e.currentTarget;
            const { selectionStart: start, selectionEnd: end, value } = el;
            set({ code: `${value.slice(0, start)}  ${value.slice(end)}` });
            requestAnimationFrame(() => el.setSelectionRange(start + 2, start + 2));
          }}
        />
      </Field>

      <fieldset className="space-y-2" data-testid={id("outputs")}>
        <legend className="text-xs font-medium text-zinc-700">Outputs</legend>
        <p className="text-xs text-muted-foreground">Keys of the returned object; later nodes read them as {`{{ ${nodeId}.name }}`}.</p>
        {outputs.map((output, index) => (
          <div key={index} className="flex items-center gap-1">
            <label htmlFor={id(`output-${index}-name`)} className="sr-only">{`Output ${index + 1} name`}</label>
            <Input id={id(`output-${index}-name`)} className="h-8 flex-1 font-mono text-xs" value={output.name} onChange={(e) => setOutput(index, { name: e.target.value })} />
            <label htmlFor={id(`output-${index}-type`)} className="sr-only">{`Output ${index + 1} type`}</label>
            <NativeSelect id={id(`output-${index}-type`)} className="h-8 w-28 text-xs" value={output.type ?? "any"} onChange={(e) => setOutput(index, { type: e.target.value as ValueType })}>
              {VALUE_TYPES.map((t) => (
                <option key={t} value={t}>
                  {t}
                </option>
              ))}
            </NativeSelect>
            <RemoveButton label={`Remove output ${index + 1}`} onClick={() => set({ outputs: outputs.filter((_, i) => i !== index) })} />
          </div>
        ))}
        <Button variant="ghost" size="sm" onClick={() => set({ outputs: [...outputs, { name: nextName(outputs, "result"), type: "any" }] })}>
          <Plus aria-hidden /> Add output
        </Button>
      </fieldset>

      <div className="grid grid-cols-2 gap-2">
        <Field id={id("timeout")} label="Time limit (ms)">
          <Input
            id={id("timeout")}
            type="number"
            min={10}
            max={CODE_LIMITS.maxTimeoutMs}
            step={100}
            value={config.timeoutMs ?? CODE_LIMITS.defaultTimeoutMs}
            onChange={(e) => {
              const value = e.target.valueAsNumber;
              if (Number.isFinite(value)) set({ timeoutMs: Math.trunc(value) });
            }}
          />
        </Field>
        <Field id={id("memory")} label="Memory limit (MB)">
          <Input
            id={id("memory")}
            type="number"
            min={CODE_LIMITS.minMemoryMb}
            max={CODE_LIMITS.maxMemoryMb}
            step={8}
            value={config.memoryMb ?? CODE_LIMITS.defaultMemoryMb}
            onChange={(e) => {
              const value = e.target.valueAsNumber;
              if (Number.isFinite(value)) set({ memoryMb: Math.trunc(value) });
            }}
          />
        </Field>
      </div>
    </div>
  );
}
