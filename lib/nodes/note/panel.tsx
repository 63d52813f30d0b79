"use client";

import type { NodePanelProps } from "@/lib/editor/panel-kit";
import { Field } from "@/components/editor/fields";
import { Textarea } from "@/components/ui/textarea";
import type { NoteConfig } from "./definition";

export function NotePanel({ nodeId, config, onChange }: NodePanelProps<NoteConfig>) {
  return (
    <div className="space-y-3">
      <Field id={`${nodeId}-text`} label="Note" hint="Markdown. Notes are for people reading the workflow; runs ignore them.">
        <Textarea
          id={`${nodeId}-text`}
          rows={10}
          value={config.text ?? ""}
          placeholder="Why this branch exists, who owns it…"
          onChange={(e) => onChange({ ...config, text: e.target.value })}
        />
      </Field>
    </div>
  );
}
