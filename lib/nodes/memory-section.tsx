"use client";

import { Field, NativeSelect } from "@/components/editor/fields";
import { Input } from "@/components/ui/input";
import { MemorySchema, type Memory } from "./memory";

/** The Memory setting of the LLM and Agent panels (lib/nodes/memory.ts). */
export function MemorySection({ id, memory, onChange }: { id: string; memory: Memory | undefined; onChange: (memory: Memory) => void }) {
  const value = memory ?? MemorySchema.parse({});
  const mode = value.mode;
  return (
    <div className="space-y-2">
      <Field id={`${id}-memory`} label="Memory" hint="In a conversational workflow: the earlier turns sent to the model; the oldest fall out first.">
        <NativeSelect
          id={`${id}-memory`}
          value={mode}
          onChange={(e) => onChange({ ...value, mode: e.target.value === "turns" ? "turns" : e.target.value === "tokens" ? "tokens" : "off" })}
        >
          <option value="off">Off</option>
          <option value="turns">Last turns</option>
          <option value="tokens">Token budget</option>
        </NativeSelect>
      </Field>
      {mode === "turns" ? (
        <Field id={`${id}-memory-turns`} label="Turns kept">
          <Input id={`${id}-memory-turns`} type="number" min={1} max={100} value={value.turns} onChange={(e) => onChange({ ...value, turns: Number(e.target.value) || 1 })} />
        </Field>
      ) : null}
      {mode === "tokens" ? (
        <Field id={`${id}-memory-tokens`} label="Tokens of history (estimated)">
          <Input id={`${id}-memory-tokens`} type="number" min={50} max={200000} value={value.tokens} onChange={(e) => onChange({ ...value, tokens: Number(e.target.value) || 50 })} />
        </Field>
      ) : null}
      {mode !== "off" ? (
        <Field id={`${id}-memory-overflow`} label="Older turns" hint="Summarised: one extra call of this model when turns fall out; the summary is kept with the conversation and added to the system message.">
          <NativeSelect id={`${id}-memory-overflow`} value={value.overflow} onChange={(e) => onChange({ ...value, overflow: e.target.value === "summarise" ? "summarise" : "drop" })}>
            <option value="drop">Dropped</option>
            <option value="summarise">Summarised</option>
          </NativeSelect>
        </Field>
      ) : null}
    </div>
  );
}
