import { cn } from "@/lib/utils";

/** Pretty-printed JSON (or plain text for strings) in a scrollable block. */
export function JsonView({ value, className }: { value: unknown; className?: string }) {
  const text =
    value === undefined || value === null
      ? "—"
      : typeof value === "string"
        ? value
        : JSON.stringify(value, null, 2);
  return (
    <pre
      className={cn(
        "max-h-80 overflow-auto whitespace-pre-wrap break-words rounded-md border bg-muted/40 p-3 font-mono text-xs leading-relaxed",
        className,
      )}
    >
      {text}
    </pre>
  );
}
