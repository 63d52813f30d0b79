import { db } from "@/lib/db/client";
import { Prisma } from "@/lib/generated/prisma/client";

/**
 * Unique slugs per workspace. A new workflow takes the slug it asks for (from its name, or from an
 * imported file) when free, else the first free `<slug>-2`, `<slug>-3`, …; a concurrent creation
 * taking the same one loses on the unique index and tries again (`withFreeSlug`).
 */

const MAX_SLUG = 63;

function suffixed(base: string, n: number): string {
  const tail = `-${n}`;
  return base.slice(0, MAX_SLUG - tail.length) + tail;
}

/** The first slug of `base`, `base-2`, `base-3`, … not used in the workspace. */
export async function freeSlug(workspaceId: string, base: string): Promise<string> {
  const stem = base.slice(0, MAX_SLUG - 4);
  const taken = new Set(
    (await db().workflow.findMany({ where: { workspaceId, slug: { startsWith: stem } }, select: { slug: true } })).map((row) => row.slug),
  );
  if (!taken.has(base)) return base;
  for (let n = 2; ; n += 1) {
    const candidate = suffixed(base, n);
    if (!taken.has(candidate)) return candidate;
  }
}

/** The workflows table's only unique index besides the id is (workspaceId, slug). */
export const isSlugConflict = (error: unknown) => error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2002";

/** Runs `insert` with a free slug, retrying when another insert took it in between. */
export async function withFreeSlug<T>(workspaceId: string, base: string, insert: (slug: string) => Promise<T>): Promise<T> {
  for (let attempt = 0; ; attempt += 1) {
    const slug = await freeSlug(workspaceId, base);
    try {
      return await insert(slug);
    } catch (error) {
      if (!isSlugConflict(error) || attempt >= 4) throw error;
    }
  }
}
