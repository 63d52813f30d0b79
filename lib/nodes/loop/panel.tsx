"use client";

import type { NodePanelProps } from "@/lib/editor/panel-kit";
import { LIMITS } from "@/lib/engine/limits";
import { Field, NativeSelect, TemplateField } from "@/components/editor/fields";
import { Input } from "@/components/ui/input";
import { Textarea } from "@/components/ui/textarea";
import type { LoopConfig } from "./definition";

const ITEM_ERRORS: { value: LoopConfig["onItemError"]; label: string }[] = [
  { value: "fail", label: "Fail the loop" },
  { value: "continue", label: "Continue, with null as its result" },
  { value: "skip", label: "Skip it (no result)" },
];

export function LoopPanel({ nodeId, config, onChange, fields, bodyFields = [] }: NodePanelProps<LoopConfig>) {
  // The collected value is one field of a node inside the loop.
  const collectable = bodyFields.filter((f) => f.nodeId !== nodeId && f.nodeId !== "var" && !fields.some((u) => u.nodeId === f.nodeId));
  const output = config.output ?? "";
  const known = output === "" || collectable.some((f) => `${f.nodeId}.${f.field}` === output);
  return (
    <div className="space-y-3">
      <TemplateField
        id={`${nodeId}-items`}
        label="List to loop over"
        rows={2}
        value={config.items ?? ""}
        fields={fields}
        placeholder="{{ start.items }}"
        hint={
          <>
            Drag nodes into the loop to form its body. Inside, <code className="font-mono">{`{{ ${nodeId}.item }}`}</code> is the current item and{" "}
            <code className="font-mono">{`{{ ${nodeId}.index }}`}</code> its position (from 0). At most {LIMITS.maxLoopItems} items.
          </>
        }
        onChange={(items) => onChange({ ...config, items })}
      />
      <Field id={`${nodeId}-output`} label="Result of each item" hint={<>Collected in list order as <code className="font-mono">{`{{ ${nodeId}.results }}`}</code>.</>}>
        <NativeSelect id={`${nodeId}-output`} value={output} onChange={(e) => onChange({ ...config, output: e.target.value })}>
          <option value="">Every body node&apos;s output (an object by node id)</option>
          {!known ? <option value={output}>{output} (not in the body)</option> : null}
          {collectable.map((f) => (
            <option key={`${f.nodeId}.${f.field}`} value={`${f.nodeId}.${f.field}`}>
              {f.nodeId}.{f.field} ({f.type})
            </option>
          ))}
        </NativeSelect>
      </Field>
      <Field id={`${nodeId}-parallelism`} label="Items at the same time" hint={`1 runs the items one after the other; at most ${LIMITS.maxLoopParallelism}.`}>
        <Input
          id={`${nodeId}-parallelism`}
          type="number"
          min={1}
          max={LIMITS.maxLoopParallelism}
          value={config.parallelism ?? 1}
          onChange={(e) => onChange({ ...config, parallelism: Math.max(1, Math.min(LIMITS.maxLoopParallelism, Math.round(Number(e.target.value) || 1))) })}
        />
      </Field>
      <Field
        id={`${nodeId}-break`}
        label="Stop after an item when (optional)"
        hint={
          <>
            A JSONata condition checked after each item, e.g. <code className="font-mono">{`fetch.status = 404`}</code>. The item that meets it is the last one.
          </>
        }
      >
        <Textarea
          id={`${nodeId}-break`}
          rows={2}
          className="font-mono text-xs"
          value={config.breakCondition ?? ""}
          placeholder={`${nodeId}.index >= 9`}
          onChange={(e) => onChange({ ...config, breakCondition: e.target.value })}
        />
      </Field>
      <Field id={`${nodeId}-on-item-error`} label="When an item fails">
        <NativeSelect
          id={`${nodeId}-on-item-error`}
          value={config.onItemError ?? "fail"}
          onChange={(e) => onChange({ ...config, onItemError: e.target.value as LoopConfig["onItemError"] })}
        >
          {ITEM_ERRORS.map((o) => (
            <option key={o.value} value={o.value}>
              {o.label}
            </option>
          ))}
        </NativeSelect>
      </Field>
    </div>
  );
}
