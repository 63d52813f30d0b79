import { describe, expect, it } from "vitest";
import { holdQueue } from "@/lib/chat/hold-queue";
import { chatNodeKey, chatNodesOf, inSpeakingOrder } from "@/lib/chat/tree-order";
import type { TreeSnapshotRun } from "@/lib/chat/turn-sql";
import { createTurnText, type ChatTextEvent } from "@/lib/chat/turn-text";

/**
 * The pure parts of a chat turn that spans sub-workflow runs: the order the tree's steps spoke in
 * (across runs, by when they ended), the chat's node keys, the text sent once per
 * step, and the hold that keeps a parent's later events behind a child being joined.
 */

const link = (id: string, parentRunId: string | null = null, parentNodeId: string | null = null, parentIteration: number | null = null) => ({ id, parentRunId, parentNodeId, parentIteration });
const step = (runId: string, nodeId: string, finishedAt: number | null, startedAt = 0) => ({ runId, nodeId, iteration: 0, finishedAt, startedAt });

describe("inSpeakingOrder", () => {
  it("orders the tree's steps by when they ended, across runs, steps still going last by start", () => {
    // A parent whose Sub-workflow step ran while a parallel branch answered: the child spoke first.
    const steps = [step("root", "hello", 10, 5), step("root", "sub", 90, 11), step("root", "branch", 60, 40), step("c1", "said", 30, 20), step("c1", "more", 80, 70), step("root", "llm", null, 95), step("root", "tail", null, 92)];
    expect(inSpeakingOrder(steps).map((s) => `${s.runId}.${s.nodeId}`)).toEqual(["root.hello", "c1.said", "root.branch", "c1.more", "root.sub", "root.tail", "root.llm"]);
  });

  it("breaks a tie on the end by the start", () => {
    expect(inSpeakingOrder([step("r", "b", 5, 4), step("r", "a", 5, 3)]).map((s) => s.nodeId)).toEqual(["a", "b"]);
  });
});

describe("chat node keys", () => {
  it("keeps the turn's own node ids and prefixes a sub-workflow run's with its run id (node ids hold no '/')", () => {
    expect(chatNodeKey("root", "root", "reply")).toBe("reply");
    expect(chatNodeKey("root", "child-1", "reply")).toBe("child-1/reply");
    expect(chatNodesOf([{ id: "a", type: "answer" }, { id: "s", type: "subworkflow" }, { id: "l", type: "llm" }])).toEqual({ answers: ["a"], subworkflows: ["s"], previews: [] });
  });

  it("previews the streamed text of the nodes the answer shows: those an Answer refers to, else those the End's outputs refer to", () => {
    const classify = { id: "classify", type: "llm", data: {} };
    const writer = { id: "writer", type: "llm", data: {} };
    const agent = { id: "agent", type: "agent", data: {} };
    const answers = [
      { id: "a1", type: "answer", data: { text: "Topic noted. {{ writer.text | strip }}" } },
      { id: "a2", type: "answer", data: { text: "{% if agent.text %}{{ agent.text }}{% endif %}" } },
    ];
    const end = { id: "end", type: "end", data: { outputs: [{ name: "answer", value: "{{ classify.text }}" }] } };
    expect(chatNodesOf([classify, writer, agent, ...answers, end]).previews).toEqual(["writer", "agent"]);
    // Without Answers the End's outputs are the chat's answer.
    expect(chatNodesOf([classify, writer, end]).previews).toEqual(["classify"]);
    // A broken config or template previews nothing rather than failing the stream.
    expect(chatNodesOf([writer, { id: "a", type: "answer", data: { text: "{{ writer.text" } }, { id: "b", type: "answer", data: null }]).previews).toEqual([]);
  });
});

const run = (id: string, status: string, steps: TreeSnapshotRun["steps"], parent?: [string, string]): TreeSnapshotRun => ({
  ...link(id, parent?.[0] ?? null, parent?.[1] ?? null, parent ? 0 : null),
  status,
  nodes: { answers: ["reply", "hello"], subworkflows: ["sub"], previews: ["llm"] },
  steps,
});
let clock = 0;
const answerStep = (nodeId: string, text: string, status = "succeeded") => ({
  nodeId,
  nodeType: "answer",
  iteration: 0,
  status,
  output: status === "succeeded" ? { text } : null,
  startedAt: ++clock,
  finishedAt: status === "succeeded" ? ++clock : null,
});

describe("createTurnText", () => {
  it("sends the tree's answers in the order they spoke once, a running step's partial text, and drops deltas of steps already told", () => {
    const sent: ChatTextEvent[] = [];
    const text = createTurnText("root", (event) => sent.push(event));
    const tree = [
      run("root", "waiting", [answerStep("hello", "Hi."), { nodeId: "sub", nodeType: "subworkflow", iteration: 0, status: "waiting", output: null, startedAt: ++clock, finishedAt: null }]),
      run("child", "running", [answerStep("reply", "From the child."), { nodeId: "llm", nodeType: "llm", iteration: 0, status: "running", output: null, startedAt: ++clock, finishedAt: null }], ["root", "sub"]),
    ];
    text.snapshot("root", tree, new Map());
    // The child's own snapshot repeats its answer (not sent twice) and brings its model's text so far.
    const classifying = { nodeId: "classify", nodeType: "llm", iteration: 0, status: "running", output: null, startedAt: ++clock, finishedAt: null };
    text.snapshot("child", [{ ...tree[1]!, steps: [...tree[1]!.steps, classifying] }], new Map([["llm:0", "Thinking"], ["classify:0", "bill"]]));
    text.delta("child", { type: "delta", nodeId: "llm", iteration: 0, text: " more" });
    // A model the answer does not show (a classifier) streams nothing to the chat, live or from a snapshot.
    text.delta("child", { type: "delta", nodeId: "classify", iteration: 0, text: "billing" });
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
