"use client";

import { Upload } from "lucide-react";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { Button } from "@/components/ui/button";
import { Dialog, DialogContent, DialogDescription, DialogFooter, DialogHeader, DialogTitle } from "@/components/ui/dialog";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import { Textarea } from "@/components/ui/textarea";
import type { ImportedWorkflow } from "@/lib/api/schemas";
import { ImportRefused, importWorkflowRequest } from "./api";
import { ImportReport } from "./import-report";

/** "Import": a Weft workflow file (upload or paste) becomes a new draft; nothing in it runs. */
export function ImportWorkflowButton() {
  const router = useRouter();
  const [open, setOpen] = useState(false);
  const [text, setText] = useState("");
  const [name, setName] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<{ message: string; problems: { nodeId?: string; message: string }[] } | null>(null);
  // Shown before opening the workflow when the file used knowledge bases: what each became here.
  const [report, setReport] = useState<ImportedWorkflow | null>(null);

  async function readFile(file: File | undefined) {
    if (!file) return;
    setText(await file.text());
    setError(null);
  }

  async function submit() {
    setError(null);
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      setError({ message: "This is not JSON. Choose the .weft.json file you exported, or paste its contents.", problems: [] });
      return;
    }
    setBusy(true);
    try {
      const imported = await importWorkflowRequest(parsed, name.trim() || undefined);
      if (imported.knowledgeBases?.length || imported.providers?.length) return setReport(imported);
      setOpen(false);
      router.push(`/workflows/${imported.id}`);
    } catch (failure) {
      setError(failure instanceof ImportRefused ? { message: failure.message, problems: failure.problems } : { message: "The import failed.", problems: [] });
    } finally {
      setBusy(false);
    }
  }

  return (
    <>
      <Button variant="outline" onClick={() => setOpen(true)}>
        <Upload />
        Import
      </Button>
      <Dialog
        open={open}
        onOpenChange={(next) => {
          setOpen(next);
          // Closed after an import that showed its report: the new draft is in the list.
          if (!next && report) (setReport(null), router.refresh());
        }}
      >
        <DialogContent className="max-w-2xl">
          <DialogHeader>
            <DialogTitle>Import a workflow</DialogTitle>
            <DialogDescription>
              A workflow file exported from Weft becomes a new draft here. Nothing in it runs until you run it.
            </DialogDescription>
          </DialogHeader>
          {report ? (
            <ImportReport knowledgeBases={report.knowledgeBases} providers={report.providers} />
          ) : (
            <div className="space-y-3">
              <div className="space-y-1">
                <Label htmlFor="import-file">File</Label>
                <Input id="import-file" type="file" accept=".json,application/json" onChange={(event) => void readFile(event.target.files?.[0])} />
              </div>
              <div className="space-y-1">
                <Label htmlFor="import-text">Or paste the file</Label>
                <Textarea id="import-text" className="h-48 font-mono text-xs" value={text} onChange={(event) => setText(event.target.value)} />
              </div>
              <div className="space-y-1">
                <Label htmlFor="import-name">Name (optional)</Label>
                <Input id="import-name" value={name} placeholder="Keep the name in the file" onChange={(event) => setName(event.target.value)} />
              </div>
              {error ? (
                <div role="alert" className="rounded-md border border-destructive/40 bg-destructive/5 px-3 py-2 text-sm text-destructive">
                  <p>{error.message}</p>
                  {error.problems.length > 0 ? (
                    <ul className="mt-1 list-disc space-y-0.5 pl-5 text-xs">
                      {error.problems.slice(0, 50).map((problem, index) => (
                        <li key={index}>
                          {problem.nodeId ? <span className="font-mono">{problem.nodeId}: </span> : null}
                          {problem.message}
                        </li>
                      ))}
                    </ul>
                  ) : null}
                </div>
              ) : null}
            </div>
          )}
          <DialogFooter>
            {report ? (
              <Button data-testid="import-open" onClick={() => (setOpen(false), setReport(null), router.push(`/workflows/${report.id}`))}>
                Open the workflow
              </Button>
            ) : (
              <>
                <Button variant="ghost" onClick={() => setOpen(false)}>
                  Cancel
                </Button>
                <Button onClick={submit} disabled={busy || text.trim() === ""}>
                  {busy ? "Importing…" : "Import"}
                </Button>
              </>
            )}
          </DialogFooter>
        </DialogContent>
      </Dialog>
    </>
  );
}
