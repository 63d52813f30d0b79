"use client";

import { useRef, type ReactNode, type SelectHTMLAttributes } from "react";
import { Braces } from "lucide-react";
import type { UpstreamField } from "@/lib/engine/validate";
import { insertAt, variableReference } from "@/lib/editor/text-insert";
import { Button } from "@/components/ui/button";
import {
  DropdownMenu,
  DropdownMenuContent,
  DropdownMenuItem,
  DropdownMenuLabel,
  DropdownMenuSeparator,
  DropdownMenuTrigger,
} from "@/components/ui/dropdown-menu";
import { Label } from "@/components/ui/label";
import { Textarea } from "@/components/ui/textarea";
import { cn } from "@/lib/utils";

/** A labelled form row used by every config panel. */
export function Field({
  id,
  label,
  hint,
  error,
  children,
  action,
  className,
}: {
  id: string;
  label: string;
  hint?: ReactNode;
  error?: string;
  children: ReactNode;
  action?: ReactNode;
  className?: string;
}) {
  return (
    <div className={cn("space-y-1.5", className)}>
      <div className="flex min-h-6 items-center justify-between gap-2">
        <Label htmlFor={id} className="text-xs font-medium text-zinc-700">
          {label}
        </Label>
        {action}
      </div>
      {children}
      {hint ? <p className="text-xs text-muted-foreground">{hint}</p> : null}
      {error ? <p className="text-xs text-red-600">{error}</p> : null}
    </div>
  );
}

/**
 * A native select styled like Input. Native on purpose: configs use "" for "not chosen yet",
 * which Radix Select does not allow as an item value, and native selects are keyboard- and
 * test-friendly (selectOption) without portals.
 */
export function NativeSelect({ className, children, ...props }: SelectHTMLAttributes<HTMLSelectElement>) {
  return (
    <select
      className={cn(
        "flex h-9 w-full rounded-md border border-input bg-background px-2 py-1 text-sm shadow-sm focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-ring disabled:cursor-not-allowed disabled:opacity-50",
        className,
      )}
      {...props}
    >
      {children}
    </select>
  );
}

function groupByNode(fields: readonly UpstreamField[]): { nodeId: string; nodeLabel: string; fields: UpstreamField[] }[] {
  const groups = new Map<string, { nodeId: string; nodeLabel: string; fields: UpstreamField[] }>();
  for (const field of fields) {
    const group = groups.get(field.nodeId) ?? { nodeId: field.nodeId, nodeLabel: field.nodeLabel, fields: [] };
    group.fields.push(field);
    groups.set(field.nodeId, group);
  }
  return [...groups.values()];
}

/** "Insert variable": lists upstream outputs and hands back the chosen `{{ node.field }}`. */
export function VariablePicker({
  fields,
  onPick,
  target,
  testId,
}: {
  fields: readonly UpstreamField[];
  onPick: (reference: string) => void;
  /** The label of the field it inserts into, for the button's accessible name. */
  target: string;
  testId?: string;
}) {
  const groups = groupByNode(fields);
  return (
    <DropdownMenu>
      <DropdownMenuTrigger asChild>
        <Button variant="ghost" size="sm" className="h-6 px-2 text-xs" aria-label="Insert variable"
          title={`Insert a variable into ${target}`} data-testid={testId}>
          <Braces aria-hidden />
          Insert variable
        </Button>
      </DropdownMenuTrigger>
      <DropdownMenuContent align="end" className="max-h-80 w-72 overflow-y-auto">
        {groups.length === 0 ? (
          <p className="px-2 py-3 text-xs text-muted-foreground">Connect this node after others to use their outputs.</p>
        ) : (
          groups.map((group, index) => (
            <div key={group.nodeId}>
              {index > 0 ? <DropdownMenuSeparator /> : null}
              <DropdownMenuLabel>
                {group.nodeLabel} <span className="font-mono font-normal">({group.nodeId})</span>
              </DropdownMenuLabel>
              {group.fields.map((field) => (
                <DropdownMenuItem
                  key={field.field}
                  data-testid={`variable-option-${field.nodeId}.${field.field}`}
                  onSelect={() => onPick(variableReference(field.nodeId, field.field))}
                >
                  <span className="font-mono text-xs">
                    {field.nodeId}.{field.field}
                  </span>
                  <span aria-hidden className="ml-auto text-[10px] uppercase text-muted-foreground">
                    {field.type}
                  </span>
                </DropdownMenuItem>
              ))}
            </div>
          ))
        )}
      </DropdownMenuContent>
    </DropdownMenu>
  );
}

/** A template textarea with a variable picker that inserts at the caret. */
export function TemplateField({
  id,
  label,
  value,
  onChange,
  fields,
  rows = 4,
  placeholder,
  hint,
  mono = true,
}: {
  id: string;
  label: string;
  value: string;
  onChange: (value: string) => void;
  fields: readonly UpstreamField[];
  rows?: number;
  placeholder?: string;
  hint?: ReactNode;
  mono?: boolean;
}) {
  const ref = useRef<HTMLTextAreaElement>(null);
  const insert = (reference: string) => {
    const element = ref.current;
    // A textarea keeps its selection after losing focus, so the caret is still known here.
    const start = element?.selectionStart ?? value.length;
    const end = element?.selectionEnd ?? value.length;
    const next = insertAt(value, start, end, reference);
    onChange(next.text);
    requestAnimationFrame(() => {
      if (!ref.current) return;
      ref.current.focus();
      ref.current.setSelectionRange(next.caret, next.caret);
    });
  };
  return (
    <Field
      id={id}
      label={label}
      hint={hint}
      action={<VariablePicker fields={fields} onPick={insert} target={label} testId={`variable-picker-${id}`} />}
    >
      <Textarea
        ref={ref}
        id={id}
        rows={rows}
        value={value}
        placeholder={placeholder}
        spellCheck={false}
        className={cn(mono && "font-mono text-xs")}
        onChange={(event) => onChange(event.target.value)}
      />
    </Field>
  );
}

/** A small "remove" icon button with an accessible name. */
export function RemoveButton({ label, onClick, disabled }: { label: string; onClick: () => void; disabled?: boolean }) {
  return (
    <Button variant="ghost" size="icon-sm" aria-label={label} title={label} onClick={onClick} disabled={disabled}>
      <span aria-hidden className="text-base leading-none">×</span>
    </Button>
  );
}
