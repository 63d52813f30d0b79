"use client";

import { Upload } from "lucide-react";
import { useId, useState, type DragEvent } from "react";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import { type DocumentView, uploadFileRequest } from "./api";
import { parseTags } from "./tags";

interface Upload {
  key: string;
  name: string;
  state: "uploading" | "failed";
  message?: string;
}

/**
 * Files chosen or dropped here are uploaded at once, one streamed request each: a file the server
 * refuses shows its own error and never stops the others.
 */
export function UploadZone({ knowledgeBaseId, onUploaded }: { knowledgeBaseId: string; onUploaded: (doc: DocumentView) => void }) {
  const inputId = useId();
  const [uploads, setUploads] = useState<Upload[]>([]);
  const [over, setOver] = useState(false);
  const [tagsText, setTagsText] = useState("");
  const tags = parseTags(tagsText);

  function uploadAll(files: FileList | null) {
    if (!tags.ok) return;
    for (const file of Array.from(files ?? [])) {
      const key = `${file.name}-${file.size}-${Math.random()}`;
      setUploads((list) => [...list, { key, name: file.name, state: "uploading" }]);
      uploadFileRequest(knowledgeBaseId, file, tags.tags)
        .then((doc) => {
          setUploads((list) => list.filter((u) => u.key !== key));
          onUploaded(doc);
        })
        .catch((failure: Error) => setUploads((list) => list.map((u) => (u.key === key ? { ...u, state: "failed", message: failure.message } : u))));
    }
  }

  function drop(event: DragEvent) {
    event.preventDefault();
    setOver(false);
    uploadAll(event.dataTransfer.files);
  }

  return (
    <div className="space-y-2">
      <div className="max-w-md space-y-1.5">
        <Label htmlFor={`${inputId}-tags`}>Tags for new files</Label>
        <Input id={`${inputId}-tags`} data-testid="upload-tags" placeholder="department=HR, year=2026" value={tagsText} onChange={(e) => setTagsText(e.target.value)} aria-invalid={!tags.ok} />
        {!tags.ok ? (
          <p role="alert" className="text-xs text-destructive">
            {tags.message}
          </p>
        ) : null}
      </div>
      <div
        data-testid="upload-drop-zone"
        aria-label="Drop files here to upload them"
        role="region"
        onDragOver={(event) => {
          event.preventDefault();
          setOver(true);
        }}
        onDragLeave={() => setOver(false)}
        onDrop={drop}
        className={`flex flex-col items-center gap-2 rounded-lg border-2 border-dashed p-6 text-center text-sm ${over ? "border-primary bg-accent" : "border-input"}`}
      >
        <Upload className="size-5 text-muted-foreground" />
        <p>
          Drop files here or{" "}
          <label htmlFor={inputId} className="cursor-pointer font-medium underline">
            choose files
          </label>
        </p>
        <p className="text-xs text-muted-foreground">PDF, DOCX, Markdown, HTML, CSV or text; up to 50 MB each.</p>
        <input
          id={inputId}
          type="file"
          multiple
          className="sr-only"
          aria-label="Upload files"
          data-testid="upload-files"
          onChange={(event) => {
            uploadAll(event.target.files);
            event.target.value = "";
          }}
        />
      </div>
      {uploads.length > 0 ? (
        <ul className="space-y-1 text-sm" data-testid="upload-list" aria-live="polite">
          {uploads.map((upload) => (
            <li key={upload.key} data-testid="upload-item" data-state={upload.state} className="flex items-center justify-between gap-2">
              <span className="truncate">{upload.name}</span>
              {upload.state === "uploading" ? (
                <span className="text-xs text-muted-foreground">Uploading…</span>
              ) : (
                <span role="alert" className="flex items-center gap-2 text-xs text-destructive">
                  {upload.message}
                  <button type="button" className="underline" data-testid="upload-dismiss" aria-label={`Dismiss the error of ${upload.name}`} onClick={() => setUploads((list) => list.filter((u) => u.key !== upload.key))}>
                    Dismiss
                  </button>
                </span>
              )}
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}
