"use client";

import { useMemo, useState } from "react";
import { Button } from "@/components/ui/button";
import { Dialog, DialogContent, DialogDescription, DialogFooter, DialogHeader, DialogTitle } from "@/components/ui/dialog";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import { Textarea } from "@/components/ui/textarea";
import type { ToolAuth } from "@/lib/tools/schema";
import { importOpenApiRequest, previewOpenApiRequest, type OpenApiPreview } from "./api";
import { AuthFields } from "./auth-fields";

/** Paste or upload an OpenAPI 3.x / Swagger 2.0 document (JSON or YAML), pick operations, import them as tools. */
export function OpenApiImportDialog({
  open,
  secretNames,
  onOpenChange,
  onImported,
}: {
  open: boolean;
  secretNames: string[];
  onOpenChange: (open: boolean) => void;
  onImported: (summary: string) => void;
}) {
  const [text, setText] = useState("");
  const [preview, setPreview] = useState<OpenApiPreview | null>(null);
  const [chosen, setChosen] = useState<Set<string>>(new Set());
  const [search, setSearch] = useState("");
  const [sourceName, setSourceName] = useState("");
  const [baseUrl, setBaseUrl] = useState("");
  const [auth, setAuth] = useState<ToolAuth>({ type: "none" });
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const visible = useMemo(() => {
    const needle = search.trim().toLowerCase();
    const ops = preview?.operations ?? [];
    return needle ? ops.filter((op) => `${op.method} ${op.path} ${op.summary} ${op.toolName}`.toLowerCase().includes(needle)) : ops;
  }, [preview, search]);

  function reset() {
    setText("");
    setPreview(null);
    setChosen(new Set());
    setSearch("");
    setError(null);
  }

  async function run(work: () => Promise<void>) {
    setBusy(true);
    setError(null);
    try {
      await work();
    } catch (failure) {
      setError(failure instanceof Error ? failure.message : "Something went wrong.");
    } finally {
      setBusy(false);
    }
  }

  const readDocument = () =>
    run(async () => {
      const result = await previewOpenApiRequest(text);
      setPreview(result);
      setChosen(new Set(result.operations.map((op) => op.key)));
      setSourceName(result.title);
      setBaseUrl(result.servers.find((s) => /^https?:\/\//.test(s)) ?? "");
      setAuth(result.auth);
    });

  const importChosen = () =>
    run(async () => {
      const result = await importOpenApiRequest({ text, sourceName, operations: [...chosen], baseUrl, auth });
      onImported(`${result.sourceName}: ${result.created} created, ${result.updated} updated, ${result.removed} removed.`);
      reset();
    });

  const toggleAll = (on: boolean) => setChosen((set) => new Set(on ? [...set, ...visible.map((op) => op.key)] : [...set].filter((key) => !visible.some((op) => op.key === key))));

  return (
    <Dialog open={open} onOpenChange={(next) => !busy && onOpenChange(next)}>
      <DialogContent className="max-h-[90vh] max-w-3xl overflow-y-auto">
        <DialogHeader>
          <DialogTitle>Import from OpenAPI</DialogTitle>
          <DialogDescription>OpenAPI 3.x or Swagger 2.0, JSON or YAML. Each chosen operation becomes a tool; importing again under the same source name updates them.</DialogDescription>
        </DialogHeader>
        {!preview ? (
          <div className="space-y-3">
            <div className="space-y-1">
              <Label htmlFor="openapi-text">Document</Label>
              <Textarea id="openapi-text" data-testid="openapi-text" rows={12} className="font-mono text-xs" value={text} placeholder="openapi: 3.0.3 …" onChange={(e) => setText(e.target.value)} />
            </div>
            <div className="space-y-1">
              <Label htmlFor="openapi-file">…or upload a file</Label>
              <Input
                id="openapi-file"
                type="file"
                accept=".json,.yaml,.yml,application/json,application/yaml,text/yaml"
                onChange={(e) => {
                  const file = e.target.files?.[0];
                  if (file) void file.text().then(setText);
                }}
              />
            </div>
          </div>
        ) : (
          <div className="space-y-3">
            <p className="text-sm">
              <span className="font-medium">{preview.title}</span> {preview.version} · {preview.specVersion === "2.0" ? "Swagger 2.0" : `OpenAPI ${preview.specVersion}`} · {preview.operations.length} operations
            </p>
            <div className="grid grid-cols-2 gap-2">
              <div className="space-y-1">
                <Label htmlFor="openapi-source">Source name</Label>
                <Input id="openapi-source" value={sourceName} maxLength={80} onChange={(e) => setSourceName(e.target.value)} />
              </div>
              <div className="space-y-1">
                <Label htmlFor="openapi-base">Base URL</Label>
                <Input id="openapi-base" data-testid="openapi-base-url" className="font-mono text-xs" value={baseUrl} onChange={(e) => setBaseUrl(e.target.value)} />
              </div>
            </div>
            {Object.keys(preview.securitySchemes).length > 0 ? (
              <p className="text-xs text-muted-foreground">
                Security schemes: {Object.entries(preview.securitySchemes).map(([name, what]) => `${name} (${what})`).join(", ")}
              </p>
            ) : null}
            <AuthFields id="openapi-auth" auth={auth} secretNames={secretNames} onChange={setAuth} />
            <div className="flex items-center gap-2">
              <Input aria-label="Search operations" placeholder="Search operations" value={search} onChange={(e) => setSearch(e.target.value)} />
              <Button type="button" size="sm" variant="outline" onClick={() => toggleAll(true)}>
                All
              </Button>
              <Button type="button" size="sm" variant="outline" onClick={() => toggleAll(false)}>
                None
              </Button>
            </div>
            <ul className="max-h-72 divide-y overflow-y-auto rounded-md border text-sm" data-testid="openapi-operations">
              {visible.map((op) => (
                <li key={op.key}>
                  <label className="flex cursor-pointer items-center gap-2 px-2 py-1.5">
                    <input
                      type="checkbox"
                      aria-label={op.key}
                      checked={chosen.has(op.key)}
                      onChange={(e) => setChosen((set) => new Set(e.target.checked ? [...set, op.key] : [...set].filter((k) => k !== op.key)))}
                    />
                    <code className="w-16 shrink-0 text-xs font-semibold">{op.method}</code>
                    <code className="truncate text-xs">{op.path}</code>
                    <span className="truncate text-xs text-muted-foreground">{op.summary}</span>
                    <code className="ml-auto shrink-0 text-xs text-muted-foreground">{op.toolName}</code>
                  </label>
                </li>
              ))}
            </ul>
            <p className="text-xs text-muted-foreground">{chosen.size} chosen</p>
          </div>
        )}
        {error ? <p className="text-sm text-red-700" role="alert">{error}</p> : null}
        <DialogFooter>
          {preview ? (
            <Button type="button" variant="ghost" onClick={() => setPreview(null)}>
              Back
            </Button>
          ) : null}
          {preview ? (
            <Button type="button" data-testid="openapi-import-submit" disabled={busy || chosen.size === 0 || !sourceName.trim()} onClick={() => void importChosen()}>
              Import {chosen.size} tools
            </Button>
          ) : (
            <Button type="button" data-testid="openapi-read" disabled={busy || !text.trim()} onClick={() => void readDocument()}>
              Read document
            </Button>
          )}
        </DialogFooter>
      </DialogContent>
    </Dialog>
  );
}
