"use client";

import { X } from "lucide-react";
import { useState, type KeyboardEvent } from "react";
import { cn } from "@/lib/utils";

/** Model names as removable tags; Enter, comma or paste adds, Backspace on empty removes the last. */
export function ModelTagsInput({
  id,
  value,
  onChange,
  suggestions = [],
  invalid,
}: {
  id?: string;
  value: string[];
  onChange: (models: string[]) => void;
  suggestions?: readonly string[];
  invalid?: boolean;
}) {
  const [draft, setDraft] = useState("");

  function add(text: string) {
    const names = text
      .split(/[,\n]/)
      .map((name) => name.trim())
      .filter(Boolean);
    if (names.length === 0) return;
    onChange([...new Set([...value, ...names])]);
    setDraft("");
  }

  function onKeyDown(event: KeyboardEvent<HTMLInputElement>) {
    if (event.key === "Enter" || event.key === ",") {
      event.preventDefault();
      add(draft);
    } else if (event.key === "Backspace" && draft === "" && value.length > 0) {
      onChange(value.slice(0, -1));
    }
  }

  const unused = suggestions.filter((s) => !value.includes(s));

  return (
    <div className="space-y-2">
      <div
        className={cn(
          "flex min-h-9 flex-wrap items-center gap-1.5 rounded-md border border-input bg-background px-2 py-1.5 shadow-sm focus-within:ring-2 focus-within:ring-ring",
          invalid && "border-destructive",
        )}
      >
        {value.map((model) => (
          <span key={model} className="inline-flex items-center gap-1 rounded-md bg-secondary px-2 py-0.5 font-mono text-xs text-secondary-foreground">
            {model}
            <button
              type="button"
              aria-label={`Remove ${model}`}
              className="rounded-sm text-muted-foreground hover:text-foreground"
              onClick={() => onChange(value.filter((m) => m !== model))}
            >
              <X className="size-3" />
            </button>
          </span>
        ))}
        <input
          id={id}
          value={draft}
          onChange={(event) => setDraft(event.target.value)}
          onKeyDown={onKeyDown}
          onBlur={() => add(draft)}
          onPaste={(event) => {
            const text = event.clipboardData.getData("text");
            if (/[,\n]/.test(text)) {
              event.preventDefault();
              add(text);
            }
          }}
          placeholder={value.length ? "Add another…" : "Type a model name and press Enter"}
          aria-invalid={invalid || undefined}
          className="min-w-40 flex-1 bg-transparent py-0.5 text-sm outline-none placeholder:text-muted-foreground"
        />
      </div>
      {unused.length ? (
        <div className="flex flex-wrap items-center gap-1.5 text-xs text-muted-foreground">
          <span>Suggested:</span>
          {unused.map((model) => (
            <button
              key={model}
              type="button"
              className="rounded-md border border-dashed px-1.5 py-0.5 font-mono hover:border-solid hover:text-foreground"
              onClick={() => onChange([...value, model])}
            >
              + {model}
            </button>
          ))}
        </div>
      ) : null}
    </div>
  );
}
