import { randomBytes } from "node:crypto";
import { diag, DiagLogLevel, ROOT_CONTEXT, SpanKind, SpanStatusCode, TraceFlags, trace, type Context, type Span } from "@opentelemetry/api";
import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-http";
import { defaultResource, detectResources, resourceAttributesEnvDetector, resourceFromAttributes } from "@opentelemetry/resources";
import { BatchSpanProcessor, TracerProvider, type IdGenerator, type SpanExporter } from "@opentelemetry/sdk-trace";
import { ATTR_SERVICE_NAME } from "@opentelemetry/semantic-conventions";
import type { Db } from "@/lib/db/client";
import type { Env } from "@/lib/env";
import { readRunRecord } from "./run-record";
import { runTrace } from "./run-spans";
import type { SpanPlan } from "./span-plan";
import type { TelemetryLog } from "./index";

/**
 * The OpenTelemetry side of run telemetry, loaded (a lazy chunk of the worker bundle) only when an
 * OTLP endpoint is configured. Spans are built after the fact from a finished run's rows, with
 * their recorded times and ids derived from the run id, and go through the SDK's batch span
 * processor (bounded queue) to the OTLP/HTTP exporter, which reads its endpoint and headers from
 * the OTEL_EXPORTER_OTLP_* variables itself.
 */

const TERMINAL = new Set(["succeeded", "failed", "cancelled"]);

export interface RunExporter {
  /** Reads the finished run's rows and queues its spans; false when the run is not finished (nothing sent). */
  exportRun(runId: string): Promise<boolean>;
  /** Sends what is queued and stops. */
  shutdown(): Promise<void>;
}

export function createRunExporter(deps: { db: Db; config: Env; log: TelemetryLog }): RunExporter {
  const { db, config, log } = deps;
  bridgeDiagnostics(log);
  const ids = new PlannedIds();
  const provider = new TracerProvider({
    resource: resource(config),
    idGenerator: ids,
    spanProcessors: [
      new BatchSpanProcessor({
        exporter: reportingExporter(new OTLPTraceExporter(), log),
        scheduledDelayMillis: config.OTEL_BSP_SCHEDULE_DELAY,
        maxQueueSize: config.OTEL_BSP_MAX_QUEUE_SIZE,
        maxExportBatchSize: Math.min(config.OTEL_BSP_MAX_EXPORT_BATCH_SIZE, config.OTEL_BSP_MAX_QUEUE_SIZE),
        exportTimeoutMillis: config.OTEL_BSP_EXPORT_TIMEOUT,
      }),
    ],
  });
  const tracer = provider.getTracer("weft.runs");

  /** Starts a span with the plan's own ids (PlannedIds) under `parent`. */
  const start = (plan: SpanPlan, parent: Context): Span =>
    ids.use(plan, () =>
      tracer.startSpan(
        plan.name,
        {
          kind: plan.kind === "client" ? SpanKind.CLIENT : SpanKind.INTERNAL,
          startTime: plan.startTime,
          attributes: plan.attributes,
          links: plan.links.map((link) => ({ context: remote(link.traceId, link.spanId), attributes: link.attributes })),
        },
        parent,
      ),
    );
  const end = (span: Span, plan: SpanPlan) => {
    if (plan.status.code === "error") span.setStatus({ code: SpanStatusCode.ERROR, message: plan.status.message });
    span.end(plan.endTime);
  };

  return {
    async exportRun(runId) {
      const record = await readRunRecord(db, runId);
      if (!record || !TERMINAL.has(record.run.status)) return false;
      const { run, steps } = runTrace(record);
      // Parents come before their children. A parent not in this export (a sub-workflow's run hangs
      // under its parent run's step, exported when that run finishes) is referred to by its ids.
      const started = new Map<string, Span>();
      const plans = [run, ...steps];
      for (const plan of plans) {
        const parent = plan.parentSpanId ? started.get(plan.parentSpanId) : undefined;
        const context = parent
          ? trace.setSpan(ROOT_CONTEXT, parent)
          : plan.parentSpanId
            ? trace.setSpanContext(ROOT_CONTEXT, remote(plan.traceId, plan.parentSpanId))
            : ROOT_CONTEXT;
        started.set(plan.spanId, start(plan, context));
      }
      for (const plan of plans.reverse()) end(started.get(plan.spanId)!, plan);
      return true;
    },
    async shutdown() {
      await provider.shutdown();
    },
  };
}

const remote = (traceId: string, spanId: string) => ({ traceId, spanId, traceFlags: TraceFlags.SAMPLED, isRemote: true });

/**
 * Ids for the span being started: the SDK asks its IdGenerator for them inside startSpan, which
 * runs synchronously, so the planned ids are set around that one call. Anything else asking (no
 * one here) gets random ids, as with the SDK's own generator.
 */
class PlannedIds implements IdGenerator {
  private planned: { traceId: string; spanId: string } | undefined;

  use<T>(planned: { traceId: string; spanId: string }, start: () => T): T {
    this.planned = planned;
    try {
      return start();
    } finally {
      this.planned = undefined;
    }
  }

  generateTraceId(): string {
    return this.planned?.traceId ?? randomBytes(16).toString("hex");
  }

  generateSpanId(): string {
    return this.planned?.spanId ?? randomBytes(8).toString("hex");
  }
}

/** service.name: OTEL_SERVICE_NAME, else service.name in OTEL_RESOURCE_ATTRIBUTES, else weft-worker. */
function resource(config: Env) {
  const base = defaultResource()
    .merge(resourceFromAttributes({ [ATTR_SERVICE_NAME]: "weft-worker" }))
    .merge(detectResources({ detectors: [resourceAttributesEnvDetector] }));
  return config.OTEL_SERVICE_NAME ? base.merge(resourceFromAttributes({ [ATTR_SERVICE_NAME]: config.OTEL_SERVICE_NAME })) : base;
}

/**
 * Logs a failing backend once (not once per batch) and again when it recovers. Only the error's
 * message is logged: the request's headers (OTEL_EXPORTER_OTLP_HEADERS may hold an API key) never are.
 */
function reportingExporter(inner: SpanExporter, log: TelemetryLog): SpanExporter {
  let failing = false;
  return {
    export(spans, done) {
      inner.export(spans, (result) => {
        // ExportResultCode.SUCCESS is 0 (@opentelemetry/core).
        if (result.code !== 0 && !failing) {
          failing = true;
          log.warn({ error: result.error?.message, spans: spans.length }, "OpenTelemetry export failed; spans are dropped until the endpoint answers (logged once)");
        } else if (result.code === 0 && failing) {
          failing = false;
          log.info({}, "OpenTelemetry export works again");
        }
        done(result);
      });
    },
    shutdown: () => inner.shutdown(),
    forceFlush: () => inner.forceFlush?.() ?? Promise.resolve(),
  };
}

/** The SDK's own warnings (a full queue, a bad setting) through pino, each kind once per process. */
function bridgeDiagnostics(log: TelemetryLog): void {
  const seen = new Set<string>();
  const once = (message: string, ...args: unknown[]) => {
    const text = [message, ...args.map((arg) => (arg instanceof Error ? arg.message : String(arg)))].join(" ");
    const kind = text.replace(/\d+/g, "N").slice(0, 120);
    if (seen.has(kind)) return;
    seen.add(kind);
    log.warn({ detail: text.slice(0, 500) }, "OpenTelemetry SDK warning (logged once)");
  };
  diag.setLogger(
    { error: once, warn: once, info: () => undefined, debug: () => undefined, verbose: () => undefined },
    { logLevel: DiagLogLevel.WARN, suppressOverrideMessage: true },
  );
}
