"use client";

import { KeyRound, Plus, Trash2, Type } from "lucide-react";
import { Button } from "@/components/ui/button";
import { Input } from "@/components/ui/input";
import type { ConfigValue } from "@/lib/tools/mcp/schema";

/** One editable name/value pair: the value is plain text or the name of a workspace secret. */
export interface ValueRow {
  name: string;
  kind: "text" | "secret";
  value: string;
}

export function rowsToRecord(rows: ValueRow[]): Record<string, ConfigValue> {
  const out: Record<string, ConfigValue> = {};
  for (const row of rows) {
    if (!row.name.trim()) continue;
    out[row.name.trim()] = row.kind === "secret" ? { secret: row.value.trim() } : row.value;
  }
  return out;
}

/**
 * Name/value rows (stdio environment, HTTP headers). A value switched to "secret" holds a secret's
 * name; its value is resolved only where the server is started, never in the browser.
 */
export function ValueRows({ label, rows, onChange, namePlaceholder, textPlaceholder }: { label: string; rows: ValueRow[]; onChange: (rows: ValueRow[]) => void; namePlaceholder: string; textPlaceholder: string }) {
  const update = (index: number, patch: Partial<ValueRow>) => onChange(rows.map((row, i) => (i === index ? { ...row, ...patch } : row)));
  return (
    <div className="space-y-2">
      {rows.map((row, index) => (
        <div key={index} className="flex items-center gap-2">
          <Input aria-label={`${label} name ${index + 1}`} value={row.name} onChange={(e) => update(index, { name: e.target.value })} placeholder={namePlaceholder} className="w-2/5 font-mono" spellCheck={false} />
          <Input
            aria-label={`${label} value ${index + 1}`}
            value={row.value}
            onChange={(e) => update(index, { value: e.target.value })}
            placeholder={row.kind === "secret" ? "SECRET_NAME" : textPlaceholder}
            className="flex-1 font-mono"
            spellCheck={false}
          />
          <Button
            type="button"
            variant={row.kind === "secret" ? "secondary" : "ghost"}
            size="icon-sm"
            title={row.kind === "secret" ? "Value is a secret's name (click for plain text)" : "Plain text (click to use a secret)"}
            aria-label={row.kind === "secret" ? `Use plain text for ${label} ${index + 1}` : `Use a secret for ${label} ${index + 1}`}
            onClick={() => update(index, { kind: row.kind === "secret" ? "text" : "secret" })}
          >
            {row.kind === "secret" ? <KeyRound /> : <Type />}
          </Button>
          <Button type="button" variant="ghost" size="icon-sm" aria-label={`Remove ${label} ${index + 1}`} onClick={() => onChange(rows.filter((_, i) => i !== index))}>
            <Trash2 />
          </Button>
        </div>
      ))}
      <Button type="button" variant="outline" size="sm" onClick={() => onChange([...rows, { name: "", kind: "text", value: "" }])}>
        <Plus /> Add {label.toLowerCase()}
      </Button>
    </div>
  );
}
