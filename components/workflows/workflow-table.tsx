import Link from "next/link";
import { StatusBadge } from "@/components/ui/status-badge";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import { formatRelative, formatTimestamp } from "@/lib/utils";
import { WorkflowRowActions } from "./workflow-row-actions";

export interface WorkflowRow {
  id: string;
  name: string;
  description: string;
  slug: string;
  exposeAsTool: boolean;
  updatedAt: Date | string;
  nodeCount: number;
  lastRun: { id: string; status: string; createdAt: Date | string } | null;
}

/** The workspace's workflows, newest edit first; actions only when the viewer may edit. */
export function WorkflowTable({ workflows, canEdit, canPublish }: { workflows: WorkflowRow[]; canEdit: boolean; canPublish: boolean }) {
  const now = new Date();
  return (
    <div className="rounded-lg border">
      <Table>
        <TableHeader>
          <TableRow className="hover:bg-transparent">
            <TableHead>Name</TableHead>
            <TableHead className="w-20 text-right">Nodes</TableHead>
            <TableHead className="w-40">Updated</TableHead>
            <TableHead className="w-44">Last run</TableHead>
            {canEdit ? <TableHead className="w-32 text-right">Actions</TableHead> : null}
          </TableRow>
        </TableHeader>
        <TableBody>
          {workflows.map((workflow) => (
            <TableRow key={workflow.id} data-testid="workflow-row" data-workflow-id={workflow.id}>
              <TableCell className="max-w-0">
                <Link href={`/workflows/${workflow.id}`} className="font-medium hover:underline">
                  {workflow.name}
                </Link>
                {workflow.description ? (
                  <p className="truncate text-xs text-muted-foreground" title={workflow.description}>
                    {workflow.description}
                  </p>
                ) : null}
              </TableCell>
              <TableCell className="text-right tabular-nums text-muted-foreground">{workflow.nodeCount}</TableCell>
              <TableCell className="text-muted-foreground">
                <time dateTime={new Date(workflow.updatedAt).toISOString()} title={formatTimestamp(workflow.updatedAt)}>
                  {formatRelative(workflow.updatedAt, now)}
                </time>
              </TableCell>
              <TableCell>
                {workflow.lastRun ? (
                  <Link
                    href={`/runs/${workflow.lastRun.id}`}
                    className="inline-flex items-center gap-2 text-xs text-muted-foreground hover:text-foreground"
                    title={formatTimestamp(workflow.lastRun.createdAt)}
                  >
                    <StatusBadge status={workflow.lastRun.status} />
                    {formatRelative(workflow.lastRun.createdAt, now)}
                  </Link>
                ) : (
                  <span className="text-xs text-muted-foreground">Never run</span>
                )}
              </TableCell>
              {canEdit ? (
                <TableCell>
                  <WorkflowRowActions workflow={workflow} canPublish={canPublish} />
                </TableCell>
              ) : null}
            </TableRow>
          ))}
        </TableBody>
      </Table>
    </div>
  );
}
