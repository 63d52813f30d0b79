"use client";

import { useState, type FormEvent } from "react";
import { Button } from "@/components/ui/button";
import { Dialog, DialogContent, DialogDescription, DialogFooter, DialogHeader, DialogTitle } from "@/components/ui/dialog";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import { Select, SelectContent, SelectItem, SelectTrigger, SelectValue } from "@/components/ui/select";
import { Textarea } from "@/components/ui/textarea";
import { addTextRequest, type DocumentView } from "./api";
import { parseTags } from "./tags";

/** Pasted text becomes a document (Markdown by default, so its headings become sections). */
export function PasteTextDialog({ knowledgeBaseId, open, onOpenChange, onAdded }: { knowledgeBaseId: string; open: boolean; onOpenChange: (open: boolean) => void; onAdded: (doc: DocumentView) => void }) {
  const [name, setName] = useState("");
  const [text, setText] = useState("");
  const [format, setFormat] = useState<"markdown" | "text">("markdown");
  const [tagsText, setTagsText] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [pending, setPending] = useState(false);

  async function submit(event: FormEvent) {
    event.preventDefault();
    const tags = parseTags(tagsText);
    if (!tags.ok) return setError(`Tags: ${tags.message}`);
    setPending(true);
    setError(null);
    try {
      onAdded(await addTextRequest(knowledgeBaseId, { name, text, format, metadata: tags.tags }));
      setName("");
      setText("");
    } catch (failure) {
      setError(failure instanceof Error ? failure.message : "The text could not be added.");
    } finally {
      setPending(false);
    }
  }

  return (
    <Dialog open={open} onOpenChange={onOpenChange}>
      <DialogContent>
        <form onSubmit={(event) => void submit(event)} className="space-y-4" data-testid="paste-text-form">
          <DialogHeader>
            <DialogTitle>Paste text</DialogTitle>
            <DialogDescription>The text is stored and indexed like an uploaded file.</DialogDescription>
          </DialogHeader>
          <div className="space-y-1.5">
            <Label htmlFor="paste-name">Document name</Label>
            <Input id="paste-name" data-testid="paste-name" value={name} onChange={(e) => setName(e.target.value)} required maxLength={255} />
          </div>
          <div className="space-y-1.5">
            <Label htmlFor="paste-format">Format</Label>
            <Select value={format} onValueChange={(value) => setFormat(value as "markdown" | "text")}>
              <SelectTrigger id="paste-format" aria-label="Format" data-testid="paste-format">
                <SelectValue />
              </SelectTrigger>
              <SelectContent>
                <SelectItem value="markdown">Markdown</SelectItem>
                <SelectItem value="text">Plain text</SelectItem>
              </SelectContent>
            </Select>
          </div>
          <div className="space-y-1.5">
            <Label htmlFor="paste-tags">Tags</Label>
            <Input id="paste-tags" data-testid="paste-tags" placeholder="department=HR, year=2026" value={tagsText} onChange={(e) => setTagsText(e.target.value)} />
          </div>
          <div className="space-y-1.5">
            <Label htmlFor="paste-text">Text</Label>
            <Textarea id="paste-text" data-testid="paste-text" value={text} onChange={(e) => setText(e.target.value)} required rows={10} />
          </div>
          {error ? (
            <p role="alert" className="text-sm text-destructive" data-testid="paste-error">
              {error}
            </p>
          ) : null}
          <DialogFooter>
            <Button type="button" variant="outline" onClick={() => onOpenChange(false)} data-testid="paste-cancel">
              Cancel
            </Button>
            <Button type="submit" disabled={pending} data-testid="paste-submit">
              {pending ? "Adding…" : "Add document"}
            </Button>
          </DialogFooter>
        </form>
      </DialogContent>
    </Dialog>
  );
}
