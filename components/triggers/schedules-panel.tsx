"use client";

import { Trash2 } from "lucide-react";
import { useState } from "react";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import { Textarea } from "@/components/ui/textarea";
import type { ScheduleView } from "@/lib/triggers/schedule-schemas";
import { triggerRequest, workflowPath } from "./api";
import { Choice } from "./choice";
import { useTriggerList } from "./use-trigger-list";
import { CronPreview } from "./cron-preview";

const MISFIRE_OPTIONS = [
  { value: "run_once", label: "Run once when a worker is back" },
  { value: "skip", label: "Skip" },
] as const;

const browserZone = () => (typeof Intl === "undefined" ? "UTC" : Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC");

/** The workflow's schedules: cron + time zone with a preview, fixed inputs, pause/resume, delete. */
export function SchedulesPanel({ workflowId, canManage }: { workflowId: string; canManage: boolean }) {
  const { items: schedules, error, act } = useTriggerList<ScheduleView>(workflowPath(workflowId, "schedules"), "schedules");
  const [name, setName] = useState("");
  const [cron, setCron] = useState("0 9 * * 1-5");
  const [timezone, setTimezone] = useState(browserZone);
  const [inputs, setInputs] = useState("{}");
  const [misfirePolicy, setMisfirePolicy] = useState<(typeof MISFIRE_OPTIONS)[number]["value"]>("run_once");

  const create = () =>
    act(async () => {
      let parsed: unknown;
      try {
        parsed = JSON.parse(inputs || "{}");
      } catch {
        throw new Error("The fixed inputs must be a JSON object, e.g. {\"topic\": \"daily report\"}.");
      }
      await triggerRequest(workflowPath(workflowId, "schedules"), { method: "POST", body: { name, cron, timezone, inputs: parsed, misfirePolicy } });
      setName("");
    });

  const path = (id: string) => workflowPath(workflowId, `schedules/${id}`);
  return (
    <div className="grid gap-4" data-testid="schedules-panel">
      {schedules.length === 0 ? <p className="text-sm text-muted-foreground">No schedules yet.</p> : null}
      {schedules.map((schedule) => (
        <div key={schedule.id} className="grid gap-1 rounded border p-3 text-sm" data-testid="schedule-item">
          <div className="flex items-center gap-2">
            <span className="font-medium">{schedule.name}</span>
            <Badge tone={schedule.enabled ? "green" : "amber"}>{schedule.enabled ? "active" : "paused"}</Badge>
            <code className="text-xs">{schedule.cron}</code>
            {canManage ? (
              <div className="ml-auto flex gap-1">
                <Button size="sm" variant="outline" onClick={() => void act(() => triggerRequest(path(schedule.id), { method: "PATCH", body: { enabled: !schedule.enabled } }))} data-testid="schedule-toggle">
                  {schedule.enabled ? "Pause" : "Resume"}
                </Button>
                <Button size="icon-sm" variant="ghost" aria-label={`Delete ${schedule.name}`} onClick={() => void act(() => triggerRequest(path(schedule.id), { method: "DELETE" }))}>
                  <Trash2 aria-hidden />
                </Button>
              </div>
            ) : null}
          </div>
          <CronPreview cron={schedule.cron} timezone={schedule.timezone} />
          <p className="text-xs text-muted-foreground">
            Inputs <code>{JSON.stringify(schedule.inputs)}</code> · missed fires: {schedule.misfirePolicy === "skip" ? "skipped" : "run once"}
            {schedule.lastFiredAt ? ` · last fired ${new Date(schedule.lastFiredAt).toLocaleString()}` : ""}
          </p>
        </div>
      ))}
      {canManage ? (
        <div className="grid gap-2 rounded border border-dashed p-3">
          <div className="grid grid-cols-2 gap-2">
            <div className="grid gap-1">
              <Label htmlFor="schedule-name">New schedule</Label>
              <Input id="schedule-name" placeholder="e.g. Weekday digest" value={name} maxLength={120} onChange={(e) => setName(e.target.value)} data-testid="schedule-name" />
            </div>
            <Choice id="schedule-misfire" label="Missed while no worker ran" value={misfirePolicy} options={MISFIRE_OPTIONS} onChange={setMisfirePolicy} />
            <div className="grid gap-1">
              <Label htmlFor="schedule-cron">Cron (5 fields, or 6 with seconds)</Label>
              <Input id="schedule-cron" value={cron} onChange={(e) => setCron(e.target.value)} className="font-mono" data-testid="schedule-cron" />
            </div>
            <div className="grid gap-1">
              <Label htmlFor="schedule-zone">Time zone</Label>
              <Input id="schedule-zone" value={timezone} onChange={(e) => setTimezone(e.target.value)} data-testid="schedule-timezone" />
            </div>
          </div>
          <CronPreview cron={cron} timezone={timezone} />
          <div className="grid gap-1">
            <Label htmlFor="schedule-inputs">Fixed inputs (JSON, checked against the Start inputs)</Label>
            <Textarea id="schedule-inputs" rows={3} className="font-mono text-xs" value={inputs} onChange={(e) => setInputs(e.target.value)} data-testid="schedule-inputs" />
          </div>
          <Button size="sm" className="justify-self-start" disabled={!name.trim() || !cron.trim()} onClick={() => void create()} data-testid="schedule-create">
            Add schedule
          </Button>
        </div>
      ) : null}
      {error ? <p className="text-sm text-red-700" role="alert">{error}</p> : null}
    </div>
  );
}
