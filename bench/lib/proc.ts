import fs from "node:fs";

/**
 * Process figures from /proc (Linux): CPU seconds, resident memory and children of a process tree.
 * CPU counts the process, its reaped children (cutime/cstime) and its live descendants.
 */
const TICKS_PER_SECOND = 100;

function read(path: string): string | null {
  try {
    return fs.readFileSync(path, "utf8");
  } catch {
    return null;
  }
}

/** Direct children of a process (every thread's list). */
export function childrenOf(pid: number): number[] {
  const tasks = (() => {
    try {
      return fs.readdirSync(`/proc/${pid}/task`);
    } catch {
      return [];
    }
  })();
  const children = new Set<number>();
  for (const task of tasks) {
    for (const child of (read(`/proc/${pid}/task/${task}/children`) ?? "").split(" ").filter(Boolean)) children.add(Number(child));
  }
  return [...children];
}

export function descendantsOf(pid: number): number[] {
  const found: number[] = [];
  for (const child of childrenOf(pid)) found.push(child, ...descendantsOf(child));
  return found;
}

/** utime + stime (+ cutime + cstime with `reaped`) of one process, in seconds. */
function ownCpu(pid: number, reaped: boolean): number {
  const stat = read(`/proc/${pid}/stat`);
  if (!stat) return 0;
  // The command name may contain spaces: fields start after the last ')'.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  const [utime, stime, cutime, cstime] = [11, 12, 13, 14].map((i) => Number(fields[i]));
  return (utime! + stime! + (reaped ? cutime! + cstime! : 0)) / TICKS_PER_SECOND;
}

/** CPU seconds of a process tree. */
export function treeCpu(pid: number): number {
  return ownCpu(pid, true) + descendantsOf(pid).reduce((sum, child) => sum + ownCpu(child, false), 0);
}

/** CPU seconds of the process alone and of its descendants (sandbox processes of a worker). */
export function splitCpu(pid: number): { own: number; children: number } {
  const stat = read(`/proc/${pid}/stat`);
  const fields = stat ? stat.slice(stat.lastIndexOf(")") + 2).split(" ") : [];
  const own = ((Number(fields[11]) || 0) + (Number(fields[12]) || 0)) / TICKS_PER_SECOND;
  const reaped = ((Number(fields[13]) || 0) + (Number(fields[14]) || 0)) / TICKS_PER_SECOND;
  return { own, children: reaped + descendantsOf(pid).reduce((sum, child) => sum + ownCpu(child, false), 0) };
}

/** Resident set size in MiB. */
export function rssMiB(pid: number): number {
  const match = /VmRSS:\s+(\d+) kB/.exec(read(`/proc/${pid}/status`) ?? "");
  return match ? Number(match[1]) / 1024 : 0;
}

export const treeRssMiB = (pid: number) => rssMiB(pid) + descendantsOf(pid).reduce((sum, child) => sum + rssMiB(child), 0);

/**
 * Records every descendant pid seen while it runs (sampled every `everyMs`), to count the
 * processes a worker forks during the load. A process living shorter than the interval may be
 * missed. Each sample reads a file per thread of the process and of every descendant (39 with
 * two sandbox processes, about 0.35 ms of CPU): every 20 ms, as it was, that took 1.7 % of a core
 * from the processes being measured. (/proc/stat's fork count cannot replace it: it counts threads
 * too, and isolated-vm starts a thread for a short time limit.)
 */
export function watchForks(pid: number, everyMs = 100): { stop: () => number[] } {
  const before = new Set(descendantsOf(pid));
  const seen = new Set<number>();
  const timer = setInterval(() => {
    for (const child of descendantsOf(pid)) if (!before.has(child)) seen.add(child);
  }, everyMs);
  return {
    stop: () => {
      clearInterval(timer);
      return [...seen];
    },
  };
}

/**
 * Context switches so far of every thread of a process, voluntary (it waited: for a socket, a lock,
 * a timer) and involuntary (preempted). On this project's VMs a switch that wakes another core
 * costs tens of µs of CPU (docs/architecture.md, session 18), so the count per request says how
 * many hand-overs a request makes, and it barely moves with the host's speed.
 */
export function contextSwitches(pid: number): number {
  let tasks: string[];
  try {
    tasks = fs.readdirSync(`/proc/${pid}/task`);
  } catch {
    return 0;
  }
  let sum = 0;
  for (const task of tasks) {
    const status = read(`/proc/${pid}/task/${task}/status`) ?? "";
    sum += Number(/^voluntary_ctxt_switches:\s+(\d+)/m.exec(status)?.[1] ?? 0) + Number(/^nonvoluntary_ctxt_switches:\s+(\d+)/m.exec(status)?.[1] ?? 0);
  }
  return sum;
}

/** Context switches so far of a process and its live descendants (threads that ended are not counted). */
export const treeContextSwitches = (pid: number) => contextSwitches(pid) + descendantsOf(pid).reduce((sum, child) => sum + contextSwitches(child), 0);

/**
 * `measure` of every PostgreSQL backend serving `database` now (pg_stat_activity), by pid: the
 * database's share of a request, which the app's own processes do not show. Backends of other
 * databases (other benches, tests) are left out.
 */
async function databaseBackends(databaseUrl: string, measure: (pid: number) => number): Promise<Map<number, number>> {
  const { default: pg } = await import("pg");
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ pid: number }>("SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()");
    return new Map(rows.map(({ pid }) => [pid, measure(pid)]));
  } finally {
    await client.end();
  }
}

/** CPU seconds of each backend serving the database (databaseBackends). */
export const databaseBackendCpu = (databaseUrl: string) => databaseBackends(databaseUrl, (pid) => ownCpu(pid, false));
/** Context switches of each backend serving the database (databaseBackends). */
export const databaseBackendSwitches = (databaseUrl: string) => databaseBackends(databaseUrl, contextSwitches);

/** What the backends present in both samples added between them (CPU seconds, context switches). */
export function backendCpuBetween(before: Map<number, number>, after: Map<number, number>): number {
  let sum = 0;
  for (const [pid, cpu] of after) sum += cpu - (before.get(pid) ?? cpu);
  return sum;
}

/**
 * How often PostgreSQL has flushed the WAL to disk so far (pg_stat_wal.wal_sync, the whole
 * server's): each durable commit waits for one, unless a flush already covered it (group commit).
 * Backends report it at most once a second, so compare it over many runs.
 */
export async function walFlushes(databaseUrl: string): Promise<number> {
  const { default: pg } = await import("pg");
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ wal_sync: string }>("SELECT wal_sync FROM pg_stat_wal");
    return Number(rows[0]!.wal_sync);
  } finally {
    await client.end();
  }
}
