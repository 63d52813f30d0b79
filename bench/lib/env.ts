/**
 * The environment every benchmark's Weft processes share: their own database `weft_bench_<name>`
 * (or BENCH_DATABASE_URL) and Redis prefix `weft-bench-<name>` (or BENCH_REDIS_PREFIX), fixed
 * throwaway secrets, quiet logs, a production build answering at `baseUrl`. `extra` adds or overrides.
 */
/** At least 32 characters, or Better Auth warns at every start. */
export const BENCH_AUTH_SECRET = "bench-secret-0123456789abcdef0123456789abcdef";

export function benchEnvironment(name: string, baseUrl: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    NODE_ENV: "production",
    DATABASE_URL: process.env.BENCH_DATABASE_URL ?? `postgresql://postgres@127.0.0.1:5432/weft_bench_${name}`,
    REDIS_URL: process.env.REDIS_URL ?? "redis://127.0.0.1:6379",
    WEFT_REDIS_PREFIX: process.env.BENCH_REDIS_PREFIX ?? `weft-bench-${name}`,
    WEFT_SECRET_KEYS: "b1:YmVuY2gtc2VjcmV0LWtleS0wMTIzNDU2Nzg5YWJjZGU=",
    BETTER_AUTH_SECRET: BENCH_AUTH_SECRET,
    BETTER_AUTH_URL: baseUrl,
    LOG_LEVEL: "warn",
    ...extra,
  };
}
