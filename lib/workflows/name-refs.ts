import { z } from "zod";

/**
 * References by id in workflow files (knowledge bases, providers), mapped by name on import. Ids
 * belong to one workspace, so an export lists each referenced id with its name; an import into
 * another workspace keeps an id that is this workspace's, maps any other to the one of that name
 * here, and reports the rest as missing: never a dangling id, never another one by guesswork.
 */

export const FileRefSchema = z.object({ id: z.string().max(100), name: z.string().max(200) });
export type FileRef = z.infer<typeof FileRefSchema>;

export interface NameMapping {
  /** The id in the file. */
  sourceId: string;
  /** Its name in the file (the id when the file has none: files exported before names were listed). */
  name: string;
  /** kept: the same one exists here (same workspace); mapped: the one of that name here; missing: none found. */
  status: "kept" | "mapped" | "missing";
  targetId: string | null;
  /** Why it is missing, for the person importing. */
  reason?: string;
  nodeIds: string[];
}

const fold = (name: string) => name.trim().toLowerCase();

/** This workspace's item for a name: the one of exactly that name, else the only one equal ignoring case and spaces around. */
function byName(items: readonly FileRef[], name: string): { id: string } | { ambiguous: number } | null {
  const exact = items.find((item) => item.name === name);
  if (exact) return exact;
  const loose = items.filter((item) => fold(item.name) === fold(name));
  if (loose.length === 1) return loose[0]!;
  return loose.length > 1 ? { ambiguous: loose.length } : null;
}

/**
 * Decides each referenced id's fate among `existing` (this workspace's items): `refs` maps a
 * file's id to the nodes using it, `named` are the file's names, `noun` names the kind in reasons.
 */
export function planByName(existing: readonly FileRef[], refs: Map<string, string[]>, named: readonly FileRef[], noun: string): NameMapping[] {
  return [...refs].map(([sourceId, nodeIds]): NameMapping => {
    const name = named.find((item) => item.id === sourceId)?.name;
    if (existing.some((item) => item.id === sourceId)) return { sourceId, name: name ?? sourceId, status: "kept", targetId: sourceId, nodeIds };
    const match = name === undefined ? null : byName(existing, name);
    if (match && "id" in match) return { sourceId, name: name!, status: "mapped", targetId: match.id, nodeIds };
    const reason =
      name === undefined
        ? `The file does not name this ${noun} and it is not one of this workspace.`
        : match
          ? `${match.ambiguous} ${noun}s here are named like "${name}".`
          : `No ${noun} here is named "${name}".`;
    return { sourceId, name: name ?? sourceId, status: "missing", targetId: null, reason, nodeIds };
  });
}
