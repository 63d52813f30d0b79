import Papa from "papaparse";
import type { ParsedPart } from "./types";
import { KnowledgeParseError } from "./types";

/**
 * CSV with a header row: every row becomes one record, "Column: value" per line, so a chunk of
 * rows still says what each value is. Records are separated by blank lines (the splitter's first
 * separator), so a chunk never cuts a row in half unless one row is longer than a chunk.
 */
export function csvToParts(text: string): ParsedPart[] {
  const parsed = Papa.parse<Record<string, string>>(text, { header: true, skipEmptyLines: "greedy", transformHeader: (h) => h.trim() });
  const fatal = parsed.errors.find((error) => error.type === "Delimiter" && parsed.data.length === 0);
  if (fatal) throw new KnowledgeParseError("corrupt", `The CSV could not be read: ${fatal.message}.`);
  const columns = (parsed.meta.fields ?? []).filter(Boolean);
  const records = parsed.data.map((row) =>
    columns
      .map((column) => [column, (row[column] ?? "").trim()] as const)
      .filter(([, value]) => value)
      .map(([column, value]) => `${column}: ${value}`)
      .join("\n"),
  );
  return [{ text: records.filter(Boolean).join("\n\n") }];
}
