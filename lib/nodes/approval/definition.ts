import { z } from "zod";
import { defineNode } from "@/lib/engine/node-kit";
import { ROLES } from "@/lib/auth/member";
import { WaitTimeoutSchema } from "../wait-kit";

/** Roles that may be required of the approver (viewers never answer). */
export const APPROVER_ROLES = ROLES.filter((r) => r !== "viewer") as Exclude<(typeof ROLES)[number], "viewer">[];
export type ApproverRole = (typeof APPROVER_ROLES)[number];

export const APPROVAL_HANDLES = { approved: "approved", rejected: "rejected", timeout: "timeout" } as const;
/** What happens when nobody decides in time: take the approved or rejected branch, or a `timeout` handle of its own. */
export const ON_TIMEOUT = ["approve", "reject", "timeout"] as const;
export type OnTimeout = (typeof ON_TIMEOUT)[number];

export const ApprovalConfigSchema = z.object({
  /** Templates rendered with the run's data when the node is reached. */
  title: z.string().max(500),
  message: z.string().max(20_000).default(""),
  /** Only members with at least this role may decide; null: any editor or above. */
  assigneeRole: z.enum(APPROVER_ROLES).nullable().default(null),
  /** null: wait until someone decides (or the run is cancelled). */
  timeout: WaitTimeoutSchema.nullable().default(null),
  onTimeout: z.enum(ON_TIMEOUT).default("reject"),
});
export type ApprovalConfig = z.infer<typeof ApprovalConfigSchema>;

/** What the approver is shown (`RunWait.request` of kind approval): the rendered texts and the rules. */
export const ApprovalRequestSchema = z.object({
  title: z.string(),
  message: z.string(),
  assigneeRole: z.enum(APPROVER_ROLES).nullable(),
  /** Set when the wait has a timeout: what happens then. */
  onTimeout: z.enum(ON_TIMEOUT).nullable(),
});
export type ApprovalRequest = z.infer<typeof ApprovalRequestSchema>;

/** A decision as the API and the forms send it. */
export const ApprovalAnswerSchema = z.strictObject({
  decision: z.enum(["approve", "reject"]),
  comment: z.string().max(5_000).default(""),
});
export type ApprovalAnswer = z.infer<typeof ApprovalAnswerSchema>;

export const approvalNode = defineNode({
  type: "approval",
  label: "Human approval",
  description: "Pauses the run until a person approves or rejects (with a comment); optional timeout.",
  category: "logic",
  color: "#b45309",
  configSchema: ApprovalConfigSchema,
  defaultConfig: () => ({ title: "", message: "", assigneeRole: null, timeout: null, onTimeout: "reject" as const }),
  hasInput: true,
  outputHandles: (config) => [
    { id: APPROVAL_HANDLES.approved, label: "APPROVED" },
    { id: APPROVAL_HANDLES.rejected, label: "REJECTED" },
    ...(config.timeout && config.onTimeout === "timeout" ? [{ id: APPROVAL_HANDLES.timeout, label: "TIMEOUT" }] : []),
  ],
  outputFields: () => [
    { name: "decision", type: "string" as const, description: "approved, rejected or timeout (the handle taken)" },
    { name: "comment", type: "string" as const, description: "The approver's comment (empty when none)" },
    { name: "decidedBy", type: "string" as const, description: "Who decided (null on timeout)" },
    { name: "decidedAt", type: "string" as const, description: "When (ISO time)" },
    { name: "timedOut", type: "boolean" as const, description: "Whether the decision came from the timeout" },
  ],
  templates: (config) => [config.title, config.message],
  check: (config) => (config.title.trim() ? [] : ["Give the approval a title: it is what approvers see first."]),
});
