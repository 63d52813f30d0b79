import { describe, expect, it } from "vitest";
import { holdQueue } from "@/lib/chat/hold-queue";
import { chatNodeKey, chatNodesOf, inRunOrder } from "@/lib/chat/tree-order";
import type { TreeSnapshotRun } from "@/lib/chat/turn-sql";
import { createTurnText, type ChatTextEvent } from "@/lib/chat/turn-text";

/**
 * The pure parts of a chat turn that spans sub-workflow runs: the run order of the tree's steps
 * (a child's steps where its Sub-workflow step ran), the chat's node keys, the text sent once per
 * step, and the hold that keeps a parent's later events behind a child being joined.
 */

const link = (id: string, parentRunId: string | null = null, parentNodeId: string | null = null, parentIteration: number | null = null) => ({ id, parentRunId, parentNodeId, parentIteration });
const step = (runId: string, nodeId: string, iteration = 0) => ({ runId, nodeId, iteration });

describe("inRunOrder", () => {
  it("puts each child's steps right after the step that started it, at any depth and per loop iteration", () => {
    const runs = [link("root"), link("c1", "root", "sub", 0), link("c2", "root", "sub", 1), link("g", "c1", "inner")];
    const steps = [
      step("root", "hello"),
      step("root", "sub", 0),
      step("root", "sub", 1),
      step("root", "bye"),
      step("c1", "a"),
      step("c1", "inner"),
      step("c1", "b"),
      step("g", "deep"),
      step("c2", "a"),
    ];
    const order = inRunOrder("root", runs, steps).map((s) => `${s.runId}.${s.nodeId}${s.iteration ? `#${s.iteration}` : ""}`);
    expect(order).toEqual(["root.hello", "root.sub", "c1.a", "c1.inner", "g.deep", "c1.b", "root.sub#1", "c2.a", "root.bye"]);
  });

  it("puts a child whose starting step was not read after its parent's steps, and leaves out runs outside the tree", () => {
    const runs = [link("root"), link("c", "root", "sub"), link("stranger", "elsewhere", "x")];
    const order = inRunOrder("root", runs, [step("root", "hello"), step("c", "said"), step("root", "bye"), step("stranger", "no")]);
    expect(order.map((s) => `${s.runId}.${s.nodeId}`)).toEqual(["root.hello", "root.bye", "c.said"]);
  });
});

describe("chat node keys", () => {
  it("keeps the turn's own node ids and prefixes a sub-workflow run's with its run id (node ids hold no '/')", () => {
    expect(chatNodeKey("root", "root", "reply")).toBe("reply");
    expect(chatNodeKey("root", "child-1", "reply")).toBe("child-1/reply");
    expect(chatNodesOf([{ id: "a", type: "answer" }, { id: "s", type: "subworkflow" }, { id: "l", type: "llm" }])).toEqual({ answers: ["a"], subworkflows: ["s"] });
  });
});

const run = (id: string, status: string, steps: TreeSnapshotRun["steps"], parent?: [string, string]): TreeSnapshotRun => ({
  ...link(id, parent?.[0] ?? null, parent?.[1] ?? null, parent ? 0 : null),
  status,
  nodes: { answers: ["reply", "hello"], subworkflows: ["sub"] },
  steps,
});
const answerStep = (nodeId: string, text: string, status = "succeeded") => ({ nodeId, nodeType: "answer", iteration: 0, status, output: status === "succeeded" ? { text } : null });

describe("createTurnText", () => {
  it("sends the tree's answers in run order once, a running step's partial text, and drops deltas of steps already told", () => {
    const sent: ChatTextEvent[] = [];
    const text = createTurnText("root", (event) => sent.push(event));
    const tree = [
      run("root", "waiting", [answerStep("hello", "Hi."), { nodeId: "sub", nodeType: "subworkflow", iteration: 0, status: "waiting", output: null }]),
      run("child", "running", [answerStep("reply", "From the child."), { nodeId: "llm", nodeType: "llm", iteration: 0, status: "running", output: null }], ["root", "sub"]),
    ];
    text.snapshot("root", tree, new Map());
    // The child's own snapshot repeats its answer (not sent twice) and brings its model's text so far.
    text.snapshot("child", [tree[1]!], new Map([["llm:0", "Thinking"]]));
    text.delta("child", { type: "delta", nodeId: "llm", iteration: 0, text: " more" });
    text.delta("child", { type: "delta", nodeId: "reply", iteration: 0, text: "From the child." });
    text.delta("root", { type: "delta", nodeId: "reply", iteration: 0, text: "Parent again." });
    expect(sent).toEqual([
      { type: "answer", nodeId: "hello", text: "Hi." },
      { type: "answer", nodeId: "child/reply", text: "From the child." },
      { type: "token", nodeId: "child/llm", text: "Thinking" },
      { type: "token", nodeId: "child/llm", text: " more" },
      { type: "answer", nodeId: "reply", text: "Parent again." },
    ]);
  });
});

describe("holdQueue", () => {
  it("runs handlers at once until work holds them, then in arrival order after all work is done", async () => {
    const queue = holdQueue();
    const seen: string[] = [];
    queue.run(() => seen.push("first"));
    let release!: () => void;
    const held = queue.during(() => new Promise<void>((resolve) => (release = resolve)));
    const nested = queue.during(async () => {
      seen.push("child told");
    });
    queue.run(() => seen.push("parent later"));
    queue.run(() => seen.push("parent last"));
    await nested;
    expect(seen).toEqual(["first", "child told"]);
    release();
    await held;
    expect(seen).toEqual(["first", "child told", "parent later", "parent last"]);
  });
});
