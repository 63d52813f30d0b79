"use client";

import { useState } from "react";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Dialog, DialogContent, DialogDescription, DialogHeader, DialogTitle } from "@/components/ui/dialog";
import { Label } from "@/components/ui/label";
import { Textarea } from "@/components/ui/textarea";
import type { ToolTestResult } from "@/lib/tools/console";
import type { ToolView } from "@/lib/tools/schema";
import { parseJsonField, testToolRequest } from "./api";

/** An example input from the schema: each property with a placeholder of its type. */
function exampleInput(schema: Record<string, unknown>): string {
  const properties = (schema.properties ?? {}) as Record<string, { type?: unknown; default?: unknown }>;
  const sample: Record<string, unknown> = {};
  for (const [name, prop] of Object.entries(properties)) {
    const type = Array.isArray(prop.type) ? prop.type[0] : prop.type;
    sample[name] = prop.default ?? (type === "number" || type === "integer" ? 0 : type === "boolean" ? false : type === "array" ? [] : type === "object" ? {} : "");
  }
  return JSON.stringify(sample, null, 2);
}

function Trace({ title, value, tall }: { title: string; value: unknown; tall?: boolean }) {
  return (
    <section>
      <h3 className="text-xs font-medium">{title}</h3>
      <pre className={`${tall ? "max-h-60" : "max-h-48"} overflow-auto rounded bg-muted p-2 text-xs`}>{JSON.stringify(value, null, 2)}</pre>
    </section>
  );
}

/** The tool console: run a tool with a JSON input and see the output or error, the request/response trace and the time. */
export function ToolConsole({ tool, onClose }: { tool: ToolView | null; onClose: () => void }) {
  const [input, setInput] = useState("");
  const [result, setResult] = useState<ToolTestResult | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [forTool, setForTool] = useState<string | null>(null);

  if (tool && forTool !== tool.id) {
    setForTool(tool.id);
    setInput(exampleInput(tool.inputSchema));
    setResult(null);
    setError(null);
  }

  async function run() {
    if (!tool) return;
    const parsed = parseJsonField(input);
    if (!parsed.ok) return setError(`The input is not JSON: ${parsed.error}`);
    setBusy(true);
    setError(null);
    try {
      setResult(await testToolRequest(tool.id, parsed.value));
    } catch (failure) {
      setError(failure instanceof Error ? failure.message : "The call failed.");
    } finally {
      setBusy(false);
    }
  }

  return (
    <Dialog open={tool !== null} onOpenChange={(open) => !open && !busy && onClose()}>
      <DialogContent className="max-h-[90vh] max-w-3xl overflow-y-auto">
        <DialogHeader>
          <DialogTitle>
            Console: <code>{tool?.name}</code>
          </DialogTitle>
          <DialogDescription>Calls the tool exactly as an agent would (input checked against its schema; secrets resolved on the server and shown as [redacted]).</DialogDescription>
        </DialogHeader>
        <div className="space-y-1">
          <Label htmlFor="tool-console-input">Input (JSON)</Label>
          <Textarea id="tool-console-input" data-testid="tool-console-input" rows={6} className="font-mono text-xs" value={input} onChange={(e) => setInput(e.target.value)} />
        </div>
        <Button onClick={() => void run()} disabled={busy} data-testid="tool-console-run">
          {busy ? "Running…" : "Run"}
        </Button>
        {error ? <p className="text-sm text-red-700" role="alert">{error}</p> : null}
        {result ? (
          <div className="space-y-2" data-testid="tool-console-result">
            <div className="flex items-center gap-2 text-sm">
              {result.ok ? <Badge tone="green">succeeded</Badge> : <Badge tone="red">{result.error.code}</Badge>}
              <span className="text-muted-foreground">{result.durationMs} ms</span>
            </div>
            {result.ok ? null : <p className="text-sm text-red-700">{result.error.message}</p>}
            {result.ok ? <Trace title="Output" value={result.output} tall /> : null}
            {"request" in result.detail ? <Trace title="Request" value={result.detail.request} /> : null}
            {"response" in result.detail ? <Trace title="Response" value={result.detail.response} tall /> : null}
            {!("request" in result.detail) && Object.keys(result.detail).length > 0 ? <Trace title="Details" value={result.detail} /> : null}
          </div>
        ) : null}
      </DialogContent>
    </Dialog>
  );
}
