"use client";

import Link from "next/link";
import type { NodePanelProps } from "@/lib/editor/panel-kit";
import { Field, NativeSelect, TemplateField } from "@/components/editor/fields";
import type { ToolConfig } from "./definition";
import { configForTool, type SchemaProperty, schemaProperties } from "./schema-form";
import { useWorkspaceTools } from "./use-tools";
import { ToolsLoadError } from "./tools-error";

export function ToolPanel({ nodeId, config, onChange, fields }: NodePanelProps<ToolConfig>) {
  const tools = useWorkspaceTools();
  const list = tools.status === "ready" ? tools.tools : [];
  const tool = list.find((t) => t.id === config.toolId);
  const properties = tool ? schemaProperties(tool.inputSchema) : (config.inputs ?? []).map((i) => ({ name: i.name, type: "", description: "", required: i.required }));
  const valueOf = (name: string) => (config.inputs ?? []).find((i) => i.name === name)?.value ?? "";
  const setValue = (property: SchemaProperty, value: string) => {
    const others = (config.inputs ?? []).filter((i) => i.name !== property.name);
    const inputs = properties
      .map((p) => (p.name === property.name ? { name: p.name, value, required: p.required } : others.find((i) => i.name === p.name)))
      .filter((i): i is ToolConfig["inputs"][number] => i !== undefined);
    onChange({ ...config, inputs });
  };

  return (
    <div className="space-y-3">
      <Field
        id={`${nodeId}-tool`}
        label="Tool"
        hint={tool?.description || (tools.status === "ready" && list.length === 0 ? <Link href="/tools" className="underline">Register a tool first</Link> : undefined)}
      >
        <NativeSelect
          id={`${nodeId}-tool`}
          value={config.toolId ?? ""}
          disabled={tools.status === "loading"}
          onChange={(e) => {
            const chosen = list.find((t) => t.id === e.target.value);
            onChange(chosen ? configForTool(chosen, config) : { toolId: "", toolName: "", inputs: [], outputs: [], onToolError: config.onToolError ?? "fail" });
          }}
        >
          <option value="">{tools.status === "loading" ? "Loading…" : "Choose a tool…"}</option>
          {config.toolId && !tool ? <option value={config.toolId}>{config.toolName || config.toolId} (unavailable)</option> : null}
          {list.map((t) => (
            <option key={t.id} value={t.id}>
              {t.name} ({t.kind})
            </option>
          ))}
        </NativeSelect>
      </Field>
      <ToolsLoadError state={tools} />
      {tool && properties.length === 0 ? <p className="text-xs text-muted-foreground">This tool takes no input.</p> : null}
      {properties.map((p) => (
        <TemplateField
          key={p.name}
          id={`${nodeId}-input-${p.name}`}
          label={`${p.name}${p.required ? " *" : ""}${p.type ? ` (${p.type})` : ""}`}
          rows={p.type === "object" || p.type === "array" ? 3 : 1}
          value={valueOf(p.name)}
          fields={fields}
          hint={p.description || undefined}
          onChange={(value) => setValue(p, value)}
        />
      ))}
      <Field id={`${nodeId}-on-tool-error`} label="When the tool fails">
        <NativeSelect id={`${nodeId}-on-tool-error`} value={config.onToolError ?? "fail"} onChange={(e) => onChange({ ...config, onToolError: e.target.value === "continue" ? "continue" : "fail" })}>
          <option value="fail">Fail the step</option>
          <option value="continue">Go on with an empty result (warning on the run)</option>
        </NativeSelect>
      </Field>
    </div>
  );
}
