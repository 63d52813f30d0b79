import Link from "next/link";
import { Button } from "@/components/ui/button";
import { EmptyState } from "@/components/ui/empty-state";

export default function RunNotFound() {
  return (
    <div className="mx-auto max-w-3xl p-8">
      <EmptyState
        title="Run not found"
        description="It does not exist or belongs to another workspace."
        action={
          <Button variant="outline" size="sm" asChild>
            <Link href="/runs">Back to runs</Link>
          </Button>
        }
      />
    </div>
  );
}
