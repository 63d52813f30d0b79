import { describe, expect, it } from "vitest";
import { NodeError } from "@/lib/engine/errors";
import type { NodeExecutor } from "@/lib/engine/node-kit";
import type { SecretPort } from "@/lib/engine/ports";
import { executeRun } from "@/lib/engine/run-engine";
import { nodeRegistry } from "@/lib/nodes/registry";
import { createRedactor } from "@/lib/secrets/redact";
import { MemoryEvents, MemoryStepStore, edge, end, fakeServices, graph, start, template, testExecutors } from "./fixtures";

/**
 * The engine is the one place where everything a run records passes (step rows, events, the run
 * outcome), so it redacts there through the run's secret port, even for a node that forgot to.
 */
const SECRET = "engine-secret/+ü 42";
const encodings = [
  SECRET,
  encodeURIComponent(SECRET),
  Buffer.from(SECRET).toString("base64"),
  `Basic ${Buffer.from(`bob:${SECRET}`).toString("base64")}`,
  JSON.stringify(SECRET).slice(1, -1),
];

function secretPort(): SecretPort {
  const handed: string[] = [];
  return {
    async resolve() {
      handed.push(SECRET);
      return SECRET;
    },
    redact: (value) => createRedactor(handed)(value),
    checkEgress: () => undefined,
  };
}

/** A careless node: it puts the secret, in every encoding, into its input, output and detail. */
const leaky: NodeExecutor<unknown> = async (ctx) => {
  const value = await ctx.services.secrets!.resolve("KEY");
  const forms = encodings.map((e) => e.replace(SECRET, value));
  return { output: { text: forms.join(" | ") }, input: { sent: forms }, detail: { echoed: { [forms[1]!]: forms } } };
};

/** A careless failure: the message and trace carry the secret. */
const failing: NodeExecutor<unknown> = async (ctx) => {
  const value = await ctx.services.secrets!.resolve("KEY");
  throw new NodeError("http_error", `The server answered 401: bad key ${Buffer.from(value).toString("base64")}`, { trace: { input: { url: `https://x.test/?k=${encodeURIComponent(value)}` } } });
};

async function run(executor: NodeExecutor<unknown>) {
  const store = new MemoryStepStore();
  const events = new MemoryEvents();
  const outcome = await executeRun({
    runId: "run_r",
    graph: graph([start("start"), template("leak", "ignored"), end("end", { out: "{{ leak.text }}" })], [edge("start", "leak"), edge("leak", "end")]),
    inputs: { question: "q" },
    registry: nodeRegistry,
    executors: testExecutors({ template: executor }),
    store,
    events,
    services: { ...fakeServices().services, secrets: secretPort() },
    signal: new AbortController().signal,
  });
  return JSON.stringify({ outcome, successes: store.successes, failures: store.failures, events: events.events });
}

describe("run engine redaction", () => {
  it("keeps no form of a resolved secret in step rows, events or the run output of a succeeded run", async () => {
    const recorded = await run(leaky);
    for (const form of encodings) expect(recorded).not.toContain(form);
    expect(recorded).toContain("[redacted]");
    expect(recorded).toContain('"status":"succeeded"');
  });

  it("redacts a failed step's message and trace, and the run's error", async () => {
    const recorded = await run(failing);
    expect(recorded).not.toContain(Buffer.from(SECRET).toString("base64"));
    expect(recorded).not.toContain(encodeURIComponent(SECRET));
    expect(recorded).toContain("bad key [redacted]");
  });
});
