"use client";

import { ModelPicker } from "@/components/editor/model-picker";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import type { McpSampling } from "@/lib/tools/mcp/schema";

/** What a source lets its server ask of Weft: sampling (a model and its token caps) and elicitation. */
export interface ServerRequestSettings {
  sampling: McpSampling | null;
  elicitation: boolean;
}

export const defaultSampling = (): McpSampling => ({ providerId: "", model: "", maxTokensPerRequest: 1024, maxTokensPerCall: 8_000, maxTokensPerRun: 50_000 });

const CAPS: { key: "maxTokensPerRequest" | "maxTokensPerCall" | "maxTokensPerRun"; label: string }[] = [
  { key: "maxTokensPerRequest", label: "Max tokens per request" },
  { key: "maxTokensPerCall", label: "Budget per tool call" },
  { key: "maxTokensPerRun", label: "Budget per run" },
];

export function ServerRequestFields({ value, onChange }: { value: ServerRequestSettings; onChange: (value: ServerRequestSettings) => void }) {
  const sampling = value.sampling;
  return (
    <fieldset className="space-y-3 rounded-md border p-3" data-testid="mcp-server-requests">
      <legend className="px-1 text-sm font-medium">What the server may ask of Weft</legend>
      <label className="flex items-start gap-2 text-sm">
        <input type="checkbox" className="mt-1" checked={sampling !== null} onChange={(e) => onChange({ ...value, sampling: e.target.checked ? defaultSampling() : null })} data-testid="mcp-sampling" />
        <span>
          Sampling: answer the server&apos;s model requests with a model of this workspace
          <span className="block text-xs text-muted-foreground">Its tokens and cost are recorded on the step that called the tool, within the caps below.</span>
        </span>
      </label>
      {sampling ? (
        <div className="space-y-3 pl-6">
          <ModelPicker idPrefix="mcp-sampling" value={{ providerId: sampling.providerId, model: sampling.model }} onChange={(ref) => onChange({ ...value, sampling: { ...sampling, ...ref } })} />
          <div className="grid gap-3 sm:grid-cols-3">
            {CAPS.map(({ key, label }) => (
              <div key={key} className="space-y-1.5">
                <Label htmlFor={`mcp-sampling-${key}`}>{label}</Label>
                <Input
                  id={`mcp-sampling-${key}`}
                  type="number"
                  min={1}
                  value={sampling[key]}
                  onChange={(e) => {
                    const amount = e.target.valueAsNumber;
                    if (Number.isInteger(amount) && amount > 0) onChange({ ...value, sampling: { ...sampling, [key]: amount } });
                  }}
                />
              </div>
            ))}
          </div>
        </div>
      ) : null}
      <label className="flex items-start gap-2 text-sm">
        <input type="checkbox" className="mt-1" checked={value.elicitation} onChange={(e) => onChange({ ...value, elicitation: e.target.checked })} data-testid="mcp-elicitation" />
        <span>
          Elicitation: let the server ask a person questions
          <span className="block text-xs text-muted-foreground">In a run, the question waits in the Inbox while the tool call stays open (until the MCP call timeout); the tool console refuses it.</span>
        </span>
      </label>
    </fieldset>
  );
}
