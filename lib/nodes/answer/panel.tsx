"use client";

import type { NodePanelProps } from "@/lib/editor/panel-kit";
import { TemplateField } from "@/components/editor/fields";
import type { AnswerConfig } from "./definition";

export function AnswerPanel({ nodeId, config, onChange, fields }: NodePanelProps<AnswerConfig>) {
  return (
    <div className="space-y-3">
      <TemplateField
        id={`${nodeId}-text`}
        label="Answer text"
        rows={6}
        value={config.text ?? ""}
        fields={fields}
        placeholder="{{ llm_1.text }}"
        hint="Sent to the chat as soon as this node runs. Several Answer nodes add to the same reply, in the order they run."
        onChange={(text) => onChange({ ...config, text })}
      />
    </div>
  );
}
