import type { ValueType } from "@/lib/engine/node-kit";
import type { ToolConfig } from "./definition";

/** Panel logic of the Tool node that needs no React: the form fields a tool's JSON Schema asks for. */

/** What the panels need of a workspace tool (GET /api/tools). */
export interface ToolOption {
  id: string;
  name: string;
  description: string;
  kind: string;
  enabled: boolean;
  inputSchema: Record<string, unknown>;
  outputSchema: Record<string, unknown> | null;
}

export interface SchemaProperty {
  name: string;
  type: string;
  description: string;
  required: boolean;
}

/** Top-level properties of an object JSON Schema, in declaration order. */
export function schemaProperties(schema: Record<string, unknown> | null | undefined): SchemaProperty[] {
  const properties = (schema?.properties ?? {}) as Record<string, { type?: unknown; description?: unknown }>;
  const required = new Set(Array.isArray(schema?.required) ? (schema.required as unknown[]).filter((r): r is string => typeof r === "string") : []);
  return Object.entries(properties).map(([name, p]) => ({
    name,
    type: typeof p?.type === "string" ? p.type : "any",
    description: typeof p?.description === "string" ? p.description : "",
    required: required.has(name),
  }));
}

const VALUE_TYPE: Record<string, ValueType> = { string: "string", number: "number", integer: "number", boolean: "boolean", object: "object", array: "array" };

/** The config for a newly chosen tool: one input per schema property (keeping values typed so far), its outputs. */
export function configForTool(tool: ToolOption, previous: ToolConfig): ToolConfig {
  const kept = new Map((previous.inputs ?? []).map((i) => [i.name, i.value]));
  return {
    toolId: tool.id,
    toolName: tool.name,
    inputs: schemaProperties(tool.inputSchema).map((p) => ({ name: p.name, value: kept.get(p.name) ?? "", required: p.required })),
    outputs: schemaProperties(tool.outputSchema).map((p) => ({ name: p.name, type: VALUE_TYPE[p.type] ?? "any" })),
    onToolError: previous.onToolError ?? "fail",
  };
}
