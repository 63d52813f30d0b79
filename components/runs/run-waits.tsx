"use client";

import { useRouter } from "next/navigation";
import { Hourglass } from "lucide-react";
import type { WaitView } from "@/lib/runs/waits";
import { WaitAnswerForm } from "./wait-answer-form";

const KIND_LABEL: Record<WaitView["kind"], string> = { approval: "Approval", question: "Question", subworkflow: "Sub-workflow" };

/** The run page's list of what the run waits (or waited) for, with the answer forms of pending ones. */
export function RunWaits({ waits, canAnswer }: { waits: WaitView[]; canAnswer: boolean }) {
  const router = useRouter();
  if (waits.length === 0) return null;
  return (
    <section className="space-y-3" aria-label="Waits" data-testid="run-waits">
      <h2 className="text-lg font-semibold tracking-tight">Approvals and questions</h2>
      <ul className="space-y-2">
        {waits.map((wait) => (
          <li
            key={wait.id}
            className={wait.status === "pending" ? "rounded-lg border border-amber-300 bg-amber-50/60 p-4" : "rounded-lg border p-4"}
            data-testid={`wait-${wait.nodeId}`}
            data-status={wait.status}
          >
            <p className="mb-2 flex items-center gap-2 text-xs uppercase tracking-wide text-muted-foreground">
              {wait.status === "pending" ? <Hourglass className="size-3.5 text-amber-600" aria-hidden /> : null}
              {KIND_LABEL[wait.kind]} · <span className="font-mono normal-case">{wait.nodeId}</span>
              {wait.iteration > 0 ? ` #${wait.iteration}` : ""}
              {wait.status === "pending" && wait.timeoutAt ? <span className="normal-case"> · times out {new Date(wait.timeoutAt).toLocaleString()}</span> : null}
            </p>
            <WaitAnswerForm wait={wait} canAnswer={canAnswer} onAnswered={() => router.refresh()} />
          </li>
        ))}
      </ul>
    </section>
  );
}
