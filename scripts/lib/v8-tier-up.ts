/**
 * A V8 setting both long-lived Node processes (web and worker) start with: optimise a hot function
 * after a quarter of the bytecode V8 otherwise waits for (`--interrupt-budget`, default 67,584).
 *
 * Why: V8 decides to optimise a function by how much of its bytecode has run. Most of a request's
 * functions (route handler, pg and ioredis reply parsing, the engine's step bookkeeping) run once
 * or a few times per request, so by default they stay in the interpreter or baseline code for the
 * first ~3,000 requests after a start. Measured with `npm run bench:http` (sum workflow, 1 worker,
 * 10 concurrent, alternated rounds, 2026-12-06): with this setting web and worker reach their
 * steady CPU per request after 500–1,000 requests instead of about 3,000, the steady state itself
 * is no worse, and idle memory is unchanged (`bench:memory -- --code`); the first ~250 requests
 * cost more CPU (more is compiled sooner). docs/architecture.md has the figures.
 */
export const EARLY_TIER_UP_FLAGS = ["--interrupt-budget=16896"];
