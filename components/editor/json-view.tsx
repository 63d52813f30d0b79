/** Pretty JSON in a scrollable block; strings are shown as they are. */
export function JsonView({ value, testId, className }: { value: unknown; testId?: string; className?: string }) {
  const text = typeof value === "string" ? value : (JSON.stringify(value, null, 2) ?? "null");
  return (
    <pre
      data-testid={testId}
      className={`max-h-64 overflow-auto whitespace-pre-wrap break-words rounded-md border bg-zinc-50 p-2 font-mono text-xs ${className ?? ""}`}
    >
      {text}
    </pre>
  );
}
