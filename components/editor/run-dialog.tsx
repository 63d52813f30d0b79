"use client";

import { useState, type FormEvent } from "react";
import { Loader2, Play } from "lucide-react";
import type { ApiError } from "@/lib/editor/api";
import { initialRunValues, inputLabel, parseRunValues, type RunFormValues } from "@/lib/editor/run-form";
import type { StartInput } from "@/lib/nodes/start/definition";
import { Button } from "@/components/ui/button";
import { Dialog, DialogContent, DialogDescription, DialogFooter, DialogHeader, DialogTitle } from "@/components/ui/dialog";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import { Textarea } from "@/components/ui/textarea";

function InputControl({
  input,
  id,
  value,
  invalid,
  onChange,
}: {
  input: StartInput;
  id: string;
  value: string | boolean;
  invalid: boolean;
  onChange: (value: string | boolean) => void;
}) {
  const text = typeof value === "string" ? value : "";
  switch (input.type) {
    case "boolean":
      return <input id={id} type="checkbox" className="size-4" checked={value === true} onChange={(e) => onChange(e.target.checked)} />;
    case "number":
      return <Input id={id} type="number" step="any" inputMode="decimal" value={text} aria-invalid={invalid} onChange={(e) => onChange(e.target.value)} />;
    case "object":
    case "array":
      return (
        <Textarea
          id={id}
          rows={4}
          spellCheck={false}
          className="font-mono text-xs"
          placeholder={input.type === "array" ? "[ ]" : "{ }"}
          value={text}
          aria-invalid={invalid}
          onChange={(e) => onChange(e.target.value)}
        />
      );
    case "string":
      return <Textarea id={id} rows={2} value={text} aria-invalid={invalid} onChange={(e) => onChange(e.target.value)} />;
  }
}

/** The form generated from the Start node's inputs; submitting starts a run. */
export function RunDialog({
  open,
  onOpenChange,
  inputs,
  onStart,
}: {
  open: boolean;
  onOpenChange: (open: boolean) => void;
  inputs: StartInput[];
  /** Starts the run; resolves with the error to show, or null once it started. */
  onStart: (inputs: Record<string, unknown>) => Promise<ApiError | null>;
}) {
  const [values, setValues] = useState<RunFormValues>({});
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [serverError, setServerError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);
  const current = { ...initialRunValues(inputs, values) };

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setServerError(null);
    const parsed = parseRunValues(inputs, current);
    if (!parsed.ok) {
      setErrors(parsed.errors);
      return;
    }
    setErrors({});
    setBusy(true);
    const error = await onStart(parsed.inputs);
    setBusy(false);
    if (error) setServerError(error);
    else onOpenChange(false);
  };

  return (
    <Dialog
      open={open}
      onOpenChange={(next) => {
        if (!next) setServerError(null);
        onOpenChange(next);
      }}
    >
      <DialogContent className="max-h-[90dvh] overflow-y-auto" data-testid="run-dialog">
        <DialogHeader>
          <DialogTitle>Run workflow</DialogTitle>
          <DialogDescription>{inputs.length ? "Fill in the inputs the Start node declares." : "This workflow takes no inputs."}</DialogDescription>
        </DialogHeader>
        <form id="run-form" onSubmit={submit} className="space-y-4" noValidate>
          {inputs.map((input) => {
            const id = `run-input-${input.name}`;
            const label = inputLabel(input);
            return (
              <div key={input.name} className={input.type === "boolean" ? "flex items-center gap-2" : "space-y-1.5"}>
                {input.type === "boolean" ? (
                  <>
                    <InputControl input={input} id={id} value={current[input.name]} invalid={false} onChange={(v) => setValues({ ...current, [input.name]: v })} />
                    <Label htmlFor={id}>{label}</Label>
                  </>
                ) : (
                  <>
                    <Label htmlFor={id}>
                      {label}
                      {input.required ? <span aria-hidden className="text-red-600"> *</span> : null}
                      <span aria-hidden className="ml-2 text-xs font-normal text-muted-foreground">{input.type}</span>
                    </Label>
                    <InputControl
                      input={input}
                      id={id}
                      value={current[input.name]}
                      invalid={Boolean(errors[input.name])}
                      onChange={(v) => setValues({ ...current, [input.name]: v })}
                    />
                  </>
                )}
                {input.description ? <p className="text-xs text-muted-foreground">{input.description}</p> : null}
                {errors[input.name] ? (
                  <p className="text-xs text-red-600" data-testid={`run-input-error-${input.name}`}>
                    {errors[input.name]}
                  </p>
                ) : null}
              </div>
            );
          })}
          {serverError ? (
            <div role="alert" className="space-y-1 rounded-md border border-red-200 bg-red-50 p-3 text-xs text-red-800" data-testid="run-dialog-error">
              <p className="font-medium">{serverError.message}</p>
              {serverError.problems?.length ? (
                <ul className="list-disc space-y-0.5 pl-4">
                  {serverError.problems.map((p, i) => (
                    <li key={i}>{p.message}</li>
                  ))}
                </ul>
              ) : null}
            </div>
          ) : null}
        </form>
        <DialogFooter>
          <Button variant="outline" onClick={() => onOpenChange(false)}>
            Cancel
          </Button>
          <Button type="submit" form="run-form" disabled={busy} data-testid="run-submit">
            {busy ? <Loader2 className="animate-spin" aria-hidden /> : <Play aria-hidden />}
            Start run
          </Button>
        </DialogFooter>
      </DialogContent>
    </Dialog>
  );
}
