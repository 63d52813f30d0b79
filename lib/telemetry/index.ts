import type { Db } from "@/lib/db/client";
import type { Env } from "@/lib/env";
import type { RunExporter } from "./exporter";

/**
 * Run telemetry out (OpenTelemetry traces over OTLP/HTTP), for the worker. Off unless
 * OTEL_EXPORTER_OTLP_ENDPOINT or OTEL_EXPORTER_OTLP_TRACES_ENDPOINT is set; then the SDK is
 * loaded (a lazy import: nothing of OpenTelemetry is loaded otherwise) and every run this worker
 * finishes is exported once, from its recorded rows, after it finished. Exporting never holds up
 * a run: finished run ids go to a bounded queue read one at a time (so telemetry takes at most
 * one database connection), and every failure is logged, never thrown.
 */

export type TelemetryLog = {
  info: (obj: object, msg: string) => void;
  warn: (obj: object, msg: string) => void;
};

export interface RunTelemetry {
  /** A run this worker finished (succeeded, failed or cancelled): export it soon. Never throws, never waits. */
  runFinished(runId: string): void;
  /** Exports what is queued and flushes the SDK's batch, for at most `timeoutMs`. */
  shutdown(timeoutMs: number): Promise<void>;
}

/** Finished runs waiting to be read and exported; past it new ones are dropped (and counted). */
const MAX_PENDING_RUNS = 10_000;

export function telemetryEnabled(config: Env): boolean {
  return Boolean(config.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT ?? config.OTEL_EXPORTER_OTLP_ENDPOINT);
}

export function startRunTelemetry(deps: { db: Db; config: Env; log: TelemetryLog }): RunTelemetry | null {
  const { config, log } = deps;
  if (!telemetryEnabled(config)) return null;
  log.info({ endpoint: tracesEndpoint(config), serviceName: config.OTEL_SERVICE_NAME ?? "weft-worker" }, "OpenTelemetry: finished runs are exported as traces");
  const exporter: Promise<RunExporter | null> = import("./exporter").then(
    (module) => module.createRunExporter(deps),
    (error: unknown) => {
      log.warn({ error: message(error) }, "OpenTelemetry could not be loaded; runs are not exported");
      return null;
    },
  );

  const pending: string[] = [];
  let draining: Promise<void> | undefined;
  let dropped = 0;
  let readFailing = false;

  async function drain(): Promise<void> {
    const ready = await exporter;
    for (let runId = pending.shift(); runId !== undefined; runId = pending.shift()) {
      if (!ready) continue;
      try {
        await ready.exportRun(runId);
        readFailing = false;
      } catch (error) {
        // Logged once per outage (the database is the likely cause, and the run itself already says so).
        if (!readFailing) log.warn({ runId, error: message(error) }, "OpenTelemetry: could not read a finished run to export it (logged once)");
        readFailing = true;
      }
    }
    draining = undefined;
  }

  return {
    runFinished(runId) {
      if (pending.length >= MAX_PENDING_RUNS) {
        if (dropped++ === 0) log.warn({ runId, limit: MAX_PENDING_RUNS }, "OpenTelemetry: too many finished runs waiting for export; dropping (logged once)");
        return;
      }
      pending.push(runId);
      draining ??= drain();
    },
    async shutdown(timeoutMs) {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const finished = (async () => {
        await draining;
        await (await exporter)?.shutdown();
      })().catch((error: unknown) => log.warn({ error: message(error) }, "OpenTelemetry: flushing on shutdown failed"));
      const expired = new Promise<"expired">((resolve) => (timer = setTimeout(() => resolve("expired"), timeoutMs)));
      if ((await Promise.race([finished, expired])) === "expired") log.warn({ timeoutMs, pendingRuns: pending.length }, "OpenTelemetry: flush on shutdown timed out; unsent spans are lost");
      clearTimeout(timer);
    },
  };
}

/** Where traces go (as the exporter computes it), without any credentials in the URL, for the start-up log. */
function tracesEndpoint(config: Env): string {
  const url = config.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT
    ? new URL(config.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT)
    : new URL(`${config.OTEL_EXPORTER_OTLP_ENDPOINT!.replace(/\/$/, "")}/v1/traces`);
  return `${url.origin}${url.pathname}`;
}

const message = (error: unknown) => (error instanceof Error ? error.message : String(error));
