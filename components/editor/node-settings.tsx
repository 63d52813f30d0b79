"use client";

import { useState } from "react";
import { ChevronRight } from "lucide-react";
import type { AnyNodeDefinition } from "@/lib/engine/node-kit";
import { LIMITS } from "@/lib/engine/limits";
import { ON_ERROR_MODES, supportsErrorPolicy, type BackoffKind, type OnErrorMode } from "@/lib/engine/policy";
import {
  DEFAULT_TIMEOUT_SECONDS,
  ON_ERROR_LABELS,
  hasCustomSettings,
  parseDefaultOutput,
  settingsForm,
  settingsFromForm,
  type SettingsForm,
} from "@/lib/editor/node-settings";
import { Input } from "@/components/ui/input";
import { Textarea } from "@/components/ui/textarea";
import { Field, NativeSelect } from "./fields";
import { useEditor } from "./store-context";

const ATTEMPTS = Array.from({ length: LIMITS.maxRetryAttempts }, (_, i) => i + 1);

/**
 * The per-node "Settings" section of the inspector: timeout, retry and what happens on error.
 * Stored in the node's `data.settings` beside the config (lib/engine/policy.ts reads it).
 */
export function NodeSettings({ nodeId, def, stored }: { nodeId: string; def: AnyNodeDefinition; stored: unknown }) {
  const updateSettings = useEditor((s) => s.updateSettings);
  const [open, setOpen] = useState(() => hasCustomSettings(stored));
  if (!supportsErrorPolicy(def)) return null;

  const form = settingsForm(stored);
  const change = (patch: Partial<SettingsForm>) => updateSettings(nodeId, settingsFromForm({ ...form, ...patch }, stored));
  const id = (field: string) => `${nodeId}-settings-${field}`;

  return (
    <section className="space-y-3 border-t pt-3" data-testid="node-settings">
      <button
        type="button"
        className="flex w-full items-center gap-1 text-left text-sm font-medium"
        aria-expanded={open}
        aria-controls={id("body")}
        data-testid="node-settings-toggle"
        onClick={() => setOpen(!open)}
      >
        <ChevronRight aria-hidden className={open ? "size-4 rotate-90 transition-transform" : "size-4 transition-transform"} />
        Settings
        {!open && hasCustomSettings(stored) ? <span className="ml-auto text-xs font-normal text-muted-foreground">customised</span> : null}
      </button>
      {open ? (
        <div id={id("body")} className="space-y-3">
          <Field id={id("timeout")} label="Timeout (seconds)" hint={`Per attempt. Empty means ${DEFAULT_TIMEOUT_SECONDS} s; 1 to ${LIMITS.maxStepTimeoutMs / 1000}.`}>
            <Input
              id={id("timeout")}
              type="number"
              min={LIMITS.minStepTimeoutMs / 1000}
              max={LIMITS.maxStepTimeoutMs / 1000}
              step={1}
              inputMode="numeric"
              placeholder={String(DEFAULT_TIMEOUT_SECONDS)}
              value={form.timeoutSeconds}
              data-testid="settings-timeout"
              onChange={(e) => change({ timeoutSeconds: e.target.value })}
            />
          </Field>

          <Field id={id("attempts")} label="Retry attempts" hint="Retries only failures worth retrying: rate limits, 5xx, network errors and timeouts.">
            <NativeSelect
              id={id("attempts")}
              value={String(form.maxAttempts)}
              data-testid="settings-attempts"
              onChange={(e) => change({ maxAttempts: Number(e.target.value) })}
            >
              {ATTEMPTS.map((n) => (
                <option key={n} value={n}>
                  {n === 1 ? "1 (no retry)" : `${n} attempts`}
                </option>
              ))}
            </NativeSelect>
          </Field>

          {form.maxAttempts > 1 ? (
            <div className="grid grid-cols-2 gap-2">
              <Field id={id("backoff")} label="Backoff">
                <NativeSelect
                  id={id("backoff")}
                  value={form.backoff}
                  data-testid="settings-backoff"
                  onChange={(e) => change({ backoff: e.target.value as BackoffKind })}
                >
                  <option value="exponential">Exponential</option>
                  <option value="fixed">Fixed</option>
                </NativeSelect>
              </Field>
              <Field id={id("delay")} label="First wait (s)">
                <Input
                  id={id("delay")}
                  type="number"
                  min={0}
                  step={0.1}
                  value={form.initialDelaySeconds}
                  data-testid="settings-delay"
                  onChange={(e) => change({ initialDelaySeconds: e.target.value })}
                />
              </Field>
            </div>
          ) : null}

          <Field
            id={id("on-error")}
            label="On error"
            hint={
              form.onError === "branch"
                ? "The node gets an ERROR output; later nodes read {{ " + nodeId + ".error.message }}."
                : form.onError === "continue"
                  ? "The run goes on with the default output below; the trace keeps the error."
                  : undefined
            }
          >
            <NativeSelect
              id={id("on-error")}
              value={form.onError}
              data-testid="settings-on-error"
              onChange={(e) => change({ onError: e.target.value as OnErrorMode })}
            >
              {ON_ERROR_MODES.map((mode) => (
                <option key={mode} value={mode}>
                  {ON_ERROR_LABELS[mode]}
                </option>
              ))}
            </NativeSelect>
          </Field>

          {form.onError === "continue" ? (
            <DefaultOutputField
              key={nodeId}
              id={id("default-output")}
              value={form.defaultOutput}
              onChange={(defaultOutput) => change({ defaultOutput })}
            />
          ) : null}
        </div>
      ) : null}
    </section>
  );
}

/** JSON textarea: the text is kept locally while it does not parse; a valid object is stored at once. */
function DefaultOutputField({
  id,
  value,
  onChange,
}: {
  id: string;
  value: Record<string, unknown> | undefined;
  onChange: (value: Record<string, unknown>) => void;
}) {
  const [text, setText] = useState(() => JSON.stringify(value ?? {}, null, 2));
  const [error, setError] = useState<string | undefined>();
  return (
    <Field id={id} label="Default output" hint="A JSON object: this node's output when it fails." error={error}>
      <Textarea
        id={id}
        rows={4}
        className="font-mono text-xs"
        value={text}
        aria-invalid={error ? true : undefined}
        data-testid="settings-default-output"
        onChange={(e) => {
          setText(e.target.value);
          const parsed = parseDefaultOutput(e.target.value);
          if (parsed.ok) {
            setError(undefined);
            onChange(parsed.value);
          } else {
            setError(parsed.message);
          }
        }}
      />
    </Field>
  );
}
