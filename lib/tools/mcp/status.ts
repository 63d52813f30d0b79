import type { Db } from "@/lib/db/client";
import type { McpTransportKind } from "./connection";

/**
 * A source's status as every process sees it: kept on the ToolSource row (not in a process's pool),
 * so a worker's failed call turns the Tools page's badge to Error and a later success, from any
 * process, turns it back. Writes are best effort: a status write never fails a call.
 */

/** A connection was opened (initialize answered): connected now, over `transport`. */
export async function markConnected(db: Db, sourceId: string, transport: McpTransportKind): Promise<void> {
  await db.toolSource
    .updateMany({ where: { id: sourceId }, data: { lastConnectedAt: new Date(), lastError: null, lastErrorAt: null, transport } })
    .catch(() => undefined);
}

/** A call was answered: clears an error another process (or an earlier call) recorded; no write when there was none. */
export async function markAnswered(db: Db, sourceId: string): Promise<void> {
  await db.toolSource
    .updateMany({ where: { id: sourceId, lastError: { not: null } }, data: { lastConnectedAt: new Date(), lastError: null, lastErrorAt: null } })
    .catch(() => undefined);
}

/** The server could not be started or reached, or its session was lost for good: the badge says Error, with why and when. */
export async function markFailed(db: Db, sourceId: string, message: string): Promise<void> {
  await db.toolSource.updateMany({ where: { id: sourceId }, data: { lastError: message, lastErrorAt: new Date() } }).catch(() => undefined);
}
