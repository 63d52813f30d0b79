/**
 * A run's processing stopped because the database or Redis stayed unreachable through the
 * retries (lib/db/retry.ts). Not an outcome of the run: the worker puts the job straight back in
 * the queue (lib/runs/worker.ts) and the run resumes from its durable steps, instead of failing as
 * "internal" or waiting for the reconciler.
 */
export class InfrastructureError extends Error {
  constructor(
    readonly runId: string,
    cause: unknown,
  ) {
    super(`Run ${runId} was interrupted by a database or queue fault; it goes back to the queue.`, { cause });
    this.name = "InfrastructureError";
  }
}
