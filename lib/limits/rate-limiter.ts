import { randomUUID } from "node:crypto";
import type { Redis, Result } from "ioredis";
import { env } from "@/lib/env";
import { createRedis, redisPrefix } from "@/lib/queue/redis";
import type { ProviderLimits } from "./schema";

/**
 * Request, token and concurrency limits shared by every process, kept in Redis and changed only
 * by the Lua scripts below (each runs atomically, on Redis's own clock, so workers on different
 * hosts agree).
 *
 * - Requests and tokens: a sliding-window log per provider (sorted set, score = time, member =
 *   `<call id>:<tokens>`). A call is admitted only if the last window's entries stay within the
 *   limits with it: "N per minute" means at most N in any minute, never a burst of 2N across a
 *   refill. Tokens are reserved with an estimate and corrected to the real usage afterwards
 *   (`settle`), so a call that used more makes the next ones wait longer.
 * - Concurrent calls: a sorted set of slots scored by their expiry. The holder renews its slot
 *   while the call runs; a slot of a process that died expires after `slotTtlMs` and is swept by
 *   the next acquire, so a crash never leaks a slot for longer than that.
 */

const ACQUIRE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local window, rpm, tpm, est, maxc, ttl = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5]), tonumber(ARGV[7])
local id = ARGV[6]
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now)
if maxc > 0 and redis.call('ZCARD', KEYS[2]) >= maxc then
  local first = redis.call('ZRANGE', KEYS[2], 0, 0, 'WITHSCORES')
  return {0, 'concurrency', tonumber(first[2]) - now}
end
local count = redis.call('ZCARD', KEYS[1])
if rpm > 0 and count >= rpm then
  local edge = redis.call('ZRANGE', KEYS[1], count - rpm, count - rpm, 'WITHSCORES')
  return {0, 'requests', tonumber(edge[2]) + window - now}
end
if tpm > 0 and count > 0 then
  local entries = redis.call('ZRANGE', KEYS[1], 0, -1, 'WITHSCORES')
  local used = 0
  for i = 1, #entries, 2 do used = used + tonumber(string.match(entries[i], ':(%d+)$') or '0') end
  -- A call larger than the whole limit runs alone once the window is empty, so it is never refused for good.
  if used > 0 and used + est > tpm then
    local freed = 0
    for i = 1, #entries, 2 do
      freed = freed + tonumber(string.match(entries[i], ':(%d+)$') or '0')
      if used - freed == 0 or used - freed + est <= tpm then return {0, 'tokens', tonumber(entries[i + 1]) + window - now} end
    end
    return {0, 'tokens', window}
  end
end
redis.call('ZADD', KEYS[1], now, id .. ':' .. est)
redis.call('PEXPIRE', KEYS[1], window * 2)
if maxc > 0 then
  redis.call('ZADD', KEYS[2], now + ttl, id)
  redis.call('PEXPIRE', KEYS[2], ttl * 2)
end
return {1, 'ok', 0}
`;

/** Replaces a call's token estimate with its real usage, keeping its place in the window. */
const SETTLE = `
local score = redis.call('ZSCORE', KEYS[1], ARGV[1])
if not score then return 0 end
redis.call('ZREM', KEYS[1], ARGV[1])
redis.call('ZADD', KEYS[1], score, ARGV[2])
return 1
`;

/**
 * Request counts of several scopes at once (a public route's per-app and per-caller limits): all
 * are checked before any is charged, so a refused request uses up none of them. KEYS: the scopes'
 * call logs; ARGV: window, call id, then each scope's requests per minute. Refused: the first
 * full scope's index (1-based) and how long until it has room.
 */
const ADMIT_REQUESTS = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local window = tonumber(ARGV[1])
for i = 1, #KEYS do
  local rpm = tonumber(ARGV[i + 2])
  redis.call('ZREMRANGEBYSCORE', KEYS[i], '-inf', now - window)
  local count = redis.call('ZCARD', KEYS[i])
  if rpm > 0 and count >= rpm then
    local edge = redis.call('ZRANGE', KEYS[i], count - rpm, count - rpm, 'WITHSCORES')
    return {0, i, tonumber(edge[2]) + window - now}
  end
end
for i = 1, #KEYS do
  redis.call('ZADD', KEYS[i], now, ARGV[2] .. ':0')
  redis.call('PEXPIRE', KEYS[i], window * 2)
end
return {1, 0, 0}
`;

