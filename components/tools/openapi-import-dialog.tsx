"use client";

import { useMemo, useState } from "react";
import { Button } from "@/components/ui/button";
import { Dialog, DialogContent, DialogDescription, DialogFooter, DialogHeader, DialogTitle } from "@/components/ui/dialog";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import { Textarea } from "@/components/ui/textarea";
import type { ToolAuth } from "@/lib/tools/schema";
import { importOpenApiRequest, previewOpenApiRequest, type OpenApiDocumentSource, type OpenApiPreview } from "./api";
import { AuthFields } from "./auth-fields";

/**
 * Paste, upload or link an OpenAPI 3.x / Swagger 2.0 document (JSON or YAML), pick operations,
 * import them as tools. A chosen file is uploaded as it is (multipart), never read into the page:
 * GitHub's 13 MB description took 33 s to land in a text box.
 */
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
  const [file, setFile] = useState<File | null>(null);
  const [url, setUrl] = useState("");
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

  const source: OpenApiDocumentSource | null = file ? { kind: "file", file } : url.trim() ? { kind: "url", url: url.trim() } : text.trim() ? { kind: "text", text } : null;

  function reset() {
    setText("");
    setFile(null);
    setUrl("");
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
      if (!source) return;
      const result = await previewOpenApiRequest(source);
      setPreview(result);
      setChosen(new Set(result.operations.map((op) => op.key)));
      setSourceName(result.title);
      setBaseUrl(result.servers.find((s) => /^https?:\/\//.test(s)) ?? "");
      setAuth(result.auth);
    });

  const importChosen = () =>
    run(async () => {
      if (!source) return;
      const result = await importOpenApiRequest(source, { sourceName, operations: [...chosen], baseUrl, auth });
      const skipped = result.skipped.length ? ` ${result.skipped.length} skipped (${result.skipped.map((s) => `${s.key}: ${s.reason}`).join("; ")})` : "";
      onImported(`${result.sourceName}: ${result.created} created, ${result.updated} updated, ${result.removed} removed.${skipped}`);
      reset();
    });

  const toggleAll = (on: boolean) =>
    setChosen((set) => {
      const shown = new Set(visible.map((op) => op.key));
      return new Set(on ? [...set, ...shown] : [...set].filter((key) => !shown.has(key)));
    });

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
              <Textarea
                id="openapi-text"
                data-testid="openapi-text"
                rows={10}
                className="font-mono text-xs"
                value={text}
                disabled={file !== null || url.trim() !== ""}
                placeholder="openapi: 3.0.3 …"
                onChange={(e) => setText(e.target.value)}
              />
            </div>
            <div className="space-y-1">
              <Label htmlFor="openapi-file">…or upload a file</Label>
              <Input
                id="openapi-file"
                data-testid="openapi-file"
                type="file"
                accept=".json,.yaml,.yml,application/json,application/yaml,text/yaml"
                onChange={(e) => setFile(e.target.files?.[0] ?? null)}
              />
              {file ? (
                <p className="text-xs text-muted-foreground">
                  {file.name}, {(file.size / 1024 / 1024).toFixed(1)} MB: uploaded as it is when you read it.{" "}
                  <button type="button" className="underline" onClick={() => setFile(null)}>
                    Remove
                  </button>
                </p>
              ) : null}
            </div>
            <div className="space-y-1">
              <Label htmlFor="openapi-url">…or fetch it from a URL</Label>
              <Input
                id="openapi-url"
                data-testid="openapi-url"
                type="url"
                className="font-mono text-xs"
                placeholder="https://api.example.com/openapi.json"
                value={url}
                disabled={file !== null}
                onChange={(e) => setUrl(e.target.value)}
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
                    {op.notes.length ? (
                      <span className="shrink-0 text-xs text-amber-700" title={op.notes.join("\n")}>
                        {op.notes.length} note{op.notes.length > 1 ? "s" : ""}
                      </span>
                    ) : null}
                    <code className="ml-auto shrink-0 text-xs text-muted-foreground">{op.toolName}</code>
                  </label>
                </li>
              ))}
            </ul>
            <p className="text-xs text-muted-foreground">{chosen.size} chosen</p>
            {preview.skipped.length ? (
              <details className="text-xs" data-testid="openapi-skipped">
                <summary className="cursor-pointer text-muted-foreground">{preview.skipped.length} operations cannot be imported</summary>
                <ul className="mt-1 max-h-40 space-y-1 overflow-y-auto">
                  {preview.skipped.map((op) => (
                    <li key={op.key}>
                      <code>{op.key}</code>: {op.reason}
                    </li>
                  ))}
                </ul>
              </details>
            ) : null}
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
            <Button type="button" data-testid="openapi-read" disabled={busy || !source} onClick={() => void readDocument()}>
              Read document
            </Button>
          )}
        </DialogFooter>
      </DialogContent>
    </Dialog>
  );
}
