import { TriangleAlert } from "lucide-react";
import { Badge } from "@/components/ui/badge";
import type { StepWarning } from "@/lib/engine/warnings";

/**
 * A run or step that succeeded but survived problems (an Agent's tool call that failed and was not
 * recovered, a Tool node set to go on after an error): amber, with the messages as its title.
 */
export function WarningBadge({ count, warnings, testId }: { count: number; warnings?: StepWarning[]; testId: string }) {
  if (!count || count <= 0) return null;
  const title = warnings?.length
    ? warnings.map((w) => `${w.tool ? `${w.tool}: ` : ""}${w.code}: ${w.message}`).join("\n")
    : "Steps of this run survived errors (a failed tool call); open the run to see them.";
  return (
    <Badge tone="amber" data-testid={testId} data-count={count} title={title}>
      <TriangleAlert className="size-3" aria-hidden />
      {count} warning{count === 1 ? "" : "s"}
    </Badge>
  );
}
