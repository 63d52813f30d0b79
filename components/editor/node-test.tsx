"use client";

import { FlaskConical, Loader2 } from "lucide-react";
import { useEffect, useRef, useState } from "react";
import { fetchRun, fetchUpstream, startNodeTest, type RunView, type Upstream } from "@/lib/editor/history-api";
import { parseOutputJson } from "@/lib/editor/node-flags";
import { Button } from "@/components/ui/button";
import { StatusBadge } from "@/components/ui/status-badge";
import { Textarea } from "@/components/ui/textarea";
import { JsonView } from "./json-view";
import { useEditor } from "./store-context";

const TERMINAL = new Set(["succeeded", "failed", "cancelled"]);
const POLL_MS = 500;

/**
 * Test one node: loads its upstream nodes' outputs from the workflow's last run, lets the person
 * edit them as JSON, then starts a real run of just this node (lib/runs/node-test.ts) and shows
 * its output and each step of the test. The saved draft is tested, so it waits for autosave.
 */
export function NodeTestSection({ nodeId }: { nodeId: string }) {
  const workflowId = useEditor((s) => s.workflowId);
  const unsaved = useEditor((s) => s.save.status !== "saved");
  const [upstream, setUpstream] = useState<Upstream | null>(null);
  const [texts, setTexts] = useState<Record<string, string>>({});
  const [message, setMessage] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<RunView | null>(null);
  const polling = useRef(0);

  // A different node: start over (and stop watching the previous test).
  useEffect(() => {
    setUpstream(null);
    setResult(null);
    setMessage(null);
    polling.current++;
  }, [nodeId]);

  async function load() {
    setMessage(null);
    const answer = await fetchUpstream(workflowId, nodeId);
    if (!answer.ok) return setMessage(answer.error.message);
    setUpstream(answer.value);
    setTexts(Object.fromEntries(answer.value.upstream.map((u) => [u.id, JSON.stringify(u.value, null, 2)])));
  }

  async function watch(runId: string, token: number) {
    while (polling.current === token) {
      const answer = await fetchRun(runId);
      if (!answer.ok) return setMessage(answer.error.message);
      setResult(answer.value);
      if (TERMINAL.has(answer.value.run.status)) return;
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
  }

  async function run() {
    const values: Record<string, Record<string, unknown>> = {};
    for (const [id, text] of Object.entries(texts)) {
      const parsed = parseOutputJson(text);
      if (!parsed.ok) return setMessage(`${id}: ${parsed.message}`);
      values[id] = parsed.value;
    }
    setBusy(true);
    setMessage(null);
    setResult(null);
    const started = await startNodeTest(workflowId, nodeId, values, upstream?.runId ?? null);
    if (!started.ok) {
      setBusy(false);
      const detail = started.error.problems?.[0]?.message;
      return setMessage([started.error.message, detail].filter(Boolean).join(" "));
    }
    const token = ++polling.current;
    await watch(started.value.runId, token);
    setBusy(false);
  }

  const tested = result?.steps.find((s) => s.nodeId === nodeId);
  return (
    <section className="space-y-2 border-t pt-3" data-testid="node-test">
      <div className="flex items-center gap-2">
        <h3 className="text-sm font-medium">Test this node</h3>
        {upstream === null ? (
          <Button size="sm" variant="outline" className="ml-auto" onClick={() => void load()} data-testid="node-test-open">
            <FlaskConical aria-hidden /> Test node…
          </Button>
        ) : null}
      </div>
      {upstream ? (
        <div className="space-y-2">
          <p className="text-xs text-muted-foreground">
            {upstream.runId ? "Upstream values from the last run; edit them before running." : "No run has these values yet: type them as JSON."} Only this node runs, in the
            worker, with the workspace&apos;s secrets and limits.
          </p>
          {upstream.upstream.map((u) => (
            <label key={u.id} className="block space-y-1 text-xs">
              <span className="font-medium">
                {u.title} <code className="font-mono text-muted-foreground">{u.id}</code>
              </span>
              <Textarea
                rows={4}
                className="font-mono text-xs"
                value={texts[u.id] ?? "{}"}
                onChange={(e) => setTexts({ ...texts, [u.id]: e.target.value })}
                data-testid={`node-test-upstream-${u.id}`}
              />
            </label>
          ))}
          <Button size="sm" onClick={() => void run()} disabled={busy || unsaved} title={unsaved ? "Wait until the draft is saved." : undefined} data-testid="node-test-run">
            {busy ? <Loader2 className="animate-spin" aria-hidden /> : <FlaskConical aria-hidden />} Run this node
          </Button>
        </div>
      ) : null}
      {message ? <p className="rounded-md bg-red-50 p-2 text-xs text-red-800" role="alert">{message}</p> : null}
      {result ? (
        <div className="space-y-2" data-testid="node-test-result" data-status={result.run.status}>
          <div className="flex items-center gap-2 text-xs">
            <StatusBadge status={result.run.status} />
            <a className="ml-auto underline" href={`/runs/${result.run.id}`} target="_blank" rel="noreferrer">
              Full trace
            </a>
          </div>
          <ol className="space-y-0.5 text-xs" aria-label="Steps of the test">
            {result.steps.map((s) => (
              <li key={s.nodeId} className="flex items-center gap-2">
                <code className="font-mono">{s.nodeId}</code>
                <span className="text-muted-foreground">{s.nodeId === nodeId ? "tested" : "given value"}</span>
                <span className="ml-auto">
                  <StatusBadge status={s.status} />
                </span>
              </li>
            ))}
          </ol>
          {tested?.error ?? result.run.error ? (
            <p className="rounded-md bg-red-50 p-2 text-xs text-red-800" data-testid="node-test-error">
              {(tested?.error ?? result.run.error)!.code}: {(tested?.error ?? result.run.error)!.message}
            </p>
          ) : null}
          {tested?.output ? <JsonView value={tested.output} testId="node-test-output" /> : null}
        </div>
      ) : null}
    </section>
  );
}
