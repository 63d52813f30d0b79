import { nodeRegistry, type NodeRegistry } from "@/lib/nodes/registry";

/** What a node is called on screen: its title when it has one, else its type's label. */
export function nodeTitle(kind: string, config: Record<string, unknown>, registry: NodeRegistry = nodeRegistry): string {
  const title = config.title;
  if (typeof title === "string" && title.trim()) return title.trim();
  return registry[kind]?.label ?? kind;
}
