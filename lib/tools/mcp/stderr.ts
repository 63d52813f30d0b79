/**
 * What a stdio server wrote to stderr, cut for an error message so that the line naming the cause
 * survives. A Node program that fails to start writes `Error: Cannot find module …` first, then a
 * stack and `Node.js v22…`: a plain tail keeps only the stack. Stack frames are dropped, and the
 * first line that looks like a cause is kept in front of the tail when the tail does not hold it.
 */

const STACK_FRAME = /^\s+at\s|^\s*\^+\s*$|^Node\.js v\d/;
const CAUSE = /\b[A-Z]?\w*(Error|Exception)\b|Cannot find (module|package)|\bE[A-Z]{3,}\b|No such file|not found|Permission denied|Traceback/;

export function stderrSummary(text: string, count = 5): string {
  const lines = text
    .split("\n")
    .map((line) => line.trimEnd())
    .filter((line) => line.trim() && !STACK_FRAME.test(line));
  const tail = lines.slice(-count);
  const cause = lines.find((line) => CAUSE.test(line));
  if (!cause || tail.includes(cause)) return tail.join("\n");
  return [cause, "…", ...tail].join("\n");
}
