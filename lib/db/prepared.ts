import type pg from "pg";
import { env } from "@/lib/env";

/**
 * A hot statement run as a named (server-side prepared) statement: each connection sends its text
 * once, and PostgreSQL parses and plans it once per connection instead of on every call. On the run
 * path's joins and CTEs (the API key lookup, the run view, the lease, the step writes) that cut the
 * backend's CPU per statement about 5–8× (e.g. the run view 385 → 55 µs, the key lookup 230 → 35 µs)
 * and pg's own parsing of the reply as well (issue #9). Names are unique per text, so two texts
 * never share one. WEFT_DB_PREPARED_STATEMENTS=off sends plain statements (for a connection pooler
 * older than PgBouncer 1.21 in transaction mode, which cannot keep prepared statements).
 */
export type PreparedStatement = (values: unknown[]) => pg.QueryConfig;

const names = new Map<string, string>();

export function prepared(name: string, text: string): PreparedStatement {
  const known = names.get(name);
  if (known !== undefined && known !== text) throw new Error(`Two statements are both named ${name}.`);
  names.set(name, text);
  const statementName = `weft_${name}`;
  return (values) => (env().WEFT_DB_PREPARED_STATEMENTS ? { name: statementName, text, values } : { text, values });
}
