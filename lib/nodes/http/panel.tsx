"use client";

import type { NodePanelProps } from "@/lib/editor/panel-kit";
import { Field, NativeSelect, TemplateField } from "@/components/editor/fields";
import { Input } from "@/components/ui/input";
import { BODY_TYPES, HTTP_LIMITS, HTTP_METHODS, type BodyType, type HttpConfig, type HttpMethod } from "./definition";
import { useSecretFields } from "@/components/settings/secrets-names";
import { KeyValueEditor } from "./key-values";

const BODY_LABELS: Record<BodyType, string> = { none: "None", json: "JSON", form: "Form (URL-encoded)", text: "Raw text" };

export function HttpPanel({ nodeId, config, onChange, fields }: NodePanelProps<HttpConfig>) {
  const set = (patch: Partial<HttpConfig>) => onChange({ ...config, ...patch });
  const id = (name: string) => `${nodeId}-${name}`;
  // Headers may also use {{ secrets.NAME }} (names only; the worker resolves the values).
  const secretFields = useSecretFields();
  const method = config.method ?? "GET";
  const bodyType = config.bodyType ?? "none";
  const bodyAllowed = method !== "GET" && method !== "HEAD";

  return (
    <div className="space-y-3">
      <Field id={id("method")} label="Method">
        <NativeSelect
          id={id("method")}
          value={method}
          onChange={(e) => {
            const next = e.target.value as HttpMethod;
            set(next === "GET" || next === "HEAD" ? { method: next, bodyType: "none" } : { method: next });
          }}
        >
          {HTTP_METHODS.map((m) => (
            <option key={m} value={m}>
              {m}
            </option>
          ))}
        </NativeSelect>
      </Field>
      <TemplateField
        id={id("url")}
        label="URL"
        rows={2}
        value={config.url ?? ""}
        fields={fields}
        placeholder="https://api.example.com/items/{{ start.id }}"
        hint="Private, loopback and cloud metadata addresses are blocked."
        onChange={(url) => set({ url })}
      />
      <KeyValueEditor id={id("query")} title="Query parameters" noun="parameter" keyPlaceholder="name" rows={config.query ?? []} fields={fields} onChange={(query) => set({ query })} />
      <KeyValueEditor id={id("headers")} title="Headers" noun="header" keyPlaceholder="Header-Name" rows={config.headers ?? []} fields={[...fields, ...secretFields]} onChange={(headers) => set({ headers })} />

      <Field id={id("body-type")} label="Body" hint={bodyAllowed ? undefined : `${method} requests have no body.`}>
        <NativeSelect id={id("body-type")} value={bodyType} disabled={!bodyAllowed} onChange={(e) => set({ bodyType: e.target.value as BodyType })}>
          {BODY_TYPES.map((t) => (
            <option key={t} value={t}>
              {BODY_LABELS[t]}
            </option>
          ))}
        </NativeSelect>
      </Field>
      {bodyType === "json" || bodyType === "text" ? (
        <TemplateField
          id={id("body")}
          label={bodyType === "json" ? "JSON body" : "Text body"}
          rows={6}
          value={config.body ?? ""}
          fields={fields}
          placeholder={bodyType === "json" ? '{ "name": {{ start.name | json }} }' : "Hello {{ start.name }}"}
          hint={bodyType === "json" ? <>Must be valid JSON once rendered; use <code className="font-mono">{"| json"}</code> to quote text values.</> : undefined}
          onChange={(body) => set({ body })}
        />
      ) : null}
      {bodyType === "form" ? (
        <KeyValueEditor id={id("form")} title="Form fields" noun="field" keyPlaceholder="name" rows={config.form ?? []} fields={fields} onChange={(form) => set({ form })} />
      ) : null}

      <div className="grid grid-cols-2 gap-2">
        <Field id={id("timeout")} label="Timeout (s)">
          <Input
            id={id("timeout")}
            type="number"
            min={0.1}
            max={HTTP_LIMITS.maxTimeoutMs / 1000}
            step={1}
            value={(config.timeoutMs ?? HTTP_LIMITS.defaultTimeoutMs) / 1000}
            onChange={(e) => {
              const value = e.target.valueAsNumber;
              if (Number.isFinite(value)) set({ timeoutMs: Math.round(value * 1000) });
            }}
          />
        </Field>
        <Field id={id("max-size")} label="Max response size (KB)">
          <Input
            id={id("max-size")}
            type="number"
            min={1}
            max={HTTP_LIMITS.maxResponseBytes / 1024}
            step={1}
            value={Math.round((config.maxResponseBytes ?? HTTP_LIMITS.defaultResponseBytes) / 1024)}
            onChange={(e) => {
              const value = e.target.valueAsNumber;
              if (Number.isFinite(value)) set({ maxResponseBytes: Math.round(value * 1024) });
            }}
          />
        </Field>
      </div>
      <p className="text-xs text-muted-foreground">
        Outputs: <code className="font-mono">status</code>, <code className="font-mono">headers</code> and <code className="font-mono">body</code> (parsed when the
        response is JSON). Non-GET requests carry an <code className="font-mono">Idempotency-Key</code> header that stays the same if the step is re-run after a crash.
      </p>
    </div>
  );
}
