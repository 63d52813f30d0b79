import type { Redis } from "ioredis";
import { z } from "zod";
import type { RunEvent } from "@/lib/engine/run-ports";
import { createRedis, redisPrefix } from "@/lib/queue/redis";
import { runChannel, runEndsChannel } from "./events";

/**
 * One Redis subscriber per process, shared by every watcher of every run (sync API requests, SSE
 * streams, workflow tools). A watcher costs no connection: the first watcher of a run subscribes
 * to its channel, the last one to leave unsubscribes (reference counted), and subscriptions and
 * unsubscriptions asked for in the same turn of the event loop leave as one SUBSCRIBE and one
 * UNSUBSCRIBE command. A channel per run (not a pattern) keeps a web process from receiving the
 * events of runs nobody there watches. Runs' ends are the exception: one small message per run on
 * one channel, joined once, so a waiter for an end alone (a synchronous API call) sends nothing.
 *
 * Pub/sub drops messages while the connection is down; ioredis subscribes again on reconnect and
 * the hub then tells every watcher (`onGap`) so it re-reads PostgreSQL, the source of truth.
 */
export interface ChannelWatcher<E> {
  onEvent: (event: E) => void;
  /** Events may have been lost (the subscriber reconnected): re-read what matters. */
  onGap?: () => void;
}
export type RunWatcher = ChannelWatcher<RunEvent>;

/** A watcher of one run's end only (RunEventHub.watchEnd). */
export interface EndWatcher {
  /** `view`: the run's public view when the end message carried it (unchecked: lib/api/runs.ts toldRunView). */
  onEnd: (status: string, view?: unknown) => void;
  /** Ends may have been lost (the subscriber reconnected): re-read the run's status. */
  onGap?: () => void;
}

/** What travels on a channel: JSON objects with a `type` (one, or an array of them). */
export type ChannelEvent = { type: string } & Record<string, unknown>;

export interface RunEventHub {
  /** Resolves once Redis has confirmed the subscription, so every later publish reaches `watcher`. */
  subscribe(runId: string, watcher: RunWatcher): Promise<() => void>;
  /**
   * The same for any other live channel (knowledge-base progress, lib/knowledge/progress.ts), on
   * the same connection: a web process keeps one subscriber whatever its watchers follow.
   */
  subscribeChannel<E extends ChannelEvent>(channel: string, watcher: ChannelWatcher<E>): Promise<() => void>;
  /**
   * Watches for one run's end on the one channel where every run's end is told (events.ts
   * `runEndsChannel`), subscribed once per process and kept: a watcher costs no Redis command.
   * Resolves once that subscription is confirmed.
   */
  watchEnd(runId: string, watcher: EndWatcher): Promise<() => void>;
  /** `watchers` counts the watchers of runs' events and of runs' ends. */
  stats(): { connections: number; channels: number; watchers: number };
  /** The subscriber's client name (CLIENT LIST shows it), for operators and tests. */
  readonly connectionName: string;
  close(): Promise<void>;
}

interface Channel {
  watchers: Set<ChannelWatcher<ChannelEvent>>;
  /** Settles when Redis confirmed the SUBSCRIBE that covers this channel. */
  ready: Promise<void>;
}

/**
 * Event messages are written by workers (lib/runs/events.ts): one event, or a run's events of one
 * batch as an array. Only their type is checked here; malformed entries are dropped.
 */
const EventEnvelopeSchema = z.object({ type: z.string() }).passthrough();

function parseEvents(message: string): ChannelEvent[] {
  try {
    const raw: unknown = JSON.parse(message);
    return (Array.isArray(raw) ? raw : [raw]).flatMap((item) => {
      const parsed = EventEnvelopeSchema.safeParse(item);
      return parsed.success ? [parsed.data] : [];
    });
  } catch {
    return [];
  }
}

