"use client";

import { useEffect, useState } from "react";
import { VALUE_TYPES, type ValueType } from "@/lib/engine/node-kit";
import type { NodePanelProps } from "@/lib/editor/panel-kit";
import { Field, NativeSelect, TemplateField } from "@/components/editor/fields";
import { Input } from "@/components/ui/input";
import type { PublishedWorkflow } from "@/lib/runs/subworkflows";
import type { SubworkflowConfig } from "./definition";

const isValueType = (type: string): type is ValueType => (VALUE_TYPES as readonly string[]).includes(type);

type Loaded = { status: "loading" } | { status: "ready"; workflows: PublishedWorkflow[] } | { status: "error"; message: string };

function usePublishedWorkflows(): Loaded {
  const [state, setState] = useState<Loaded>({ status: "loading" });
  useEffect(() => {
    let live = true;
    fetch("/api/subworkflows")
      .then(async (response) => {
        if (!response.ok) throw new Error(`the server answered ${response.status}`);
        const body = (await response.json()) as { workflows: PublishedWorkflow[] };
        if (live) setState({ status: "ready", workflows: body.workflows });
      })
      .catch((error: unknown) => live && setState({ status: "error", message: error instanceof Error ? error.message : String(error) }));
    return () => {
      live = false;
    };
  }, []);
  return state;
}

/** Pick a published workflow (latest or a pinned version); its Start inputs become the form. */
export function SubworkflowPanel({ nodeId, config, onChange, fields }: NodePanelProps<SubworkflowConfig>) {
  const loaded = usePublishedWorkflows();
  const workflows = loaded.status === "ready" ? loaded.workflows : [];
  const chosen = workflows.find((w) => w.id === config.workflowId);
  const inputs = config.inputs ?? [];
  const valueOf = (name: string) => inputs.find((i) => i.name === name)?.value ?? "";
  const setValue = (name: string, value: string, type: string) =>
    onChange({ ...config, inputs: [...inputs.filter((i) => i.name !== name), { name, value, ...(isValueType(type) ? { type } : {}) }] });
  const declared = chosen?.inputs ?? inputs.map((i) => ({ name: i.name, type: "any", required: false }));

  return (
    <div className="space-y-3">
      <Field
        id={`${nodeId}-workflow`}
        label="Workflow"
        hint={loaded.status === "error" ? `Published workflows could not be loaded: ${loaded.message}` : "Only published workflows can run as sub-workflows."}
      >
        <NativeSelect
          id={`${nodeId}-workflow`}
          value={config.workflowId ?? ""}
          onChange={(e) => onChange({ ...config, workflowId: e.target.value, version: null, inputs: [] })}
        >
          <option value="">{loaded.status === "loading" ? "Loading…" : "Choose…"}</option>
          {workflows.map((w) => (
            <option key={w.id} value={w.id}>
              {w.name} (v{w.latestVersion})
            </option>
          ))}
          {config.workflowId && !chosen && loaded.status === "ready" ? <option value={config.workflowId}>(not published or deleted)</option> : null}
        </NativeSelect>
      </Field>
      <Field id={`${nodeId}-version`} label="Version" hint="Empty runs the latest published version; a number pins that version.">
        <Input
          id={`${nodeId}-version`}
          type="number"
          min={1}
          value={config.version ?? ""}
          placeholder={chosen ? `latest (v${chosen.latestVersion})` : "latest"}
          onChange={(e) => onChange({ ...config, version: e.target.value ? Math.max(1, Math.floor(Number(e.target.value))) : null })}
        />
      </Field>
      {declared.length > 0 ? <h3 className="text-sm font-medium">Inputs</h3> : null}
      {declared.map((input) => (
        <TemplateField
          key={input.name}
          id={`${nodeId}-input-${input.name}`}
          label={`${input.name} (${input.type}${input.required ? ", required" : ""})`}
          rows={1}
          value={valueOf(input.name)}
          fields={fields}
          placeholder={`{{ start.${input.name} }}`}
          onChange={(value) => setValue(input.name, value, input.type)}
        />
      ))}
      <p className="text-xs text-muted-foreground">
        Later nodes read the child&apos;s output as <code className="font-mono">{`{{ ${nodeId}.output.<name> }}`}</code>.
      </p>
    </div>
  );
}
