"use client";

import type { NodePanelProps } from "@/lib/editor/panel-kit";
import { Field, NativeSelect, TemplateField } from "@/components/editor/fields";
import type { TemplateConfig } from "./definition";

export function TemplatePanel({ nodeId, config, onChange, fields }: NodePanelProps<TemplateConfig>) {
  return (
    <div className="space-y-3">
      <TemplateField
        id={`${nodeId}-template`}
        label="Template text"
        rows={8}
        value={config.template ?? ""}
        fields={fields}
        placeholder="Hello {{ start.name }}!"
        hint={
          <>
            Liquid syntax: <code className="font-mono">{"{{ node.field }}"}</code>, filters such as{" "}
            <code className="font-mono">{"| upcase"}</code>, <code className="font-mono">{"{% if %}"}</code>.
          </>
        }
        onChange={(template) => onChange({ ...config, template })}
      />
      <Field id={`${nodeId}-format`} label="Format" hint="JSON parses the result and publishes it as json.">
        <NativeSelect
          id={`${nodeId}-format`}
          value={config.format ?? "text"}
          onChange={(e) => onChange({ ...config, format: e.target.value === "json" ? "json" : "text" })}
        >
          <option value="text">Text</option>
          <option value="json">JSON</option>
        </NativeSelect>
      </Field>
    </div>
  );
}