export function createRunEventHub(options: { connect?: (name: string) => Redis; name?: string } = {}): RunEventHub {
  const connectionName = options.name ?? `${redisPrefix()}-run-events-${process.pid}`;
  const connect = options.connect ?? ((name: string) => createRedis({ connectionName: name }));
  const channels = new Map<string, Channel>();
  const toSubscribe = new Map<string, { resolve: () => void; reject: (error: unknown) => void }[]>();
  const toUnsubscribe = new Set<string>();
  let redis: Redis | undefined;
  let connections = 0;
  let flushScheduled = false;
  let readyOnce = false;

  function connection(): Redis {
    if (redis) return redis;
    redis = connect(connectionName);
    connections += 1;
    redis.on("message", (channel: string, message: string) => deliver(channel, message));
    // The first "ready" is the connection itself; later ones follow a reconnect, after which
    // ioredis has re-subscribed every channel but messages sent meanwhile are gone.
    redis.on("ready", () => {
      if (!readyOnce) return void (readyOnce = true);
      for (const entry of channels.values()) for (const watcher of entry.watchers) watcher.onGap?.();
    });
    redis.on("error", () => undefined);
    return redis;
  }

  function deliver(channel: string, message: string): void {
    const entry = channels.get(channel);
    if (!entry) return;
    for (const event of parseEvents(message)) {
      for (const watcher of entry.watchers) {
        try {
          watcher.onEvent(event);
        } catch {
          // One watcher's failure must not starve the others.
        }
      }
    }
  }

  function scheduleFlush(): void {
    if (flushScheduled) return;
    flushScheduled = true;
    setImmediate(flush);
  }

  /** Sends the pending changes: UNSUBSCRIBE first, so a channel left and re-joined in one turn stays subscribed. */
  function flush(): void {
    flushScheduled = false;
    const client = connection();
    const leaving = [...toUnsubscribe].filter((channel) => !channels.has(channel));
    toUnsubscribe.clear();
    if (leaving.length > 0) client.unsubscribe(...leaving).catch(() => undefined);
    if (toSubscribe.size === 0) return;
    const joining = new Map(toSubscribe);
    toSubscribe.clear();
    client.subscribe(...joining.keys()).then(
      () => joining.forEach((waiters) => waiters.forEach((w) => w.resolve())),
      (error: unknown) => joining.forEach((waiters) => waiters.forEach((w) => w.reject(error))),
    );
  }

  function requestSubscribe(channel: string): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const waiters = toSubscribe.get(channel) ?? [];
      waiters.push({ resolve, reject });
      toSubscribe.set(channel, waiters);
      scheduleFlush();
    });
  }

  function leave(channel: string, entry: Channel, watcher: ChannelWatcher<ChannelEvent>): void {
    entry.watchers.delete(watcher);
    if (entry.watchers.size > 0 || channels.get(channel) !== entry) return;
    channels.delete(channel);
    toUnsubscribe.add(channel);
    scheduleFlush();
  }

  async function subscribeChannel(channel: string, watcher: ChannelWatcher<ChannelEvent>): Promise<() => void> {
    let entry = channels.get(channel);
    if (!entry) {
      entry = { watchers: new Set(), ready: requestSubscribe(channel) };
      channels.set(channel, entry);
    }
    entry.watchers.add(watcher);
    const joined = entry;
    try {
      await joined.ready;
    } catch (error) {
      // The next watcher of this run asks again rather than inherit the failure.
      if (channels.get(channel) === joined) channels.delete(channel);
      joined.watchers.delete(watcher);
      throw error;
    }
    let left = false;
    return () => {
      if (left) return;
      left = true;
      leave(channel, joined, watcher);
    };
  }

  /** Watchers of runs' ends, by run; the ends channel is joined at the first and never left. */
  const endWatchers = new Map<string, Set<EndWatcher>>();
  let endsJoined: Promise<void> | undefined;

  function deliverEnd(event: ChannelEvent): void {
    if (event.type !== "run-end" || typeof event.runId !== "string" || typeof event.status !== "string") return;
    for (const watcher of endWatchers.get(event.runId) ?? []) {
      try {
        watcher.onEnd(event.status, event.view);
      } catch {
        // One watcher's failure must not starve the others.
      }
    }
  }

  function joinEnds(): Promise<void> {
    endsJoined ??= subscribeChannel(runEndsChannel(), {
      onEvent: deliverEnd,
      onGap: () => {
        for (const watchers of endWatchers.values()) for (const watcher of watchers) watcher.onGap?.();
      },
    }).then(
      () => undefined,
      (error: unknown) => {
        // The next watcher asks again rather than inherit the failure.
        endsJoined = undefined;
        throw error;
      },
    );
    return endsJoined;
  }

  async function watchEnd(runId: string, watcher: EndWatcher): Promise<() => void> {
    let watchers = endWatchers.get(runId);
    if (!watchers) endWatchers.set(runId, (watchers = new Set()));
    watchers.add(watcher);
    const leave = () => {
      watchers.delete(watcher);
      if (watchers.size === 0 && endWatchers.get(runId) === watchers) endWatchers.delete(runId);
    };
    try {
      await joinEnds();
    } catch (error) {
      leave();
      throw error;
    }
    return leave;
  }

  return {
    connectionName,
    watchEnd,
    // Run events are checked for their type only (like every channel's); the engine wrote them.
    subscribe: (runId, watcher) => subscribeChannel(runChannel(runId), watcher as unknown as ChannelWatcher<ChannelEvent>),
    subscribeChannel: <E extends ChannelEvent>(channel: string, watcher: ChannelWatcher<E>) => subscribeChannel(channel, watcher as unknown as ChannelWatcher<ChannelEvent>),
    stats() {
      let watchers = 0;
      for (const [channel, entry] of channels) if (channel !== runEndsChannel()) watchers += entry.watchers.size;
      for (const entry of endWatchers.values()) watchers += entry.size;
      return { connections, channels: channels.size, watchers };
    },
    async close() {
      channels.clear();
      endWatchers.clear();
      endsJoined = undefined;
      const client = redis;
      redis = undefined;
      readyOnce = false;
      client?.disconnect();
    },
  };
}

const holder = globalThis as unknown as { __weftRunEventHub?: RunEventHub };

/** The process's hub (created on first use; kept on globalThis so dev reloads share it). */
export function runEventHub(): RunEventHub {
  holder.__weftRunEventHub ??= createRunEventHub();
  return holder.__weftRunEventHub;
}
