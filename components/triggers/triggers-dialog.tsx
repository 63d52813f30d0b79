"use client";

import { Zap } from "lucide-react";
import { useState } from "react";
import { Button } from "@/components/ui/button";
import { Dialog, DialogContent, DialogDescription, DialogHeader, DialogTitle } from "@/components/ui/dialog";
import { Tabs, TabsContent, TabsList, TabsTrigger } from "@/components/ui/tabs";
import { SchedulesPanel } from "./schedules-panel";
import { WebhooksPanel } from "./webhooks-panel";

/**
 * The editor header's "Triggers": webhooks and schedules of the workflow. They run the latest
 * published version; managing them takes the workflow.publish permission (`manageDeniedReason`).
 */
export function TriggersButton({ workflowId, manageDeniedReason }: { workflowId: string; manageDeniedReason: string | null }) {
  const [open, setOpen] = useState(false);
  return (
    <Dialog open={open} onOpenChange={setOpen}>
      <Button variant="outline" size="sm" onClick={() => setOpen(true)} data-testid="triggers-button">
        <Zap aria-hidden /> Triggers
      </Button>
      <DialogContent className="max-h-[90vh] max-w-2xl overflow-y-auto">
        <DialogHeader>
          <DialogTitle>Triggers</DialogTitle>
          <DialogDescription>
            Webhooks and schedules start the latest published version of this workflow.
            {manageDeniedReason ? ` ${manageDeniedReason}` : ""}
          </DialogDescription>
        </DialogHeader>
        {open ? (
          <Tabs defaultValue="webhooks">
            <TabsList>
              <TabsTrigger value="webhooks">Webhooks</TabsTrigger>
              <TabsTrigger value="schedules">Schedules</TabsTrigger>
            </TabsList>
            <TabsContent value="webhooks">
              <WebhooksPanel workflowId={workflowId} canManage={manageDeniedReason === null} />
            </TabsContent>
            <TabsContent value="schedules">
              <SchedulesPanel workflowId={workflowId} canManage={manageDeniedReason === null} />
            </TabsContent>
          </Tabs>
        ) : null}
      </DialogContent>
    </Dialog>
  );
}
