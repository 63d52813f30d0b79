import { describe, expect, it } from "vitest";
import { schedule, type SchedulerState } from "@/lib/engine/scheduler";
import { condition, edge, end, graph, start, template } from "./fixtures";

type States = Record<string, SchedulerState>;
const done = (branch?: string): SchedulerState => ({ status: "succeeded", ...(branch ? { branch } : {}) });

describe("schedule", () => {
  const linear = graph([start("s"), template("a", "x"), template("b", "y"), end("e", { r: "z" })], [edge("s", "a"), edge("a", "b"), edge("b", "e")]);

  it("runs a linear graph one node at a time", () => {
    expect(schedule(linear, {})).toEqual({ ready: ["s"], skip: [] });
    expect(schedule(linear, { s: { status: "running" } })).toEqual({ ready: [], skip: [] });
    expect(schedule(linear, { s: done() })).toEqual({ ready: ["a"], skip: [] });
    expect(schedule(linear, { s: done(), a: done(), b: done() })).toEqual({ ready: ["e"], skip: [] });
    expect(schedule(linear, { s: done(), a: done(), b: done(), e: done() })).toEqual({ ready: [], skip: [] });
  });

  it("does not continue past a failed node", () => {
    expect(schedule(linear, { s: done(), a: { status: "failed" } })).toEqual({ ready: [], skip: [] });
  });

  // s → a, s → b (parallel), a+b → j (join)
  const diamond = graph(
    [start("s"), template("a", "x"), template("b", "y"), template("j", "z"), end("e", { r: "z" })],
    [edge("s", "a"), edge("s", "b"), edge("a", "j"), edge("b", "j"), edge("j", "e")],
  );

  it("releases parallel branches together and joins when both have finished", () => {
    expect(schedule(diamond, { s: done() })).toEqual({ ready: ["a", "b"], skip: [] });
    expect(schedule(diamond, { s: done(), a: done(), b: { status: "running" } })).toEqual({ ready: [], skip: [] });
    expect(schedule(diamond, { s: done(), a: done(), b: done() })).toEqual({ ready: ["j"], skip: [] });
  });

  // s → c; c: case_1 → x, case_2 → y, else → z; x, y, z → j → e
  const branching = graph(
    [
      start("s"),
      condition("c", [
        { id: "case_1", rules: [{ left: "s.question", operator: "is_empty" }] },
        { id: "case_2", rules: [{ left: "s.question", operator: "is_not_empty" }] },
      ]),
      template("x", "1"),
      template("y", "2"),
      template("z", "3"),
      template("x2", "after x"),
      template("j", "join"),
      end("e", { r: "{{ j.text }}" }),
    ],
    [
      edge("s", "c"),
      edge("c", "x", "case_1"),
      edge("c", "y", "case_2"),
      edge("c", "z", "else"),
      edge("x", "x2"),
      edge("x2", "j"),
      edge("y", "j"),
      edge("z", "j"),
      edge("j", "e"),
    ],
  );

  it("runs the branch taken and skips the others, propagating skips", () => {
    const states: States = { s: done(), c: done("case_2") };
    expect(schedule(branching, states)).toEqual({ ready: ["y"], skip: ["x", "z", "x2"] });
  });

  it("runs a join once the taken branch arrives and the others are dead", () => {
    const skipped: SchedulerState = { status: "skipped" };
    expect(schedule(branching, { s: done(), c: done("case_2"), x: skipped, z: skipped, x2: skipped, y: { status: "running" } })).toEqual({
      ready: [],
      skip: [],
    });
    expect(schedule(branching, { s: done(), c: done("case_2"), x: skipped, z: skipped, x2: skipped, y: done() })).toEqual({
      ready: ["j"],
      skip: [],
    });
  });

  it("takes else and elif branches the same way", () => {
    expect(schedule(branching, { s: done(), c: done("else") })).toEqual({ ready: ["z"], skip: ["x", "y", "x2"] });
    expect(schedule(branching, { s: done(), c: done("case_1") })).toEqual({ ready: ["x"], skip: ["y", "z"] });
  });

  it("skips everything downstream when every inbound edge is dead", () => {
    // c → (case_1) a → e1; c → (else) b; a join of a and only-dead edges is skipped too.
    const g = graph(
      [
        start("s"),
        condition("c", [{ id: "case_1", rules: [{ left: "s.question", operator: "is_empty" }] }]),
        template("a", "1"),
        template("a2", "2"),
        template("b", "3"),
        end("e1", { r: "x" }),
        end("e2", { r: "y" }),
      ],
      [edge("s", "c"), edge("c", "a", "case_1"), edge("a", "a2"), edge("a2", "e1"), edge("c", "b", "else"), edge("b", "e2")],
    );
    expect(schedule(g, { s: done(), c: done("else") })).toEqual({ ready: ["b"], skip: ["a", "a2", "e1"] });
  });

  it("treats an edge without a handle as the default handle", () => {
    const g = graph([start("s"), template("a", "x")], [{ id: "e", source: "s", target: "a", sourceHandle: null }]);
    expect(schedule(g, { s: done("out") })).toEqual({ ready: ["a"], skip: [] });
    expect(schedule(g, { s: done("other") })).toEqual({ ready: [], skip: ["a"] });
  });
});
