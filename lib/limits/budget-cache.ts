/**
 * The budgets of each workspace, held briefly in process memory: every new run checks them, and
 * most workspaces have none, so a run start should not pay a query to learn that. A save in this
 * process forgets the workspace's entry at once; other processes see a change within BUDGET_CACHE_MS
 * (a budget is a monthly ceiling, and runs already in flight finish anyway).
 */
export const BUDGET_CACHE_MS = 5_000;

interface Entry<T> {
  rows: T[];
  expires: number;
}

// On globalThis: Next bundles lib modules into several chunks, and a save in one must clear the others' view.
const store = ((globalThis as { __weftBudgetCache?: Map<string, Entry<unknown>> }).__weftBudgetCache ??= new Map());

export async function cachedBudgets<T>(workspaceId: string, load: () => Promise<T[]>, now = Date.now()): Promise<T[]> {
  const hit = store.get(workspaceId) as Entry<T> | undefined;
  if (hit && hit.expires > now) return hit.rows;
  const rows = await load();
  store.set(workspaceId, { rows, expires: now + BUDGET_CACHE_MS });
  return rows;
}

export function forgetBudgets(workspaceId: string): void {
  store.delete(workspaceId);
}
