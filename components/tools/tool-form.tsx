"use client";

import { useEffect, useState } from "react";
import { Button } from "@/components/ui/button";
import { Dialog, DialogContent, DialogDescription, DialogFooter, DialogHeader, DialogTitle } from "@/components/ui/dialog";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import { Textarea } from "@/components/ui/textarea";
import { HTTP_METHODS } from "@/lib/nodes/http/definition";
import { EDITABLE_KINDS, type EditableKind, type ResponseMapping, type ToolAuth, type ToolView } from "@/lib/tools/schema";
import { createToolRequest, parseJsonField, updateToolRequest, workflowsRequest } from "./api";
import { AuthFields, selectClass } from "./auth-fields";

/**
 * Create or edit an http, code or workflow tool. JSON Schema fields are textareas checked as JSON
 * here and as JSON Schema on the server (the project has no code editor component).
 */

type Pair = { key: string; value: string };

const pairsToText = (pairs: Pair[], sep: string) => pairs.map((p) => `${p.key}${sep}${p.value}`).join("\n");
function textToPairs(text: string, sep: string): Pair[] {
  return text
    .split("\n")
    .map((line) => line.trim())
    .filter(Boolean)
    .map((line) => {
      const at = line.indexOf(sep);
      return at < 0 ? { key: line, value: "" } : { key: line.slice(0, at).trim(), value: line.slice(at + sep.length).trim() };
    });
}

const KIND_LABELS: Record<EditableKind, string> = { http: "HTTP request", code: "JavaScript code", workflow: "Published workflow" };
const DEFAULT_SCHEMA = '{\n  "type": "object",\n  "properties": {\n    "city": { "type": "string", "description": "City name" }\n  },\n  "required": ["city"]\n}';
const DEFAULT_CODE = "// `inputs` is the tool input; return an object.\nreturn { greeting: `Hello, ${inputs.city}` };";

export interface FormState {
  kind: EditableKind;
  name: string;
  description: string;
  enabled: boolean;
  inputSchema: string;
  outputSchema: string;
  method: string;
  url: string;
  headers: string;
  query: string;
  bodyMode: "none" | "input" | "template";
  body: string;
  auth: ToolAuth;
  timeoutS: string;
  response: ResponseMapping;
  code: string;
  workflowId: string;
}

/** The form's fields for a tool (or a new one). */
export function initialState(tool: ToolView | null): FormState {
  const c = (tool?.config ?? {}) as Record<string, unknown>;
  const kind = (tool && (EDITABLE_KINDS as readonly string[]).includes(tool.kind) ? tool.kind : "http") as EditableKind;
  return {
    kind,
    name: tool?.name ?? "",
    description: tool?.description ?? "",
    enabled: tool?.enabled ?? true,
    inputSchema: tool ? JSON.stringify(tool.inputSchema, null, 2) : DEFAULT_SCHEMA,
    outputSchema: tool?.outputSchema ? JSON.stringify(tool.outputSchema, null, 2) : "",
    method: (c.method as string) ?? "GET",
    url: (c.url as string) ?? "",
    headers: pairsToText((c.headers as Pair[]) ?? [], ": "),
    query: pairsToText((c.query as Pair[]) ?? [], "="),
    bodyMode: (c.bodyMode as FormState["bodyMode"]) ?? "none",
    body: (c.body as string) ?? "",
    auth: (c.auth as ToolAuth) ?? { type: "none" },
    timeoutS: String(((c.timeoutMs as number) ?? (kind === "code" ? 1_000 : kind === "workflow" ? 60_000 : 30_000)) / 1000),
    response: (c.response as ResponseMapping) ?? { mode: "body" },
    code: (c.code as string) ?? DEFAULT_CODE,
    workflowId: (c.workflowId as string) ?? "",
  };
}

/** The tool config the form's fields describe (what is sent to the server). */
export function configOf(s: FormState): Record<string, unknown> {
  const timeoutMs = Math.round(Number(s.timeoutS) * 1000);
  switch (s.kind) {
    case "http":
      return {
        method: s.method,
        url: s.url,
        headers: textToPairs(s.headers, ":"),
        query: textToPairs(s.query, "="),
        bodyMode: s.bodyMode,
        body: s.body,
        auth: s.auth,
        timeoutMs,
        response: s.response,
      };
    case "code":
      return { code: s.code, timeoutMs };
    case "workflow":
      return { workflowId: s.workflowId, timeoutMs };
  }
}

