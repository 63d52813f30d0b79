"use client";

import { Plus } from "lucide-react";
import { VALUE_TYPES } from "@/lib/engine/node-kit";
import type { NodePanelProps } from "@/lib/editor/panel-kit";
import { Field, NativeSelect, RemoveButton } from "@/components/editor/fields";
import { Button } from "@/components/ui/button";
import { Input } from "@/components/ui/input";
import type { StartConfig, StartInput } from "./definition";

/** Marks the workflow conversational (chat apps): the Start node then also provides message, history and conversation. */
function ConversationSection({ nodeId, config, onChange }: Pick<NodePanelProps<StartConfig>, "nodeId" | "config" | "onChange">) {
  const conversation = config.conversation ?? { enabled: false, variables: [] };
  const set = (patch: Partial<typeof conversation>) => onChange({ ...config, conversation: { ...conversation, ...patch } });
  return (
    <fieldset className="space-y-2 rounded-md border p-3">
      <label className="flex items-center gap-2 text-sm font-medium" htmlFor={`${nodeId}-conversational`}>
        <input id={`${nodeId}-conversational`} type="checkbox" checked={conversation.enabled} onChange={(e) => set({ enabled: e.target.checked })} data-testid="start-conversational" />
        Conversational (chat app)
      </label>
      {conversation.enabled ? (
        <>
          <p className="text-xs text-muted-foreground">
            Runs also get <code className="font-mono">{`{{ ${nodeId}.message }}`}</code>, <code className="font-mono">{`{{ ${nodeId}.history }}`}</code> (earlier turns)
            and <code className="font-mono">{`{{ ${nodeId}.conversation }}`}</code>. Use Answer nodes to reply.
          </p>
          <Field id={`${nodeId}-conversation-variables`} label="Conversation variables" hint="Workflow variables (comma separated) whose values persist across turns; set them with Variable assign.">
            <Input
              id={`${nodeId}-conversation-variables`}
              className="font-mono text-xs"
              value={conversation.variables.join(", ")}
              onChange={(e) => set({ variables: e.target.value.split(",").map((v) => v.trim()).filter(Boolean) })}
            />
          </Field>
        </>
      ) : null}
    </fieldset>
  );
}

const INPUT_TYPES = VALUE_TYPES.filter((t): t is StartInput["type"] => t !== "any");

function nextInputName(inputs: readonly StartInput[]): string {
  const taken = new Set(inputs.map((i) => i.name));
  if (!taken.has("input")) return "input";
  let n = 2;
  while (taken.has(`input_${n}`)) n++;
  return `input_${n}`;
}

export function StartPanel({ nodeId, config, onChange }: NodePanelProps<StartConfig>) {
  const inputs = config.inputs ?? [];
  const setInput = (index: number, patch: Partial<StartInput>) =>
    onChange({ ...config, inputs: inputs.map((input, i) => (i === index ? { ...input, ...patch } : input)) });
  const add = () =>
    onChange({
      ...config,
      inputs: [...inputs, { name: nextInputName(inputs), label: "", type: "string", required: true, description: "" }],
    });
  const remove = (index: number) => onChange({ ...config, inputs: inputs.filter((_, i) => i !== index) });

  return (
    <div className="space-y-3">
      <div>
        <h3 className="text-sm font-medium">Inputs</h3>
        <p className="text-xs text-muted-foreground">
          What a run asks for. Later nodes read them as <code className="font-mono">{`{{ ${nodeId}.name }}`}</code>.
        </p>
      </div>
      {inputs.length === 0 ? <p className="text-xs text-muted-foreground">No inputs: runs start without data.</p> : null}
      {inputs.map((input, index) => {
        const base = `${nodeId}-input-${index}`;
        return (
          <fieldset key={index} className="space-y-2 rounded-md border p-3" data-testid={`start-input-${index}`}>
            <div className="flex items-center justify-between">
              <legend className="text-xs font-medium text-muted-foreground">Input {index + 1}</legend>
              <RemoveButton label={`Remove input ${index + 1}`} onClick={() => remove(index)} />
            </div>
            <div className="grid grid-cols-2 gap-2">
              <Field id={`${base}-name`} label="Name">
                <Input
                  id={`${base}-name`}
                  value={input.name ?? ""}
                  className="font-mono text-xs"
                  onChange={(e) => setInput(index, { name: e.target.value })}
                />
              </Field>
              <Field id={`${base}-type`} label="Type">
                <NativeSelect
                  id={`${base}-type`}
                  value={input.type ?? "string"}
                  onChange={(e) => setInput(index, { type: e.target.value as StartInput["type"] })}
                >
                  {INPUT_TYPES.map((type) => (
                    <option key={type} value={type}>
                      {type}
                    </option>
                  ))}
                </NativeSelect>
              </Field>
            </div>
            <Field id={`${base}-label`} label="Label">
              <Input
                id={`${base}-label`}
                value={input.label ?? ""}
                placeholder="Shown in the run form"
                onChange={(e) => setInput(index, { label: e.target.value })}
              />
            </Field>
            <label className="flex items-center gap-2 text-xs" htmlFor={`${base}-required`}>
              <input
                id={`${base}-required`}
                type="checkbox"
                checked={input.required ?? true}
                onChange={(e) => setInput(index, { required: e.target.checked })}
              />
              Required
            </label>
          </fieldset>
        );
      })}
      <Button variant="outline" size="sm" onClick={add} data-testid="add-start-input">
        <Plus aria-hidden /> Add input
      </Button>
      <ConversationSection nodeId={nodeId} config={config} onChange={onChange} />
    </div>
  );
}
