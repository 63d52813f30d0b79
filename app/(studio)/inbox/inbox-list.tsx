"use client";

import Link from "next/link";
import { useRouter } from "next/navigation";
import { ExternalLink } from "lucide-react";
import { WaitAnswerForm } from "@/components/runs/wait-answer-form";
import { Badge } from "@/components/ui/badge";
import type { InboxItem } from "@/lib/runs/waits";

export function InboxList({ items, canAnswer }: { items: InboxItem[]; canAnswer: boolean }) {
  const router = useRouter();
  return (
    <ul className="space-y-3" aria-label="Pending approvals and questions" data-testid="inbox-list">
      {items.map((item) => (
        <li key={item.id} className="space-y-3 rounded-lg border p-4" data-testid={`inbox-item-${item.id}`} data-kind={item.kind}>
          <div className="flex flex-wrap items-center gap-2 text-xs text-muted-foreground">
            <Badge tone="amber">{item.kind === "approval" ? "Approval" : "Question"}</Badge>
            <span className="font-medium text-foreground">{item.workflowName}</span>
            <span className="font-mono">
              {item.nodeId}
              {item.iteration > 0 ? ` #${item.iteration}` : ""}
            </span>
            <span>· since {new Date(item.createdAt).toLocaleString()}</span>
            {item.timeoutAt ? <span>· times out {new Date(item.timeoutAt).toLocaleString()}</span> : null}
            <Link href={`/runs/${item.runId}`} className="ml-auto inline-flex items-center gap-1 font-medium text-foreground underline-offset-2 hover:underline" data-testid="inbox-run-link">
              Open run <ExternalLink className="size-3" aria-hidden />
            </Link>
          </div>
          <WaitAnswerForm wait={item} canAnswer={canAnswer} onAnswered={() => router.refresh()} />
        </li>
      ))}
    </ul>
  );
}
