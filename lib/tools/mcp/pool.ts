import { env } from "@/lib/env";
import type { McpConnection } from "./connection";

/**
 * Live MCP clients of this process: one per (source id, config version), started on the first
 * call that needs it, shared by concurrent calls, closed after `idleMs` without calls, dropped
 * when its process dies (the next call starts a new one) and all closed on shutdown.
 *
 * Concurrency: the first caller stores the *promise* of the connection before awaiting it, so
 * calls arriving while it starts wait for the same one instead of spawning a second process.
 */

export interface PoolKey {
  sourceId: string;
  /** Changes when the source's config changes (a hash of it): a new version gets a new client. */
  version: string;
}

interface Entry {
  key: string;
  sourceId: string;
  ready: Promise<McpConnection>;
  connection?: McpConnection;
  inFlight: number;
  idleTimer?: ReturnType<typeof setTimeout>;
  /** Set when a newer version replaced this one: close as soon as the last call returns. */
  retired: boolean;
}

export interface McpPoolOptions {
  /** Close a client after this long without calls. */
  idleMs: number;
}

export interface McpPool {
  /** Runs `work` on the source's client, starting it with `start` when there is none. */
  use<T>(key: PoolKey, start: () => Promise<McpConnection>, work: (connection: McpConnection) => Promise<T>): Promise<T>;
  /** Whether a started client of the source lives in this process. */
  isConnected(sourceId: string): boolean;
  /** Process ids of the source's live stdio servers (tests, diagnostics). */
  pids(sourceId?: string): number[];
  /**
   * Forgets and closes this connection if the pool still holds it (an HTTP session the server no
   * longer knows): the next `use` of its key starts a new one. Calls in flight on it fail as they would on close.
   */
  discard(connection: McpConnection): Promise<void>;
  /** Closes the source's clients now (Connect / Refresh, delete, config change). */
  closeSource(sourceId: string): Promise<void>;
  /** Closes every client; later `use` calls start new ones. */
  shutdown(): Promise<void>;
}

const keyOf = (key: PoolKey) => `${key.sourceId}:${key.version}`;

export function createMcpPool(options: McpPoolOptions): McpPool {
  const entries = new Map<string, Entry>();

  const drop = async (entry: Entry) => {
    clearTimeout(entry.idleTimer);
    if (entries.get(entry.key) === entry) entries.delete(entry.key);
    const connection = entry.connection ?? (await entry.ready.catch(() => undefined));
    await connection?.close();
  };

  const scheduleIdle = (entry: Entry) => {
    clearTimeout(entry.idleTimer);
    if (entry.retired) {
      void drop(entry);
      return;
    }
    entry.idleTimer = setTimeout(() => {
      if (entry.inFlight === 0) void drop(entry);
    }, options.idleMs);
    // An idle server must not keep the process alive by itself.
    entry.idleTimer.unref?.();
  };

  const entryFor = (key: PoolKey, start: () => Promise<McpConnection>): Entry => {
    const id = keyOf(key);
    const existing = entries.get(id);
    if (existing) return existing;
    for (const other of entries.values()) {
      if (other.sourceId === key.sourceId) {
        other.retired = true;
        entries.delete(other.key);
        if (other.inFlight === 0) void drop(other);
      }
    }
    const entry: Entry = { key: id, sourceId: key.sourceId, ready: undefined as unknown as Promise<McpConnection>, inFlight: 0, retired: false };
    entry.ready = start().then(
      (connection) => {
        entry.connection = connection;
        // The process died or the session ended: forget it, so the next call starts a fresh one.
        connection.onClosed(() => {
          clearTimeout(entry.idleTimer);
          if (entries.get(id) === entry) entries.delete(id);
        });
        return connection;
      },
      (error: unknown) => {
        // A failed start is not cached: the next call tries again.
        if (entries.get(id) === entry) entries.delete(id);
        throw error;
      },
    );
    entries.set(id, entry);
    return entry;
  };

  return {
    async use(key, start, work) {
      const entry = entryFor(key, start);
      entry.inFlight++;
      clearTimeout(entry.idleTimer);
      try {
        return await work(await entry.ready);
      } finally {
        entry.inFlight--;
        if (entry.inFlight === 0 && (entries.get(entry.key) === entry || entry.retired)) scheduleIdle(entry);
      }
    },
    isConnected: (sourceId) => [...entries.values()].some((e) => e.sourceId === sourceId && e.connection !== undefined),
    pids: (sourceId) =>
      [...entries.values()]
        .filter((e) => sourceId === undefined || e.sourceId === sourceId)
        .map((e) => e.connection?.pid)
        .filter((pid): pid is number => typeof pid === "number"),
    async discard(connection) {
      await Promise.all([...entries.values()].filter((e) => e.connection === connection).map(drop));
    },
    async closeSource(sourceId) {
      await Promise.all([...entries.values()].filter((e) => e.sourceId === sourceId).map(drop));
    },
    async shutdown() {
      await Promise.all([...entries.values()].map(drop));
    },
  };
}

// One pool per process; on globalThis so Next's dev reloads do not orphan server processes.
const holder = globalThis as unknown as { __weftMcpPool?: McpPool };

/** The process-wide pool (idle timeout WEFT_MCP_IDLE_MS). */
export function mcpPool(): McpPool {
  holder.__weftMcpPool ??= createMcpPool({ idleMs: env().WEFT_MCP_IDLE_MS });
  return holder.__weftMcpPool;
}

/** Closes every MCP server of this process (worker SIGTERM). Safe to call when none was started. */
export async function shutdownMcpPool(): Promise<void> {
  await holder.__weftMcpPool?.shutdown();
}
