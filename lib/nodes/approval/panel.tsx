"use client";

import type { NodePanelProps } from "@/lib/editor/panel-kit";
import { Field, NativeSelect } from "@/components/editor/fields";
import { WaitTextFields, WaitTimeoutField } from "../wait-fields";
import { APPROVER_ROLES, type ApprovalConfig, type ApproverRole, type OnTimeout } from "./definition";

const ON_TIMEOUT_LABELS: Record<OnTimeout, string> = {
  approve: "Approve (take APPROVED)",
  reject: "Reject (take REJECTED)",
  timeout: "Take a separate TIMEOUT branch",
};

export function ApprovalPanel({ nodeId, config, onChange, fields }: NodePanelProps<ApprovalConfig>) {
  return (
    <div className="space-y-3">
      <WaitTextFields
        nodeId={nodeId}
        title={config.title ?? ""}
        text={config.message ?? ""}
        textLabel="Message"
        placeholders={{ title: "Approve the refund for {{ start.customer }}?", text: "Details the approver needs, e.g. {{ llm.text }}" }}
        fields={fields}
        onChange={(patch) => onChange({ ...config, title: patch.title ?? config.title, message: patch.text ?? config.message })}
      />
      <Field id={`${nodeId}-assignee`} label="Who may decide" hint="Viewers never can.">
        <NativeSelect
          id={`${nodeId}-assignee`}
          value={config.assigneeRole ?? ""}
          onChange={(e) => onChange({ ...config, assigneeRole: e.target.value ? (e.target.value as ApproverRole) : null })}
        >
          <option value="">Any editor or above</option>
          {APPROVER_ROLES.filter((r) => r !== "editor").map((role) => (
            <option key={role} value={role}>
              {role} or above
            </option>
          ))}
        </NativeSelect>
      </Field>
      <WaitTimeoutField id={`${nodeId}-timeout`} value={config.timeout ?? null} onChange={(timeout) => onChange({ ...config, timeout })} />
      {config.timeout ? (
        <Field id={`${nodeId}-on-timeout`} label="When nobody decides in time">
          <NativeSelect
            id={`${nodeId}-on-timeout`}
            value={config.onTimeout ?? "reject"}
            onChange={(e) => onChange({ ...config, onTimeout: e.target.value as OnTimeout })}
          >
            {(Object.keys(ON_TIMEOUT_LABELS) as OnTimeout[]).map((value) => (
              <option key={value} value={value}>
                {ON_TIMEOUT_LABELS[value]}
              </option>
            ))}
          </NativeSelect>
        </Field>
      ) : null}
      <p className="rounded-md border border-dashed p-3 text-xs text-muted-foreground">
        The run waits here without holding a worker. Later nodes read <code className="font-mono">{`{{ ${nodeId}.decision }}`}</code>,{" "}
        <code className="font-mono">{`{{ ${nodeId}.comment }}`}</code> and <code className="font-mono">{`{{ ${nodeId}.decidedBy }}`}</code>.
      </p>
    </div>
  );
}
