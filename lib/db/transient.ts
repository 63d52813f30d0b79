/**
 * The one classification of infrastructure faults that are worth retrying: the database or Redis
 * went away for a moment (a connection terminated, refused or reset, a failover, a timeout) or
 * PostgreSQL asked the transaction to be tried again (serialization failure, deadlock). Everything
 * else (a constraint, a bug, bad data) is not transient and must not be retried blindly.
 *
 * Errors arrive in several shapes: pg's DatabaseError (`code`), Node's socket errors (`code` +
 * `syscall`), Prisma's known errors (`P1001`…) wrapping the pg adapter's `driverAdapterError`
 * (`kind`, `originalCode`), ioredis' plain errors (message only). The walk looks at the error and
 * what it wraps (`cause`, `meta`, `errors`), a few levels deep.
 */

/** PostgreSQL SQLSTATEs: admin shutdown / crash / cannot connect now, connection exceptions, serialization, deadlock, too many connections. */
const PG_CODES = new Set(["57P01", "57P02", "57P03", "08000", "08001", "08003", "08004", "08006", "08007", "40001", "40P01", "53300"]);
/** Node socket errors. */
const SOCKET_CODES = new Set(["ECONNRESET", "ECONNREFUSED", "ECONNABORTED", "EPIPE", "ETIMEDOUT", "EHOSTUNREACH", "ENETUNREACH", "EAI_AGAIN"]);
/** Prisma: can't reach / timed out / server closed the connection / pool timeout / write conflict or deadlock. */
const PRISMA_CODES = new Set(["P1001", "P1002", "P1008", "P1017", "P2024", "P2034"]);
/** The pg driver adapter's error kinds (@prisma/adapter-pg convertDriverError). */
const ADAPTER_KINDS = new Set(["ConnectionClosed", "DatabaseNotReachable", "SocketTimeout", "TransactionWriteConflict", "TooManyConnections"]);
/** Errors that carry no code: pg's lost connection, pg-pool's connect timeout, ioredis' closed connection. */
const MESSAGES = [
  /Connection terminated/i,
  /terminating connection due to/i,
  /server closed the connection unexpectedly/i,
  /timeout exceeded when trying to connect/i,
  /Connection is closed/i,
  /Stream isn't writeable/i,
  /Reached the max retries per request limit/i,
  /read ECONNRESET|connect ECONNREFUSED|write EPIPE/i,
];

/** The messages that can only come from pg (a lost or refused database connection). */
const DATABASE_MESSAGES = MESSAGES.slice(0, 4);

const MAX_DEPTH = 5;

/** True when `error` (or what it wraps) is a transient database or Redis fault. */
export function isTransientError(error: unknown): boolean {
  return walk(error, 0, new Set(), true);
}

/**
 * The same, for errors thrown by code that also talks to other services (a node's executor): a bare
 * socket error there may be an HTTP target or a model provider refusing, which is the node's failure,
 * so only errors that name the database or Redis count (pg and Prisma codes, their messages).
 */
export function isDatabaseFault(error: unknown): boolean {
  return walk(error, 0, new Set(), false);
}

function walk(value: unknown, depth: number, seen: Set<unknown>, sockets: boolean): boolean {
  if (depth > MAX_DEPTH || value === null || typeof value !== "object" || seen.has(value)) return false;
  seen.add(value);
  const record = value as Record<string, unknown>;
  if (matchesCode(record.code, sockets) || matchesCode(record.originalCode, sockets)) return true;
  if (typeof record.kind === "string" && ADAPTER_KINDS.has(record.kind)) return true;
  const messages = sockets ? MESSAGES : DATABASE_MESSAGES;
  if (typeof record.message === "string" && messages.some((pattern) => pattern.test(record.message as string))) return true;
  const nested = [record.cause, record.meta, record.driverAdapterError, ...(Array.isArray(record.errors) ? record.errors : [])];
  return nested.some((inner) => walk(inner, depth + 1, seen, sockets));
}

function matchesCode(code: unknown, sockets: boolean): boolean {
  return typeof code === "string" && (PG_CODES.has(code) || PRISMA_CODES.has(code) || (sockets && SOCKET_CODES.has(code)));
}
