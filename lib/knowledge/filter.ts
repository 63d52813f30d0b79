import { z } from "zod";

/** A metadata filter: every key must equal its value (document tags, overridden by a chunk's own). */
export const MetadataFilterSchema = z
  .record(z.string().trim().min(1).max(100), z.union([z.string().max(500), z.number(), z.boolean()]))
  .refine((filter) => Object.keys(filter).length <= 20, "At most 20 filter keys.");
export type MetadataFilter = z.infer<typeof MetadataFilterSchema>;

/**
 * SQL for a metadata filter over chunk alias `c` (its document's tags read by a subquery, so the
 * searches need no join), with parameters numbered from `firstParam`. Keys and values are always
 * parameters, never spliced into the SQL. Values compare as text, so 2024 matches a tag stored as "2024" or 2024.
 */
export function metadataFilterSql(filter: MetadataFilter | undefined, firstParam: number): { sql: string; params: string[] } {
  const entries = Object.entries(filter ?? {});
  const params: string[] = [];
  const clauses = entries.map(([key, value]) => {
    params.push(key, String(value));
    const k = firstParam + params.length - 2;
    return `COALESCE(c.metadata ->> $${k}, (SELECT d.metadata FROM knowledge_documents d WHERE d.id = c."documentId") ->> $${k}) = $${k + 1}`;
  });
  return { sql: clauses.length ? clauses.join(" AND ") : "TRUE", params };
}
