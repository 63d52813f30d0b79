"use client";

import { Plus } from "lucide-react";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { Button, type ButtonProps } from "@/components/ui/button";
import { createWorkflowRequest } from "./api";
import { WorkflowDetailsDialog } from "./workflow-details-dialog";

/** "New workflow": asks for a name, creates the workflow and opens it in the editor. */
export function NewWorkflowButton({ variant, size }: Pick<ButtonProps, "variant" | "size">) {
  const router = useRouter();
  const [open, setOpen] = useState(false);
  return (
    <>
      <Button variant={variant} size={size} onClick={() => setOpen(true)}>
        <Plus />
        New workflow
      </Button>
      <WorkflowDetailsDialog
        open={open}
        onOpenChange={setOpen}
        title="New workflow"
        description="You can change the name later."
        submitLabel="Create"
        initial={{ name: "", description: "" }}
        onSubmit={async (details) => {
          const { id } = await createWorkflowRequest(details);
          router.push(`/workflows/${id}`);
        }}
      />
    </>
  );
}