export function ToolForm({
  open,
  tool,
  secretNames,
  onOpenChange,
  onSaved,
}: {
  open: boolean;
  /** null: create a new tool. */
  tool: ToolView | null;
  secretNames: string[];
  onOpenChange: (open: boolean) => void;
  onSaved: (tool: ToolView) => void;
}) {
  const [state, setState] = useState<FormState>(() => initialState(tool));
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [workflows, setWorkflows] = useState<{ id: string; name: string }[]>([]);
  const set = (patch: Partial<FormState>) => setState((s) => ({ ...s, ...patch }));
  const id = (name: string) => `tool-form-${name}`;

  useEffect(() => {
    if (open && state.kind === "workflow" && workflows.length === 0) {
      void workflowsRequest()
        .then((r) => setWorkflows(r.workflows))
        .catch(() => undefined);
    }
  }, [open, state.kind, workflows.length]);

  async function save() {
    setError(null);
    const input = state.kind === "workflow" ? { ok: true as const, value: undefined } : parseJsonField(state.inputSchema);
    if (!input.ok) return setError(`Input schema: ${input.error}`);
    const output = state.outputSchema.trim() ? parseJsonField(state.outputSchema) : { ok: true as const, value: null };
    if (!output.ok) return setError(`Output schema: ${output.error}`);
    const body = {
      name: state.name,
      description: state.description,
      enabled: state.enabled,
      ...(input.value !== undefined ? { inputSchema: input.value } : {}),
      outputSchema: output.value,
      config: configOf(state),
    };
    setBusy(true);
    try {
      const saved = tool ? await updateToolRequest(tool.id, body) : await createToolRequest({ kind: state.kind, ...body });
      onSaved(saved);
    } catch (failure) {
      const issues = (failure as { issues?: { path: string; message: string }[] }).issues ?? [];
      setError([failure instanceof Error ? failure.message : "Could not save the tool.", ...issues.map((i) => `${i.path}: ${i.message}`)].join(" "));
    } finally {
      setBusy(false);
    }
  }

  return (
    <Dialog open={open} onOpenChange={(next) => !busy && onOpenChange(next)}>
      <DialogContent className="max-h-[90vh] max-w-2xl overflow-y-auto">
        <form
          className="space-y-3"
          onSubmit={(event) => {
            event.preventDefault();
            void save();
          }}
        >
          <DialogHeader>
            <DialogTitle>{tool ? `Edit ${tool.name}` : "New tool"}</DialogTitle>
            <DialogDescription>Agents see the name, the description and the input schema. Saving an edit bumps the version.</DialogDescription>
          </DialogHeader>
          <div className="grid grid-cols-2 gap-2">
            <div className="space-y-1">
              <Label htmlFor={id("kind")}>Kind</Label>
              <select id={id("kind")} className={selectClass} value={state.kind} disabled={!!tool} onChange={(e) => set({ ...initialState(null), name: state.name, kind: e.target.value as EditableKind })}>
                {EDITABLE_KINDS.map((k) => (
                  <option key={k} value={k}>
                    {KIND_LABELS[k]}
                  </option>
                ))}
              </select>
            </div>
            <div className="space-y-1">
              <Label htmlFor={id("name")}>Name</Label>
              <Input id={id("name")} className="font-mono" value={state.name} maxLength={64} placeholder="get_weather" onChange={(e) => set({ name: e.target.value })} />
            </div>
          </div>
          <div className="space-y-1">
            <Label htmlFor={id("description")}>Description (what the model reads to decide when to call it)</Label>
            <Textarea id={id("description")} rows={2} value={state.description} onChange={(e) => set({ description: e.target.value })} />
          </div>

          {state.kind === "http" ? (
            <>
              <div className="grid grid-cols-[8rem_1fr] gap-2">
                <div className="space-y-1">
                  <Label htmlFor={id("method")}>Method</Label>
                  <select id={id("method")} className={selectClass} value={state.method} onChange={(e) => set({ method: e.target.value })}>
                    {HTTP_METHODS.map((m) => (
                      <option key={m}>{m}</option>
                    ))}
                  </select>
                </div>
                <div className="space-y-1">
                  <Label htmlFor={id("url")}>URL template</Label>
                  <Input id={id("url")} className="font-mono text-xs" value={state.url} placeholder="https://api.example.com/weather?city={{ city }}" onChange={(e) => set({ url: e.target.value })} />
                </div>
              </div>
              <div className="grid grid-cols-2 gap-2">
                <div className="space-y-1">
                  <Label htmlFor={id("headers")}>Headers (Name: value, one per line; {"{{ secrets.NAME }}"} allowed)</Label>
                  <Textarea id={id("headers")} rows={3} className="font-mono text-xs" value={state.headers} onChange={(e) => set({ headers: e.target.value })} />
                </div>
                <div className="space-y-1">
                  <Label htmlFor={id("query")}>Query (name=value, one per line)</Label>
                  <Textarea id={id("query")} rows={3} className="font-mono text-xs" value={state.query} onChange={(e) => set({ query: e.target.value })} />
                </div>
              </div>
              <div className="grid grid-cols-2 gap-2">
                <div className="space-y-1">
                  <Label htmlFor={id("body-mode")}>Body</Label>
                  <select id={id("body-mode")} className={selectClass} value={state.bodyMode} onChange={(e) => set({ bodyMode: e.target.value as FormState["bodyMode"] })}>
                    <option value="none">None</option>
                    <option value="input">The whole input as JSON</option>
                    <option value="template">JSON template</option>
                  </select>
                </div>
                <div className="space-y-1">
                  <Label htmlFor={id("response")}>Response mapping</Label>
                  <select
                    id={id("response")}
                    className={selectClass}
                    value={state.response.mode}
                    onChange={(e) => {
                      const mode = e.target.value;
                      set({ response: mode === "path" ? { mode, path: "data" } : mode === "jsonata" ? { mode, expression: "$" } : { mode: "body" } });
                    }}
                  >
                    <option value="body">The parsed body</option>
                    <option value="path">A path into the body</option>
                    <option value="jsonata">A JSONata expression</option>
                  </select>
                </div>
              </div>
              {state.bodyMode === "template" ? (
                <Textarea aria-label="Body template" rows={4} className="font-mono text-xs" value={state.body} placeholder='{"city": {{ city | json }}}' onChange={(e) => set({ body: e.target.value })} />
              ) : null}
              {state.response.mode === "path" ? (
                <Input aria-label="Response path" className="font-mono text-xs" value={state.response.path} onChange={(e) => set({ response: { mode: "path", path: e.target.value } })} />
              ) : null}
              {state.response.mode === "jsonata" ? (
                <Input aria-label="Response expression" className="font-mono text-xs" value={state.response.expression} onChange={(e) => set({ response: { mode: "jsonata", expression: e.target.value } })} />
              ) : null}
              <AuthFields id={id("auth")} auth={state.auth} secretNames={secretNames} onChange={(auth) => set({ auth })} />
            </>
          ) : null}

          {state.kind === "code" ? (
            <div className="space-y-1">
              <Label htmlFor={id("code")}>Code (sandboxed: no network, files or environment)</Label>
              <Textarea id={id("code")} rows={8} className="font-mono text-xs" value={state.code} onChange={(e) => set({ code: e.target.value })} />
            </div>
          ) : null}

          {state.kind === "workflow" ? (
            <div className="space-y-1">
              <Label htmlFor={id("workflow")}>Workflow (its latest published version runs; the input schema comes from its Start inputs)</Label>
              <select id={id("workflow")} className={selectClass} value={state.workflowId} onChange={(e) => set({ workflowId: e.target.value })}>
                <option value="">— choose a workflow —</option>
                {workflows.map((w) => (
                  <option key={w.id} value={w.id}>
                    {w.name}
                  </option>
                ))}
              </select>
            </div>
          ) : (
            <div className="space-y-1">
              <Label htmlFor={id("input-schema")}>Input schema (JSON Schema, type object)</Label>
              <Textarea id={id("input-schema")} rows={7} className="font-mono text-xs" value={state.inputSchema} onChange={(e) => set({ inputSchema: e.target.value })} />
            </div>
          )}
          <div className="space-y-1">
            <Label htmlFor={id("output-schema")}>Output schema (optional)</Label>
            <Textarea id={id("output-schema")} rows={2} className="font-mono text-xs" value={state.outputSchema} onChange={(e) => set({ outputSchema: e.target.value })} />
          </div>
          <div className="flex items-center gap-4">
            <div className="flex items-center gap-2">
              <Label htmlFor={id("timeout")}>Timeout (s)</Label>
              <Input id={id("timeout")} className="w-24" type="number" min={0.01} step="any" value={state.timeoutS} onChange={(e) => set({ timeoutS: e.target.value })} />
            </div>
            <label className="flex items-center gap-2 text-sm">
              <input type="checkbox" checked={state.enabled} onChange={(e) => set({ enabled: e.target.checked })} /> Enabled
            </label>
          </div>
          {error ? <p className="text-sm text-red-700" role="alert">{error}</p> : null}
          <DialogFooter>
            <Button type="button" variant="ghost" onClick={() => onOpenChange(false)}>
              Cancel
            </Button>
            <Button type="submit" disabled={busy || !state.name.trim()}>
              {tool ? "Save" : "Create tool"}
            </Button>
          </DialogFooter>
        </form>
      </DialogContent>
    </Dialog>
  );
}