/** Extends a held slot (only if it still exists: an expired slot is not brought back). */
const RENEW = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
return redis.call('ZADD', KEYS[1], 'XX', now + tonumber(ARGV[2]), ARGV[1])
`;

export type LimitKind = "requests" | "tokens" | "concurrency";

export type Admission =
  | { ok: true; lease: CallLease }
  | { ok: false; limit: LimitKind; retryAfterMs: number };

/** An admitted call: settle its tokens and release its slot when it ends. */
export interface CallLease {
  settle(tokens: number): Promise<void>;
  release(): Promise<void>;
}

export interface RateLimiterOptions {
  redis?: Redis;
  /** The length of "a minute" (WEFT_RATE_WINDOW_MS; tests use a short one). */
  windowMs?: number;
  /** How long a concurrency slot lives without renewal. */
  slotTtlMs?: number;
}

const holder = globalThis as unknown as { __weftLimitsRedis?: Redis };

export function createRateLimiter(options: RateLimiterOptions = {}) {
  const redis = () => withScripts(options.redis ?? (holder.__weftLimitsRedis ??= createRedis()));
  const windowMs = options.windowMs ?? env().WEFT_RATE_WINDOW_MS;
  const slotTtlMs = options.slotTtlMs ?? env().WEFT_PROVIDER_SLOT_TTL_MS;
  const keys = (scope: string) => [`${redisPrefix()}:limits:${scope}:calls`, `${redisPrefix()}:limits:${scope}:slots`];

  return {
    windowMs,
    /** Admits one call of `estimate` tokens under `limits` for `scope` (e.g. a provider id), or says how long to wait. */
    async acquire(scope: string, limits: ProviderLimits, estimate: number): Promise<Admission> {
      const [calls, slots] = keys(scope);
      const id = randomUUID();
      const tokens = Math.max(0, Math.round(estimate));
      const reply = await redis().weftLimitAcquire(
        2,
        calls,
        slots,
        windowMs,
        limits.requestsPerMinute ?? 0,
        limits.tokensPerMinute ?? 0,
        tokens,
        limits.maxConcurrentCalls ?? 0,
        id,
        slotTtlMs,
      );
      if (reply[0] !== 1) return { ok: false, limit: reply[1] as LimitKind, retryAfterMs: Math.max(0, Number(reply[2])) };
      let member = `${id}:${tokens}`;
      const holdsSlot = limits.maxConcurrentCalls !== undefined;
      // Renewed well within the TTL while the call runs; unref'd so it never keeps a process alive.
      const renewal = holdsSlot ? setInterval(() => void redis().weftLimitRenew(1, slots, id, slotTtlMs).catch(() => undefined), Math.floor(slotTtlMs / 3)) : undefined;
      renewal?.unref();
      return {
        ok: true,
        lease: {
          async settle(used: number) {
            const next = `${id}:${Math.max(0, Math.round(used))}`;
            if (next === member) return;
            await redis().weftLimitSettle(1, calls, member, next);
            member = next;
          },
          async release() {
            clearInterval(renewal);
            if (holdsSlot) await redis().zrem(slots, id);
          },
        },
      };
    },
    /**
     * Counts one request in each of `limits` (the same sliding windows as `acquire` with only a
     * request limit), in one round trip: all admitted, or none charged and the first full one named.
     */
    async admitRequests(limits: RequestLimit[]): Promise<RequestsRefused | null> {
      const calls = limits.map((limit) => keys(limit.scope)[0]!);
      const [admitted, index, waitMs] = await redis().weftLimitAdmitRequests(calls.length, ...calls, windowMs, randomUUID(), ...limits.map((limit) => limit.perMinute));
      return admitted === 1 ? null : { limit: limits[index - 1]!, retryAfterMs: Math.max(0, Number(waitMs)) };
    },
  };
}

export type RateLimiter = ReturnType<typeof createRateLimiter>;

/** A request count limit of one scope, for admitRequests. */
export interface RequestLimit {
  scope: string;
  perMinute: number;
}

/** Refused by admitRequests: which limit is full and how long until it has room. */
export interface RequestsRefused {
  limit: RequestLimit;
  retryAfterMs: number;
}

declare module "ioredis" {
  interface RedisCommander<Context> {
    weftLimitAcquire(numberOfKeys: number, ...keysAndArgs: (string | number)[]): Result<[number, string, number], Context>;
    weftLimitSettle(numberOfKeys: number, ...keysAndArgs: (string | number)[]): Result<number, Context>;
    weftLimitRenew(numberOfKeys: number, ...keysAndArgs: (string | number)[]): Result<number, Context>;
    weftLimitAdmitRequests(numberOfKeys: number, ...keysAndArgs: (string | number)[]): Result<[number, number, number], Context>;
  }
}

/**
 * The limiter's scripts as commands of its connection: sent by SHA (EVALSHA) rather than as
 * their whole text on every call; ioredis sends the text once per connection.
 */
const scripted = new WeakSet<Redis>();
function withScripts(redis: Redis): Redis {
  if (scripted.has(redis)) return redis;
  redis.defineCommand("weftLimitAcquire", { lua: ACQUIRE });
  redis.defineCommand("weftLimitSettle", { lua: SETTLE });
  redis.defineCommand("weftLimitRenew", { lua: RENEW });
  redis.defineCommand("weftLimitAdmitRequests", { lua: ADMIT_REQUESTS });
  scripted.add(redis);
  return redis;
}

const limiterHolder = globalThis as unknown as { __weftRateLimiter?: RateLimiter };
/** The process's limiter (on globalThis: Next bundles lib modules into several chunks). */
export const rateLimiter = (): RateLimiter => (limiterHolder.__weftRateLimiter ??= createRateLimiter());
