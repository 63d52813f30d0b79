import { describe, expect, it } from "vitest";
import type { NodeWait, WaitResolution } from "@/lib/engine/node-kit";
import { NodeError } from "@/lib/engine/errors";
import { ApprovalAnswerSchema, ApprovalConfigSchema, approvalNode } from "@/lib/nodes/approval/definition";
import { executeApproval } from "@/lib/nodes/approval/execute";
import { StoredAnswerSchema } from "@/lib/nodes/wait-kit";
import { nodeContext } from "./context";

const config = ApprovalConfigSchema.parse({ title: "Refund {{ start.amount }} EUR to {{ start.customer }}?", message: "Reason: {{ start.reason }}" });
const scope = { start: { amount: 120, customer: "ACME", reason: "damaged parcel" } };
const answered = (decision: "approve" | "reject", comment = ""): WaitResolution => ({
  status: "answered",
  response: StoredAnswerSchema.parse({ answer: { decision, comment }, by: { kind: "user", id: "u1", name: "Alice" } }),
  answeredBy: "u1",
  at: "2026-11-29T10:00:00.000Z",
});

describe("approval definition", () => {
  it("has approved and rejected handles, plus timeout only when a timeout takes its own branch", () => {
    expect(approvalNode.outputHandles(config).map((h) => h.id)).toEqual(["approved", "rejected"]);
    const withTimeout = ApprovalConfigSchema.parse({ title: "t", timeout: { amount: 2, unit: "hours" }, onTimeout: "timeout" });
    expect(approvalNode.outputHandles(withTimeout).map((h) => h.id)).toEqual(["approved", "rejected", "timeout"]);
    // onTimeout "timeout" without a timeout never fires, so no dangling handle.
    expect(approvalNode.outputHandles({ ...withTimeout, timeout: null }).map((h) => h.id)).toEqual(["approved", "rejected"]);
  });

  it("asks for a title and refuses timeouts over a year", () => {
    expect(approvalNode.check!(ApprovalConfigSchema.parse({ title: "  " }))).toEqual(["Give the approval a title: it is what approvers see first."]);
    expect(ApprovalConfigSchema.safeParse({ title: "t", timeout: { amount: 400, unit: "days" } }).success).toBe(false);
    expect(ApprovalConfigSchema.safeParse({ title: "t", assigneeRole: "viewer" }).success).toBe(false);
  });

  it("accepts approve/reject with an optional comment and nothing else", () => {
    expect(ApprovalAnswerSchema.parse({ decision: "approve" })).toEqual({ decision: "approve", comment: "" });
    expect(ApprovalAnswerSchema.safeParse({ decision: "maybe" }).success).toBe(false);
    expect(ApprovalAnswerSchema.safeParse({ decision: "reject", extra: 1 }).success).toBe(false);
  });
});

describe("approval executor", () => {
  it("waits with the rendered request and no timeout by default", async () => {
    const result = (await executeApproval(nodeContext(config, scope))) as NodeWait;
    expect(result.wait).toEqual({
      kind: "approval",
      request: { title: "Refund 120 EUR to ACME?", message: "Reason: damaged parcel", assigneeRole: null, onTimeout: null },
      timeoutAt: undefined,
    });
  });

  it("sets timeoutAt from the configured duration", async () => {
    const timed = ApprovalConfigSchema.parse({ title: "t", timeout: { amount: 30, unit: "minutes" }, onTimeout: "approve", assigneeRole: "admin" });
    const before = Date.now();
    const result = (await executeApproval(nodeContext(timed, scope))) as NodeWait;
    const at = Date.parse(result.wait.timeoutAt!);
    expect(at - before).toBeGreaterThanOrEqual(30 * 60_000 - 5);
    expect(at - before).toBeLessThan(30 * 60_000 + 5_000);
    expect(result.wait.request).toMatchObject({ assigneeRole: "admin", onTimeout: "approve" });
  });

  it("takes the approved or rejected branch from the decision, with comment and who decided", async () => {
    const approve = await executeApproval({ ...nodeContext(config, scope), resume: answered("approve", "ok by me") });
    expect(approve).toEqual({
      branch: "approved",
      output: { decision: "approved", comment: "ok by me", decidedBy: "Alice", decidedAt: "2026-11-29T10:00:00.000Z", timedOut: false },
      detail: { resolution: "answered", by: { kind: "user", id: "u1", name: "Alice" } },
    });
    const reject = await executeApproval({ ...nodeContext(config, scope), resume: answered("reject") });
    expect(reject).toMatchObject({ branch: "rejected", output: { decision: "rejected", comment: "" } });
  });

  it.each([
    ["approve", "approved"],
    ["reject", "rejected"],
    ["timeout", "timeout"],
  ] as const)("on timeout with onTimeout %s takes %s", async (onTimeout, branch) => {
    const timed = ApprovalConfigSchema.parse({ title: "t", timeout: { amount: 1, unit: "minutes" }, onTimeout });
    const result = await executeApproval({ ...nodeContext(timed, scope), resume: { status: "timed_out", response: null, at: "2026-11-29T11:00:00.000Z" } });
    expect(result).toMatchObject({ branch, output: { decision: branch, decidedBy: null, timedOut: true, decidedAt: "2026-11-29T11:00:00.000Z" } });
  });

  it("fails as cancelled on a cancelled wait and as internal on an unreadable answer", async () => {
    await expect(executeApproval({ ...nodeContext(config, scope), resume: { status: "cancelled", response: null, at: "x" } })).rejects.toMatchObject({ code: "cancelled" });
    const broken = executeApproval({ ...nodeContext(config, scope), resume: { status: "answered", response: { decision: "approve" }, at: "x" } });
    await expect(broken).rejects.toBeInstanceOf(NodeError);
    await expect(broken).rejects.toMatchObject({ code: "internal" });
  });
});
