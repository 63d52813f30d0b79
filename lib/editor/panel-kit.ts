import type { ComponentType } from "react";
import type { NodeDefinition } from "@/lib/engine/node-kit";
import type { Problem, UpstreamField } from "@/lib/engine/validate";

/** What every node type's config panel (lib/nodes/<type>/panel.tsx) receives. */
export interface NodePanelProps<Config> {
  nodeId: string;
  config: Config;
  onChange: (config: Config) => void;
  /** Output fields of the nodes upstream of this one, for variable pickers. */
  fields: UpstreamField[];
  /** For containers (Loop): what is readable after each item of the body (its nodes, item, index). */
  bodyFields?: UpstreamField[];
  problems: Problem[];
}

export type NodePanel<Config> = ComponentType<NodePanelProps<Config>>;

/**
 * The config a panel edits. A draft may break value rules (a half-typed input name) while
 * keeping its shape, so when the schema rejects it the panel still gets the user's values,
 * laid over the defaults; the validator reports what is wrong. Panels render inside an error
 * boundary in case a draft is broken beyond that.
 */
export function panelConfig<Config>(def: NodeDefinition<Config>, data: Record<string, unknown>): Config {
  const parsed = def.configSchema.safeParse(data);
  if (parsed.success) return parsed.data;
  const { title: _title, settings: _settings, ...rest } = data;
  return { ...(def.defaultConfig() as object), ...rest } as Config;
}
